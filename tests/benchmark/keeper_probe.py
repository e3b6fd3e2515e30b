"""What the run's keeper saves per task, and what it costs (issue 12; docs/design.md section 9).

It forks, as ansible's workers are forked (the parent has imported what ansible-playbook's parent has:
profile_task.py's --fork setup, and each worker sees the parent as its run's main process), three kinds of
worker per task, interleaved, on one run-scoped session:

- **in worker**: psremoting.pssession.psrp with ``keeper: false``, every task in its own worker (before issue 12);
- **keeper**: psremoting.pssession.psrp as it is by default: the first task starts the run's keeper, the
  later ones hand it their task (plugins/plugin_utils/keeper.py);
- **builtin**: ansible.builtin.psrp, the yardstick.

Printed per kind: the worker's wall and CPU (``wait4``), the keeper's CPU for the task (its process's
user+sys from /proc before and after), and their sum: the controller CPU a task costs.

Usage: python keeper_probe.py --port PORT [--tasks 30] [--user U --password P]
(PYTHONPATH must reach the laid-out collection's ansible_collections, as scripts/benchmark sets it.)
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procs  # noqa: E402  pylint: disable=wrong-import-position
import profile_task  # noqa: E402  pylint: disable=wrong-import-position

KINDS = ('in worker', 'keeper', 'builtin')


def worker(kind: str, port: int, command: str) -> dict[str, float]:
    """One task as a forked ansible worker runs it."""
    from ansible.playbook.play_context import PlayContext  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import connection_loader  # pylint: disable=import-outside-toplevel
    plugin = profile_task.BUILTIN if kind == 'builtin' else profile_task.OURS
    conn = connection_loader.get(plugin, PlayContext(), '/dev/null')
    variables = profile_task.hostvars(plugin, port, 'probe1')
    if kind == 'in worker':
        variables['ansible_pssession_keeper'] = False
    conn.set_options(var_options=variables)
    try:
        rc, _out, err = conn.exec_command(command)
    finally:
        conn.close()
    if rc != 0:
        raise RuntimeError('the task failed: %r' % err)
    return {}


def keeper_cpu() -> float:
    """User+sys CPU seconds of the run's keeper so far (0 if there is none)."""
    for path in glob.glob(os.path.join(os.environ['ANSIBLE_PSSESSION_LOCK_DIR'], 'keeper-%d-*.lock' % os.getpid())):
        with open(path, encoding='ascii') as handle:
            pid = handle.read().strip()
        seconds = procs.cpu_seconds(int(pid)) if pid.isdigit() else None
        if seconds is not None:
            return seconds
    return 0.0


def run(port: int, tasks: int, command: str) -> str:
    rows: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    errors: list[str] = []
    for i in range(tasks + 1):
        for kind in KINDS:
            keeper_before = keeper_cpu()
            steps, usage, wall = procs.run_forked(lambda kind=kind: worker(kind, port, command), os.getpid())
            if i == 0:
                continue  # the first of each kind warms the host, opens the session and starts the keeper
            if 'error' in steps:
                errors.append('%s: %s' % (kind, steps['error']))
                continue
            steps['worker wall'] = wall
            steps['worker cpu (wait4)'] = usage.ru_utime + usage.ru_stime
            if kind == 'keeper':
                steps['keeper cpu'] = keeper_cpu() - keeper_before
            rows[kind].append(steps)

    def figure(kind: str, key: str) -> float | None:
        values = [r[key] for r in rows[kind] if key in r]
        if not values:
            return None
        # The keeper's CPU comes from /proc in clock ticks (10 ms): its mean over the tasks, not a median of ticks.
        return statistics.mean(values) if key == 'keeper cpu' else statistics.median(values)

    lines = ['%-24s %s' % ('per task, ms', ''.join('%14s' % kind for kind in KINDS))]
    for key in ('worker wall', 'worker cpu (wait4)', 'keeper cpu', 'controller cpu'):
        cells = []
        for kind in KINDS:
            if key == 'controller cpu':
                worker_cpu, keeper = figure(kind, 'worker cpu (wait4)'), figure(kind, 'keeper cpu')
                value = None if worker_cpu is None else worker_cpu + (keeper or 0.0)
            else:
                value = figure(kind, key)
            cells.append('%14.1f' % (value * 1e3) if value is not None else '%14s' % '-')
        lines.append('%-24s %s' % (key, ''.join(cells)))
    lines.append('(%s; medians but for the keeper\'s CPU: its mean, from /proc\'s clock ticks of %.0f ms)'
                 % (', '.join('%s: %d tasks' % (kind, len(rows[kind])) for kind in KINDS), 1000 / os.sysconf('SC_CLK_TCK')))
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
