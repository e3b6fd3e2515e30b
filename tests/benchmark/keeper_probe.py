"""What a per-run keeper process would save per task: a measurement, not a design (issue 12).

Issue 12 allows "a per-controller process that keeps each session connected between the tasks of a
run ... if a measurement shows it pays". This is that measurement. It forks, as ansible's workers
are forked (the parent has imported what ansible-playbook's parent has: profile_task.py's --fork
setup), three kinds of worker per task, interleaved:

- **today**: psremoting.pssession.psrp as it is (load, set_options, exec_command, close);
- **builtin**: ansible.builtin.psrp, the yardstick;
- **keeper**: a worker that hands the command to a keeper over a Unix socket and reads the result.
  The keeper is one process, forked before the workers, holding our plugin's connection OPEN
  across tasks (one TaskSession: its pool, its kept-alive HTTP connection and its lock), so a
  task costs it only the Command and the Receive. The worker loads nothing of ours: the lower
  bound of a keeper-backed plugin's worker. ``keeper+load`` also loads our plugin and sets its
  options first (what a keeper-backed plugin costs if its module loads as much as today's).

Printed per kind: the worker's wall and CPU (``wait4``), the keeper's CPU for the task, and their
sum: the controller CPU a task costs. Nothing here is a keeper implementation: no cancel, no
run-end handling, no fallback; those are what building it would add (docs/performance.md).

Usage: python keeper_probe.py --port PORT [--tasks 30] [--user U --password P]
(PYTHONPATH must reach the laid-out collection's ansible_collections, as scripts/benchmark sets it.)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
import types
import typing as t

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import profile_task  # noqa: E402  pylint: disable=wrong-import-position

KINDS = ('today', 'builtin', 'keeper', 'keeper+load')


def _send(sock: socket.socket, value: dict[str, t.Any]) -> None:
    data = json.dumps(value).encode()
    sock.sendall(len(data).to_bytes(4, 'big') + data)


def _receive(sock: socket.socket) -> dict[str, t.Any]:
    def exactly(count: int) -> bytes:
        chunks = b''
        while len(chunks) < count:
            chunk = sock.recv(count - len(chunks))
            if not chunk:
                raise ConnectionError('the keeper closed the socket')
            chunks += chunk
        return chunks
    return json.loads(exactly(int.from_bytes(exactly(4), 'big')))


def keeper(path: str, port: int, ready: int) -> None:
    """The keeper's loop: one connection of our plugin, opened once, a command per request."""
    from ansible.playbook.play_context import PlayContext  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import connection_loader  # pylint: disable=import-outside-toplevel
    conn = connection_loader.get(profile_task.OURS, PlayContext(), '/dev/null')
    # A session of its own (named, so not the run-scoped one the 'today' workers park between their tasks).
    variables = dict(profile_task.hostvars(profile_task.OURS, port, 'keeper1'), ansible_pssession_name='keeper-probe-%d' % os.getpid())
    conn.set_options(var_options=variables)
    conn.exec_command('echo warm')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    os.write(ready, b'1')
    os.close(ready)
    try:
        while True:
            client, _address = server.accept()
            with client:
                request = _receive(client)
                if request.get('stop'):
                    break
                cpu = time.process_time()
                rc, out, err = conn.exec_command(request['cmd'])
                _send(client, {'rc': rc, 'out': out.decode('utf-8', 'replace'), 'err': err.decode('utf-8', 'replace'),
                               'keeper_cpu': time.process_time() - cpu})
    finally:
        conn.close()
        server.close()


