# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the session modules do with the host's sessions and their commands: the part of the session
API (``TaskSession``) that the action plugins use besides open and close.

Run a script, start one and leave it running, attach to a command by its CommandId, receive, stop
a command, disconnect, list the user's sessions with their commands, remove a session. The action
plugins see pipelines only as handles passed back to these methods and to ps_results; they never
see pypsrp itself nor touch its objects (pypsrp_bridge does). Listing follows the connection's retry
policy; a Receive is retried inside PipelineRunner.poll, by the same policy.
"""

from __future__ import annotations

import time
import typing as t

from ansible.errors import AnsibleError

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import (
    COMMAND_NOT_FOUND, CTRL_C, TERMINATE, WSManFaultError, attach_pipeline, delete_shell, enumerate_command_states, enumerate_shells,
    forget_pipeline, is_running, mark_pipeline, send_signal, signal_pipeline,
)


class SessionCommands:
    """Mixed into TaskSession, which provides session (PSSession), runner (PipelineRunner), policy
    (RetryPolicy), _wsman() (a new WSMan client), _log(), _active_runner()."""

    session: t.Any
    policy: t.Any
    _wsman: t.Callable[..., t.Any]
    _log: t.Callable[[str], None]
    _active_runner: t.Callable[[], t.Any]

    # -- the open session ---------------------------------------------------------------------
    @property
    def shell_id(self) -> str | None:
        return self.session.shell_id if self.session is not None else None

    @property
    def recreated(self) -> bool:
        return bool(self.session is not None and self.session.recreated)

    @property
    def host(self) -> t.Any:
        """The PSHost of the open session (what Write-Host and exit codes reach); for ps_results."""
        return self.session.host

    @property
    def operation_timeout(self) -> int:
        """Seconds one Receive may wait on the host (the connection's operation_timeout)."""
        return max(1, int(getattr(self.session.wsman, 'operation_timeout', 20) or 20))

    # -- commands -----------------------------------------------------------------------------
    def start_script(self, script: str, parameters: dict[str, t.Any] | None = None, arguments: list[t.Any] | None = None,
                     input_data: t.Any = None, local: bool = False, command_id: str | None = None,
                     keep_running: bool = False) -> t.Any:
        """Start a script (a pipeline) in the session; returns its handle. ``command_id``: the CommandId
        to give it (a keyed step's); ``keep_running``: it outlives its task (see PipelineRunner.start)."""
        runner = self._active_runner()
        ps = runner.new_pipeline()
        ps.add_script(script, use_local_scope=local)
        if parameters:
            ps.add_parameters(parameters)
        for value in arguments or []:
            ps.add_argument(value)
        if command_id:
            ps.id = command_id  # pypsrp sends its pipeline id as the WSMan CommandId and the PSRP pipeline id
        runner.start(ps, input_data, keep_running=keep_running)
        return ps

    def run_script(self, script: str, parameters: dict[str, t.Any] | None = None, local: bool = True) -> tuple[bool, list[t.Any], str]:
        """Run a helper script to its end: (succeeded without error records, output objects, errors as text)."""
        # ps_results only here: the session modules' action plugins load it anyway, a raw task never needs it.
        from ansible_collections.psremoting.pssession.plugins.plugin_utils.ps_results import pipeline_outcome  # pylint: disable=import-outside-toplevel
        ps = self.start_script(script, parameters, local=local)
        self.wait(ps)
        return pipeline_outcome(ps)

    def attach(self, command_id: str) -> t.Any:
        """Attach to a command the host keeps in this session (Connect with its CommandId, as
        Receive-PSSession), to receive its output. A WSMan fault if the host does not have it."""
        ps = attach_pipeline(self.session.pool, command_id)
        ps.connect_async()
        return ps

    def poll(self, ps: t.Any, timeout: int | None = None) -> None:
        """One Receive of a command's output (retried after a dropped connection as the policy says)."""
        self._active_runner().poll(ps, timeout)

    def wait(self, ps: t.Any) -> None:
        """Receive until the command ends."""
        self._active_runner().wait(ps)

    def stop(self, ps: t.Any, grace: float) -> None:
        """Stop a running command: Signal ctrl_c (as Stop-Job), receive for up to ``grace`` seconds
        while it stops, then Signal terminate and leave it."""
        signal_pipeline(ps, CTRL_C)
        end = time.monotonic() + grace
        while is_running(ps) and time.monotonic() < end:
            self.poll(ps, 2)
        if is_running(ps):
            signal_pipeline(ps, TERMINATE)
            mark_pipeline(ps, 'Stopped')
            self.leave_running()

    def leave_running(self) -> None:
        """The last command started keeps running on the host (disconnected=true): not this task's to stop."""
        self._active_runner().detach_last()

    def release(self, ps: t.Any) -> None:
        """Tell the host we are done with a command whose output was received (attached ones)."""
        if not is_running(ps):
            try:
                ps.close()
            except Exception as err:  # pylint: disable=broad-except  # the host forgets a finished command anyway
                self._log('PSSESSION could not close command %s: %s' % (ps.id, err))
        forget_pipeline(ps)

    def lost_replies_warning(self) -> str | None:
        return self._active_runner().lost_replies_warning()

    def command_states(self) -> list[dict[str, str]]:
        """The commands the host keeps for the open session: [{command_id, state}]."""
        return enumerate_command_states(self.session.wsman, self.session.shell_id)

    # -- the session --------------------------------------------------------------------------
    def disconnect(self, idle_timeout: int | None = None, buffer_mode: str | None = None) -> None:
        """Disconnect-PSSession now, with these settings (default: the session's)."""
        self.session.disconnect(idle_timeout, buffer_mode)

    def pause(self, idle_timeout: int, buffer_mode: str) -> None:
        """Disconnect while a command runs on, to reconnect with resume() (a keyed step's wait)."""
        self.session.pause(idle_timeout, buffer_mode)

    def resume(self) -> None:
        self.session.resume()

    # -- the user's sessions on the host (no session is connected to) ---------------------------
    def host_sessions(self) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
        """Every shell of the user (its WSMan fields) with its commands, as Get-PSSession -ComputerName
        sees them. Only reads, so it is retried after a dropped connection as the policy says."""
        def listing() -> list[tuple[dict[str, str], list[dict[str, str]]]]:
            wsman = self._wsman()
            try:
                return [(shell, enumerate_command_states(wsman, shell.get('ShellId', ''))) for shell in enumerate_shells(wsman)]
            finally:
                wsman.close()
        return self.policy.call(listing, self._log, 'listing the sessions')

    def remove_host_session(self, uri: str, shell_id: str, name: str | None, commands: list[dict[str, str]]) -> list[str]:
        """Remove-PSSession: stop (ctrl_c) the session's commands that are not Done, then delete it.
        Returns the ids of the commands stopped; a session already gone is no error."""
        wsman = self._wsman()
        stopped = []
        try:
            for command in commands:
                if command['state'] == 'Done':
                    continue
                try:
                    send_signal(wsman, uri, shell_id, command['command_id'], CTRL_C)
                    stopped.append(command['command_id'])
                except WSManFaultError as err:
                    self._log('PSSESSION remove: could not stop command %s: %s' % (command['command_id'], err))
            try:
                delete_shell(wsman, uri, shell_id)
            except WSManFaultError as err:
                if 'not found' not in str(err).lower() and getattr(err, 'code', None) != COMMAND_NOT_FOUND:
                    raise AnsibleError('Could not remove the session %s (%s): %s' % (name, shell_id, err)) from None
            return stopped
        finally:
            wsman.close()
