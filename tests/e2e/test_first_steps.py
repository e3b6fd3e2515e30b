"""The README's first steps, run as a newcomer runs them, command by command.

Each fenced block of README.md has a marker in the line above it, checked here:
``<!-- readme-test: example PATH -->`` (the block is that file, byte for byte),
``<!-- readme-test: run NAME -->`` (a test below runs the block's commands verbatim),
``<!-- readme-test: windows -->`` (PowerShell for the Windows host),
``<!-- readme-test: testhost-playbook -->`` (a playbook that tests/e2e/test_readme_playbook.py runs against the test
host as written) or ``<!-- readme-test: not run: REASON -->``.

How the commands run here, where there is neither GitHub, Galaxy nor Windows:

- In a fresh $HOME, line by line with bash, with ``~/ansible-venv/bin`` first on PATH (what
  the README's ``. ~/ansible-venv/bin/activate`` does) and no ANSIBLE_COLLECTIONS_PATH, so
  ``ansible-galaxy`` installs into ``~/.ansible/collections`` and ansible finds it there.
- ``https://github.com/psremoting/pssession.git`` (``git clone`` and ``git+https://``) is
  redirected by $HOME/.gitconfig (``url.insteadOf``) to a local git repository holding a commit
  of this working tree. The install commands run in a network namespace with no network
  (``unshare --net``): nothing can reach GitHub or Galaxy.
- ``ansible.windows`` in requirements.yml comes from Galaxy, which this machine cannot reach:
  the test first installs the ansible.windows release that the ``ansible`` package on PyPI
  carries (e2e_support.ANSIBLE_PACKAGE, rebuilt into a collection tarball with ansible-galaxy), so the
  README's command finds it installed and installs only psremoting.pssession from git, as it
  would after a first install from Galaxy. Galaxy itself is not exercised.
- ``pip`` reaches PyPI, constrained (PIP_CONSTRAINT) to what the ansible-core under test has
  (E2E_ANSIBLE_BIN's venv, .venv by default), on that venv's Python: on the default run,
  ansible-core 2.19.14 and the suite's pins on Python 3.11.
- The playbook and ad-hoc commands run against the test host instead of web01.example.com: the
  README's inventory.yml with only its host entry replaced by the test host's address and port;
  ``--ask-pass`` reads the password from stdin (no terminal).
- The PowerShell blocks (Enable-PSRemoting, the HTTPS listener and firewall rule, the WinRM
  listener and auth queries) are Windows commands and CANNOT run here: nothing tests them.
  The playbook mixing ``ansible.windows`` modules with raw/invoke runs against the test host in
  tests/e2e/test_readme_playbook.py; checked here that every module it names comes from a collection the
  README's requirements.yml installs.
  ``./scripts/test`` (this suite) and ``./scripts/benchmark`` (minutes, figures) are not run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from e2e_support import BIN, COLLECTION, ROOT, create_count, extract_ansible_windows
from winhost import WinHost

README = os.path.join(ROOT, 'README.md')
EXAMPLES = os.path.join(ROOT, 'docs', 'examples', 'first-steps')
MARKER = re.compile(r'<!-- readme-test: (example (?P<path>\S+)|run (?P<run>[a-z-]+)|(?P<windows>windows)|'
                    r'(?P<hostplay>testhost-playbook)|not run: (?P<why>[^>]+\S)) -->\n'
                    r'```(?P<lang>\w*)\n(?P<body>.*?)^```$', re.M | re.S)
FENCE = re.compile(r'^```', re.M)
# The blocks the tests below run, by marker name.
RUN_BLOCKS = {'venv', 'tarball', 'git', 'requirements', 'pip', 'playbook', 'adhoc', 'testhost', 'demo'}
REPOSITORY = 'https://github.com/psremoting/pssession.git'
USER, PASSWORD = 'ansible', 'Newcomer-Passw0rd!'


def readme_blocks() -> list[re.Match]:
    with open(README, encoding='utf-8') as handle:
        text = handle.read()
    blocks = list(MARKER.finditer(text))
    fences = len(FENCE.findall(text))
    assert fences == 2 * len(blocks), 'README.md has %d fenced blocks, %d with a readme-test marker right above' % (fences // 2, len(blocks))
    return blocks


def run_block(name: str) -> list[str]:
    """The command lines of the README block marked ``run NAME`` (comments and blank lines dropped)."""
    (block,) = [b for b in readme_blocks() if b['run'] == name]
    return [line for line in block['body'].splitlines() if line.strip() and not line.lstrip().startswith('#')]


def test_every_readme_block_is_a_file_a_run_or_says_why_not():
    blocks = readme_blocks()
    for block in blocks:
        if block['path']:
            with open(os.path.join(ROOT, block['path']), encoding='utf-8') as handle:
                assert block['body'] == handle.read(), '%s differs from what README.md shows' % block['path']
        if block['windows']:
            assert block['lang'] == 'powershell', block.group(0)
        if block['hostplay']:
            assert block['lang'] == 'yaml', block.group(0)
            assert_needs_only_the_required_collections(block['body'])
    assert {b['run'] for b in blocks if b['run']} == RUN_BLOCKS
    shown = {b['path'] for b in blocks if b['path']}
    # Every first-steps file is shown, except the test host's inventory, which is linked.
    assert shown | {'docs/examples/first-steps/testhost-inventory.yml'} == {
        os.path.relpath(os.path.join(EXAMPLES, name), ROOT) for name in os.listdir(EXAMPLES)}
    # The URL the README installs from is the collection's repository.
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['repository'] + '.git' == REPOSITORY


def assert_needs_only_the_required_collections(playbook: str) -> None:
    """A playbook of the README's Windows modules: every module it names comes from ansible.builtin or a collection
    of the README's requirements.yml, and one of them is an ansible.windows module."""
    with open(os.path.join(EXAMPLES, 'requirements.yml'), encoding='utf-8') as handle:
        required = {entry['name'] for entry in yaml.safe_load(handle)['collections']}
    assert required == {'ansible.windows', REPOSITORY}, required
    namespaces = ('ansible.builtin.', 'ansible.windows.', 'psremoting.pssession.')
    keywords = {'name', 'register', 'changed_when', 'when', 'loop', 'vars', 'environment', 'become', 'become_user'}
    modules = [key for play in yaml.safe_load(playbook) for task in play['tasks'] for key in task if key not in keywords]
    assert modules and all(module.startswith(namespaces) for module in modules), modules
    assert any(module.startswith('ansible.windows.') for module in modules), modules


