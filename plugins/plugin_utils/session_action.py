# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the session modules' action plugins share: their argument specs (the one place they
are written; the doc stubs in plugins/modules document them), option checks that name the
option and what is allowed, the link to the psremoting.pssession.psrp connection, and the
host's view of the user's sessions (WSMan Enumerate of shells and of their commands).
"""

from __future__ import annotations

import fnmatch
import re
import typing as t
import uuid

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import (
    BUFFER_MODES, IDLE_TIMEOUT_MAX, IDLE_TIMEOUT_MIN,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.task_session import (
    PS_URI_PREFIX, TRANSPORT_ERRORS, WinRMError, connection_failure, require_pypsrp,
)

CONNECTION = 'psremoting.pssession.psrp'
ACTION_GROUP = 'psremoting.pssession.pssession'
SESSION_STATES = ['Opened', 'Disconnected']
DEPTH_MAX = 100
TIMEOUT_MAX = IDLE_TIMEOUT_MAX

# -- argument specs --------------------------------------------------------------------------
_DEPTH = dict(type='int', default=2)
_IDLE = dict(type='int')
_BUFFER = dict(type='str', choices=list(BUFFER_MODES))

INVOKE_SPEC = dict(
    argument_spec=dict(
        script=dict(type='str'),
        path=dict(type='path'),
        parameters=dict(type='dict'),
        arguments=dict(type='list', elements='raw'),
        input=dict(type='list', elements='raw'),
        depth=_DEPTH,
        error_action=dict(type='str', choices=['silently_continue', 'continue', 'stop'], default='continue'),
        timeout=dict(type='int'),
        disconnected=dict(type='bool', default=False),
        idle_timeout=_IDLE,
        output_buffering_mode=_BUFFER,
        resume_key=dict(type='str', no_log=False),
        poll_interval=dict(type='int'),
    ),
    mutually_exclusive=[['script', 'path'], ['disconnected', 'timeout']],
    required_one_of=[['script', 'path', 'resume_key']],
)

DISCONNECT_SPEC = dict(argument_spec=dict(idle_timeout=_IDLE, output_buffering_mode=_BUFFER))

CONNECT_SPEC = dict(
    argument_spec=dict(name=dict(type='str'), instance_id=dict(type='str')),
    mutually_exclusive=[['name', 'instance_id']],
    required_one_of=[['name', 'instance_id']],
)

RECEIVE_SPEC = dict(argument_spec=dict(
    command_id=dict(type='str'),
    wait=dict(type='bool', default=False),
    timeout=dict(type='int', default=3600),
    depth=_DEPTH,
))

SESSION_INFO_SPEC = dict(argument_spec=dict(
    name=dict(type='str'),
    instance_id=dict(type='str'),
    state=dict(type='list', elements='str', choices=SESSION_STATES),
    configuration_name=dict(type='str'),
))

REMOVE_SPEC = dict(
    argument_spec=dict(
        name=dict(type='str'),
        instance_id=dict(type='str'),
        all=dict(type='bool', default=False),
        state=dict(type='list', elements='str', choices=SESSION_STATES),
        configuration_name=dict(type='str'),
    ),
    mutually_exclusive=[['name', 'instance_id', 'all']],
)


# -- option checks ----------------------------------------------------------------------------
def check_range(args: dict[str, t.Any], name: str, low: int, high: int, unit: str = 'seconds') -> None:
    value = args.get(name)
    if value is not None and not low <= value <= high:
        raise AnsibleActionFail('Invalid value %r for option %s: expected an integer from %d to %d (%s)' % (value, name, low, high, unit))


def check_idle_timeout(args: dict[str, t.Any]) -> None:
    check_range(args, 'idle_timeout', IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX)


def check_guid(args: dict[str, t.Any], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        return str(uuid.UUID(value.strip().strip('{}'))).upper()
    except ValueError:
        raise AnsibleActionFail('Invalid value %r for option %s: expected a GUID such as 0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C'
                                % (value, name)) from None


def check_name(args: dict[str, t.Any], name: str = 'name') -> None:
    value = args.get(name)
    if value is not None and (not value.strip() or any(ord(c) < 32 for c in value)):
        raise AnsibleActionFail('Invalid value %r for option %s: expected a non-empty session name without control characters'
                                % (value, name))


# -- the host's sessions ----------------------------------------------------------------------
_DURATION = re.compile(r'^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$')


def parse_duration(text: str | None) -> int | None:
    match = _DURATION.match((text or '').strip())
    if not match or not text:
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return int(round(parts['d'] * 86400 + parts['h'] * 3600 + parts['m'] * 60 + parts['s']))


def configuration_of(resource_uri: str) -> str:
    if resource_uri.lower().startswith(PS_URI_PREFIX.lower()):
        return resource_uri[len(PS_URI_PREFIX):]
    return resource_uri


def describe_shell(shell: dict[str, str], current_id: str | None = None, current_name: str | None = None) -> dict[str, t.Any]:
    """A shell from WSMan Enumerate as the session modules return it (Get-PSSession's view)."""
    connected = shell.get('State', '').lower() != 'disconnected'
    shell_id = shell.get('ShellId', '').upper()
    return {
        'name': shell.get('Name') or None,
        'instance_id': shell_id,
        'state': 'Opened' if connected else 'Disconnected',
        # Connected to a client (another one: these modules look at sessions without connecting): Busy;
        # disconnected: None, i.e. anyone of this user may connect.
        'availability': 'Busy' if connected else 'None',
        'configuration_name': configuration_of(shell.get('ResourceUri', '')),
        'idle_timeout': parse_duration(shell.get('IdleTimeOut')),
        'output_buffering_mode': shell.get('BufferMode') or None,
        'owner': shell.get('Owner') or None,
        'client_ip': shell.get('ClientIP') or None,
        'shell_run_time': shell.get('ShellRunTime') or None,
        'shell_inactivity': shell.get('ShellInactivity') or None,
        'current': bool((current_id and shell_id == current_id.upper())
                        or (not current_id and current_name is not None and shell.get('Name') == current_name)),
    }


def matches(shell: dict[str, t.Any], name: str | None = None, instance_id: str | None = None,
            states: list[str] | None = None, configuration_name: str | None = None) -> bool:
    if name is not None and not fnmatch.fnmatchcase((shell['name'] or '').lower(), name.lower()):
        return False
    if instance_id is not None and shell['instance_id'] != instance_id:
        return False
    if states and shell['state'] not in states:
        return False
    if configuration_name is not None and shell['configuration_name'].lower() != configuration_name.lower():
        return False
    return True


class SessionActionBase(ActionBase):
    """An action plugin driving the host's PSSession through the psremoting.pssession.psrp connection."""

    TRANSFERS_FILES = False
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False
    SPEC: dict[str, t.Any] = {}
    from_group: set[str] = set()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        transport = getattr(self._connection, 'transport', None)
        if transport != CONNECTION:
            result.update(failed=True, msg='%s needs the %s connection (ansible_connection); this host uses %s'
                          % (self._task.action, CONNECTION, transport))
            return result
        self._drop_group_defaults_not_ours()
        fqcn = getattr(self._task, 'resolved_action', None) or self._task.action
        try:
            args = self.validate_argument_spec(**self.SPEC)[1]
        except AnsibleActionFail as err:
            # ansible names the module by its action plugin's Python path: name it as the user wrote it.
            msg = to_native(err.message if hasattr(err, 'message') else err).replace('(%s)' % self._load_name, '(%s)' % fqcn)
            result.update(failed=True, msg='%s: %s' % (fqcn, msg))
            return result
        try:
            self.check_args(args)
        except AnsibleActionFail as err:
            result.update(failed=True, msg='%s: %s' % (fqcn, to_native(err.message)))
            return result
        session = self._connection.task_session()
        session.collect_warnings()
        try:
            require_pypsrp()
            session.prepare()
            result.update(self.act(args, session, task_vars or {}))
        except AnsibleActionFail as err:
            result.update(failed=True, msg=to_native(err.message))
        except TRANSPORT_ERRORS as err:
            failure = connection_failure(err, 'running %s' % self._task.action, session.endpoint)
            result.update(unreachable=True, failed=True, msg=to_native(failure.message))
        except WinRMError as err:
            result.update(failed=True, msg='The host refused the request of %s: %s' % (self._task.action, to_native(err)))
        except AnsibleError as err:
            result.update(failed=True, msg=to_native(err.message))
        except BaseException:
            for warning in session.collected_warnings():  # no result will carry them: show them now
                self._display.warning(warning)
            raise
        warnings = session.collected_warnings()
        if warnings:
            result['warnings'] = list(result.get('warnings') or []) + warnings
        return result

    def _drop_group_defaults_not_ours(self) -> None:
        """Options set for the whole action group with module_defaults reach every module of the group;
        leave out the ones this module does not have (a task's own unknown options still fail)."""
        group_keys: set[str] = set()
        self.from_group: set[str] = set()
        for entry in getattr(self._task, 'module_defaults', None) or []:
            for key, values in (entry or {}).items():
                if key in ('group/%s' % ACTION_GROUP, 'group/pssession') and isinstance(values, dict):
                    group_keys.update(values)
        if not group_keys:
            return
        spec = self.SPEC.get('argument_spec', {})
        own = self._task.get_ds() if hasattr(self._task, 'get_ds') else None
        explicit: set[str] = set()
        if isinstance(own, dict):
            for key, value in own.items():
                if key.endswith(self._task.action.rsplit('.', 1)[-1]) and isinstance(value, dict):
                    explicit.update(value)
        self.from_group = group_keys - explicit
        for key in list(self._task.args):
            if key in self.from_group and key not in spec:
                del self._task.args[key]

    # -- for subclasses --------------------------------------------------------------------
    def check_args(self, args: dict[str, t.Any]) -> None:
        """Checks beyond the argument spec (ranges, GUIDs); raise AnsibleActionFail."""

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------
    def list_sessions(self, session: t.Any) -> list[dict[str, t.Any]]:
        """The user's sessions on the host, with their commands; no session is connected to."""
        out = []
        for shell, commands in session.host_sessions():
            info = describe_shell(shell, session.override.get('shell_id'), session.key.session_name)
            info['commands'] = commands
            info['_raw'] = shell
            out.append(info)
        return out

    def open_session(self) -> t.Any:
        """Connect to (or create) the host's session as any task of this connection does."""
        return self._connection.open_session()


def public(info: dict[str, t.Any]) -> dict[str, t.Any]:
    return {k: v for k, v in info.items() if not k.startswith('_')}


def session_summary(session: t.Any, state: str, recreated: bool | None = None, **extra: t.Any) -> dict[str, t.Any]:
    """The ``session`` return value: the host's session this task used."""
    value = {
        'name': session.key.session_name if session.key else None,
        'instance_id': session.shell_id or None,
        'state': state,
        'recreated': session.recreated if recreated is None else bool(recreated),
    }
    value.update(extra)
    return value
