"""Benchmark: per-task cost of psremoting.pssession.psrp against ansible.builtin.psrp, and how it grows.

Run it through scripts/benchmark (which lays the collection out first); see docs/performance.md.
It prints figures, it asserts nothing. Every figure of ours is measured in the same run as the
builtin's, the two plugins interleaved (ours first on even repetitions, builtin first on odd
ones), against the same test host process (tests/winhost) on loopback.

What runs:
- scenarios: a test host with given knobs (added latency per request, shell creation delay;
  both modelled by the test host, not measured on Windows);
- in each, playbooks of N `raw` tasks on 1 host, and of T `raw` tasks on H hosts with forks=10
  (H inventory hosts, all 127.0.0.1:PORT, each with a user of its own on the test host, so that
  each has its own shells, quota and session as separate Windows hosts would);
- the test host's request/byte counters per WSMan action, the controller's CPU (user+sys of
  ansible-playbook and every process it waited for) and peak RSS (largest process of that tree);
- throughput: `raw` returning many objects, the invoke module when the collection has it, and
  put_file/fetch_file of a large file through each plugin when the test host supports them;
- a profile of one task inside each connection plugin (profile_task.py), and what the run's keeper
  saves per task (keeper_probe.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procs  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# scripts/benchmark lays the collection out in a directory of its own (BENCH_COLLECTIONS_PATH), so that
# another `scripts/test` laying out .build meanwhile does not pull the files from under a run.
BUILD = os.environ.get('BENCH_COLLECTIONS_PATH') or os.path.join(ROOT, '.build')
COLLECTION = os.path.join(BUILD, 'ansible_collections', 'psremoting', 'pssession')
BIN = os.path.dirname(sys.executable)
OURS = 'psremoting.pssession.psrp'
BUILTIN = 'ansible.builtin.psrp'
PLUGINS = {'ours': OURS, 'builtin': BUILTIN}
# ansible's own floor: the same playbook with `ansible_connection: local` (raw runs `echo 1` on the controller), so
# that each plugin's cost per task above what ansible itself costs per task can be shown.
FLOOR = 'local'
RUNS = dict(PLUGINS, local=FLOOR)
# Transport settings measured (inventory variables of both psrp plugins); the test host accepts both.
BASIC = {'ansible_psrp_auth': 'basic', 'ansible_psrp_message_encryption': 'never'}
NTLM = {'ansible_psrp_auth': 'ntlm', 'ansible_psrp_message_encryption': 'always'}
PASSWORD = 'Bench-Passw0rd!'
MAX_USERS = 64
ACTIONS = ('Create', 'Enumerate', 'Connect', 'Reconnect', 'Command', 'Send', 'Receive', 'Signal', 'Disconnect', 'Delete',
           'Get', 'Pull')


def log(msg: str) -> None:
    print('--- %s' % msg, file=sys.stderr, flush=True)


# -- the test host ------------------------------------------------------------------------------
class TestHost:
    """One `python -m winhost` process (it sets TCP_NODELAY itself); it stops by itself after stop_after seconds."""

    def __init__(self, workdir: str, stop_after: float) -> None:
        users = os.path.join(workdir, 'users.txt')
        with open(users, 'w', encoding='utf-8') as handle:
            for i in range(1, MAX_USERS + 1):
                handle.write('%s:%s\n' % (user_name(i), PASSWORD))
        argv = [sys.executable, '-m', 'winhost', '--port', '0', '--users', users, '--auth', 'both',
                '--stop-after', str(int(stop_after))]
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'tests'))
        self.log_path = os.path.join(workdir, 'winhost-%d.log' % time.monotonic_ns())
        self._log = open(self.log_path, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=self._log, text=True)  # pylint: disable=consider-using-with
        line = self.proc.stdout.readline() if self.proc.stdout else ''
        match = re.search(r'listening on (http://127\.0\.0\.1:(\d+)/wsman)', line)
        if not match:
            self.stop()
            raise RuntimeError('the test host did not start: %r (log: %s)' % (line, self.log_path))
        self.url = match.group(1)
        self.port = int(match.group(2))
        self.base = 'http://127.0.0.1:%d/winhost' % self.port

    def _call(self, path: str, data: dict[str, t.Any] | None = None) -> t.Any:
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method='POST' if body else 'GET',
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
            return json.loads(resp.read() or b'null')

    def control(self, **values: t.Any) -> t.Any:
        return self._call('/knobs', values)

    def stats(self) -> dict[str, t.Any]:
        return self._call('/stats')

    def clean(self) -> None:
        """No shell left from the previous run, counters at zero."""
        self.control(kill_all=True)
        self.control(reset_stats=True)

    def cpu_seconds(self) -> float:
        """user+sys of the test host process so far (from /proc)."""
        seconds = procs.cpu_seconds(self.proc.pid)
        return float('nan') if seconds is None else seconds

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def user_name(i: int) -> str:
    return 'bench%02d' % i


# -- running ansible ----------------------------------------------------------------------------
@dataclasses.dataclass
class Run:
    plugin: str
    hosts: int
    tasks: int
    wall: float
    cpu: float
    maxrss_kb: int
    host_cpu: float
    stats: dict[str, t.Any]
    events: list[dict[str, t.Any]]
    rc: int
    failures: list[str]

    @property
    def task_executions(self) -> int:
        return self.hosts * self.tasks

    @property
    def in_play(self) -> float:
        """Seconds from the first task's start to the end of the play (ansible's own start-up left out)."""
        starts = [e['t'] for e in self.events if e['ev'] == 'start']
        ends = [e['t'] for e in self.events if e['ev'] == 'end']
        if not starts or not ends:
            return float('nan')
        return ends[-1] - starts[0]

    def task_durations(self) -> list[float]:
        """Single-host runs: each task's start to its result."""
        starts = {e['task']: e['t'] for e in self.events if e['ev'] == 'start'}
        results = {e['task']: e['t'] for e in self.events if e['ev'] == 'result'}
        return [results[i] - starts[i] for i in sorted(starts) if i in results]


