"""The PSSession decisions (connect, create, wait, reap, recreate) without a network."""

import subprocess
import sys

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pssession as mod
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import controller_id, run_scoped_name
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import read_session_options
from session_fakes import Clock, FakeWSMan

URI = mod.resource_uri('Microsoft.PowerShell')


class Session(mod.PSSession):
    """PSSession whose network steps are recorded instead of performed."""

    def __init__(self, shells_over_time, name='build', connect_ok=True, **options):
        self.clock = Clock()
        super().__init__(FakeWSMan, 'Microsoft.PowerShell', name, read_session_options(options.get), 'http://h:5985/wsman',
                         sleep=self.clock.sleep, clock=self.clock)
        self.timeline = shells_over_time
        self.connected_to = None
        self.created_count = 0
        self.connect_ok = connect_ok

    def shells_now(self):
        index = min(int(self.clock.now), len(self.timeline) - 1)
        return self.timeline[index]

    def _connect(self, shell):
        # As the host answers: only a disconnected shell that still exists can be connected to.
        listed = {s['ShellId']: s for s in self.shells_now()}
        found = listed.get(shell['ShellId'])
        if not self.connect_ok or found is None or found.get('State') != 'Disconnected':
            return False
        self.connected_to = shell['ShellId']
        return True

    def _create(self, shells):
        self.created_count += 1
        self.created = True


ENUMERATIONS = []


@pytest.fixture(autouse=True)
def fake_enumerate(monkeypatch):
    ENUMERATIONS.clear()

    def enumerate_shells(wsman):
        ENUMERATIONS.append(wsman)
        return SESSION_UNDER_TEST[0].shells_now()

    monkeypatch.setattr(mod, 'enumerate_shells', enumerate_shells)
    monkeypatch.setattr(mod, 'new_host', lambda: None)


SESSION_UNDER_TEST = [None]


def make(*args, **kwargs):
    session = Session(*args, **kwargs)
    SESSION_UNDER_TEST[0] = session
    return session


def shell(shell_id, name='build', state='Disconnected', uri=URI, **extra):
    return dict(ShellId=shell_id, Name=name, State=state, ResourceUri=uri, **extra)


def test_connects_to_the_disconnected_shell_with_its_name_and_configuration():
    session = make([[shell('A', name='other'), shell('B', uri=mod.resource_uri('JEA')), shell('C')]], session_name='build')
    session.open()
    assert session.connected_to == 'C' and session.created_count == 0 and not session.recreated


def test_prefers_the_shell_this_controller_used_last():
    session = make([[shell('A'), shell('B')]], session_name='build')
    session.open(known_shell_id='b')
    assert session.connected_to == 'B'


def test_the_shell_used_last_is_connected_to_without_enumerating():
    session = make([[shell('A'), shell('B')]], session_name='build')
    session.open(known_shell_id='B')
    assert session.connected_to == 'B' and ENUMERATIONS == []


def test_when_the_shell_used_last_is_taken_the_sessions_are_enumerated():
    session = make([[shell('B', state='Connected'), shell('C')]], session_name='build')
    session.open(known_shell_id='B')
    assert session.connected_to == 'C' and len(ENUMERATIONS) == 1


def test_creates_when_there_is_none_and_says_recreated_only_when_one_was_known():
    first = make([[]], session_name='build')
    first.open()
    assert first.created_count == 1 and not first.recreated
    again = make([[]], session_name='build')
    again.open(known_shell_id='GONE')
    assert again.created_count == 1 and again.recreated


def test_strict_refuses_to_recreate():
    session = make([[]], session_name='build', strict_session=True)
    with pytest.raises(mod.SessionVanishedError, match='strict_session'):
        session.open(known_shell_id='GONE')
    assert session.created_count == 0


def test_waits_for_a_busy_session_and_takes_it_when_freed():
    busy = shell('A', state='Connected', ClientIP='10.0.0.9')
    session = make([[busy], [busy], [shell('A')]], session_name='build', busy_timeout=10)
    session.open()
    assert session.connected_to == 'A' and session.clock.now >= 2


def test_gives_up_on_a_busy_session_saying_since_when_and_who():
    busy = shell('A', state='Connected', ClientIP='10.0.0.9', ShellInactivity='P0DT0H0M3S')
    session = make([[busy]], session_name='build', busy_timeout=5)
    with pytest.raises(mod.SessionBusyError) as err:
        session.open()
    msg = str(err.value)
    assert 'busy' in msg and 'since' in msg and '10.0.0.9' in msg and 'busy_timeout' in msg and "'build'" in msg
    assert 5 <= session.clock.now < 7


def test_zero_busy_timeout_fails_at_once():
    session = make([[shell('A', state='Connected')]], session_name='build', busy_timeout=0)
    with pytest.raises(mod.SessionBusyError):
        session.open()
    assert session.clock.now == 0


def test_a_shell_taken_between_enumerate_and_connect_is_enumerated_again():
    session = make([[shell('A')], [shell('A', state='Connected')], []], session_name='build', connect_ok=False, busy_timeout=1)
    session.connect_ok = False
    with pytest.raises(mod.SessionBusyError):
        session.open()


def test_run_scoped_sessions_reap_ended_runs_of_this_controller_only():
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    dead = 'ansible-%s-%d-1' % (controller_id(), proc.pid)
    alive = run_scoped_name()
    foreign = 'ansible-%s-%d-1' % ('f' * 12, proc.pid)
    mine = 'ansible-%s-%d-2' % (controller_id(), 4194303)
    session = make([[shell('D', name=dead), shell('L', name=alive), shell('F', name=foreign), shell('N', name='build')]],
                   name=mine)
    session.open()
    assert session.reaped == [dead]
    assert len(session.wsman.deleted) == 1 and 'D' in session.wsman.deleted[0]
    assert session.created_count == 1


def test_named_sessions_do_not_reap():
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    dead = 'ansible-%s-%d-1' % (controller_id(), proc.pid)
    session = make([[shell('D', name=dead)]], session_name='build')
    session.open()
    assert session.reaped == [] and session.wsman.deleted == []


def test_connection_failures_are_unreachable_with_a_clear_message():
    import requests
    from pypsrp.exceptions import AuthenticationError
    err = mod.connection_failure(AuthenticationError('Failed to authenticate the user bob with ntlm'), 'opening', 'http://h:5985/wsman')
    assert 'Authentication to http://h:5985/wsman failed' in str(err)
    err = mod.connection_failure(requests.exceptions.SSLError('certificate verify failed'), 'opening', 'https://h:5986/wsman')
    assert 'certificate' in str(err) and 'ca_cert' in str(err)
    err = mod.connection_failure(requests.exceptions.ConnectionError('refused'), 'opening', 'http://h:1/wsman')
    assert 'Could not connect to http://h:1/wsman' in str(err)
