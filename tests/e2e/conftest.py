"""End-to-end fixtures: the test host in this process, real ansible/ansible-playbook as subprocesses.

The collection is imported from the laid-out copy (``scripts/lib.sh layout_collection``, which
``scripts/test`` runs first): ANSIBLE_COLLECTIONS_PATH points at ``.build``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest

from e2e_support import BIN, BUILD, COLLECTION, PYTHON, SUITE_MARK, USERS, Ansible, command_line, install_ansible_windows, suite_processes
from winhost import WinHost


def _release_under_test() -> str:
    """ansible-core's version and Python of BIN (E2E_ANSIBLE_BIN, or this venv's), as its ansible would run."""
    proc = subprocess.run([PYTHON, '-c', 'import sys; from ansible.release import __version__ as v; '
                           'print(v, "on Python %d.%d.%d" % sys.version_info[:3])'],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not os.path.exists(os.path.join(BIN, 'ansible-playbook')):
        raise pytest.UsageError('E2E_ANSIBLE_BIN=%s is not the bin directory of a venv with ansible-core: %s' % (BIN, proc.stderr.strip()))
    return proc.stdout.strip()


def pytest_report_header(config):
    """Which ansible-core the end-to-end tests run (scripts/test re-runs them on other releases)."""
    del config
    return 'end-to-end tests run ansible-core %s from %s' % (_release_under_test(), BIN)


def pytest_configure(config):
    """ansible and ansible-playbook start with SIGINT at its default, as from a terminal or ansible-runner.

    A process inherits an ignored signal across exec, and a shell starts each background job of a script
    (`... &`, no job control) with SIGINT ignored; Python then installs no KeyboardInterrupt handler.
    ansible-core 2.19 and later set their own SIGINT handler (TaskQueueManager); 2.16's ansible-playbook
    keeps ignoring SIGINT, so a suite started that way saw a Ctrl-C test's run go on for its 600 s
    command. A signal this process catches is reset to its default in a child it execs (POSIX execve).
    """
    del config
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # Every process the tests start inherits the mark: no_process_left_behind finds them, orphans included.
    os.environ[SUITE_MARK] = '%d-%s' % (os.getpid(), uuid.uuid4().hex)


# How long a test's processes may take to end after it (a worker releasing its session after its run was
# killed says Disconnect first). Nothing waits this long unless a process was left behind.
LEFT_BEHIND_GRACE = 30.0


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """A test ends with every process it started ended: one left behind (a worker forked after a test looked
    for the run's processes, say) runs on into the next tests, holding locks and sessions. Such a process
    fails the test that left it, named with its pid and command line, and is killed, by pid. Autouse: set up
    before the test's other fixtures, so this runs after their teardown (the test host's included)."""
    yield
    mark = os.environ[SUITE_MARK]
    deadline = time.monotonic() + LEFT_BEHIND_GRACE
    left = suite_processes(mark)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = suite_processes(mark)
    if not left:
        return
    named = ['%d %s' % (pid, command_line(pid)) for pid in sorted(left)]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pytest.fail('processes this test started were still alive %.0fs after it ended (now killed):\n%s'
                % (LEFT_BEHIND_GRACE, '\n'.join(named)), pytrace=False)


def pytest_collection_modifyitems(config, items):
    """A missing layout is a setup mistake, not a reason to skip: say how to fix it."""
    del config
    if any('/tests/e2e/' in str(item.fspath) for item in items) and not os.path.isdir(COLLECTION):
        raise pytest.UsageError('the collection is not laid out in .build: run ./scripts/test, or source scripts/lib.sh && layout_collection')


@pytest.fixture
def winhost(request):
    with WinHost(users=dict(USERS), auth='both') as host:
        yield host
        # The tripwire is on (the host's default): no script of a test may have read something Windows has and the
        # test host does not model, even where a try/catch hid the error (stats since the last reset_stats), but
        # for what a test names with @pytest.mark.tripwire_expected (Ansible's module chain, which needs more).
        marker = request.node.get_closest_marker('tripwire_expected')
        allowed = set(marker.args) if marker is not None else set()
        tripped = host.stats()['tripwire']
        assert set(tripped) <= allowed, 'the test host tripped: %s' % tripped


@pytest.fixture
def ansible(tmp_path, winhost):
    return Ansible(tmp_path, winhost)


@pytest.fixture(name='collections_path', scope='session')
def collections_path_fixture():
    """The build's collections path, where scripts/test installs ansible.windows next to this collection
    (installed here too, from the same cache, when pytest runs without scripts/test)."""
    install_ansible_windows(BUILD)
    return BUILD
