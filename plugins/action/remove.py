# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.remove: Remove-PSSession -ComputerName; stops running commands first."""

from __future__ import annotations

import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import write_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    REMOVE_SPEC, SessionActionBase, check_guid, check_name, matches, public,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import SessionLock


class ActionModule(SessionActionBase):
    SPEC = REMOVE_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        check_name(args)
        args['instance_id'] = check_guid(args, 'instance_id')

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        listed = self.list_sessions(session)
        if args['all'] or args.get('name') is not None or args.get('instance_id') is not None:
            chosen = [s for s in listed if matches(s, args.get('name'), args.get('instance_id'), args.get('state'),
                                                   args.get('configuration_name'))]
        else:
            # Nothing named: the session this host's tasks use.
            chosen = [s for s in listed
                      if s['current'] and matches(s, states=args.get('state'), configuration_name=args.get('configuration_name'))]
        removed = [public(s) for s in chosen]
        diff = None
        if chosen and self._task.diff:
            shown = ('name', 'instance_id', 'state')
            diff = dict(before=dict(sessions=[{k: s[k] for k in shown} for s in chosen]), after=dict(sessions=[]))
        if not chosen or self._task.check_mode:
            result = dict(changed=bool(chosen), removed=removed,
                          msg=('would remove %d session(s)' % len(chosen)) if chosen else 'no session matched')
            if diff:
                result['diff'] = diff
            return result
        stopped = []
        for shell in chosen:
            # Running commands are stopped (ctrl_c) first, as Remove-PSSession does.
            stopped += session.remove_host_session(shell['_raw'].get('ResourceUri'), shell['instance_id'], shell['name'],
                                                   shell['commands'])
            if shell['current']:
                self._forget(session)
        result = dict(changed=True, removed=removed, stopped_commands=stopped)
        if diff:
            result['diff'] = diff
        return result

    @staticmethod
    def _forget(session: t.Any) -> None:
        """The host's own session is gone: the next task starts a fresh one, without a 'recreated' warning."""
        lock = SessionLock(session.key.digest)
        try:
            lock.acquire(session.options.busy_timeout, session.key.describe())
            lock.write_state(None)
        finally:
            lock.release()
        if session.override.get('shell_id'):
            # A session chosen by connect is gone: back to the host's own session for the rest of the run.
            write_override(session.base_key.digest, {}, replace=True)
