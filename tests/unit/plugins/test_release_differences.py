"""What the plugins do differently on ansible-core releases that behave differently (2.16 to 2.21),
with the release-specific switch forced either way. The end-to-end tests see each on a real release."""

from ansible import constants as C

from ansible_collections.psremoting.pssession.plugins.connection import psrp
from ansible_collections.psremoting.pssession.plugins.plugin_utils import task_session

OURS = ('ansible_pssession_session_name', {'why': 'It stuttered.', 'alternatives': 'ansible_pssession_name',
                                           'version': '1.0.0', 'collection_name': 'psremoting.pssession'})
CONFIG_FILES = ('[defaults]old_setting', {'why': 'Renamed.', 'version': '2.99', 'collection_name': 'ansible.builtin'})


class FakeDisplay:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)


def test_a_deprecated_option_variable_left_unreported_is_reported_once(monkeypatch):
    """ansible-core 2.16 and 2.17 leave it in C.config.DEPRECATED (later releases report and clear it)."""
    shown = []
    monkeypatch.setattr(psrp.display, 'deprecated', lambda msg, **kwargs: shown.append((msg, kwargs)))
    monkeypatch.setattr(C.config, 'DEPRECATED', [CONFIG_FILES, OURS])
    psrp.report_deprecated_option_sources()
    assert shown == [('ansible_pssession_session_name option, It stuttered., use ansible_pssession_name instead',
                      {'version': '1.0.0', 'collection_name': 'psremoting.pssession'})]
    assert C.config.DEPRECATED == [CONFIG_FILES]  # ansible.cfg's: the command showed them when it started
    psrp.report_deprecated_option_sources()
    assert len(shown) == 1


def test_before_2_19_a_session_modules_warnings_are_kept_for_its_result(monkeypatch):
    monkeypatch.setattr(task_session, 'DISPLAY_WARNINGS_REACH_RESULT', False)
    display = FakeDisplay()
    session = task_session.TaskSession(lambda name: None, display)
    session.warn('shown: no module collects it')
    session.collect_warnings()
    session.warn('recreated')
    assert display.warnings == ['shown: no module collects it']
    assert session.collected_warnings() == ['recreated']
    session.warn('after the result was made')  # closing: shown, not lost
    assert display.warnings == ['shown: no module collects it', 'after the result was made']


def test_from_2_19_ansible_core_puts_displayed_warnings_in_the_result(monkeypatch):
    monkeypatch.setattr(task_session, 'DISPLAY_WARNINGS_REACH_RESULT', True)
    display = FakeDisplay()
    session = task_session.TaskSession(lambda name: None, display)
    session.collect_warnings()
    session.warn('recreated')
    assert display.warnings == ['recreated'] and session.collected_warnings() == []
