"""The options shared with ansible.builtin.psrp: values that cannot work fail before any traffic, naming the option."""

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import transport_options as to

DEFAULTS = {
    'remote_addr': 'win1', 'remote_user': 'u', 'remote_password': 'p', 'port': None, 'protocol': None, 'path': 'wsman',
    'auth': 'negotiate', 'cert_validation': 'validate', 'ca_cert': None, 'connection_timeout': 30, 'read_timeout': 30,
    'reconnection_retries': 0, 'reconnection_backoff': 2, 'message_encryption': 'auto', 'proxy': None, 'ignore_proxy': False,
    'operation_timeout': 20, 'max_envelope_size': 153600,
}


def settings(**values):
    options = dict(DEFAULTS, **values)
    return to.transport_settings(options.get)


def test_defaults_are_the_builtin_plugins():
    got = settings()
    assert (got['port'], got['ssl'], got['operation_timeout'], got['read_timeout']) == (5986, True, 20, 30)
    assert settings(port=5985)['ssl'] is False
    assert settings(max_envelope_size=8192)['max_envelope_size'] == 8192


@pytest.mark.parametrize('option, value, expected', [
    ('port', 0, 'from 1 to 65535'), ('port', 70000, 'from 1 to 65535'),
    ('max_envelope_size', 10, 'under 8192 bytes'), ('max_envelope_size', 8191, 'from 8192'),
    ('operation_timeout', 0, 'from 1 to 4294967'), ('read_timeout', 0, 'from 1 to 2147483'),
    ('read_timeout', 20, 'greater than operation_timeout (20)'),
    ('connection_timeout', 0, 'from 1'), ('reconnection_retries', -1, 'from 0 to 100'),
    ('reconnection_backoff', -1, 'from 0'), ('port', True, 'from 1 to 65535'), ('port', float('inf'), 'from 1'),
])
def test_bad_values_name_the_option_and_the_range(option, value, expected):
    with pytest.raises(to.ConnectionOptionError) as err:
        settings(**{option: value})
    assert "'%s'" % option in str(err.value) and expected in str(err.value)
    assert ('ansible_port' if option == 'port' else 'ansible_psrp_%s' % option) in str(err.value)
