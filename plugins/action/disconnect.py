# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.disconnect: Disconnect-PSSession -IdleTimeoutSec -OutputBufferingMode."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import write_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    DISCONNECT_SPEC, SessionActionBase, check_idle_timeout,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import BUFFER_MODES


class ActionModule(SessionActionBase):
    SPEC = DISCONNECT_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        check_idle_timeout(args)

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        idle_timeout = args.get('idle_timeout') or session.options.idle_timeout
        buffer_mode = BUFFER_MODES[args['output_buffering_mode']] if args.get('output_buffering_mode') else session.options.buffer_mode
        listed = [s for s in self.list_sessions(session) if s['current']]
        if not listed and self._task.check_mode:
            # In check mode the task that would have created the session did not run either.
            return dict(changed=True, msg='check mode: there is no session yet (an earlier task of a real run creates it); '
                        'it would be disconnected with IdleTimeout %ss, output buffering %s' % (idle_timeout, buffer_mode),
                        session=dict(name=session.key.session_name, instance_id=None, state=None, availability=None,
                                     idle_timeout=idle_timeout, output_buffering_mode=buffer_mode, commands=[]))
        if not listed:
            raise AnsibleActionFail("There is no session '%s' of user %s on %s to disconnect: no task of this host has used it yet, "
                                    "or it has expired or been removed" % (session.key.session_name, session.key.user, session.endpoint))
        current = next((s for s in listed if s['state'] == 'Disconnected'), listed[0])
        unchanged = (current['state'] == 'Disconnected' and current['idle_timeout'] == idle_timeout
                     and (current['output_buffering_mode'] or '').lower() == buffer_mode.lower())
        instance_id = current['instance_id']
        if not unchanged and not self._task.check_mode:
            # Connect (waiting for another client up to busy_timeout, like any task), then disconnect with the new settings.
            opened = self.open_session()
            instance_id = opened.shell_id
            opened.disconnect(idle_timeout, buffer_mode)
        if not self._task.check_mode:
            # The following tasks of this run disconnect with the same settings.
            write_override(session.base_key.digest, dict(idle_timeout=idle_timeout, buffer_mode=buffer_mode))
        result = dict(changed=not unchanged, session=dict(
            name=current['name'], instance_id=instance_id, state='Disconnected', availability='None',
            idle_timeout=idle_timeout, output_buffering_mode=buffer_mode, commands=current['commands']))
        if self._task.diff and not unchanged:
            # What Get-PSSession shows of the session before and after (from the listing this task made anyway).
            shown = ('name', 'instance_id', 'state', 'idle_timeout', 'output_buffering_mode')
            result['diff'] = dict(before={k: current[k] for k in shown},
                                  after=dict({k: current[k] for k in shown}, state='Disconnected', idle_timeout=idle_timeout,
                                             output_buffering_mode=buffer_mode))
        return result