class Newcomer:
    """A fresh $HOME whose commands run like a user's shell, one line at a time."""

    def __init__(self, tmp_path) -> None:
        self.home = tmp_path / 'home'
        self.cwd = tmp_path / 'work'
        self.home.mkdir()
        self.cwd.mkdir()
        self.venv_bin = self.home / 'ansible-venv' / 'bin'
        shims = tmp_path / 'shims'
        shims.mkdir()
        # python3 is the Python of the ansible-core under test.
        os.symlink(os.path.join(BIN, 'python'), shims / 'python3')
        constraints = tmp_path / 'constraints.txt'
        frozen = subprocess.run([os.path.join(BIN, 'python'), '-m', 'pip', 'freeze', '--exclude-editable'], capture_output=True, text=True,
                                check=True).stdout
        constraints.write_text(frozen)
        path = [p for p in os.environ['PATH'].split(os.pathsep) if os.path.realpath(p) != os.path.realpath(BIN)]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VIRTUAL_ENV', 'PYTHON', 'GIT_'))}
        self.env.update(HOME=str(self.home), PATH=os.pathsep.join([str(self.venv_bin), str(shims)] + path), PIP_CONSTRAINT=str(constraints),
                        PIP_DISABLE_PIP_VERSION_CHECK='1', ANSIBLE_NOCOLOR='1',
                        # Per-test lock and state files instead of $TMPDIR's, shared by everyone on this machine.
                        ANSIBLE_PSSESSION_LOCK_DIR=str(tmp_path / 'locks'))

    def run(self, line: str, *, offline: bool = False, stdin: str | None = None, cwd=None) -> str:
        argv = ['bash', '-ec', line]
        if offline:
            argv = ['unshare', '--net', *argv]
        proc = subprocess.run(argv, cwd=str(cwd or self.cwd), env=self.env, capture_output=True, text=True, check=False, timeout=600,
                              input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, start_new_session=True)
        assert proc.returncode == 0, '%s\nrc=%s\nSTDOUT:\n%s\nSTDERR:\n%s' % (line, proc.returncode, proc.stdout[-6000:], proc.stderr[-6000:])
        return proc.stdout + proc.stderr

    def run_block(self, name: str, **kwargs) -> list[str]:
        return [self.run(line, **kwargs) for line in run_block(name)]

    @property
    def collections(self):
        return self.home / '.ansible' / 'collections' / 'ansible_collections'

    def installed(self) -> dict[str, str]:
        """{namespace.name: version} of what is in ~/.ansible/collections."""
        found = {}
        for manifest in self.collections.glob('*/*/MANIFEST.json'):
            info = json.loads(manifest.read_text())['collection_info']
            found['%s.%s' % (info['namespace'], info['name'])] = info['version']
        return found

    def forget_collections(self) -> None:
        shutil.rmtree(self.home / '.ansible' / 'collections', ignore_errors=True)