class Runner:
    def __init__(self, workdir: str, forks: int) -> None:
        self.workdir = workdir
        self.forks = forks
        self.counter = 0
        self.lock_dir = os.path.join(workdir, 'locks')
        os.makedirs(self.lock_dir, mode=0o700, exist_ok=True)

    def env(self, timing_file: str) -> dict[str, str]:
        env = dict(os.environ)
        # As in a collection installed by ansible-galaxy (a directory the user can write): Python may keep bytecode
        # of what it imports with its own loader (scripts/lib.sh sets PYTHONDONTWRITEBYTECODE for the test runs).
        env.pop('PYTHONDONTWRITEBYTECODE', None)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': BUILD,
            'ANSIBLE_PSSESSION_LOCK_DIR': self.lock_dir,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_timing',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_HOST_KEY_CHECKING': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.workdir, 'ansible-local'),
            'ANSIBLE_FORKS': str(self.forks),
            'BENCH_TIMING_FILE': timing_file,
            'PATH': BIN + os.pathsep + env.get('PATH', ''),
        })
        return env

    def inventory(self, plugin: str, hosts: int, port: int, transport: dict[str, str] | None = None) -> str:
        entries = {}
        for i in range(1, hosts + 1):
            entries['win%02d' % i] = dict({
                'ansible_host': '127.0.0.1', 'ansible_connection': plugin, 'ansible_port': port,
                'ansible_user': user_name(i), 'ansible_password': PASSWORD, 'ansible_psrp_protocol': 'http',
                'ansible_psrp_read_timeout': 120, 'ansible_psrp_operation_timeout': 60,
            }, **(transport or BASIC))
            if plugin == FLOOR:
                # local: no remote user (ansible would try to become it); raw runs on the controller.
                del entries['win%02d' % i]['ansible_user']
        path = os.path.join(self.workdir, 'inventory-%d.json' % self.counter)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump({'all': {'hosts': entries}}, handle)
        return path

    def playbook(self, tasks: list[str]) -> str:
        path = os.path.join(self.workdir, 'play-%d.yml' % self.counter)
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write('- hosts: all\n  gather_facts: false\n  tasks:\n')
            for i, task in enumerate(tasks):
                handle.write('    - name: t%03d\n      %s\n' % (i, task))
        return path

    def run(self, host: TestHost, plugin: str, hosts: int, tasks: list[str], timeout: float = 900,
            transport: dict[str, str] | None = None) -> Run:
        self.counter += 1
        host.clean()
        inventory = self.inventory(plugin, hosts, host.port, transport)
        play = self.playbook(tasks)
        timing = os.path.join(self.workdir, 'timing-%d.jsonl' % self.counter)
        out = os.path.join(self.workdir, 'ansible-%d.log' % self.counter)
        host_cpu0 = host.cpu_seconds()
        start = time.perf_counter()
        with open(out, 'w', encoding='utf-8') as handle:
            proc = subprocess.Popen([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, play],  # pylint: disable=consider-using-with
                                    env=self.env(timing), stdout=handle, stderr=subprocess.STDOUT, cwd=self.workdir)
            deadline = time.monotonic() + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.02)
        wall = time.perf_counter() - start
        # The run's keeper, if it started one, ends with the run: its CPU is the controller's too.
        left_cpu, left_rss = reap_left_behind({host.proc.pid})
        proc.returncode = os.waitstatus_to_exitcode(status)
        host_cpu = host.cpu_seconds() - host_cpu0
        events = []
        if os.path.exists(timing):
            with open(timing, encoding='utf-8') as handle:
                events = [json.loads(line) for line in handle]
        failures = ['%s: %s %s' % (e['host'], e['status'], e['msg']) for e in events if e['ev'] == 'result' and e['status'] != 'ok']
        if proc.returncode != 0 and not failures:
            with open(out, encoding='utf-8') as handle:
                failures = [handle.read()[-600:]]
        return Run(plugin, hosts, len(tasks), wall, usage.ru_utime + usage.ru_stime + left_cpu, max(usage.ru_maxrss, left_rss), host_cpu,
                   host.stats(), events, proc.returncode, failures)


