"""Validation of the session options: bad values fail before any network traffic, naming the option."""

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import session_options as so


def read(**values):
    return so.read_session_options(values.get)


def test_defaults_depend_on_the_kind_of_session():
    run = read()
    assert (run.session_name, run.idle_timeout, run.buffer_mode, run.busy_timeout, run.strict) == (None, 600, 'Block', 30, False)
    assert not run.named
    named = read(session_name='build')
    assert named.named and named.idle_timeout == 7200


@pytest.mark.parametrize('value, expected', [(60, 60), ('2147483', 2147483), (3600.0, 3600), (' 90 ', 90)])
def test_idle_timeout_accepted(value, expected):
    assert read(idle_timeout=value).idle_timeout == expected


@pytest.mark.parametrize('option, value', [
    ('idle_timeout', 59), ('idle_timeout', 2147484), ('idle_timeout', 'soon'), ('idle_timeout', True), ('idle_timeout', 1.5),
    ('idle_timeout', -1),
    ('busy_timeout', -1), ('busy_timeout', 86401), ('busy_timeout', 'x'),
    ('output_buffering_mode', 'Block'), ('output_buffering_mode', 'keep'), ('output_buffering_mode', 3),
    ('strict_session', 'maybe'), ('strict_session', 2),
    ('session_name', ''), ('session_name', '   '), ('session_name', 'a\nb'), ('session_name', 'x' * 257), ('session_name', 5),
    ('session_name', 'ansible-0123456789ab-42-1000'),
])
def test_bad_values_name_the_option_and_the_allowed_values(option, value):
    with pytest.raises(so.SessionOptionError) as err:
        read(**{option: value})
    msg = str(err.value)
    assert "'%s'" % option in msg
    assert ('ansible_pssession_name' if option == 'session_name' else 'ansible_pssession_%s' % option) in msg
    assert 'expected' in msg


def test_allowed_values_are_listed():
    with pytest.raises(so.SessionOptionError, match='block, drop'):
        read(output_buffering_mode='none')
    with pytest.raises(so.SessionOptionError, match='from 60 to 2147483'):
        read(idle_timeout=10)


@pytest.mark.parametrize('value, expected', [('yes', True), ('false', False), (True, True), ('on', True), (0, False)])
def test_strict_session_booleans(value, expected):
    assert read(strict_session=value).strict is expected


def test_buffer_mode_spelled_for_wsman():
    assert read(output_buffering_mode='drop').buffer_mode == 'Drop'


def test_ansible_config_errors_are_explained():
    msg = "Config 'idle_timeout' for 'psremoting.pssession.psrp' connection plugin from 'var: ansible_pssession_idle_timeout' has an invalid value."
    err = so.explain_config_error(msg)
    assert err is not None and 'from 60 to 2147483' in str(err) and msg in str(err)
    assert so.explain_config_error("Config 'port' for 'x' connection plugin has an invalid value.") is None


def test_strict_session_typos_are_not_taken_for_false():
    with pytest.raises(so.SessionOptionError, match="'strict_session'"):
        so.check_raw_values({'ansible_pssession_strict_session': 'ture'}, None, {})
    with pytest.raises(so.SessionOptionError, match="'strict_session'"):
        so.check_raw_values(None, None, {'ANSIBLE_PSSESSION_STRICT_SESSION': 'maybe'})
    so.check_raw_values({'ansible_pssession_strict_session': 'yes'}, {'strict_session': False}, {'ANSIBLE_PSSESSION_STRICT_SESSION': ''})


@pytest.mark.parametrize('variable, value', [
    ('ansible_pssession_idle_timeout', 'inf'), ('ansible_pssession_idle_timeout', float('inf')),
    ('ansible_pssession_busy_timeout', '1e400'), ('ansible_pssession_strict_session', [1, 2]),
    ('ansible_pssession_strict_session', {'a': 1}),
])
def test_raw_values_ansible_cannot_convert_are_named(variable, value):
    # ansible's config manager raises a bare OverflowError for an int of infinity, and a
    # TypeError for a list given to a bool: we check the raw value first.
    with pytest.raises(so.SessionOptionError, match="'%s'" % variable.replace('ansible_pssession_', '')):
        so.check_raw_values({variable: value}, None, {})
