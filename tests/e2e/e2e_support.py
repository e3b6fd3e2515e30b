"""Helpers of the end-to-end tests: run real ansible/ansible-playbook against the test host."""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import typing as t
import uuid
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, '.build')
COLLECTION = os.path.join(BUILD, 'ansible_collections', 'psremoting', 'pssession')
# The ansible-core under test: this venv's by default; E2E_ANSIBLE_BIN names another one's bin
# directory (scripts/test runs the end-to-end tests again on the oldest and newest supported
# releases, each in its own venv). The test host always runs in this process.
BIN = os.environ.get('E2E_ANSIBLE_BIN') or os.path.dirname(sys.executable)
PYTHON = os.path.join(BIN, 'python')
HERE = os.path.dirname(os.path.abspath(__file__))


@functools.lru_cache(maxsize=None)
def ansible_core_version() -> tuple[int, int]:
    """(major, minor) of the ansible-core under test (BIN's)."""
    out = subprocess.run([PYTHON, '-c', 'from ansible.release import __version__; print(__version__)'],
                         capture_output=True, text=True, check=True).stdout
    major, minor = out.strip().split('.')[:2]
    return int(major), int(minor)


_BOOTSTRAP = r"""
import pkgutil, sys
try:
    from ansible.executor.powershell.module_manifest import _get_powershell_script
except ImportError:  # 2.16 to 2.18: the shell plugin reads the file as it is
    data = pkgutil.get_data('ansible.executor.powershell', 'bootstrap_wrapper.ps1')
else:  # 2.19 on (2.21 strips comments and blank lines there)
    data = _get_powershell_script('bootstrap_wrapper.ps1')
sys.stdout.buffer.write(data)
"""


@functools.lru_cache(maxsize=None)
def release_bootstrap_wrapper() -> str:
    """bootstrap_wrapper.ps1 as the ansible-core under test (BIN's, not this process') puts it into a module's
    command: what its controller sends differs between releases."""
    return subprocess.run([PYTHON, '-c', _BOOTSTRAP], capture_output=True, check=True).stdout.decode('utf-8')


def connection_warnings(run: 'Run', index: int = 0) -> str:
    """What a user is warned of by the connection plugin in task ``index`` of ``run``, as one string.

    From ansible-core 2.19 on, a plugin's Display.warning during a task goes into the task's result
    (``result['warnings']``). 2.16 to 2.18 print it on stderr only, wrapped at 79 columns, and no
    result carries it: there the run's stderr ``[WARNING]:`` text is returned, unwrapped (tests that
    use this run a single task). Whitespace is normalized to single spaces either way.
    """
    if ansible_core_version() >= (2, 19):
        return ' '.join(' '.join(str(w) for w in run.results[index].get('warnings', [])).split())
    assert not run.results[index].get('warnings'), run.results  # nothing else warns in these tests
    blocks = run.stderr.split('[WARNING]:')[1:]
    return ' '.join(' '.join(blocks).split())


def sensitive_cases(cases: t.Iterable[t.Any], reason: str, sensitive: t.Callable[..., bool]) -> list[t.Any]:
    """The cases of a parametrize (values, or tuples of them), those for which ``sensitive(*case)`` is true
    marked release_sensitive(reason): the re-runs on other ansible-core releases keep those cases only."""
    params = []
    for case in cases:
        args = case if isinstance(case, tuple) else (case,)
        marks = [pytest.mark.release_sensitive(reason)] if sensitive(*args) else []
        params.append(pytest.param(*args, marks=marks))
    return params


# The two connection plugins the Windows module tests run through, this collection's first.
MODULE_PLUGINS = ('psremoting.pssession.psrp', 'ansible.builtin.psrp')


def plugin_cases(reason: str) -> list[t.Any]:
    """MODULE_PLUGINS as parametrize cases, this collection's marked release_sensitive(reason). The re-runs on other
    releases keep ours only: test_builtin_parity.py shows on each release that ours sends what ansible.builtin.psrp
    sends (the exec wrapper, module manifests, become, async), so the builtin's case of a module test would run the
    same chain against the same test host a second time (tests/e2e/README.md, "Which tests the re-runs keep")."""
    return sensitive_cases(MODULE_PLUGINS, reason, lambda plugin: plugin == MODULE_PLUGINS[0])


USERS = {'user': 'Passw0rd!', 'other': 'Other-Passw0rd!'}