def _through_keeper(path: str, command: str) -> dict[str, t.Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        _send(sock, {'cmd': command})
        return _receive(sock)


def worker(kind: str, port: int, command: str, path: str) -> dict[str, float]:
    """One task as a forked ansible worker runs it; the figures of its steps."""
    from ansible.playbook.play_context import PlayContext  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import connection_loader  # pylint: disable=import-outside-toplevel
    steps: dict[str, float] = {}
    plugin = profile_task.BUILTIN if kind == 'builtin' else profile_task.OURS
    if kind != 'keeper':
        conn = connection_loader.get(plugin, PlayContext(), '/dev/null')
        conn.set_options(var_options=profile_task.hostvars(plugin, port, 'probe1'))
    if kind.startswith('keeper'):
        reply = _through_keeper(path, command)
        steps['keeper cpu'] = reply['keeper_cpu']
        rc, err = reply['rc'], reply['err']
    else:
        try:
            rc, _out, err = conn.exec_command(command)
        finally:
            conn.close()
    if rc != 0:
        raise RuntimeError('the task failed: %r' % err)
    return steps


def run(port: int, tasks: int, command: str) -> str:
    directory = tempfile.mkdtemp(prefix='keeper-probe-')
    path = os.path.join(directory, 'keeper.sock')
    parent = os.getpid()
    ready_read, ready_write = os.pipe()
    keeper_pid = os.fork()
    if keeper_pid == 0:
        os.close(ready_read)
        multiprocessing.process._parent_process = types.SimpleNamespace(pid=parent)  # pylint: disable=protected-access
        code = 0
        try:
            keeper(path, port, ready_write)
        except Exception as err:  # pylint: disable=broad-except  # the parent sees the keeper gone
            print('keeper failed: %s: %s' % (type(err).__name__, err), file=sys.stderr)
            code = 1
        os._exit(code)  # pylint: disable=protected-access
    os.close(ready_write)
    with os.fdopen(ready_read, 'rb') as ready:
        if ready.read(1) != b'1':
            raise SystemExit('the keeper did not start (see its error above)')
    rows: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    errors: list[str] = []
    try:
        for i in range(tasks + 1):
            for kind in KINDS:
                read_fd, write_fd = os.pipe()
                started = time.perf_counter()
                pid = os.fork()
                if pid == 0:
                    os.close(read_fd)
                    multiprocessing.process._parent_process = types.SimpleNamespace(pid=parent)  # pylint: disable=protected-access
                    try:
                        result = worker(kind, port, command, path)
                    except Exception as err:  # pylint: disable=broad-except  # reported by the parent
                        result = {'error': '%s: %s' % (type(err).__name__, ' '.join(str(err).split())[:200])}
                    os.write(write_fd, json.dumps(result).encode())
                    os._exit(0)  # pylint: disable=protected-access
                os.close(write_fd)
                with os.fdopen(read_fd, 'rb') as handle:
                    data = handle.read()
                _pid, _status, usage = os.wait4(pid, 0)
                wall = time.perf_counter() - started
                if i == 0:
                    continue  # the first of each kind warms the host and opens the sessions
                steps = json.loads(data or b'{"error": "the worker wrote nothing"}')
                if 'error' in steps:
                    errors.append('%s: %s' % (kind, steps['error']))
                    continue
                steps['worker wall'] = wall
                steps['worker cpu (wait4)'] = usage.ru_utime + usage.ru_stime
                steps['controller cpu'] = steps['worker cpu (wait4)'] + steps.get('keeper cpu', 0.0)
                rows[kind].append(steps)
    finally:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(path)
                _send(sock, {'stop': True})
        except OSError:
            pass
        os.waitpid(keeper_pid, 0)
    keys = ('worker wall', 'worker cpu (wait4)', 'keeper cpu', 'controller cpu')
    lines = ['%-24s %s' % ('per task, ms (median)', ''.join('%14s' % kind for kind in KINDS))]
    for key in keys:
        cells = []
        for kind in KINDS:
            values = [r[key] for r in rows[kind] if key in r]
            cells.append('%14.1f' % (statistics.median(values) * 1e3) if values else '%14s' % '-')
        lines.append('%-24s %s' % (key, ''.join(cells)))
    lines.append('(%s)' % ', '.join('%s: %d tasks' % (kind, len(rows[kind])) for kind in KINDS))
    if errors:
        lines.append('%d worker(s) failed, left out; first: %s' % (len(errors), errors[0]))
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--tasks', type=int, default=30)
    parser.add_argument('--command', default='echo 1')
    parser.add_argument('--user', default=profile_task.USER['name'])
    parser.add_argument('--password', default=profile_task.USER['password'])
    args = parser.parse_args(argv)
    profile_task.USER.update(name=args.user, password=args.password)
    os.environ.setdefault('ANSIBLE_PSSESSION_LOCK_DIR', tempfile.mkdtemp(prefix='bench-locks-'))
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
    init_plugin_loader()
    profile_task.prepare_fork_parent()
    print(run(args.port, args.tasks, args.command))
    return 0


if __name__ == '__main__':
    sys.exit(main())