def become_subreaper() -> bool:
    """Have the processes a run leaves behind (the run's keeper: forked by a worker, orphaned when the worker ends,
    docs/design.md section 9) reparented to this process instead of init, so that their CPU can be counted."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_left_behind(keep: set[int], timeout: float = 60) -> tuple[float, int]:
    """Wait for this process's children other than ``keep`` (a run's keeper, ending with its run); their CPU seconds
    (user+sys) and largest ru_maxrss."""
    cpu, rss = 0.0, 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = []
        for name in os.listdir('/proc'):
            if name.isdigit() and int(name) not in keep and procs.parent_pid(int(name)) == os.getpid():
                children.append(int(name))
        if not children:
            break
        for pid in children:
            try:
                _pid, _status, usage = os.wait4(pid, 0)
            except ChildProcessError:
                continue
            cpu += usage.ru_utime + usage.ru_stime
            rss = max(rss, usage.ru_maxrss)
    return cpu, rss


# -- the measurements ---------------------------------------------------------------------------
@dataclasses.dataclass
class Scenario:
    name: str
    label: str
    knobs: dict[str, t.Any]
    n_series: list[int]
    h_series: list[int]
    transport: dict[str, str] = dataclasses.field(default_factory=lambda: dict(BASIC))


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The host settings measured, and the cases in each. --quick keeps a few."""
    full = [
        # N=300: per-task time flat over a long session (issue 12); the growth table uses the largest N.
        Scenario('base', 'no added delay', {}, [1, 10, 50, 300], [1, 10, 50]),
        Scenario('wan20', 'WAN: +20 ms per request (modelled, not measured on Windows)', {'latency': 0.02}, [1, 10, 50], [10, 50]),
        Scenario('create0.5', 'shell creation delay 0.5 s (modelled, not measured on Windows)', {'create_delay': 0.5},
                 [1, 10, 20, 50], [10, 50]),
        Scenario('create1.5', 'shell creation delay 1.5 s (modelled, not measured on Windows)', {'create_delay': 1.5},
                 [1, 10, 50], [10, 50]),
        Scenario('ntlm', 'NTLM auth + message encryption, no added delay', {}, [1, 10, 50], [10, 50], dict(NTLM)),
    ]
    quick = {'base': ([1, 10], [10]), 'create0.5': ([10], []), 'ntlm': ([10], [])}
    out = full
    if args.quick:
        out = [dataclasses.replace(s, n_series=quick[s.name][0], h_series=quick[s.name][1]) for s in full if s.name in quick]
    if args.scenarios:
        wanted = args.scenarios.split(',')
        out = [s for s in full if s.name in wanted] if not args.quick else [s for s in out if s.name in wanted]
    if args.n_series is not None or args.h_series is not None:  # a reduced run: these cases in every scenario kept
        out = [dataclasses.replace(s, n_series=s.n_series if args.n_series is None else args.n_series,
                                   h_series=s.h_series if args.h_series is None else args.h_series) for s in out]
    return [s for s in out if s.n_series or s.h_series]


def interleaved(reps: int, fn: t.Callable[[str], Run], plugins: dict[str, str] | None = None) -> dict[str, list[Run]]:
    plugins = plugins or RUNS
    runs: dict[str, list[Run]] = {key: [] for key in plugins}
    for rep in range(reps):
        order = list(plugins) if rep % 2 == 0 else list(reversed(plugins))
        for key in order:
            run = fn(plugins[key])
            if run.failures:
                log('%s: %d failed (%s)' % (key, len(run.failures), run.failures[0][:300]))
            runs[key].append(run)
    return runs


