# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.receive: Receive-PSSession, the output of commands that ran while disconnected."""

from __future__ import annotations

import math
import time
import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.psremoting.pssession.plugins.plugin_utils.ps_results import (
    clear_host, empty_streams, is_running, pipeline_state, stream_results, stream_volume,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    DEPTH_MAX, RECEIVE_SPEC, TIMEOUT_MAX, SessionActionBase, check_guid, check_range, session_summary,
)

# Seconds one Receive waits for output when not waiting for the command to finish.
PEEK = 1


class ActionModule(SessionActionBase):
    SPEC = RECEIVE_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        args['command_id'] = check_guid(args, 'command_id')
        check_range(args, 'timeout', 1, TIMEOUT_MAX)
        check_range(args, 'depth', 0, DEPTH_MAX, 'levels')

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        listed = [s for s in self.list_sessions(session) if s['current']]
        if not listed and self._task.check_mode:
            # In check mode the task that would have created the session did not run either.
            return dict(empty_streams(), changed=False, state=None, commands=[],
                        msg='not received in check mode: there is no session yet (an earlier task of a real run creates it)')
        if not listed:
            raise AnsibleActionFail("There is no session '%s' of user %s on %s to receive from: it has expired or been removed, "
                                    "or no task of this host has used it" % (session.key.session_name, session.key.user, session.endpoint))
        if self._task.check_mode:
            commands = [c for c in listed[0]['commands'] if args['command_id'] in (None, c['command_id'])]
            return dict(empty_streams(), changed=False, state=None, commands=commands, msg='not received in check mode: '
                        'receiving takes the output off the host')

        opened = self.open_session()
        shell_id = opened.shell_id
        known = opened.command_states()
        ids = [c['command_id'] for c in known]
        if args['command_id'] is not None:
            if args['command_id'] not in ids:
                raise AnsibleActionFail(
                    'No command %s in the session %s (%s): the host keeps a command until its output has been received. '
                    'Commands there: %s' % (args['command_id'], opened.key.session_name, shell_id, ', '.join(ids) or 'none'))
            ids = [args['command_id']]

        deadline = time.monotonic() + args['timeout']
        commands = []
        for command_id in ids:
            commands.append(self._receive(opened, command_id, args['wait'], deadline, args['depth']))

        result: dict[str, t.Any] = empty_streams()
        for command in commands:
            for key in ('output', 'error', 'warning', 'verbose', 'debug', 'information'):
                result[key] += command[key]
            result['host_out'] += command['host_out']
            result['host_err'] += command['host_err']
        states = [c['state'] for c in commands]
        state = None
        for candidate in ('Running', 'Failed', 'Stopped', 'Completed'):
            if candidate in states:
                state = candidate
                break
        result.update(
            changed=bool(commands), state=state, commands=commands,
            command_id=commands[0]['command_id'] if len(commands) == 1 else None,
            session=session_summary(opened, 'Opened', instance_id=shell_id),
        )
        if not commands:
            result['msg'] = 'no command to receive in this session'
        failures = []
        if 'Failed' in states:
            failures.append('command(s) %s failed' % ', '.join(c['command_id'] for c in commands if c['state'] == 'Failed'))
        if args['wait'] and 'Running' in states:
            failures.append('command(s) %s still running after timeout=%ss' % (
                ', '.join(c['command_id'] for c in commands if c['state'] == 'Running'), args['timeout']))
        if failures:
            result.update(failed=True, msg='; '.join(failures))
        warning = opened.lost_replies_warning()
        if warning:
            result['warnings'] = [warning]
        return result

    def _receive(self, opened: t.Any, command_id: str, wait: bool, deadline: float, depth: int) -> dict[str, t.Any]:
        ps = opened.attach(command_id)
        clear_host(opened.host)
        while is_running(ps):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if wait:
                # Many short Receives rather than one long request: the connection is re-established if it
                # drops, and the host sees a live client all along.
                opened.poll(ps, max(1, min(opened.operation_timeout, math.ceil(remaining))))
            else:
                before = stream_volume(ps)
                opened.poll(ps, PEEK)
                if stream_volume(ps) == before and is_running(ps):
                    break  # everything buffered so far has arrived
        received = dict(stream_results(ps, opened.host, depth), command_id=command_id, state=pipeline_state(ps))
        clear_host(opened.host)
        opened.release(ps)
        return received
