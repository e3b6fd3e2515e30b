"""What the cancel signal's handler does to a task's session (TaskSession.close(cancelled=True)),
against the in-process test host, at the two moments the handler can interrupt that made a
cancelled run leave its command running or never end (tests/e2e/test_faults.py, under load)."""

from __future__ import annotations

import threading

import pytest
from pypsrp.powershell import PowerShell

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pypsrp_bridge
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pipelines import PipelineRunner
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pssession import PSSession
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import SessionOptions
from ansible_collections.psremoting.pssession.plugins.plugin_utils.task_session import TaskSession
from winhost import WinHost

GATE = r'C:\go'
SCRIPT = "'started'; while (-not (Test-Path '%s')) { Start-Sleep -Milliseconds 50 }; 'finished'" % GATE


class Display:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)

    def vvv(self, msg, host=None):
        pass

    vvvvv = vvv


@pytest.fixture
def host():
    with WinHost(users={'user': 'Passw0rd!'}, auth='both', stop_after=300) as winhost:
        yield winhost


@pytest.fixture
def task(host):
    """A TaskSession holding an open session of the test host, as open() leaves it (without the lock file)."""
    settings = dict(server='127.0.0.1', port=host.port, ssl=False, auth='basic', username='user', password='Passw0rd!',
                    encryption='never', operation_timeout=5, read_timeout=30)

    def factory(**overrides):
        return pypsrp_bridge.new_wsman(**dict(settings, **overrides))

    options = SessionOptions(session_name='cancelled', idle_timeout=600, buffer_mode='Block', busy_timeout=0, strict=False)
    session = PSSession(factory, 'Microsoft.PowerShell', 'cancelled', options, host.url)
    session.open()
    display = Display()
    task = TaskSession(lambda name: None, display)
    task.session = session
    task.runner = PipelineRunner(session, warn=task.warn)
    yield task
    host.filesystem.write_bytes(GATE, b'go')


def _host_state(host):
    [shell] = host.sessions()
    return shell['State'], [c['CommandId'] for c in shell['Commands']]


def test_a_cancel_while_the_command_answer_is_on_its_way_stops_that_command(host, task):
    # The host runs the command from the moment it has the Command; its answer may still be on the
    # way when the cancel comes (as the handler would, the close runs inside pypsrp's Command call).
    ps = PowerShell(task.session.pool)
    ps.add_script(SCRIPT)
    shell = task.session.pool.shell
    send_command = shell.command
    seen = []

    def command(*args, **kwargs):
        answer = send_command(*args, **kwargs)
        seen.append(_host_state(host))
        task.close(cancelled=True)
        return answer

    shell.command = command
    task.runner.start(ps)  # (in a worker, the handler then hands over to ansible's, which ends it)
    [(state, commands)] = seen
    assert (state, commands) == ('Connected', [ps.id.upper()])  # it was running on the host when the cancel came
    assert _host_state(host) == ('Disconnected', [])  # stopped and the session let go of
    assert host.stats()['actions']['Signal']['requests'] >= 1


def test_a_cancel_inside_the_connection_pool_does_not_wait_for_its_lock(host, task):
    # The handler may interrupt the task's HTTP client while that holds its connection pool's lock
    # (urllib3 takes a connection from its pool and gives it back under a non-reentrant lock around
    # every request), here between two commands (no command of the task runs). The release must not
    # need that lock, or the worker never ends: its SIGTERMs are held back meanwhile.
    wsman = task.session.wsman
    url = wsman.transport.endpoint
    [pool] = wsman.transport.session.get_adapter(url).poolmanager.pools._container.values()  # pylint: disable=protected-access
    done = threading.Event()

    def cancel():
        task.close(cancelled=True)
        done.set()

    with pool.pool.mutex:  # what the interrupted frame holds
        threading.Thread(target=cancel, daemon=True).start()
        released = done.wait(30)
    assert released, 'the cancel waited for the lock of the connection it interrupted'
    assert _host_state(host) == ('Disconnected', [])
