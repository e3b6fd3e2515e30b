"""Where one task's time goes, inside the connection plugins (no ansible-playbook around them).

Drives a connection plugin the way an ansible worker does for each task of a play (a new
Connection object, set_options, _connect via exec_command, close) N times in this process,
against a running test host, and reports:

- the time of each WSMan request, by action (client side: request sent to answer parsed);
- the time of each phase of psremoting.pssession.psrp (lock, enumerate, connect, run,
  disconnect, ...) and of ansible.builtin.psrp (open, run, close);
- optionally a cProfile of the loop (--cprofile FILE, summarised with --top);
- with --fork, instead: each task in a freshly forked process, as ansible's workers run them
  (the parent has imported pypsrp and ansible.builtin.psrp, as ansible-playbook's parent has), with the wall and CPU time of each step: loading
  the plugin (which for a collection means compiling its Python source: ansible's collection
  loader does not use .pyc files), set_options, exec_command (connect + run), close.

Usage: python profile_task.py --port PORT [--tasks 30] [--plugin ours|builtin|both] [--cprofile out.prof]
(PYTHONPATH must reach the laid-out collection's ansible_collections, as scripts/benchmark sets it.)
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import typing as t

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procs  # noqa: E402  pylint: disable=wrong-import-position

OURS = 'psremoting.pssession.psrp'
BUILTIN = 'ansible.builtin.psrp'

TIMES: dict[str, list[float]] = collections.defaultdict(list)
CURRENT = ['ours']  # which plugin the loop is running, for the WSMan request labels


def timed(owner: t.Any, name: str, label: str) -> None:
    """Replace owner.name by a wrapper adding its duration to TIMES[label] (in this process only)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label].append(time.perf_counter() - start)

    setattr(owner, name, wrapper)


def instrument() -> None:
    from pypsrp import wsman as pywsman

    original = pywsman.WSMan.invoke

    @functools.wraps(original)
    def invoke(self, action, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, action, *args, **kwargs)
        finally:
            TIMES['%s: wsman %s' % (CURRENT[0], action.rsplit('/', 1)[-1])].append(time.perf_counter() - start)

    pywsman.WSMan.invoke = invoke

    from ansible_collections.psremoting.pssession.plugins.plugin_utils import pssession, pipelines, session_lock, task_session
    from ansible_collections.psremoting.pssession.plugins.plugin_utils import session_identity
    timed(task_session.TaskSession, 'prepare', 'ours: options + session key')
    timed(session_identity, 'run_scoped_name', 'ours: run_scoped_name')
    timed(session_lock.SessionLock, 'acquire', 'ours: lock acquire')
    timed(session_lock.SessionLock, 'release', 'ours: lock release')
    timed(session_lock.SessionLock, 'read_state', 'ours: state read')
    timed(session_lock.SessionLock, 'write_state', 'ours: state write')
    timed(pssession, 'enumerate_shells', 'ours: Enumerate shells (+parse)')
    timed(pssession.PSSession, '_reap', 'ours: reap ended runs')
    timed(pssession.PSSession, '_connect', 'ours: Connect (+pool Receive)')
    timed(pssession.PSSession, '_create', 'ours: Create (first task)')
    timed(pssession.PSSession, 'disconnect', 'ours: Disconnect')
    timed(pssession.PSSession, 'close_transport', 'ours: close HTTP session')
    timed(pipelines.PipelineRunner, 'run', 'ours: run pipeline')
    timed(pipelines.PipelineRunner, 'finish_last', 'ours: finish pipeline (Signal if running)')
    timed(task_session.TaskSession, 'open', 'ours: open() total')
    timed(task_session.TaskSession, 'close', 'ours: close() total')

    from ansible.plugins.connection import psrp as builtin
    timed(builtin.Connection, '_connect', 'builtin: _connect (Create + Receive)')
    timed(builtin.Connection, '_exec_psrp_script', 'builtin: run pipeline')
    timed(builtin.Connection, 'close', 'builtin: close (Delete)')


USER = {'name': 'user', 'password': 'Passw0rd!'}
RUN_ID = os.getpid()  # one session name for the whole run, also in forked workers
# --named: a named session (disconnected after every task) instead of the default run-scoped one (parked
# between tasks: docs/design.md section 6), which is what a playbook without session_name uses.
NAMED = [False]


def hostvars(plugin: str, port: int, name: str) -> dict[str, t.Any]:
    values = {
        'inventory_hostname': name, 'ansible_host': '127.0.0.1', 'ansible_user': USER['name'], 'ansible_password': USER['password'],
        'ansible_port': port, 'ansible_psrp_protocol': 'http', 'ansible_psrp_auth': 'basic',
        'ansible_psrp_message_encryption': 'never',
    }
    if plugin == OURS and NAMED[0]:
        values['ansible_pssession_name'] = 'profile-%s-%d' % (name, RUN_ID)
    return values


