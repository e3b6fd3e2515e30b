# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run pipelines in the PSSession and turn their streams into (rc, stdout, stderr).

Two kinds of command reach exec_command:
- what the powershell shell plugin builds (``PowerShell ... -EncodedCommand``: the module
  bootstrap wrapper and its helpers, or ``-File``; see parse_encoded_command for each
  ansible-core's form): run as ansible.builtin.psrp of the same ansible-core runs them, in a
  local scope and with the same input objects (INPUT_AS_LINES);
- anything else (``raw``): run in the session's global scope, so what it defines is there
  for the next task.

A pipeline is started once. If the HTTP connection drops while its output is being
received, the connection is re-established and receiving goes on; if it drops while the
command itself was being sent, the host is asked whether the command exists, and it is
never sent a second time.
"""

from __future__ import annotations

import base64
import binascii
import ntpath
import re
import shlex
import typing as t
import xml.etree.ElementTree as ET

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import (
    COMMAND_NOT_FOUND, HAS_PYPSRP, TERMINATE, GenericComplexObject, ReceiveOperation, WSManFaultError, adopt_unanswered_command, command_id_of,
    enumerate_commands, forget_pipeline, in_running_state, is_finished, is_retryable, mark_pipeline, max_payload, new_pipeline, not_started,
    receive, signal_pipeline,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy

# What the powershell shell plugin puts in front of the commands it builds (ansible-core 2.16
# to 2.20; 2.21 writes the interpreter in lower case, and the switches as below).
COMMON_ARGS = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted'

# A command line of an encoded PowerShell script:
#   2.16 to 2.20:  PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand <base64>
#   2.21:          powershell -NoProfile -NonInteractive [-ExecutionPolicy Unrestricted] [-InputFormat None]
#                      -EncodedCommand '<base64>' [-EncodedArguments '<base64 CLIXML list of strings>']
# (2.21 quotes each part as PowerShell does, and names the interpreter ansible_pwsh_interpreter
# gives). The script and the arguments are UTF-16-LE. Switches and how many values follow them:
PWSH_INTERPRETERS = ('powershell', 'pwsh')
PWSH_SWITCHES = {'-noprofile': 0, '-noninteractive': 0, '-executionpolicy': 1, '-inputformat': 1}
# MS-PSRP 2.2.5.1.1: a serialized string writes a UTF-16 code unit it cannot carry as _xHHHH_
# (and an underscore before x as _x005F_).
CLIXML_CODE_UNIT = r'_x([0-9A-Fa-f]{4})_'  # compiled on first use (re's cache): only encoded commands' arguments

# `raw` runs the user's script followed by this line, so that a native command's exit code
# becomes the task's rc (as with ansible.builtin.psrp). $LASTEXITCODE lives in the session's
# global scope and would outlive the task, failing every later one: the line reads it and
# resets it in one expression, without defining any variable. It is read with Get-Variable (by its
# module-qualified name, which a function of the session cannot shadow), not as $LASTEXITCODE: under
# a StrictMode an earlier task left in the session, reading a variable never set is an error
# (about_Set-StrictMode), and no native command may have run yet. An unset one reads as $null: exit 0.
RAW_EPILOGUE = ('exit ((Microsoft.PowerShell.Utility\\Get-Variable -Name LASTEXITCODE -Scope Global -ValueOnly -ErrorAction Ignore), '
                '($global:LASTEXITCODE = 0))[0]')

FILE_SCRIPT = 'param([string]$Path, [Parameter(ValueFromRemainingArguments)][string[]]$ScriptArgs) & $Path @ScriptArgs'


class PlannedCommand:
    """What exec_command will run for a command line."""

    # A plain class, not a dataclass: defining a dataclass costs ~0.6 ms of CPU in each of ansible's forked
    # workers, which load the plugin anew for every task (docs/performance.md).
    __slots__ = ('kind', 'script', 'input_data', 'arguments', 'use_local_scope')

    def __init__(self, kind: str, script: str, input_data: t.Any = None, arguments: list[str] | None = None,
                 use_local_scope: bool = True) -> None:
        self.kind = kind  # 'encoded', 'file', 'raw' or 'hygiene'
        self.script = script
        self.input_data = input_data
        self.arguments = arguments
        self.use_local_scope = use_local_scope

    def __repr__(self) -> str:
        return 'PlannedCommand(%s)' % ', '.join('%s=%r' % (name, getattr(self, name)) for name in self.__slots__)


def clixml_strings(text: str) -> list[str] | None:
    """The strings of serialized CLIXML (``-EncodedArguments``: a list of strings); None if it is not XML."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    values = []
    for element in root.iter():
        if element.tag.rsplit('}', 1)[-1] == 'S':
            units = re.sub(CLIXML_CODE_UNIT, lambda match: chr(int(match.group(1), 16)), element.text or '')
            # A character beyond the BMP arrives as two escaped surrogates: join them.
            values.append(units.encode('utf-16-le', 'surrogatepass').decode('utf-16-le'))
    return values


def parse_encoded_command(cmd: str) -> tuple[str, list[str]] | None:
    """(script, arguments) of a command line of an encoded PowerShell script, None for any other command.

    Only a whole command line of the shapes above counts: the interpreter, known switches, the
    encoded script and arguments, nothing else (a ``raw`` script that merely mentions
    -EncodedCommand stays a raw script).
    """
    try:
        parts = shlex.split(cmd)
    except ValueError:  # unbalanced quotes: a raw script, not a command line the shell plugin made
        return None
    if not parts or ntpath.basename(parts[0]).lower().removesuffix('.exe') not in PWSH_INTERPRETERS:
        return None
    script, arguments, index = None, [], 1
    while index < len(parts):
        switch = parts[index].lower()
        if switch in PWSH_SWITCHES:
            index += 1 + PWSH_SWITCHES[switch]
            continue
        if switch not in ('-encodedcommand', '-encodedarguments') or index + 1 >= len(parts):
            return None
        try:
            text = base64.b64decode(parts[index + 1], validate=True).decode('utf-16-le')
        except (binascii.Error, UnicodeDecodeError):
            return None
        if switch == '-encodedcommand':
            script = text
        else:
            strings = clixml_strings(text)
            if strings is None:
                return None
            arguments = strings
        index += 2
    return None if script is None else (script, arguments)


# How ansible.builtin.psrp feeds a command's stdin to the pipeline, which the plugin copies so that
# the host receives the same input objects (and how it joins stderr, see PipelineRunner.result): 2.19 and later send one string per line
# (``input_data=pwsh_in_data.splitlines()``, the 2.19 exec wrapper's bootstrap reads lines); 2.16 to
# 2.18 send the whole of it as ONE object (``_exec_psrp_script(script, pwsh_in_data)``: a string for
# the module bootstrap, which joins its $input with Out-String, the bytes as given for anything else).
INPUT_AS_LINES = tuple(int(part) for part in ANSIBLE_CORE_VERSION.split('.')[:2]) >= (2, 19)


def _as_input(data: t.Any) -> list | None:
    """The input objects the builtin plugin of this ansible-core sends for ``data`` (see INPUT_AS_LINES)."""
    if not data:
        return None
    return data.splitlines() if INPUT_AS_LINES else [data]


def plan_command(cmd: str, in_data: bytes | None) -> PlannedCommand:
    """Decide how a command line from the action plugin runs in the session."""
    encoded = parse_encoded_command(cmd)
    if encoded is not None:
        script, arguments = encoded
        data = to_text(in_data, errors='surrogate_or_strict', nonstring='passthru')
        if isinstance(data, str) and data.startswith('#!'):
            interpreter = to_native(data.splitlines()[0][2:])
            raise AnsibleError("cannot run the interpreter '%s' over the psremoting.pssession.psrp connection" % interpreter)
        return PlannedCommand('encoded', script, _as_input(data), arguments or None)
    if cmd.startswith(COMMON_ARGS + ' -File '):
        return PlannedCommand('file', FILE_SCRIPT, None, shlex.split(cmd[len(COMMON_ARGS) + 7:]))
    return PlannedCommand('raw', '%s\n%s' % (cmd, RAW_EPILOGUE), _as_input(in_data), use_local_scope=False)


def format_output(outputs: list[t.Any]) -> list[str]:
    lines = []
    for output in outputs:
        if HAS_PYPSRP and isinstance(output, GenericComplexObject) and output.to_string is None:
            parts = list(output.property_sets)
            parts += ['%s: %s' % kv for kv in output.adapted_properties.items()]
            parts += ['%s: %s' % kv for kv in output.extended_properties.items()]
            lines.append('\n'.join(parts))
        else:
            lines.append(to_text(output, nonstring='simplerepr'))
    return lines


def format_error(error: t.Any, verbose: bool = False, native_as_is: bool = True) -> str:
    """An error record as PowerShell prints it (what ansible.builtin.psrp gives as stderr).

    ``native_as_is``: a native command's stderr record as its raw text (ansible-core 2.19 and later);
    2.16 to 2.18 format it as any other record."""
    if native_as_is and error.fq_error == 'NativeCommandErrorMessage' and not error.target_name:
        return str(error)
    if native_as_is and error.fq_error in ('NativeCommandError', 'NativeCommandErrorMessage'):
        return '%s\r\n' % error
    text = '%s%s\r\n%s    + CategoryInfo          : %s\r\n    + FullyQualifiedErrorId : %s' % (
        '%s : ' % error.command_name if error.command_name else '',
        error,
        '%s\r\n' % error.invocation_position_message if error.invocation_position_message else '',
        error.message,
        error.fq_error)
    if verbose and error.script_stacktrace is not None:
        text += '\r\nStackTrace:\r\n%s' % error.script_stacktrace
    return text + '\r\n'


class ParkedSessionLost(Exception):
    """The first Command sent to a shell adopted as parked (PSSession.adopt) was refused: the host no
    longer has it Connected to that client (it disconnected the silent client, or the shell is gone).
    Nothing ran; the task opens the session the usual way and sends the Command again."""

    def __init__(self, fault: BaseException) -> None:
        super().__init__(str(fault))
        self.fault = fault


class PipelineRunner:
    """Runs pipelines on a PSSession, one at a time."""

    def __init__(self, session: t.Any, log: t.Callable[[str], None] | None = None, verbose_errors: bool = False,
                 policy: RetryPolicy | None = None, on_command: t.Callable[[str | None], None] | None = None,
                 warn: t.Callable[[str], None] | None = None) -> None:
        self.session = session
        self._on_command = on_command or (lambda command_id: None)
        self._log = log or (lambda msg: None)
        self._warn = warn or self._log
        self.verbose_errors = verbose_errors
        # The connection's one retry policy: how often a dropped Receive (and the new connection it
        # needs) is tried again; with reconnection_retries 0, never.
        self.policy = policy or RetryPolicy()
        self._last: t.Any = None
        # The pipeline being started (begin_invoke has not returned): the host may run it already.
        self._starting: t.Any = None
        self._lost_replies = 0
        self._ends_lost = 0  # of those, answers that held the end of their command
        # Called before each pipeline is started (TaskSession: an epilogue due before the task's first one).
        self.before_start: t.Callable[[], None] = lambda: None

    @property
    def pool(self) -> t.Any:
        return self.session.pool

    @property
    def host(self) -> t.Any:
        return self.session.host

    def finish_last(self) -> None:
        """Tell the host we are done with the previous pipeline, so a disconnected session holds no stale command."""
        last, self._last = self._last, None
        if last is None or self.pool is None:
            return
        if is_finished(last):
            # Its Done state was received, and WinRM forgets a command once it has delivered that:
            # a Signal now would be one more round trip for nothing (the builtin plugin sends none).
            return
        try:
            last.close()
        except Exception as err:  # pylint: disable=broad-except  # best effort, as the builtin plugin
            self._log('PSRP could not close the previous pipeline: %s' % err)

    def running_command(self) -> str | None:
        """The CommandId of a pipeline this task started and did not see finish, if any."""
        if self._starting is not None:
            # Its Command may be running on the host before the answer is back (a cancel or a
            # SIGKILL comes just then): pypsrp sends the pipeline's id as the CommandId, so that id is
            # the host's already, and stopping it is right; a Signal for a command the host never got
            # is only a fault, logged.
            return command_id_of(self._starting)
        last = self._last
        if last is None or is_finished(last) or not_started(last):
            return None
        return command_id_of(last)

    def new_pipeline(self) -> t.Any:
        self.finish_last()
        return new_pipeline(self.pool)

    def run(self, planned: PlannedCommand, no_log: bool = False) -> tuple[int, bytes, bytes]:
        ps = self.new_pipeline()
        ps.add_script(planned.script, use_local_scope=planned.use_local_scope)
        for arg in planned.arguments or []:
            ps.add_argument(arg)
        self.start(ps, planned.input_data)
        self.wait(ps)
        return self.result(ps, no_log)

    # -- starting and receiving -------------------------------------------------------------
    def start(self, ps: t.Any, input_data: t.Any = None, keep_running: bool = False) -> None:
        """begin_invoke, once. A dropped connection here is never answered by sending the command again.

        ``keep_running``: a command meant to outlive its task (a keyed step): it is not this task's to
        stop, so neither close() nor the next task's take-back (from the lock state) ever stops it."""
        self.before_start()
        if not keep_running:
            # Known (and kept in the lock state) before the Command goes out, not once its answer is
            # back: the host runs the command from the moment it has it.
            self._starting = ps
            self._on_command(self.running_command())
        try:
            try:
                ps.begin_invoke(input_data)
            except WSManFaultError as err:
                if self.session.adopted and not_started(ps):
                    # A fault answers the Command itself (pypsrp marks the pipeline Running once the Command is
                    # answered, before it sends further fragments and the input): the host did not take it, nothing
                    # ran, it may go again. A fault on a later Send is an ordinary fault: the pipeline is on the host.
                    self._starting = None
                    self._on_command(None)
                    raise ParkedSessionLost(err) from None
                raise
            except Exception as err:  # pylint: disable=broad-except  # only a dropped connection is handled
                if not is_retryable(err):
                    raise
                self._recover_after_lost_start(ps, input_data, err)
            self._last = None if keep_running else ps
        finally:
            self._starting = None
        # The host took the Command: an adopted (parked) shell is known to be Connected to us.
        self.session.confirm_adopted()
        self._on_command(self.running_command())

    def _complete_on_host(self, ps: t.Any, input_data: t.Any) -> bool:
        """Whether a pipeline whose Command answer was lost is whole on the host.

        pypsrp sends the first fragment of CreatePipeline with Command, then any further
        fragments and the input with Send. If Command failed, nothing else was sent: the host
        has the whole pipeline only when it fits one fragment and takes no input. The size
        check is conservative (XML escaping, the CreatePipeline envelope, UTF-8).
        """
        if not not_started(ps) or input_data is not None:
            return False
        text = sum(len(to_bytes(c.cmd, errors='surrogate_or_strict')) for c in ps.commands)
        return text * 6 + 16384 < max_payload(self.pool)

    def _recover_after_lost_start(self, ps: t.Any, input_data: t.Any, err: BaseException) -> None:
        self._log('PSRP connection lost while starting a pipeline: %s' % err)
        self._reconnect(err)
        known = enumerate_commands(self.session.wsman, self.pool.id)
        if ps.id.upper() in known and self._complete_on_host(ps, input_data):
            # The whole command reached the host, only its answer was lost: receive its output.
            adopt_unanswered_command(ps)
            return
        if ps.id.upper() in known:
            try:
                signal_pipeline(ps, TERMINATE)
            except Exception as stop_err:  # pylint: disable=broad-except  # reported in the error below anyway
                self._log('PSRP could not stop the incomplete command: %s' % stop_err)
            raise AnsibleConnectionFailure(
                'psremoting.pssession.psrp: the connection to %s dropped while the command input was being sent; the command '
                'was started on the host but may not have received all its input. It was stopped and not sent again.'
                % self.session.endpoint)
        raise AnsibleConnectionFailure(
            'psremoting.pssession.psrp: the connection to %s dropped while the command was being sent, and the host does not '
            'have it: it did not run, and was not sent again (%s)' % (self.session.endpoint, err))

    def _reconnect(self, err: BaseException, failures: int = 0) -> int:
        """A new HTTP connection for the same WSMan client and shell, after one dropped.

        ``failures``: the consecutive failures so far; each failed try here is one more, within the
        retry policy (a first try after a lost Command answer is no retry: nothing is sent again).
        Returns the count."""
        while True:
            try:
                self.session.recover_transport()
                self._log('PSRP connection re-established')
                return failures
            except Exception as again:  # pylint: disable=broad-except  # re-raised unless a dropped connection
                if not is_retryable(again):
                    raise
                err = again
                failures += 1
                if self.policy.gives_up(again, failures):
                    raise AnsibleConnectionFailure('psremoting.pssession.psrp: lost the connection to %s and could not re-establish '
                                                   'it (reconnection_retries=%d): %s' % (self.session.endpoint, self.policy.retries, err)) from None
                self.policy.wait_before(failures)

    def detach_last(self) -> None:
        """Leave the last pipeline running on the host (a command started to run while disconnected)."""
        self._last = None
        self._on_command(None)

    def poll(self, ps: t.Any, timeout: int | None = None) -> None:
        """One Receive (its OperationTimeout ``timeout`` seconds if given); after a dropped connection,
        as often as the retry policy allows, the connection is re-established and the Receive sent again.

        The host may have answered a Receive whose connection dropped, with output that never
        arrived (WinRM hands output out once). So the Receive goes out as a WSMan robust-connection
        operation (``pypsrp_bridge.receive``, MS-WSMV 3.1.4.1.39) and is sent again as its
        retransmission: a host that acknowledges it (an Acknowledge message naming the operation
        before the answer) gave the lost answer again, and nothing is lost. Any other answer may be
        new output (no support, an expired kept answer, a first request it never had, the kept
        answer alone: ReceiveOperation.confirmed): the task is then warned that output may be
        missing; a refused retransmission is followed by a plain Receive, and a host that no longer
        knows the command (its final answer, Done, was the lost one) means it ended in a way we
        cannot know: it is reported as failed, never as a success. With reconnection_retries 0
        nothing is sent again: a dropped Receive fails the task.
        """
        failures = 0
        dropped = 0  # drops of this Receive whose answers may be lost (not yet had again, not yet counted)
        operation = ReceiveOperation()

        def lost(why: str) -> None:
            nonlocal dropped
            self._log('PSRP %s: output may be missing' % why)
            self._lost_replies += dropped
            dropped = 0

        while True:
            try:
                receive(ps, timeout, operation)
                if dropped and not operation.confirmed:
                    lost('the host answered the Receive sent again as a new one')
                return
            except WSManFaultError as err:
                if not failures:
                    raise
                if err.code == COMMAND_NOT_FOUND:
                    # Never a kept answer of a running command's Receive: the host handled a request
                    # anew, and the lost answer held the command's end (Done) with how it ended (its
                    # state, a terminating error, an exit code): unknown, so the command is reported
                    # as failed, never as a success; it ran once and is not run again.
                    lost('the host no longer knows the command after a lost reply: it ended, how is unknown (%s)' % err)
                    self._ends_lost += 1
                    mark_pipeline(ps, 'Failed')
                    forget_pipeline(ps)
                    return
                if operation.named or not operation.retransmitted:
                    raise  # the host's own answer to this Receive
                lost('the host did not take the Receive sent again (%s), receiving anew' % err)
                operation = ReceiveOperation()
            except ET.ParseError as err:
                if not operation.retransmitted:
                    raise
                # A reply to the retransmission in a form we cannot read: as if the host had refused it.
                lost('the reply to the Receive sent again could not be read (%s), receiving anew' % err)
                operation = ReceiveOperation()
            except Exception as err:  # pylint: disable=broad-except  # re-raised unless a dropped connection
                if not is_retryable(err):
                    raise
                failures += 1
                if self.policy.gives_up(err, failures):
                    raise AnsibleConnectionFailure(
                        'psremoting.pssession.psrp: the connection to %s dropped while receiving output, and a Receive is tried '
                        'again only reconnection_retries=%d times: %s' % (self.session.endpoint, self.policy.retries, err)) from None
                self._log('PSRP connection lost while receiving output, reconnecting to send the Receive again (retry %d of %d): %s'
                          % (failures, self.policy.retries, err))
                dropped += 1
                self.policy.wait_before(failures)
                failures = self._reconnect(err, failures)

    def lost_replies_warning(self) -> str | None:
        """What to tell the task when Receive answers may have been lost since the last call (None: none were)."""
        lost, self._lost_replies = self._lost_replies, 0
        ends_lost, self._ends_lost = self._ends_lost, 0
        if not lost:
            return None
        return ('psremoting.pssession.psrp: the connection to %s dropped %d time(s) while the host was answering with output '
                'of the command; output it sent in a lost answer is missing, so the output may be incomplete (the command '
                'ran once)%s' % (self.session.endpoint, lost,
                                 '; the lost answer held the end of the command, so how it ended (an error, its exit code) is '
                                 'unknown: the command is marked failed (a module whose result arrived before it is reported as '
                                 'that result says)' if ends_lost else ''))

    def wait(self, ps: t.Any) -> None:
        while in_running_state(ps):
            self.poll(ps)

    # -- results ----------------------------------------------------------------------------
    def result(self, ps: t.Any, no_log: bool = False) -> tuple[int, bytes, bytes]:
        host = self.host
        rc = host.rc or (1 if ps.had_errors else 0)
        stdout_lines = format_output(ps.output) + list(host.ui.stdout)
        stdout = '\r\n'.join(stdout_lines)
        if INPUT_AS_LINES:
            stderr = ''.join(format_error(e, self.verbose_errors) for e in ps.streams.error)
            stderr += ''.join(to_text(o) for o in host.ui.stderr)
        else:  # ansible.builtin.psrp of 2.16 to 2.18: each record, then the host's stderr, joined by CR LF
            records = [format_error(e, self.verbose_errors, native_as_is=False)[:-2] for e in ps.streams.error]
            stderr = '\r\n'.join(records + [to_text(o) for o in host.ui.stderr])
        warning = self.lost_replies_warning()
        if warning:
            self._warn(warning)
        shown_out, shown_err = ('<censored due to no log>',) * 2 if no_log else (stdout, stderr)
        self._log('PSRP RC: %d' % rc)
        self._log('PSRP STDOUT: %s' % shown_out)
        self._log('PSRP STDERR: %s' % shown_err)
        host.rc = 0
        host.ui.stdout = []
        host.ui.stderr = []
        return rc, to_bytes(stdout, encoding='utf-8'), to_bytes(stderr, encoding='utf-8')
