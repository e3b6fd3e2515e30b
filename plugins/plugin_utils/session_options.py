# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and validate the session options of the psremoting.pssession.psrp connection.

Everything here runs before any network traffic: a bad value is an AnsibleError that
names the option, where such values come from, and what is allowed.
"""

from __future__ import annotations

import re
import typing as t

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

# Windows refuses an IdleTimeOut outside this range (seconds).
IDLE_TIMEOUT_MIN = 60
IDLE_TIMEOUT_MAX = 2147483
DEFAULT_IDLE_TIMEOUT_NAMED = 7200
DEFAULT_IDLE_TIMEOUT_RUN_SCOPED = 600

BUSY_TIMEOUT_MAX = 86400
DEFAULT_BUSY_TIMEOUT = 30

BUFFER_MODES = {'block': 'Block', 'drop': 'Drop'}

SESSION_NAME_MAX = 256

# The options this collection adds to ansible.builtin.psrp's, in documentation order.
SESSION_OPTIONS = ('session_name', 'idle_timeout', 'output_buffering_mode', 'busy_timeout', 'strict_session', 'keeper')

# Run-scoped session names; a named session may not look like one, or the reaper of a
# later run could take it for a leftover of a dead run.
# A pattern, compiled on first use (re's cache): most tasks never match it, and each worker would compile it anew.
RUN_SCOPED_NAME = r'^ansible-(?P<controller>[0-9a-f]{12})-(?P<pid>\d+)-(?P<start>\d+)$'


# The variable/environment suffix of an option where it is not the option's name.
VARIABLE_SUFFIX = {'session_name': 'name'}


def option_sources(name: str) -> str:
    """Where a session option can be set, for error messages."""
    suffix = VARIABLE_SUFFIX.get(name, name)
    return 'ansible_pssession_%s, ANSIBLE_PSSESSION_%s' % (suffix, suffix.upper())


def _allowed(name: str) -> str:
    return {
        'session_name': 'a non-empty string of at most %d characters, without control characters, '
                        'not of the form used for run-scoped sessions (ansible-<12 hex>-<pid>-<start>); '
                        'leave it unset for a run-scoped session' % SESSION_NAME_MAX,
        'idle_timeout': 'an integer number of seconds from %d to %d (unset: %d for a named session, %d for a run-scoped one)'
                        % (IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX, DEFAULT_IDLE_TIMEOUT_NAMED, DEFAULT_IDLE_TIMEOUT_RUN_SCOPED),
        'output_buffering_mode': 'one of: %s' % ', '.join(BUFFER_MODES),
        'busy_timeout': 'an integer number of seconds from 0 to %d' % BUSY_TIMEOUT_MAX,
        'strict_session': 'a boolean (true or false)',
        'keeper': 'a boolean (true or false)',
    }[name]


class SessionOptionError(AnsibleError):
    """A session option has a value that is not allowed."""


def invalid(name: str, value: t.Any, detail: str | None = None) -> SessionOptionError:
    msg = "Invalid value %r for the session option '%s' (%s): expected %s" % (value, name, option_sources(name), _allowed(name))
    if detail:
        msg += '. %s' % detail
    return SessionOptionError(msg)


class SessionOptions:
    """The validated session options of one task; read-only once made (a plain class, not a dataclass: cheaper
    to define in each forked worker, docs/performance.md)."""

    __slots__ = ('session_name', 'idle_timeout', 'buffer_mode', 'busy_timeout', 'strict')

    def __init__(self, session_name: str | None, idle_timeout: int, buffer_mode: str, busy_timeout: int, strict: bool) -> None:
        self.session_name = session_name
        self.idle_timeout = idle_timeout
        self.buffer_mode = buffer_mode  # the WSMan spelling: Block or Drop
        self.busy_timeout = busy_timeout
        self.strict = strict

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SessionOptions) and all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # compared, never a key

    def __repr__(self) -> str:
        return 'SessionOptions(%s)' % ', '.join('%s=%r' % (name, getattr(self, name)) for name in self.__slots__)

    def replace(self, **changes: t.Any) -> SessionOptions:
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return SessionOptions(**values)

    @property
    def named(self) -> bool:
        return self.session_name is not None


def _to_int(name: str, value: t.Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise invalid(name, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r'\s*[+-]?\d+\s*', value):
        number = int(value)
    else:
        raise invalid(name, value)
    if not low <= number <= high:
        raise invalid(name, value)
    return number


def _to_bool(name: str, value: t.Any) -> bool:
    if isinstance(value, bool):
        return value
    if not isinstance(value, (str, int, float)):
        raise invalid(name, value)  # a list or a mapping: never a boolean (and not hashable)
    key = value.lower() if isinstance(value, str) else value
    if key in BOOLEANS_TRUE:
        return True
    if key in BOOLEANS_FALSE:
        return False
    raise invalid(name, value)


def validate_session_name(value: t.Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid('session_name', value)
    if not value.strip() or len(value) > SESSION_NAME_MAX or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise invalid('session_name', value)
    if re.match(RUN_SCOPED_NAME, value):
        raise invalid('session_name', value, 'That form is reserved for run-scoped sessions, which later runs may remove.')
    return value


def read_session_options(get_option: t.Callable[[str], t.Any]) -> SessionOptions:
    """Validate the session options, read with the connection plugin's get_option."""
    name = validate_session_name(get_option('session_name'))

    idle = get_option('idle_timeout')
    if idle is None or (isinstance(idle, str) and not idle.strip()):
        idle_timeout = DEFAULT_IDLE_TIMEOUT_NAMED if name is not None else DEFAULT_IDLE_TIMEOUT_RUN_SCOPED
    else:
        idle_timeout = _to_int('idle_timeout', idle, IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX)

    mode = get_option('output_buffering_mode')
    if mode is None:
        mode = 'block'
    if not isinstance(mode, str) or mode not in BUFFER_MODES:
        raise invalid('output_buffering_mode', mode)

    busy = get_option('busy_timeout')
    busy_timeout = DEFAULT_BUSY_TIMEOUT if busy is None else _to_int('busy_timeout', busy, 0, BUSY_TIMEOUT_MAX)

    strict = get_option('strict_session')
    strict_session = False if strict is None else _to_bool('strict_session', strict)

    return SessionOptions(
        session_name=name,
        idle_timeout=idle_timeout,
        buffer_mode=BUFFER_MODES[mode],
        busy_timeout=busy_timeout,
        strict=strict_session,
    )


