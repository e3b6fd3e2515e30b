# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options this connection shares with ansible.builtin.psrp, as pypsrp WSMan arguments.

They are checked here, before any network traffic, against what WSMan and Windows accept:
a value the builtin plugin would pass on to fail obscurely (a port of 70000), to hang (a
10-byte envelope) or to retry forever is an error that names the option and the range.
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

# MS-WSMAN 3.1.4.1.9 (after DMTF DSP0226 6.2): a server answers a MaxEnvelopeSize below 8192
# octets with an EncodingLimit fault, and pypsrp sizes its fragments from this value.
MAX_ENVELOPE_MIN = 8192
MAX_ENVELOPE_MAX = 4294967295 * 1024  # MaxEnvelopeSizekb's maximum (MS-WSMV 2.2.4.10)
# WSMan OperationTimeout is capped by the host's MaxTimeoutms (at most 4294967295 ms, MS-WSMV 2.2.4.10).
OPERATION_TIMEOUT_MAX = 4294967
SECONDS_MAX = 2147483  # what an int32 of milliseconds holds: more than 24 days
RETRIES_MAX = 100


class ConnectionOptionError(AnsibleError):
    """A connection option has a value that WSMan or Windows would not accept."""


def _variable(name: str) -> str:
    return 'ansible_port' if name == 'port' else 'ansible_psrp_%s' % name


def _number(get_option: t.Callable[[str], t.Any], name: str, low: float, high: float, detail: str = '') -> t.Any:
    value = get_option(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConnectionOptionError(
            "Invalid value %r for the connection option '%s' (%s): expected a number from %s to %s%s"
            % (value, name, _variable(name), low, high, detail))
    return value


def check_transport_options(get_option: t.Callable[[str], t.Any]) -> None:
    """Reject values of the builtin plugin's options that cannot work, naming the option and the range."""
    _number(get_option, 'port', 1, 65535)
    _number(get_option, 'connection_timeout', 1, SECONDS_MAX)
    _number(get_option, 'max_envelope_size', MAX_ENVELOPE_MIN, MAX_ENVELOPE_MAX,
            ' bytes (WSMan refuses envelopes under 8192 bytes; Windows hosts accept 153600 or more)')
    operation = _number(get_option, 'operation_timeout', 1, OPERATION_TIMEOUT_MAX)
    read = _number(get_option, 'read_timeout', 1, SECONDS_MAX)
    if operation is not None and read is not None and read <= operation:
        raise ConnectionOptionError(
            "Invalid value %r for the connection option 'read_timeout' (ansible_psrp_read_timeout): it must be greater than "
            "operation_timeout (%r), or the controller gives up on a Receive before the host answers it" % (read, operation))
    _number(get_option, 'reconnection_retries', 0, RETRIES_MAX)
    _number(get_option, 'reconnection_backoff', 0, 3600)


def transport_settings(get_option: t.Callable[[str], t.Any]) -> dict[str, t.Any]:
    """pypsrp WSMan keyword arguments from the plugin options, with the builtin plugin's defaults for port/protocol."""
    check_transport_options(get_option)
    protocol = get_option('protocol')
    port = get_option('port')
    if protocol is None and port is None:
        protocol, port = 'https', 5986
    elif protocol is None:
        protocol = 'http' if int(port) == 5985 else 'https'
    elif port is None:
        port = 5986 if protocol == 'https' else 5985

    cert_validation = get_option('cert_validation')
    ca_cert = get_option('ca_cert')
    if cert_validation == 'ignore':
        verify: t.Any = False
    elif ca_cert is not None:
        verify = ca_cert
    else:
        verify = True

    return dict(
        server=get_option('remote_addr'),
        port=int(port),
        username=get_option('remote_user'),
        password=get_option('remote_password'),
        ssl=protocol == 'https',
        path=get_option('path'),
        auth=get_option('auth'),
        cert_validation=verify,
        connection_timeout=get_option('connection_timeout'),
        encryption=get_option('message_encryption'),
        proxy=get_option('proxy'),
        no_proxy=boolean(get_option('ignore_proxy')),
        max_envelope_size=get_option('max_envelope_size'),
        operation_timeout=get_option('operation_timeout'),
        read_timeout=get_option('read_timeout'),
        reconnection_retries=get_option('reconnection_retries'),
        reconnection_backoff=float(get_option('reconnection_backoff')),
        certificate_key_pem=get_option('certificate_key_pem'),
        certificate_pem=get_option('certificate_pem'),
        credssp_auth_mechanism=get_option('credssp_auth_mechanism'),
        credssp_disable_tlsv1_2=get_option('credssp_disable_tlsv1_2'),
        credssp_minimum_version=get_option('credssp_minimum_version'),
        negotiate_send_cbt=get_option('negotiate_send_cbt'),
        negotiate_delegate=get_option('negotiate_delegate'),
        negotiate_hostname_override=get_option('negotiate_hostname_override'),
        negotiate_service=get_option('negotiate_service'),
    )


def endpoint_of(settings: dict[str, t.Any]) -> str:
    return '%s://%s:%s/%s' % ('https' if settings['ssl'] else 'http', settings['server'], settings['port'], settings['path'].strip('/'))
