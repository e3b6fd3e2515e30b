# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.session_info: Get-PSSession -ComputerName, read-only."""

from __future__ import annotations

import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    SESSION_INFO_SPEC, SessionActionBase, check_guid, matches, public,
)


class ActionModule(SessionActionBase):
    SPEC = SESSION_INFO_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        args['instance_id'] = check_guid(args, 'instance_id')

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        sessions = [public(s) for s in self.list_sessions(session)
                    if matches(s, args.get('name'), args.get('instance_id'), args.get('state'), args.get('configuration_name'))]
        current = next((s for s in sessions if s['current']), None)
        return dict(changed=False, sessions=sessions, current_session=session.key.session_name,
                    current=current)