def med(values: t.Iterable[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float('nan')


def measure_scenario(runner: Runner, sc: Scenario, args: argparse.Namespace) -> dict[str, t.Any]:
    host = TestHost(runner.workdir, stop_after=args.host_stop_after)
    try:
        if sc.knobs:
            host.control(**sc.knobs)
        result: dict[str, t.Any] = {'scenario': sc.name, 'label': sc.label, 'n': {}, 'h': {}}
        for n in sc.n_series:
            log('%s: %d raw task(s) on 1 host' % (sc.name, n))
            result['n'][n] = interleaved(args.reps, lambda plugin, n=n: runner.run(
                host, plugin, 1, ['raw: echo 1'] * n, transport=sc.transport))
        for h in sc.h_series:
            log('%s: %d raw task(s) on %d hosts, forks=%d' % (sc.name, args.host_tasks, h, args.forks))
            result['h'][h] = interleaved(args.reps, lambda plugin, h=h: runner.run(
                host, plugin, h, ['raw: echo 1'] * args.host_tasks, transport=sc.transport))
        return result
    finally:
        host.stop()


# -- throughput ---------------------------------------------------------------------------------
TRANSFER_DRIVER = r"""
import json, os, sys, time
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, init_plugin_loader
init_plugin_loader()
plugin, hostvars, src, remote, back = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
conn = connection_loader.get(plugin, PlayContext(), '/dev/null')
conn.set_options(var_options=hostvars)
try:
    conn._connect()
    try:
        t0 = time.perf_counter(); conn.put_file(src, remote); t1 = time.perf_counter()
        conn.fetch_file(remote, back); t2 = time.perf_counter()
    finally:
        conn.close()
except Exception as err:
    text = ' '.join(str(err).split())
    hint = [m for m in ('CommandNotFoundException', 'TypeNotFound', 'not recognized', 'Unable to find type') if m in text]
    print(json.dumps({'error': '%s: %s%s' % (type(err).__name__, text[:160], ' [%s]' % hint[0] if hint else '')}))
    sys.exit(0)
print(json.dumps({'put': t1 - t0, 'fetch': t2 - t1}))
"""


def transfer(runner: Runner, host: TestHost, plugin: str, size: int) -> dict[str, t.Any]:
    src = os.path.join(runner.workdir, 'transfer-%d.bin' % size)
    if not os.path.exists(src):
        with open(src, 'wb') as handle:
            remaining = size
            while remaining:
                chunk = os.urandom(min(remaining, 1 << 20))
                handle.write(chunk)
                remaining -= len(chunk)
    back = os.path.join(runner.workdir, 'back-%s.bin' % plugin)
    hostvars = {'inventory_hostname': 'win01', 'ansible_host': '127.0.0.1', 'ansible_port': host.port, 'ansible_user': user_name(1),
                'ansible_password': PASSWORD, 'ansible_psrp_protocol': 'http', 'ansible_psrp_auth': 'basic',
                'ansible_psrp_message_encryption': 'never', 'ansible_psrp_read_timeout': 300,
                'ansible_psrp_operation_timeout': 60}
    remote = 'C:\\Windows\\Temp\\bench-%d.bin' % size
    env = runner.env(os.devnull)
    env['PYTHONPATH'] = BUILD
    try:
        proc = subprocess.run([sys.executable, '-c', TRANSFER_DRIVER, plugin, json.dumps(hostvars), src, remote, back],
                              env=env, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return {'error': 'timed out after 600 s'}
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()]
        return {'error': (lines[-1] if lines else 'rc %d' % proc.returncode)[:200]}
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if 'error' in figures:
        return figures
    with open(src, 'rb') as a, open(back, 'rb') as b:
        if a.read() != b.read():
            return {'error': 'the fetched file differs from the one put'}
    return figures


def invoke_module() -> tuple[str | None, str]:
    """The collection's invoke module and the option taking the script, or (None, reason)."""
    for kind in ('modules', 'action'):
        path = os.path.join(COLLECTION, 'plugins', kind, 'invoke.py')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            for option in ('script', 'command', 'cmd', 'expression'):
                if re.search(r'^\s{2}%s:\s*$' % option, text, re.M):
                    return option, ''
            return None, 'psremoting.pssession.invoke exists but names no script/command option'
    return None, 'the collection has no invoke module yet'


def measure_throughput(runner: Runner, args: argparse.Namespace) -> dict[str, t.Any]:
    host = TestHost(runner.workdir, stop_after=args.host_stop_after)
    out: dict[str, t.Any] = {'objects': args.objects, 'file_mb': args.file_mb}
    try:
        script = '1..%d' % args.objects
        log('throughput: raw returning %d objects' % args.objects)
        out['raw'] = interleaved(1, lambda plugin: runner.run(host, plugin, 1, ['raw: %s' % script]), PLUGINS)

        option, reason = invoke_module()
        if option is None:
            out['invoke'] = {'error': reason}
        else:
            log('throughput: psremoting.pssession.invoke returning %d objects' % args.objects)
            # Only ours: the module needs the psremoting.pssession.psrp connection.
            run = runner.run(host, OURS, 1, ['psremoting.pssession.invoke:\n        %s: "%s"' % (option, script)])
            out['invoke'] = {'error': 'failed: %s' % run.failures[0][:160]} if run.failures else {'run': run}

        size = args.file_mb * 1024 * 1024
        for key, plugin in PLUGINS.items():
            log('throughput: put_file/fetch_file probe with %s' % key)
            host.clean()
            probe = transfer(runner, host, plugin, 4096)
            if 'error' in probe:
                out['transfer_' + key] = {'error': probe['error']}
                continue
            log('throughput: put_file/fetch_file of %d MB with %s' % (args.file_mb, key))
            host.clean()
            out['transfer_' + key] = transfer(runner, host, plugin, size)
        return out
    finally:
        host.stop()


def run_profile(runner: Runner, args: argparse.Namespace) -> dict[str, str]:
    out = {}
    env = runner.env(os.devnull)
    env['PYTHONPATH'] = BUILD
    host = TestHost(runner.workdir, stop_after=args.host_stop_after)
    try:
        base = [sys.executable, os.path.join(HERE, 'profile_task.py'), '--port', str(host.port), '--tasks', str(args.profile_tasks),
                '--user', user_name(1), '--password', PASSWORD]
        argv = list(base)
        if args.cprofile:
            argv += ['--cprofile', os.path.join(args.output, 'profile.prof'), '--top', '30']
        log('profile: %d tasks per plugin inside the connection plugins' % args.profile_tasks)
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
        out['inproc'] = proc.stdout if proc.returncode == 0 else 'profile failed: %s' % proc.stderr[-800:]
        log('profile: %d tasks per plugin, each in a forked worker-like process' % args.profile_tasks)
        proc = subprocess.run(base + ['--fork'], env=env, capture_output=True, text=True, timeout=600, check=False)
        out['fork'] = proc.stdout if proc.returncode == 0 else 'profile failed: %s' % proc.stderr[-800:]
        log("profile: %d tasks per kind in a worker, through the run's keeper and with the builtin (keeper_probe.py)" % args.profile_tasks)
        probe = [sys.executable, os.path.join(HERE, 'keeper_probe.py')] + base[2:]
        proc = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=600, check=False)
        out['keeper'] = proc.stdout if proc.returncode == 0 else 'keeper probe failed: %s' % proc.stderr[-800:]
        reap_left_behind({host.proc.pid})  # the keepers these started, orphaned here: not counted in any run
    finally:
        host.stop()
    return out


# -- the report ---------------------------------------------------------------------------------
def fmt(value: float, digits: int = 3) -> str:
    return 'n/a' if math.isnan(value) else '%.*f' % (digits, value)


def ratio(ours: float, builtin: float) -> str:
    if math.isnan(ours) or math.isnan(builtin) or builtin == 0:
        return 'n/a'
    return '%.2fx' % (ours / builtin)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(header, widths)) + ' |',
             '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    lines += ['| ' + ' | '.join(str(c).ljust(w) for c, w in zip(row, widths)) + ' |' for row in rows]
    return '\n'.join(lines)