def one_task(plugin: str, port: int, name: str, command: str) -> None:
    from ansible.playbook.play_context import PlayContext
    from ansible.plugins.loader import connection_loader
    conn = connection_loader.get(plugin, PlayContext(), '/dev/null')
    conn.set_options(var_options=hostvars(plugin, port, name))
    try:
        rc, _out, err = conn.exec_command(command)
        if rc != 0:
            raise RuntimeError('task failed: %r' % err)
    finally:
        conn.close()


def loop(plugin: str, port: int, tasks: int, command: str) -> list[float]:
    CURRENT[0] = 'ours' if plugin == OURS else 'builtin'
    per_task = []
    for _task in range(tasks):
        start = time.perf_counter()
        one_task(plugin, port, 'prof1', command)
        per_task.append(time.perf_counter() - start)
    return per_task


def forked(plugins: list[str], port: int, tasks: int, command: str, cprofile: str | None = None, top: int = 25) -> str:
    """Each task in a new forked process, like an ansible worker; per-step wall/CPU medians.

    With cprofile, each worker also profiles its steps (so the figures include the profiler's overhead) into
    cprofile.PLUGIN.N, and the summary, by cumulative time, of each plugin's workers is appended."""
    from ansible.playbook.play_context import PlayContext
    from ansible.plugins.loader import connection_loader
    rows: dict[str, list[dict[str, float]]] = {p: [] for p in plugins}
    errors: list[str] = []
    for i in range(tasks + 1):
        for plugin in plugins:
            def task(plugin=plugin, i=i):
                steps = {}
                profile = cProfile.Profile() if cprofile and i else None
                if profile:
                    profile.enable()
                try:
                    def step(name, fn, *args):
                        w0, c0 = time.perf_counter(), time.process_time()
                        value = fn(*args)
                        steps[name + ' wall'] = time.perf_counter() - w0
                        steps[name + ' cpu'] = time.process_time() - c0
                        return value
                    modules = time_module_bodies()
                    conn = step('load plugin', connection_loader.get, plugin, PlayContext(), '/dev/null')
                    steps.update(('module ' + name, cpu) for name, cpu in modules.items())
                    step('set_options', lambda: conn.set_options(var_options=hostvars(plugin, port, 'fork1')))
                    step('exec_command', conn.exec_command, command)
                    step('close', conn.close)
                finally:
                    if profile:
                        profile.disable()
                        profile.dump_stats('%s.%s.%d' % (cprofile, plugin, i))
                return steps

            steps, usage, _wall = procs.run_forked(task, os.getpid())
            if i == 0:
                continue  # the first creates the session and warms the host
            if 'error' in steps:
                errors.append('%s: %s' % (plugin, steps['error']))
                continue
            steps['process cpu (wait4)'] = usage.ru_utime + usage.ru_stime
            rows[plugin].append(steps)
    module_rows = {p: [{k[7:]: v for k, v in r.items() if k.startswith('module ')} for r in rows[p]] for p in plugins}
    for p in plugins:
        for r in rows[p]:
            for k in [k for k in r if k.startswith('module ')]:
                del r[k]
    lines = ['%-28s %s' % ('worker step, ms (median)', '  '.join('%22s' % p for p in plugins))]
    keys = list(rows[plugins[0]][0]) if all(rows[p] for p in plugins) else []
    for key in keys:
        lines.append('%-28s %s' % (key, '  '.join('%22.1f' % (statistics.median(r[key] for r in rows[p]) * 1e3) for p in plugins)))
    lines.append('(%s)' % ', '.join('%s: %d tasks' % (p, len(rows[p])) for p in plugins))
    if errors:
        lines.append('%d worker(s) failed, left out; first: %s' % (len(errors), errors[0]))
    for p in plugins:
        names = sorted({name for r in module_rows[p] for name in r})
        if not names:
            continue
        medians = sorted(((statistics.median(r.get(name, 0.0) for r in module_rows[p]) * 1e3, name) for name in names), reverse=True)
        lines += ['', 'Python modules run while loading %s: CPU of each body, ms (median; nested imports not included)' % p]
        lines += ['  %6.2f  %s' % (ms, name) for ms, name in medians if ms >= 0.05]
        lines.append('  %6.2f  in all' % sum(ms for ms, _name in medians))
    if cprofile:
        for plugin in plugins:
            files = ['%s.%s.%d' % (cprofile, plugin, i) for i in range(1, tasks + 1)]
            files = [f for f in files if os.path.exists(f)]
            if not files:
                continue
            out = io.StringIO()
            stats = pstats.Stats(*files, stream=out)
            stats.dump_stats('%s.%s' % (cprofile, plugin))
            for name in files:
                os.unlink(name)
            stats.sort_stats('cumulative').print_stats(top)
            lines += ['', 'cProfile of %d forked workers of %s, by cumulative time:' % (len(files), plugin), out.getvalue()]
    return '\n'.join(lines)