def local_repository(tmp_path) -> str:
    """This working tree (as laid out in .build) committed to a git repository on branch main."""
    repo = tmp_path / 'pssession-origin'
    shutil.copytree(COLLECTION, repo, symlinks=True)
    git = ['git', '-C', str(repo), '-c', 'user.name=test', '-c', 'user.email=test@localhost']
    subprocess.run(git + ['add', '--all'], check=True)
    subprocess.run(git + ['commit', '--quiet', '--no-verify', '-m', 'snapshot'], check=True)
    subprocess.run(git + ['branch', '-M', 'main'], check=True)
    return str(repo)


def ansible_windows_tarball(newcomer: Newcomer, tmp_path) -> str:
    """ansible.windows as a collection tarball, rebuilt from the copy the ansible package on PyPI ships."""
    src = tmp_path / 'ansible.windows'
    info = extract_ansible_windows(str(src))
    galaxy = {k: v for k, v in info.items() if v not in (None, [], '') and k != 'license'}
    (src / 'galaxy.yml').write_text(yaml.safe_dump(galaxy))
    out = tmp_path / 'galaxy-stand-in'
    newcomer.run('ansible-galaxy collection build --output-path %s %s' % (out, src))
    return str(out / ('ansible-windows-%s.tar.gz' % info['version']))


@pytest.fixture(name='newcomer')
def newcomer_fixture(tmp_path):
    return Newcomer(tmp_path)


@pytest.mark.default_release_only(
    reason='pip-installs the release from PyPI into a fresh venv (minutes); the first playbook and ad-hoc commands it '
           'runs are covered on every release by the other tests')