def per_task(runs: list[Run]) -> float:
    return med(r.in_play / r.task_executions for r in runs)


def _above(value: float, floor: float) -> float:
    return value - floor if not (math.isnan(value) or math.isnan(floor)) else float('nan')


def _case_row(label: str, walls: dict[str, float], per: dict[str, float], note: str) -> list[str]:
    """One case: wall and s/task of each plugin and of the local floor, and each plugin's cost above the floor."""
    lo = per.get('local', float('nan'))
    ao, ab = _above(per['ours'], lo), _above(per['builtin'], lo)
    return [label, fmt(walls['ours'], 2) if walls else '', fmt(walls['builtin'], 2) if walls else '',
            fmt(walls.get('local', float('nan')), 2) if walls else '',
            fmt(per['ours']), fmt(per['builtin']), fmt(lo), fmt(ao), fmt(ab), ratio(ao, ab), ratio(per['ours'], per['builtin']), note]


def report_scenario(res: dict[str, t.Any], args: argparse.Namespace) -> str:
    rows = []
    for n, runs in sorted(res['n'].items()):
        rows.append(_case_row('N=%d tasks, 1 host' % n, {k: med(r.wall for r in rr) for k, rr in runs.items()},
                              {k: per_task(rr) for k, rr in runs.items()}, _fail_note(runs)))
    ns = sorted(res['n'])
    if len(ns) >= 2:
        lo, hi = ns[0], ns[-1]
        marg = {}
        for key in res['n'][hi]:
            marg[key] = (med(r.wall for r in res['n'][hi][key]) - med(r.wall for r in res['n'][lo][key])) / (hi - lo)
        rows.append(_case_row('marginal task (N=%d->%d)' % (lo, hi), {}, marg, ''))
    for h, runs in sorted(res['h'].items()):
        rows.append(_case_row('H=%d hosts x %d tasks, forks %d' % (h, args.host_tasks, args.forks),
                              {k: med(r.wall for r in rr) for k, rr in runs.items()},
                              {k: per_task(rr) for k, rr in runs.items()}, _fail_note(runs)))
    return '### %s\n\n%s' % (res['label'], table(
        ['case', 'ours wall s', 'builtin wall s', 'local wall s', 'ours s/task', 'builtin s/task', 'local s/task',
         'ours above local', 'builtin above local', 'above local ours/builtin', 'ours/builtin', 'notes'], rows))