def time_module_bodies() -> dict[str, float]:
    """From now on in this process, the CPU time of running each Python module body that gets imported (by the
    standard source loader, as ansible loads a plugin file and cached_import the plugin_utils modules, or by
    ansible's collection loader, which compiles from source): its self time, nested imports excluded."""
    import importlib._bootstrap_external as external  # pylint: disable=import-outside-toplevel
    from ansible.utils.collection_loader import _collection_finder as finder  # pylint: disable=import-outside-toplevel
    times: dict[str, float] = {}
    stack: list[float] = []  # CPU of the nested bodies, per level

    def timed_exec(original):
        def exec_module(self, module):
            start = time.process_time()
            stack.append(0.0)
            try:
                return original(self, module)
            finally:
                total = time.process_time() - start
                nested = stack.pop()
                times[module.__name__.replace('ansible_collections.psremoting.pssession.', '')] = total - nested
                if stack:
                    stack[-1] += total
        return exec_module

    for cls in (external._LoaderBasics, finder._AnsibleCollectionPkgLoaderBase):  # pylint: disable=protected-access
        cls.exec_module = timed_exec(cls.exec_module)
    return times


def summary(per_task: dict[str, list[float]], tasks: int) -> str:
    lines = []
    for plugin, values in per_task.items():
        rest = values[1:] or values
        lines.append('%-26s first task %6.1f ms, later tasks median %6.1f ms (n=%d)'
                     % (plugin, values[0] * 1e3, statistics.median(rest) * 1e3, len(rest)))
    lines.append('')
    lines.append('%-44s %7s %9s %9s' % ('phase / WSMan request (client side)', 'calls', 'ms/call', 'ms/task'))
    for label in sorted(TIMES, key=lambda k: (not k.startswith('ours'), ' wsman ' in k, k)):
        values = TIMES[label]
        per_task_ms = sum(values) * 1e3 / tasks
        lines.append('%-44s %7d %9.2f %9.2f' % (label[:44], len(values), statistics.median(values) * 1e3, per_task_ms))
    return '\n'.join(lines)


def prepare_fork_parent() -> None:
    """Import and preload what ansible-playbook's parent has before it forks a worker."""
    # What ansible-playbook's parent has imported before it forks a worker: ansible's executor and, as
    # checked with a callback, ansible.builtin.psrp and pypsrp (whichever plugin the inventory uses),
    # but not the collection's plugin, which each worker loads (and compiles) again.
    import ansible.executor.task_executor  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    import ansible.executor.process.worker  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    import ansible.cli.playbook  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    import ansible.plugins.connection.psrp  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    import pypsrp.powershell  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    # ansible-playbook's PlaybookExecutor.run() preloads every builtin connection plugin before forking
    # ("preload become/connection/shell to set config defs cached"): the builtin's DOCUMENTATION is parsed once
    # in the parent, a collection plugin's in every worker.
    from ansible.plugins.loader import become_loader, connection_loader, shell_loader  # pylint: disable=import-outside-toplevel
    list(connection_loader.all(class_only=True))
    list(shell_loader.all(class_only=True))  # as PlaybookExecutor.run(): the powershell shell's too
    list(become_loader.all(class_only=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--tasks', type=int, default=30)
    parser.add_argument('--plugin', choices=['ours', 'builtin', 'both'], default='both')
    parser.add_argument('--command', default='echo 1')
    parser.add_argument('--user', default=USER['name'])
    parser.add_argument('--password', default=USER['password'])
    parser.add_argument('--cprofile', help='write a cProfile of the loops to this file and print its top functions')
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--json', help='also write the figures as JSON to this file')
    parser.add_argument('--fork', action='store_true', help='each task in a forked process, like ansible workers (see above)')
    parser.add_argument('--named', action='store_true', help='ours with a named session (disconnected after each task) '
                        'instead of the default run-scoped one (parked between tasks)')
    args = parser.parse_args(argv)
    USER.update(name=args.user, password=args.password)
    NAMED[0] = args.named

    os.environ.setdefault('ANSIBLE_PSSESSION_LOCK_DIR', tempfile.mkdtemp(prefix='bench-locks-'))
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader()
    plugins = {'ours': [OURS], 'builtin': [BUILTIN], 'both': [OURS, BUILTIN]}[args.plugin]
    if args.fork:
        prepare_fork_parent()
        print(forked(plugins, args.port, args.tasks, args.command, args.cprofile, args.top))
        return 0
    instrument()
    for plugin in plugins:  # warm imports and the session, outside the figures
        one_task(plugin, args.port, 'warm', args.command)
    TIMES.clear()
    profile = cProfile.Profile() if args.cprofile else None
    per_task: dict[str, list[float]] = {}
    for plugin in plugins:
        if profile:
            profile.enable()
        per_task[plugin] = loop(plugin, args.port, args.tasks, args.command)
        if profile:
            profile.disable()
    total_tasks = args.tasks * len(plugins)
    # Per-task columns are per task of the plugin the label belongs to.
    text = summary(per_task, args.tasks)
    print(text)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump({'per_task': per_task, 'times': TIMES, 'tasks': args.tasks}, handle)
    if profile:
        profile.dump_stats(args.cprofile)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats('cumulative').print_stats(args.top)
        print('\ncProfile (%d tasks, both plugins), by cumulative time:' % total_tasks)
        print(out.getvalue())
    return 0


if __name__ == '__main__':
    sys.exit(main())