def test_install_three_ways_then_the_first_playbook_and_adhoc_commands(newcomer, tmp_path):
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        version = yaml.safe_load(handle)['version']
    (newcomer.home / '.gitconfig').write_text('[url "file://%s"]\n\tinsteadOf = %s\n' % (local_repository(tmp_path), REPOSITORY))
    with open(os.path.join(ROOT, 'requirements.txt'), encoding='utf-8') as handle:
        requirements_txt = handle.read()
    with open(os.path.join(ROOT, 'plugins', 'connection', 'psrp.py'), encoding='utf-8') as handle:
        connection = handle.read()

    def assert_installed(extra: dict[str, str] | None = None) -> None:
        assert newcomer.installed() == {'psremoting.pssession': version, **(extra or {})}
        ours = newcomer.collections / 'psremoting' / 'pssession'
        assert (ours / 'plugins' / 'connection' / 'psrp.py').read_text() == connection
        assert (ours / 'requirements.txt').read_text() == requirements_txt
        assert not (ours / 'scripts').exists() and not (ours / '.git').exists()

    # ansible-core into ~/ansible-venv (only ansible-core: the collection's packages come later).
    newcomer.run_block('venv')
    core = newcomer.run('ansible --version')
    expected_core = subprocess.run([os.path.join(BIN, 'ansible'), '--version'], capture_output=True, text=True, check=True).stdout.split('\n')[0]
    assert core.split('\n')[0] == expected_core
    assert 'pypsrp' not in newcomer.run('python3 -m pip list')

    # 1. A tarball built from a clone.
    newcomer.run_block('tarball', offline=True)
    assert (newcomer.cwd / ('psremoting-pssession-%s.tar.gz' % version)).exists()
    assert_installed()

    # 2. From git.
    newcomer.forget_collections()
    newcomer.run_block('git', offline=True)
    assert_installed()

    # 3. requirements.yml, with ansible.windows already installed (see the module docstring).
    newcomer.forget_collections()
    windows_tarball = ansible_windows_tarball(newcomer, tmp_path)
    newcomer.run('ansible-galaxy collection install %s' % windows_tarball, offline=True)
    windows_version = newcomer.installed()['ansible.windows']
    shutil.copyfile(os.path.join(EXAMPLES, 'requirements.yml'), newcomer.cwd / 'requirements.yml')
    (out,) = newcomer.run_block('requirements', offline=True)
    assert "'ansible.windows:%s' is already installed, skipping." % windows_version in out, out
    assert 'psremoting.pssession:%s was installed successfully' % version in out, out
    assert_installed({'ansible.windows': windows_version})

    # The collection's Python packages, from the installed requirements.txt.
    newcomer.run_block('pip')
    packages = newcomer.run('python3 -m pip list --format=freeze')
    assert re.search(r'^pypsrp==', packages, re.M) and re.search(r'^pyspnego==', packages, re.M), packages

    # The first playbook, then the ad-hoc commands, against the test host.
    with open(os.path.join(EXAMPLES, 'inventory.yml'), encoding='utf-8') as handle:
        inventory = yaml.safe_load(handle)
    assert list(inventory['windows']['hosts']) == ['web01.example.com']
    assert 'ansible_password' not in inventory['windows']['vars']  # --ask-pass
    with WinHost(users={USER: PASSWORD}, auth='both') as host:
        inventory['windows']['hosts'] = {'testhost': {'ansible_host': '127.0.0.1', 'ansible_port': host.port}}
        (newcomer.cwd / 'inventory.yml').write_text(yaml.safe_dump(inventory))
        shutil.copyfile(os.path.join(EXAMPLES, 'first-playbook.yml'), newcomer.cwd / 'first-playbook.yml')
        (out,) = newcomer.run_block('playbook', stdin=PASSWORD + '\n')
        assert re.search(r'failed=0', out) and 'ok=5' in out, out
        # Task 2 called task 1's function, and invoke ran in the same process: one session.
        greeting = re.search(r'"Hello task 2 from PowerShell 5\.1\.\d+\.\d+, process (\d+)"', out)
        assert greeting, out
        assert '"Hello invoke from PowerShell' in out and 'process %s (run 1)"' % greeting.group(1) in out, out
        assert '"first-steps"' in out, out
        (session,) = host.sessions()
        assert (session['Name'], session['State'], session['IdleTimeOut']) == ('first-steps', 'Disconnected', 7200)

        first, second = newcomer.run_block('adhoc', stdin=PASSWORD + '\n')
        assert 'CHANGED' in first or 'SUCCESS' in first, first
        assert re.search(r'^42$', second, re.M), second
        # The playbook's tasks and both ad-hoc commands used the one session created first.
        assert create_count(host) == 1
        assert [s['Name'] for s in host.sessions()] == ['first-steps']


@pytest.mark.default_release_only(reason="scripts/testhost runs .venv's ansible, whatever release is under test")
def test_the_test_host_command_runs_the_first_playbook(tmp_path):
    (line,) = run_block('testhost')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env['PSSESSION_BUILD_DIR'] = str(tmp_path / 'build')  # its own layout: the other lane's tests read .build
    proc = subprocess.run(['bash', '-ec', line], cwd=ROOT, env=dict(env, ANSIBLE_NOCOLOR='1'), capture_output=True, text=True, check=False,
                          timeout=600, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r'testhost\s+: ok=5 .* failed=0', out), out
    assert re.search(r'"Hello invoke from PowerShell 5\.1\.\d+\.\d+, process \d+ \(run 1\)"', out), out
    assert 'test host (a stand-in for a Windows host) listening on 127.0.0.1:' in out, out


@pytest.mark.default_release_only(reason="scripts/demo runs .venv's ansible, whatever release is under test")
def test_the_demo_command(tmp_path):
    (line,) = run_block('demo')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env['PSSESSION_BUILD_DIR'] = str(tmp_path / 'build')  # its own layout: the other lane's tests read .build
    proc = subprocess.run(['bash', '-ec', line], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    # Run 2 found run 1's function and variable; run 4 received all the job wrote while disconnected.
    assert 'release 1.4.2 (production), seen by run 2' in out, out
    assert 'backup step 5 of 5 done' in out and 'backup finished; verify the catalogue' in out, out