def _fail_note(runs: dict[str, list[Run]]) -> str:
    notes = []
    for key, rr in runs.items():
        failed = sum(len(r.failures) for r in rr)
        if failed:
            notes.append('%s: %d FAILED' % (key, failed))
    return ', '.join(notes)


def report_requests(res: dict[str, t.Any]) -> str:
    n = max(res['n'])
    runs = res['n'][n]
    header = ['per task (N=%d, 1 host)' % n]
    cols = []
    for key in ('ours', 'builtin'):
        stats = runs[key][0].stats
        cols.append((key, stats))
        header += ['%s req' % key, '%s KB' % key]
    actions = sorted({a for _k, s in cols for a in s['actions']}, key=lambda a: ACTIONS.index(a) if a in ACTIONS else 99)
    rows = []
    for action in actions + ['total']:
        row = [action]
        for _key, stats in cols:
            entry = stats['totals'] if action == 'total' else stats['actions'].get(action, {})
            row += [fmt(entry.get('requests', 0) / n, 2), fmt((entry.get('bytes_in', 0) + entry.get('bytes_out', 0)) / n / 1024, 2)]
        rows.append(row)
    return table(header, rows)


def report_cpu(res: dict[str, t.Any]) -> str:
    rows = []
    for n, runs in sorted(res['n'].items()):
        o, b = runs['ours'], runs['builtin']
        rows.append(['N=%d' % n, fmt(med(r.cpu for r in o) / n), fmt(med(r.cpu for r in b) / n),
                     ratio(med(r.cpu for r in o), med(r.cpu for r in b)),
                     '%.0f' % (med(r.maxrss_kb for r in o) / 1024), '%.0f' % (med(r.maxrss_kb for r in b) / 1024),
                     fmt(med(r.host_cpu for r in o) / n), fmt(med(r.host_cpu for r in b) / n),
                     fmt(med(r.cpu for r in runs['local']) / n) if 'local' in runs else 'n/a', ''])
    ns = sorted(res['n'])
    if len(ns) >= 2:
        lo, hi = ns[0], ns[-1]
        m = {k: (med(r.cpu for r in res['n'][hi][k]) - med(r.cpu for r in res['n'][lo][k])) / (hi - lo) for k in res['n'][hi]}
        floor = m.get('local', float('nan'))
        rows.append(['marginal (N=%d->%d)' % (lo, hi), fmt(m['ours']), fmt(m['builtin']), ratio(m['ours'], m['builtin']), '', '', '', '',
                     fmt(floor), ratio(_above(m['ours'], floor), _above(m['builtin'], floor))])
    return table(['1 host', 'ours CPU s/task', 'builtin CPU s/task', 'ours/builtin', 'ours peak MB', 'builtin peak MB',
                  'host CPU s/task ours', 'host CPU s/task builtin', 'local CPU s/task', 'above local ours/builtin'], rows)


def report_memory(res: dict[str, t.Any]) -> str:
    """Peak RSS (largest process of the run's tree) by the number of hosts: flat, or it grows with hosts."""
    rows = []
    for h, runs in sorted(res['h'].items()):
        rows.append(['H=%d' % h] + ['%.0f' % (med(r.maxrss_kb for r in runs[k]) / 1024) if k in runs else 'n/a'
                                    for k in ('ours', 'builtin', 'local')])
    return table(['hosts x 5 tasks', 'ours peak MB', 'builtin peak MB', 'local peak MB'], rows) if rows else '(no H cases)'


def report_growth(res: dict[str, t.Any]) -> str:
    n = max(res['n'])
    if n < 20:
        return '(needs N >= 20)'
    rows = []
    for key in ('ours', 'builtin'):
        durations = [d for r in res['n'][n][key] for d in [r.task_durations()]]
        first = med(statistics.mean(d[1:11]) for d in durations if len(d) >= n)
        last = med(statistics.mean(d[-10:]) for d in durations if len(d) >= n)
        task1 = med(d[0] for d in durations if d)
        rows.append([key, fmt(task1), fmt(first), fmt(last), ratio(last, first)])
    return table(['N=%d, 1 host' % n, 'task 1 s', 'tasks 2-11 mean s', 'last 10 mean s', 'last/early'], rows)


