"""plugin_utils/resume.py: option checks, the keyed CommandId, and how a waiting task watches its step."""

from __future__ import annotations

import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.psremoting.pssession.plugins.plugin_utils import resume
from ansible_collections.psremoting.pssession.plugins.plugin_utils.resume import KeyedStep, check_resume_args, keyed_command_id
from session_fakes import Clock, FakeWSMan

SHELL = '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C'


@pytest.mark.parametrize('args, words', [
    (dict(resume_key='', script='1'), 'Invalid value'),
    (dict(resume_key='a\nb', script='1'), 'control characters'),
    (dict(resume_key='k' * 257, script='1'), 'at most 256'),
    (dict(resume_key='k', poll_interval=0, script='1'), 'from 1 to 3600'),
    (dict(poll_interval=5, script='1'), 'only used with resume_key'),
    (dict(resume_key='k', input=[1]), 'Option input needs script or path'),
    (dict(), 'One of the options script, path or resume_key is required'),
])
def test_bad_options_are_named(args, words):
    with pytest.raises(AnsibleActionFail, match=words):
        check_resume_args(args)


def test_good_options_pass():
    check_resume_args(dict(resume_key='backup-2026-01-31', poll_interval=60, script='1'))
    check_resume_args(dict(resume_key='collect only'))
    check_resume_args(dict(script='1'))


def test_the_command_id_depends_on_session_and_key_only():
    first = keyed_command_id(SHELL, 'nightly')
    assert first == keyed_command_id(SHELL.lower(), 'nightly')
    assert first != keyed_command_id(SHELL, 'Nightly')
    assert first != keyed_command_id('1' + SHELL[1:], 'nightly')
    assert len(first) == 36 and first == first.upper()


class FakeSession:
    """What _watch touches: pause/resume of the session, and the host's view of the command."""

    def __init__(self, states, clock):
        self.states = list(states)
        self.clock = clock
        self.calls = []
        self.shell_id = SHELL
        self.wsman = FakeWSMan()

    def pause(self, idle, mode):
        self.calls.append(('pause', round(self.clock.now), idle, mode))

    def resume(self):
        self.calls.append(('resume', round(self.clock.now)))


def _step(states, poll_interval=5, monkeypatch=None):
    clock = Clock()
    pss = FakeSession(states, clock)
    lines = []
    display = types.SimpleNamespace(display=lines.append, vvv=lambda msg: None)
    pss.options = types.SimpleNamespace(idle_timeout=7200, buffer_mode='Block')
    pss.key = types.SimpleNamespace(session_name='jobs')
    step = KeyedStep(dict(resume_key='nightly', poll_interval=poll_interval), pss, display, 'win1 invoke',
                     sleep=clock.sleep, clock=clock)
    looks = iter(states)
    monkeypatch.setattr(step, '_host_state', lambda: next(looks))
    return step, pss, clock, lines


def test_the_watch_waits_disconnected_with_a_line_per_poll_and_renews_the_idle_timeout(monkeypatch):
    step, pss, clock, lines = _step(['Running'] * 60 + ['Done'], monkeypatch=monkeypatch)
    assert step._watch(None) == 'Done'  # pylint: disable=protected-access
    assert pss.calls[0][0] == 'pause' and pss.calls[-1][0] == 'resume'
    assert pss.calls[0][2:] == (7200, 'Block')
    # The first look says it runs; then one line per poll_interval (5 s) at most.
    assert lines[0].startswith("win1 invoke: step 'nightly' still running after 0s")
    assert len(lines) <= clock.now / 5 + 1 and len(lines) >= 3, lines
    # The IdleTimeout is renewed (resume + pause) every max(poll_interval, 30) s.
    renewals = [c for c in pss.calls[1:-1] if c[0] == 'resume']
    assert renewals and all(b[1] - a[1] >= 30 for a, b in zip(renewals, renewals[1:])), pss.calls
    assert len(renewals) == len([c for c in pss.calls[1:-1] if c[0] == 'pause'])


def test_the_watch_looks_soon_at_first(monkeypatch):
    step, _pss, clock, _lines = _step(['Running', 'Running', 'Done'], poll_interval=60, monkeypatch=monkeypatch)
    assert step._watch(None) == 'Done'  # pylint: disable=protected-access
    assert clock.now < 1, 'a short step is seen ended within a second, whatever poll_interval is'


def test_the_watch_ends_at_the_deadline_and_reconnects(monkeypatch):
    step, pss, clock, _lines = _step(['Running'] * 1000, poll_interval=1, monkeypatch=monkeypatch)
    assert step._watch(10.0) == 'Running'  # pylint: disable=protected-access
    assert 10 <= clock.now < 11.5
    assert pss.calls[-1][0] == 'resume'


def test_a_recorded_outcome_is_returned_unchanged_but_for_changed():
    step = KeyedStep.__new__(KeyedStep)
    step.key = 'nightly'
    step.session = types.SimpleNamespace(key=types.SimpleNamespace(session_name='jobs'))
    step.command_id, step.source, step.started, step.finished = 'C', 'recorded', 1.0, 2.0
    result = step._recorded({'outcome': '{"output": ["a"], "failed": true, "msg": "boom", "resume_changed": true}'})  # pylint: disable=protected-access
    result = step.annotate(result)
    assert (result['output'], result['failed'], result['msg'], result['changed']) == (['a'], True, 'boom', False)
    assert result['resume'] == dict(key='nightly', command_id='C', source='recorded', started='1970-01-01T00:00:01Z',
                                    finished='1970-01-01T00:00:02Z', changed=True)
    assert (result['attached'], result['resumed']) == (False, True)
    with pytest.raises(AnsibleActionFail, match='not readable'):
        step._recorded({'outcome': 'not json'})  # pylint: disable=protected-access


def test_the_namespace_never_changes():
    # Steps running now are found by ids derived from it: changing it would lose them.
    assert str(resume.NAMESPACE) == '9d0c6c55-4f43-5a0e-9a53-2f2c9f4d7e01'