# As a container of an execution environment: its own PID namespace (and /proc), the same
# machine-id, uid and file system as the others (needs root, as CI and this image run).
UNSHARE_PID = ('unshare', '--fork', '--pid', '--mount-proc')
PASSWORD = USERS['user']


def _read_results(path: str) -> list[dict[str, t.Any]]:
    out = []
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            for line in handle:
                entry = json.loads(line)
                result = dict(entry['result'])
                result['_status'] = entry['status']
                result['_task'] = entry['task']
                out.append(result)
    return out


class Run:
    """One finished ansible/ansible-playbook process."""

    def __init__(self, proc: subprocess.CompletedProcess, seconds: float, results_file: str) -> None:
        self.proc = proc
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.results = _read_results(results_file)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def result(self, index: int) -> dict[str, t.Any]:
        return self.results[index]

    def stdouts(self) -> list[str]:
        return [r.get('stdout', '').strip() for r in self.results if 'stdout' in r]

    def statuses(self) -> list[str]:
        return [r['_status'] for r in self.results]

    def __repr__(self) -> str:
        return 'Run(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s' % (self.rc, self.stdout[-6000:], self.stderr[-4000:])


class Background:
    """An ansible process started and not yet waited for."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, results_file: str, stdin: str | None = None) -> None:
        self.results_file = results_file
        self.started = time.monotonic()
        # Every process of this run inherits the mark (marked()), whoever its parent is by then.
        self.mark = uuid.uuid4().hex
        env = dict(env, **{RUN_MARK: self.mark})
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE, start_new_session=stdin is not None)
        self.stdin = stdin  # a prompt's answer (--ask-pass): no controlling terminal, so getpass reads stdin

    @property
    def pids(self) -> set[int]:
        """This process and every process of the run alive now: its descendants (ansible's forked workers) and
        those that carry the run's mark (a worker whose parent died is init's child, no longer a descendant)."""
        return {self.proc.pid} | descendants(self.proc.pid) | marked(RUN_MARK, self.mark)

    def kill_all(self) -> set[int]:
        """SIGKILL every process of the run, those forked while it is being killed included; returns their pids.

        One look at the run's processes misses a worker forked just after it (ansible-playbook forks one per
        task), which then lives on without its parent, out of reach of descendants(). So: kill every process
        that carries the run's mark, look again, until none is left alive. A process being killed cannot fork
        any more (the kernel fails a fork once a fatal signal is pending), so each look finds fewer."""
        killed: set[int] = set()

        def none_left() -> bool:
            alive = ({self.proc.pid} if self.proc.poll() is None else set()) | marked(RUN_MARK, self.mark)
            for pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            killed.update(alive)
            return not alive

        wait_until(none_left, 'every process of the run to be killed')
        return killed

    def results_so_far(self) -> list[dict[str, t.Any]]:
        """The results of the tasks finished so far (the recording callback writes one line per task)."""
        try:
            return _read_results(self.results_file)
        except ValueError:  # a line being written
            return []

    def wait(self, timeout: float = 240) -> Run:
        try:
            out, err = self.proc.communicate(input=self.stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError('ansible did not finish within %ss:\n%s\n%s' % (timeout, out[-4000:], err[-4000:])) from None
        done = subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)
        return Run(done, time.monotonic() - self.started, self.results_file)


class Ansible:
    """Writes inventories and playbooks under tmp_path and runs ansible against the test host."""

    def __init__(self, tmp_path, host) -> None:
        self.tmp = tmp_path
        self.host = host
        self.lock_dir = tmp_path / 'locks'
        self.counter = 0

    def hostvars(self, **override: t.Any) -> dict[str, t.Any]:
        values: dict[str, t.Any] = {
            'ansible_host': '127.0.0.1',
            'ansible_connection': 'psremoting.pssession.psrp',
            'ansible_user': 'user',
            'ansible_password': PASSWORD,
            'ansible_port': self.host.port,
            'ansible_psrp_protocol': 'https' if self.host.tls else 'http',
            'ansible_psrp_auth': 'basic',
            'ansible_psrp_message_encryption': 'never',
        }
        values.update(override)
        return {k: v for k, v in values.items() if v is not None}

    def inventory(self, **override: t.Any) -> str:
        self.counter += 1
        path = self.tmp / ('inventory%d.json' % self.counter)
        path.write_text(json.dumps({'all': {'hosts': {'win1': self.hostvars(**override)}}}))
        return str(path)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': BUILD,
            'ANSIBLE_PSSESSION_LOCK_DIR': str(self.lock_dir),
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_HOST_KEY_CHECKING': '0',
            'ANSIBLE_LOCAL_TEMP': str(self.tmp / 'ansible-local'),
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'PATH': BIN + os.pathsep + env.get('PATH', ''),
        })
        env.update(extra)
        return env

    def _run(self, argv: list[str], env: dict[str, str] | None = None, timeout: float = 240) -> Run:
        return self._start(argv, env).wait(timeout)

    def _start(self, argv: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> 'Background':
        self.counter += 1
        results = str(self.tmp / ('results%d.jsonl' % self.counter))
        env = dict(env or self.env(), RECORD_RESULTS_FILE=results)
        return Background(argv, env, str(self.tmp), results, stdin)

    def start_adhoc(self, module: str, module_args: str, *args: str, inventory: str | None = None,
                    env: dict[str, str] | None = None, **hostvars: t.Any) -> 'Background':
        """Like adhoc(), but in the background: wait() for its Run."""
        inv = inventory or self.inventory(**hostvars)
        return self._start([os.path.join(BIN, 'ansible'), 'win1', '-i', inv, '-m', module, '-a', module_args, *args], env=env)

    def playbook(self, text: str, *args: str, inventory: str | None = None, env: dict[str, str] | None = None,
                 timeout: float = 240, wrapper: t.Sequence[str] = (), stdin: str | None = None, **hostvars: t.Any) -> Run:
        return self.start_playbook(text, *args, inventory=inventory, env=env, wrapper=wrapper, stdin=stdin,
                                   **hostvars).wait(timeout)

    def playbook_file(self, path: str, *args: str, inventory: str | None = None, timeout: float = 240, **hostvars: t.Any) -> Run:
        """ansible-playbook on a playbook of the repository (demo/, docs/ examples)."""
        inv = inventory or self.inventory(**hostvars)
        return self._run([os.path.join(BIN, 'ansible-playbook'), '-i', inv, path, *args], timeout=timeout)

    def start_playbook(self, text: str, *args: str, inventory: str | None = None, env: dict[str, str] | None = None,
                       wrapper: t.Sequence[str] = (), stdin: str | None = None, **hostvars: t.Any) -> 'Background':
        """Like playbook(), but in the background: results_so_far() shows the tasks done, wait() the Run.
        ``wrapper`` runs it under another command (UNSHARE_PID: in a PID namespace of its own)."""
        self.counter += 1
        path = self.tmp / ('play%d.yml' % self.counter)
        path.write_text(text)
        inv = inventory or self.inventory(**hostvars)
        return self._start([*wrapper, os.path.join(BIN, 'ansible-playbook'), '-i', inv, str(path), *args], env=env, stdin=stdin)

    def adhoc(self, module: str, module_args: str, *args: str, inventory: str | None = None, env: dict[str, str] | None = None,
              timeout: float = 240, **hostvars: t.Any) -> Run:
        inv = inventory or self.inventory(**hostvars)
        return self._run([os.path.join(BIN, 'ansible'), 'win1', '-i', inv, '-m', module, '-a', module_args, *args], env=env,
                         timeout=timeout)


# Where ansible.windows comes from here: the community package on PyPI, which ships it (ansible
# 12.3.0 carries ansible.windows 3.3.0). Downloaded once into DOWNLOADS, never committed. This is the
# one place that gets it: scripts/lib.sh's install_ansible_windows calls install_ansible_windows below.
ANSIBLE_PACKAGE = 'ansible==12.3.0'
ANSIBLE_WINDOWS_VERSION = '3.3.0'
DOWNLOADS = os.path.join(ROOT, '.venvs', 'downloads')
ANSIBLE_WINDOWS_PREFIX = 'ansible_collections/ansible/windows/'


def install_ansible_windows(collections_root: str = BUILD) -> str:
    """ansible.windows (ANSIBLE_WINDOWS_VERSION, from ANSIBLE_PACKAGE's wheel) installed under
    ``collections_root``/ansible_collections/ansible/windows as ansible-galaxy lays a collection out (with
    its MANIFEST.json and FILES.json); kept when that version is already there. Returns its directory."""
    dest = os.path.join(collections_root, 'ansible_collections', 'ansible', 'windows')
    try:
        with open(os.path.join(dest, 'MANIFEST.json'), encoding='utf-8') as handle:
            if json.load(handle)['collection_info']['version'] == ANSIBLE_WINDOWS_VERSION:
                return dest
    except (OSError, ValueError, KeyError):
        pass
    staging = dest + '.partial'
    shutil.rmtree(staging, ignore_errors=True)
    info = extract_ansible_windows(staging, manifest=True)
    if info['version'] != ANSIBLE_WINDOWS_VERSION:
        raise RuntimeError('%s carries ansible.windows %s, not %s' % (ANSIBLE_PACKAGE, info['version'], ANSIBLE_WINDOWS_VERSION))
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(staging, dest)  # whole or not at all: a run stopped half-way leaves no partial collection
    return dest


def extract_ansible_windows(dest: str, manifest: bool = False) -> dict[str, t.Any]:
    """Extracts the ansible.windows collection (and only it) of ANSIBLE_PACKAGE's wheel into ``dest``
    (its files; MANIFEST.json and FILES.json only when ``manifest``); returns its MANIFEST.json collection_info."""
    os.makedirs(DOWNLOADS, exist_ok=True)
    name, version = ANSIBLE_PACKAGE.split('==')
    wheel = os.path.join(DOWNLOADS, '%s-%s-py3-none-any.whl' % (name, version))
    if not os.path.exists(wheel):
        subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'python'), '-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:',
                        '-d', DOWNLOADS, ANSIBLE_PACKAGE], check=True, capture_output=True)
    prefix = ANSIBLE_WINDOWS_PREFIX
    with zipfile.ZipFile(wheel) as archive:
        info = json.loads(archive.read(prefix + 'MANIFEST.json'))['collection_info']
        for member in archive.infolist():
            rel = member.filename[len(prefix):]
            if member.filename.startswith(prefix) and not member.is_dir() and (manifest or rel not in ('MANIFEST.json', 'FILES.json')):
                target = os.path.join(dest, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, 'wb') as handle:
                    handle.write(archive.read(member))
    return info


# argv: collection path, hostvars (JSON), steps (JSON: [["put"|"fetch", source, destination], ...], or
# ["exists"|"remove", path, ""]: that command line as the release's powershell shell plugin writes it, run
# with exec_command). Prints one JSON line per step: {"ok": true} (with "rc" and "stderr" for a command) or
# {"ok": false, "type": exception class, "error": message}. argv[4]: the connection plugin.
TRANSFER_DRIVER = r"""
import json, sys
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, init_plugin_loader
init_plugin_loader([sys.argv[1]])
hostvars, steps = json.loads(sys.argv[2]), json.loads(sys.argv[3])
conn = connection_loader.get(sys.argv[4], PlayContext(), '/dev/null')
if getattr(conn, 'allow_extras', False):  # ansible.builtin.psrp before 2.19 reads _extras, which TaskExecutor fills
    hostvars.setdefault('_extras', {})
conn.set_options(var_options=hostvars)
conn._connect()
try:
    for action, source, dest in steps:
        try:
            if action in ('exists', 'remove'):
                cmd = conn._shell.exists(source) if action == 'exists' else conn._shell.remove(source, recurse=True)
                rc, out, err = conn.exec_command(cmd)
                print(json.dumps({'ok': True, 'rc': rc, 'stderr': err.decode()}))
                continue
            getattr(conn, action + '_file')(source, dest)
            print(json.dumps({'ok': True}))
        except Exception as err:
            print(json.dumps({'ok': False, 'type': type(err).__name__, 'error': str(err)}))
finally:
    conn.close()
"""


def transfer_files(ansible, steps: list[list[str]], session: str, plugin: str = 'psremoting.pssession.psrp') -> list[dict]:
    """put_file/fetch_file (and the shell plugin's exists/remove) of a connection plugin, driven through
    ansible's plugin loader in a subprocess (TRANSFER_DRIVER), against ``ansible``'s test host."""
    hostvars = ansible.hostvars(ansible_pssession_name=session)
    proc = subprocess.run([PYTHON, '-c', TRANSFER_DRIVER, BUILD, json.dumps(hostvars), json.dumps(steps), plugin],
                          env=ansible.env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert len(results) == len(steps), proc.stdout + proc.stderr
    return results


def wait_until(condition: t.Callable[[], t.Any], what: str, timeout: float = 120, interval: float = 0.05) -> t.Any:
    """Wait for observable state (the host's stats or sessions, a process's open files), not for time.

    The timeout only bounds a test that would otherwise hang: it is far beyond what any state
    change takes on a loaded 2-core machine, so reaching it means the state never came.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError('gave up after %ss waiting for %s' % (timeout, what))
        time.sleep(interval)


def descendants(pid: int) -> set[int]:
    """Every process below pid, from /proc (ansible's workers call setsid, but stay children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, encoding='utf-8') as handle:
                parent = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# The names of the environment variables that mark the processes of the suite (the end-to-end conftest sets it
# in this process's environment, which every process it starts inherits) and of one Background run.
SUITE_MARK = 'PSSESSION_E2E_SUITE'
RUN_MARK = 'PSSESSION_E2E_RUN'


def _alive(state: str) -> bool:
    return state not in ('Z', 'X')  # a zombie has ended; only its parent's wait is missing


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, from /proc; None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[0]


def marked(name: str, value: str) -> set[int]:
    """The live processes whose environment (as they were started, /proc/PID/environ) has name=value, this one
    excepted: the processes a test started with that mark, and everything they forked or started since, whatever
    became of their parents. A process that replaced its environment entirely is not found."""
    needle = ('%s=%s' % (name, value)).encode()
    found: set[int] = set()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % entry, 'rb') as handle:
                environ = handle.read()
        except OSError:  # gone, or not ours to read
            continue
        if needle in environ.split(b'\0'):
            stat = _stat(int(entry))
            if stat is not None and _alive(stat[1]):
                found.add(int(entry))
    return found


def command_line(pid: int) -> str:
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode(errors='replace').strip() or '?'
    except OSError:
        return '(gone)'


def suite_processes(mark: str) -> set[int]:
    """The live processes this pytest started: its descendants (by pid, from /proc) and the processes that carry
    the suite's mark ``mark`` (SUITE_MARK), orphans among them."""
    alive = {pid for pid in descendants(os.getpid()) if _alive((_stat(pid) or (0, 'X'))[1])}
    return alive | marked(SUITE_MARK, mark)


def has_open(pids: t.Iterable[int], directory: str, suffix: str) -> bool:
    """Whether one of pids has a file in directory whose name ends with suffix open (a session lock, say)."""
    for pid in pids:
        try:
            fds = os.listdir('/proc/%d/fd' % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
            except OSError:
                continue
            if os.path.dirname(target) == directory and target.endswith(suffix):
                return True
    return False


class CountingStep:
    """A long step whose end the test decides, never a timer: a PowerShell script that counts its runs in
    a file on the host's drive, outputs 'started', runs until the test creates a release file, outputs
    'finished', then runs ``then`` (PowerShell, say ``$Ansible.Result = ...``; ``$n + 1`` is this run's count).
    """

    def __init__(self, counter: str, release: str, then: str = '') -> None:
        self.counter = counter
        self.release = release
        self.script = (
            "\n$n = 0\n"
            "if (Test-Path '%(counter)s') { $n = [int](Get-Content '%(counter)s') }\n"
            "Set-Content -Path '%(counter)s' -Value ($n + 1)\n"
            "'started'\n"
            "while (-not (Test-Path '%(release)s')) { Start-Sleep -Milliseconds 50 }\n"
            "'finished'\n" % dict(counter=counter, release=release)) + (then + '\n' if then else '')

    def runs(self, host) -> int:
        """How many times the step started on ``host``."""
        if not host.filesystem.exists(self.counter):
            return 0
        return int(host.filesystem.read_bytes(self.counter).decode('utf-8-sig').strip() or 0)

    def release_on(self, host) -> None:
        """Let the step end: create the file it waits for on the host's drive."""
        host.filesystem.write_bytes(self.release, b'go')


def waits_for_file(path: str, then: str) -> str:
    """A raw script that runs until the test creates path on the host's drive (the test decides when it ends), then
    outputs the string then."""
    return "while (-not (Test-Path '%s')) { Start-Sleep -Milliseconds 50 }; '%s'" % (path, then)


def all_gone(pids: t.Iterable[int]) -> bool:
    """Whether every one of pids has ended (a killed or cancelled run's processes)."""
    return not [pid for pid in pids if os.path.exists('/proc/%d' % pid)]


def timeline(host, kind: str) -> list[dict[str, t.Any]]:
    return [entry for entry in host.stats()['timeline'] if entry['kind'] == kind]


def create_count(host) -> int:
    return host.stats()['actions'].get('Create', {}).get('requests', 0)


def total_requests(host) -> int:
    return host.stats()['totals']['requests']


def own_warnings(stderr: str) -> list[str]:
    """The [WARNING] lines of an ansible command's stderr, less ansible-core's own about itself: 2.21's
    ansible-doc -t role warns that its internal collection ansible._protomatter has no MANIFEST.json."""
    return [line for line in stderr.splitlines() if 'WARNING' in line and 'ansible/_protomatter' not in line]