def report_throughput(tp: dict[str, t.Any]) -> str:
    rows = []
    raw = tp['raw']
    o, b = raw['ours'][0], raw['builtin'][0]
    od, bd = (o.task_durations() or [float('nan')])[0], (b.task_durations() or [float('nan')])[0]
    ok = not (o.failures or b.failures)
    rows.append(['raw returning %d objects' % tp['objects'],
                 '%.0f obj/s' % (tp['objects'] / od) if ok else 'failed', '%.0f obj/s' % (tp['objects'] / bd) if ok else 'failed',
                 ratio(bd, od) if ok else 'n/a'])
    inv = tp['invoke']
    if 'error' in inv:
        rows.append(['invoke returning %d objects' % tp['objects'], 'n/a (%s)' % inv['error'], 'n/a (no builtin equivalent)', 'n/a'])
    else:
        d = (inv['run'].task_durations() or [float('nan')])[0]
        rows.append(['invoke returning %d objects' % tp['objects'], '%.0f obj/s' % (tp['objects'] / d), 'n/a (no builtin equivalent)', 'n/a'])
    for op in ('put', 'fetch'):
        cells = []
        for key in ('ours', 'builtin'):
            fig = tp['transfer_' + key]
            cells.append('n/a (%s)' % fig['error'] if 'error' in fig else '%.2f MB/s' % (tp['file_mb'] / fig[op]))
        both = all('error' not in tp['transfer_' + k] for k in PLUGINS)
        rows.append(['%s_file %d MB' % (op, tp['file_mb'])] + cells
                    + [ratio(tp['transfer_builtin'][op], tp['transfer_ours'][op]) if both else 'n/a'])
    return table(['operation', 'ours', 'builtin', 'ours speed / builtin'], rows)


def machine() -> str:
    cpu = platform.processor() or ''
    memory = float('nan')
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    memory = int(line.split()[1]) / 1024 / 1024
                    break
    except (OSError, ValueError):
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 0)
    load = os.getloadavg()
    return '%s, %d CPUs (nproc; %s), %s GiB memory, Python %s, %s; load average at start %.2f %.2f %.2f' % (
        platform.platform(), nproc, cpu, fmt(memory, 1), platform.python_version(), _versions(), *load)


def collection_version() -> str:
    """The commit measured, and whether plugins/ had uncommitted changes (read-only git calls)."""
    def git(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(['git', '--no-optional-locks', '-C', ROOT, *argv], capture_output=True, text=True, check=False)
    head = git('rev-parse', '--short', 'HEAD')
    if head.returncode != 0:
        return 'not a git checkout'
    dirty = git('diff', '--quiet', 'HEAD', '--', 'plugins').returncode != 0
    untracked = bool(git('ls-files', '--others', '--exclude-standard', '--', 'plugins').stdout.strip())
    return 'commit %s%s' % (head.stdout.strip(), ' + uncommitted changes in plugins/' if dirty or untracked else '')


def _versions() -> str:
    try:
        from importlib.metadata import version  # pylint: disable=import-outside-toplevel
        return 'ansible-core %s, pypsrp %s' % (version('ansible-core'), version('pypsrp'))
    except Exception:  # pylint: disable=broad-except
        return ''


def to_json(obj: t.Any) -> t.Any:
    if isinstance(obj, Run):
        data = dataclasses.asdict(obj)
        data.update(in_play=obj.in_play, task_durations=obj.task_durations())
        del data['events']
        return data
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_json(v) for v in obj]
    return obj


