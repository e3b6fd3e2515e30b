# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.connect: Connect-PSSession -ComputerName -Name|-InstanceId."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import read_override, write_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    CONNECT_SPEC, SessionActionBase, check_guid, check_name, public,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import (
    IDLE_TIMEOUT_MAX, IDLE_TIMEOUT_MIN,
)


class ActionModule(SessionActionBase):
    SPEC = CONNECT_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        check_name(args)
        args['instance_id'] = check_guid(args, 'instance_id')

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        name, instance_id = args.get('name'), args.get('instance_id')
        wanted = "named '%s'" % name if name is not None else 'with instance id %s' % instance_id
        listed = self.list_sessions(session)
        found = [s for s in listed if (name is not None and (s['name'] or '').lower() == name.lower())
                 or (instance_id is not None and s['instance_id'] == instance_id)]
        if not found:
            others = ', '.join('%s (%s)' % (s['name'] or s['instance_id'], s['state']) for s in listed) or 'none'
            raise AnsibleActionFail(
                'No session %s of user %s on %s. Connect-PSSession reaches only the sessions of the user it connects as '
                '(sessions of other users are not visible); it may also have expired or been removed. Sessions of this '
                'user there: %s' % (wanted, session.key.user, session.endpoint, others))
        current = [s for s in found if s['current']]
        if current and current[0]['state'] == 'Disconnected':
            # Already the session this host's tasks use: Connect-PSSession on it changes nothing.
            return dict(changed=False, session=dict(public(current[0]), state='Opened', availability='Available'),
                        msg='already the session this host uses')
        free = [s for s in found if s['state'] == 'Disconnected']
        if not free:
            busy = found[0]['_raw']
            raise AnsibleActionFail(
                "The session %s on %s is busy: it is connected to another client (%s, connected since %s); a session can be "
                "connected to one client at a time. Disconnect it there first, or try again later."
                % (wanted, session.endpoint, busy.get('ClientIP') or 'address unknown',
                   busy.get('ConnectedSince') or busy.get('ShellInactivity') or 'an unknown time'))
        target = free[0]
        diff = None
        if self._task.diff:
            # The session before and after, and whether it is the one this host's tasks use (current).
            shown = ('name', 'instance_id', 'state', 'current')
            diff = dict(before={k: target[k] for k in shown},
                        after=dict({k: target[k] for k in shown}, state='Opened', current=True))
        if self._task.check_mode:
            result = dict(changed=True, session=dict(public(target)), msg='would connect to this session')
            if diff:
                result['diff'] = diff
            return result
        idle = target['idle_timeout'] or session.options.idle_timeout
        override = dict(
            session_name=target['name'], shell_id=target['instance_id'],
            idle_timeout=min(max(idle, IDLE_TIMEOUT_MIN), IDLE_TIMEOUT_MAX),
            buffer_mode=(target['output_buffering_mode'] or session.options.buffer_mode).capitalize(),
        )
        before = read_override(session.base_key.digest)
        write_override(session.base_key.digest, override, replace=True)
        try:
            opened = self.open_session()
        except BaseException:
            write_override(session.base_key.digest, before, replace=True)
            raise
        info = dict(public(target), state='Opened', availability='Available', current=True)
        info['instance_id'] = opened.shell_id or target['instance_id']
        result = dict(changed=True, session=info)
        if diff:
            result['diff'] = diff
        return result
