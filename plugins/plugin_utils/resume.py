# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keyed steps: psremoting.pssession.invoke with resume_key runs a command at most once per session.

A relaunched task (the controller died, an AWX job was cancelled and relaunched) must not start
a long step again. Two things on the host make that possible without anything kept on the
controller:

- The keyed command's CommandId is derived from (session ShellId, key) with uuid5. WSMan's
  command enumeration of the shell then tells a later task, without running a pipeline, whether
  the command is still there (Running, or Done with output not yet received). A pipeline would
  queue behind the running command: the session runs one pipeline at a time.
- A record in the session's global state ($global:PSSessionResume, a hashtable: key ->
  CommandId, State, Started, Finished, Outcome), written by a small pipeline BEFORE the command
  starts, and completed with the task's converted result (JSON) once its output was received. A
  later task with the key returns that outcome instead of running the step again.

While a keyed command runs, the task does not hold the session Connected: it disconnects, watches
the command by enumeration (a progress line per poll; a Reconnect and Disconnect now and then so
the IdleTimeout starts again), and reconnects to receive everything once the command has ended.
So a task that dies while it waits has received no output (the relaunch gets all of it) and left
the session Disconnected (a relaunch from another controller can connect at once). A keyed
command is never stopped by the end of its task (cancel, kill, ansible's task timeout): it is
left running, for a relaunch to attach to; only invoke's own ``timeout`` option stops it.
"""

from __future__ import annotations

import datetime
import json
import math
import time
import typing as t
import uuid

from ansible.errors import AnsibleActionFail

from ansible_collections.psremoting.pssession.plugins.plugin_utils.ps_results import clear_host, empty_streams, pipeline_state, plain
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import BUFFER_MODES
from ansible_collections.psremoting.pssession.plugins.plugin_utils.task_session import WSManFaultError

# Fixed for ever: the CommandId of a step that is running now is derived from it.
NAMESPACE = uuid.UUID('9d0c6c55-4f43-5a0e-9a53-2f2c9f4d7e01')
KEY_MAX = 256
POLL_MIN = 0.2  # seconds between the first looks at a keyed command; they double up to poll_interval
# Keys of an invoke result that describe this task, not the step: not part of the recorded outcome.
NOT_RECORDED = ('session', 'resume', 'attached', 'resumed', 'warnings', 'changed')

# Reads the step's record; with $Claim and no record yet, writes one (the command starts right after).
# Pipelines of a session run one at a time, so read-and-write here cannot interleave with another task's.
CLAIM = r"""
param([string]$Key, [string]$CommandId, $Started, [bool]$Claim)
if ($null -eq $global:PSSessionResume) { $global:PSSessionResume = @{} }
$record = $global:PSSessionResume[$Key]
if ($null -ne $record) {
    @{ found = $true; claimed = $false; command_id = $record.CommandId; state = $record.State; started = $record.Started;
       finished = $record.Finished; outcome = $record.Outcome }
} elseif ($Claim) {
    $global:PSSessionResume[$Key] = @{ CommandId = $CommandId; State = 'Started'; Started = $Started; Finished = $null; Outcome = $null }
    @{ found = $false; claimed = $true }
} else {
    @{ found = $false; claimed = $false }
}
"""

# Completes the record with the step's outcome; returns when it was started (for the result).
STORE = r"""
param([string]$Key, [string]$CommandId, [string]$State, $Finished, [string]$Outcome)
if ($null -eq $global:PSSessionResume) { $global:PSSessionResume = @{} }
$record = $global:PSSessionResume[$Key]
if ($null -eq $record) {
    $record = @{ CommandId = $CommandId; Started = $null }
    $global:PSSessionResume[$Key] = $record
}
$record.State = $State
$record.Finished = $Finished
$record.Outcome = $Outcome
@{ started = $record.Started }
"""


def keyed_command_id(shell_id: str, key: str) -> str:
    """The CommandId of the step ``key`` in the session ``shell_id``: the same for every task."""
    return str(uuid.uuid5(NAMESPACE, '%s\n%s' % (shell_id.upper(), key))).upper()


def check_resume_args(args: dict[str, t.Any]) -> None:
    """resume_key and poll_interval, before any network traffic."""
    key = args.get('resume_key')
    if key is None:
        if args.get('poll_interval') is not None:
            raise AnsibleActionFail('Option poll_interval is only used with resume_key (it sets how often a keyed step is looked at)')
        if args.get('script') is None and args.get('path') is None:
            raise AnsibleActionFail('One of the options script, path or resume_key is required')
        return
    if not key.strip() or len(key) > KEY_MAX or any(ord(c) < 32 for c in key):
        raise AnsibleActionFail('Invalid value %r for option resume_key: expected a non-empty name of at most %d characters '
                                'without control characters' % (key, KEY_MAX))
    interval = args.get('poll_interval')
    if interval is not None and not 1 <= interval <= 3600:
        raise AnsibleActionFail('Invalid value %r for option poll_interval: expected an integer from 1 to 3600 (seconds)' % interval)
    if args.get('script') is None and args.get('path') is None:
        for name in ('parameters', 'arguments', 'input'):
            if args.get(name):
                raise AnsibleActionFail('Option %s needs script or path: with resume_key alone the task only collects a '
                                        'step started before' % name)


def _iso(stamp: t.Any) -> str | None:
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        return datetime.datetime.fromtimestamp(float(stamp), datetime.timezone.utc).isoformat().replace('+00:00', 'Z')
    return None


class KeyedStep:
    """One invoke task's part in a keyed step (see the module docstring)."""

    def __init__(self, args: dict[str, t.Any], session: t.Any, display: t.Any, label: str,
                 sleep: t.Callable[[float], None] = time.sleep, clock: t.Callable[[], float] = time.monotonic) -> None:
        self.key: str = args['resume_key']
        self.args = args
        self.session = session
        self.display = display
        self.label = label
        self._sleep = sleep
        self._clock = clock
        self.poll_interval = args.get('poll_interval') or 5
        self.idle_timeout = args.get('idle_timeout') or session.options.idle_timeout
        mode = args.get('output_buffering_mode')
        self.buffer_mode = BUFFER_MODES[mode] if mode else session.options.buffer_mode
        self.command_id = keyed_command_id(session.shell_id, self.key)
        self.source = 'started'  # or 'attached', 'recorded'
        self.host_state: str | None = None  # the command's WSMan state when this task found it
        self.started: t.Any = None
        self.finished: t.Any = None

    @property
    def attaching(self) -> bool:
        return self.source == 'attached'

    # -- before the command --------------------------------------------------------------------
    def begin(self, can_start: bool) -> dict[str, t.Any] | None:
        """Decide: attach to the running command, return the recorded outcome (the returned result),
        or start the command (None, and self.source stays 'started'). Fails clearly when the step was
        started but neither the command nor its outcome is on the host any more."""
        self.host_state = self._host_state()
        if self.host_state is not None:
            self.source = 'attached'
            self.display.vvv('PSSESSION keyed step %r: command %s is on the host (%s), attaching' % (self.key, self.command_id, self.host_state))
            return None
        record = self._run(CLAIM, Key=self.key, CommandId=self.command_id, Started=time.time(), Claim=can_start)
        if record.get('claimed'):
            self.started = time.time()
            return None
        if not record.get('found'):
            raise AnsibleActionFail(
                "There is no step with resume_key '%s' in the session %s (%s): nothing to collect. It was never started in "
                "this session, or the session expired or was recreated since (a new session knows no step)."
                % (self.key, self.session.key.session_name, self.session.shell_id))
        self.started, self.finished = record.get('started'), record.get('finished')
        if record.get('outcome'):
            self.source = 'recorded'
            return self._recorded(record)
        raise AnsibleActionFail(
            "The step with resume_key '%s' was started at %s (command %s) in the session %s, but the host no longer has the "
            "command and no outcome was recorded: a task that has since ended received its output and died before recording "
            "it, or it died before the command started. Not starting it again (a step runs at most once per session); use "
            "another resume_key to run it anew." % (self.key, _iso(self.started) or 'an unknown time', self.command_id,
                                                    self.session.key.session_name))

    def _recorded(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        try:
            outcome = json.loads(record['outcome'])
        except (TypeError, ValueError):
            outcome = None
        if not isinstance(outcome, dict):
            raise AnsibleActionFail("The recorded outcome of the step with resume_key '%s' in the session %s is not readable"
                                    % (self.key, self.session.key.session_name))
        result = dict(empty_streams(), result={})
        result.update(outcome)
        result['changed'] = False  # nothing ran now; the step's own changed is resume.changed
        return result

    # -- while it runs -------------------------------------------------------------------------
    def wait(self, ps: t.Any, timeout: int | None,
             receive: t.Callable[[t.Any, t.Any, int | None], bool]) -> tuple[t.Any, bool]:
        """Wait for the command disconnected, then reconnect and receive all its output with ``receive``
        (invoke's own wait: it stops the command when ``timeout`` passes). Returns (pipeline, timed_out)."""
        deadline = self._clock() + timeout if timeout else None
        if self.host_state in (None, 'Running'):
            state = self._watch(deadline)
        else:
            state = self.host_state
        if state is None:
            raise AnsibleActionFail(
                "The command %s of the step with resume_key '%s' left the session %s while this task waited for it: another "
                "client received its output" % (self.command_id, self.key, self.session.key.session_name))
        if ps is None:
            ps = self._connect_pipeline()
        remaining = None if deadline is None else max(1, math.ceil(deadline - self._clock()))
        clear_host(self.session.host)
        return ps, receive(self.session, ps, remaining)

    def _watch(self, deadline: float | None) -> str | None:
        """Disconnected, look at the command until it is no longer Running (or deadline); then reconnect."""
        pss = self.session
        pss.pause(self.idle_timeout, self.buffer_mode)
        begun = last_refresh = self._clock()
        last_line = begun - self.poll_interval  # the first look that finds it running says so
        delay = POLL_MIN
        try:
            while True:
                state = self._host_state()
                now = self._clock()
                if state != 'Running' or (deadline is not None and now >= deadline):
                    return state
                if now - last_line >= self.poll_interval:
                    last_line = now
                    self.display.display('%s: step %r still running after %ds here (command %s in session %s)'
                                         % (self.label, self.key, int(now - begun), self.command_id, self.session.key.session_name))
                pause = min(delay, self.poll_interval) if deadline is None else min(delay, self.poll_interval, max(0.05, deadline - now))
                self._sleep(pause)
                delay *= 2
                if self._clock() - last_refresh >= max(self.poll_interval, 30):
                    # A Disconnected session's IdleTimeout runs even while its command does: start it again.
                    pss.resume()
                    pss.pause(self.idle_timeout, self.buffer_mode)
                    last_refresh = self._clock()
        finally:
            pss.resume()

    def _connect_pipeline(self) -> t.Any:
        """The pipeline of a command another task started (Connect with its CommandId, as Receive-PSSession)."""
        try:
            return self.session.attach(self.command_id)
        except WSManFaultError as err:
            raise AnsibleActionFail("Could not attach to the command %s of the step with resume_key '%s': %s"
                                    % (self.command_id, self.key, err)) from None

    def _host_state(self) -> str | None:
        for command in self.session.command_states():
            if command['command_id'] == self.command_id:
                return command['state']
        return None

    # -- after it ------------------------------------------------------------------------------
    def leave_running(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        """disconnected=true: what the task returns for a step it started or found running."""
        if self.attaching:
            result['state'] = 'Running' if self.host_state == 'Running' else 'Completed' if self.host_state == 'Done' else self.host_state
            result['changed'] = False
        return self.annotate(result)

    def finish(self, result: dict[str, t.Any], ps: t.Any) -> dict[str, t.Any]:
        """Record the outcome in the session, so a later task with the key returns it; then annotate."""
        outcome = {k: v for k, v in result.items() if k not in NOT_RECORDED}
        outcome['resume_changed'] = result.get('changed')
        self.finished = time.time()
        try:
            stored = self._run(STORE, Key=self.key, CommandId=self.command_id, State=pipeline_state(ps), Finished=self.finished,
                               Outcome=json.dumps(outcome))
            self.started = stored.get('started', self.started)
        except AnsibleActionFail as err:
            result.setdefault('warnings', []).append(
                "psremoting.pssession.invoke: the outcome of the step with resume_key '%s' could not be recorded in the session "
                "(%s); a later task with this key will fail instead of returning it" % (self.key, err.message))
        return self.annotate(result)

    def annotate(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        changed = result.pop('resume_changed', result.get('changed')) if self.source == 'recorded' else result.get('changed')
        result.pop('resume_changed', None)
        result['command_id'] = self.command_id
        result['attached'] = self.attaching
        result['resumed'] = self.source != 'started'
        result['resume'] = dict(key=self.key, command_id=self.command_id, source=self.source, started=_iso(self.started),
                                finished=_iso(self.finished), changed=changed)
        return result

    # -- helpers -------------------------------------------------------------------------------
    def _run(self, script: str, **parameters: t.Any) -> dict[str, t.Any]:
        ok, out, errors = self.session.run_script(script, plain(parameters), local=True)
        if not ok:
            raise AnsibleActionFail("The record of the step with resume_key '%s' could not be read or written in the session: %s"
                                    % (self.key, errors))
        return out[0] if out and isinstance(out[0], dict) else {}