def _counts(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('a comma-separated list of positive integers, not %r' % text) from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError('a comma-separated list of positive integers, not %r' % text)
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description='Per-task cost of psremoting.pssession.psrp vs ansible.builtin.psrp (prints figures).')
    parser.add_argument('--quick', action='store_true', help='a smoke run of about 30 seconds (fewer cases, smaller payloads)')
    parser.add_argument('--reps', type=int, default=1, help='repetitions of each case, plugins interleaved (median is shown)')
    parser.add_argument('--forks', type=int, default=10)
    parser.add_argument('--host-tasks', type=int, default=5, help='tasks per host in the H-hosts cases')
    parser.add_argument('--scenarios', help='comma-separated subset of: base,wan20,create0.5,create1.5,ntlm')
    parser.add_argument('--n-series', type=_counts, metavar='N,N,...',
                        help='task counts of the 1-host cases instead of each scenario\'s own (e.g. 1,50); "" for none')
    parser.add_argument('--h-series', type=_counts, metavar='H,H,...',
                        help='host counts of the H-hosts cases instead of each scenario\'s own (e.g. 50); "" for none')
    parser.add_argument('--objects', type=int, help='objects returned in the throughput cases (default 100000, quick 10000)')
    parser.add_argument('--file-mb', type=int, help='size of the put/fetch file (default 50, quick 2)')
    parser.add_argument('--no-throughput', action='store_true')
    parser.add_argument('--no-profile', action='store_true')
    parser.add_argument('--profile-tasks', type=int, help='tasks per plugin in the in-plugin profile (default 30, quick 10)')
    parser.add_argument('--cprofile', action='store_true', help='also write cProfile files of the in-plugin profile')
    parser.add_argument('--output', default=os.path.join(ROOT, '.build', 'benchmark'), help='directory for results.json and profiles')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (inventories, logs)')
    args = parser.parse_args(argv)
    become_subreaper()
    unknown = sorted(set((args.scenarios or '').split(',')) - {'', 'base', 'wan20', 'create0.5', 'create1.5', 'ntlm'})
    if unknown:
        parser.error('unknown scenario(s): %s' % ', '.join(unknown))
    args.objects = args.objects or (10000 if args.quick else 100000)
    args.file_mb = args.file_mb or (2 if args.quick else 50)
    args.profile_tasks = args.profile_tasks or (10 if args.quick else 30)
    args.host_stop_after = 1800
    os.makedirs(args.output, exist_ok=True)
    if not os.path.isdir(COLLECTION):
        print('the collection is not laid out in %s: run scripts/benchmark' % COLLECTION, file=sys.stderr)
        return 2

    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='pssession-bench-')
    runner = Runner(workdir, args.forks)
    header = machine()
    version = collection_version()  # at the start: scripts/benchmark laid the collection out just before
    results = []
    throughput = profile = None
    try:
        for sc in scenarios(args):
            results.append(measure_scenario(runner, sc, args))
        if not args.no_throughput:
            throughput = measure_throughput(runner, args)
        if not args.no_profile:
            profile = run_profile(runner, args)
    finally:
        if args.keep:
            log('work directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started

    out = ['## Benchmark: psremoting.pssession.psrp (ours) vs ansible.builtin.psrp (builtin)', '',
           '- Machine: %s' % header,
           '- Collection measured: %s' % version,
           '- Run: %s, %d repetition(s) per case (median shown), plugins interleaved; %.0f s in all.'
           % ('--quick' if args.quick else 'full', args.reps, elapsed),
           '- Test host: tests/winhost on 127.0.0.1, Basic auth over HTTP, no message encryption (the ntlm scenario: NTLM with '
           'message encryption), a separate process on the same '
           'machine (it competes with the controller for the CPUs). Latency and shell-creation delays are MODELLED by the test '
           "host's knobs, not measured on Windows. ansible.builtin.winrm is not measured: the test host has no WinRS cmd shell.",
           '- s/task = from the first task\'s start to the end of the play, divided by the task executions (hosts x tasks): '
           'ansible-playbook\'s start-up (same for both) is left out; wall s includes it. local = ansible\'s own floor, the same '
           'playbook with ansible_connection: local; "above local" = a plugin\'s s/task minus the floor\'s.', '']
    for res in results:
        out += [report_scenario(res, args), '']
    base = next((r for r in results if r['n']), None)
    if base:
        out += ['### WSMan requests and bytes (in+out) per task, counted by the test host (%s)' % base['label'], '',
                report_requests(base), '']
        out += ['### Controller CPU (user+sys of ansible-playbook and its workers) and peak RSS (largest process), %s' % base['label'],
                '', report_cpu(base), '']
        out += ['### Controller peak RSS by hosts (%s)' % base['label'], '', report_memory(base), '']
        out += ['### Growth with the tasks already run in the session (%s)' % base['label'], '', report_growth(base), '']
    if throughput:
        out += ['### Throughput (no added delay; the test host interprets PowerShell in Python, so these '
                'measure the plugins plus a slow host)', '', report_throughput(throughput), '']
    if profile:
        titles = {
            'inproc': 'Inside the connection plugins, one task (no added delay): time per phase and per WSMan request, client side',
            'fork': "One task in a forked process, as ansible's workers run them (no added delay): wall and CPU per step",
            'keeper': "What the run's keeper saves (keeper_probe.py, no added delay): per task, controller CPU",
        }
        for key, text in profile.items():
            out += ['### ' + titles[key], '', '```', text.rstrip(), '```', '']
    text = '\n'.join(out)
    print(text)
    with open(os.path.join(args.output, 'results.md'), 'w', encoding='utf-8') as handle:
        handle.write(text + '\n')
    with open(os.path.join(args.output, 'results.json'), 'w', encoding='utf-8') as handle:
        json.dump(to_json({'args': vars(args), 'machine': header, 'elapsed': elapsed, 'scenarios': results,
                           'throughput': throughput, 'profile': profile}), handle, indent=1, default=str)
    log('results written to %s/results.{md,json}' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