def check_raw_values(var_options: t.Mapping[str, t.Any] | None, direct: t.Mapping[str, t.Any] | None,
                     environ: t.Mapping[str, str]) -> None:
    """Check the raw values of the session options before ansible's config manager converts them.

    The config manager turns any unknown word into false for a bool option (a typo in
    strict_session must not silently turn strictness off), and fails with a bare
    OverflowError for an int option set to infinity.
    """
    checks: dict[str, t.Callable[[t.Any], t.Any]] = {
        'strict_session': lambda value: _to_bool('strict_session', value),
        'keeper': lambda value: _to_bool('keeper', value),
        'idle_timeout': lambda value: _to_int('idle_timeout', value, IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX),
        'busy_timeout': lambda value: _to_int('busy_timeout', value, 0, BUSY_TIMEOUT_MAX),
    }
    for name, check in checks.items():
        for value in ((direct or {}).get(name), (var_options or {}).get('ansible_pssession_%s' % name),
                      environ.get('ANSIBLE_PSSESSION_%s' % name.upper())):
            if value is not None and not (isinstance(value, str) and not value.strip()):
                check(value)


def explain_config_error(message: str) -> SessionOptionError | None:
    """Turn ansible's own type/choice error about a session option into ours.

    ansible's config manager checks types and choices when the plugin's options are set;
    its message names the option and where the value came from but not what is allowed.
    Returns None when the message is not about a session option.
    """
    for name in SESSION_OPTIONS:
        if re.search(r"'%s'" % name, message):
            return SessionOptionError(
                "Invalid value for the session option '%s' (%s): expected %s. (%s)"
                % (name, option_sources(name), _allowed(name), message))
    return None
