"""System.Management.Automation.PowerShell: a nested PowerShell in the same process ([PowerShell]::Create()).

What ansible-core's module_wrapper.ps1 uses (PowerShell SDK docs, System.Management.Automation.PowerShell):
`[PowerShell]::Create()` makes a new runspace in the same process; `AddCommand(name[, useLocalScope])`,
`AddScript(text[, useLocalScope])`, `AddParameter(name[, value])`, `AddParameters(IDictionary | IList)`,
`AddArgument(value)`, `AddStatement()` build the statements (each method returns the PowerShell, so calls
chain); `Invoke()` runs them and returns the output objects themselves (same process: nothing is
serialized); `Streams` (Error, Warning, Verbose, Debug, Information, Progress), `HadErrors`, `Commands`,
`Runspace.SessionStateProxy.SetVariable/GetVariable`, `Dispose()`.

What the nested runspace shares with its parent and what it does not: session state (variables,
functions, aliases, modules, `$Error`) is its own, a new runspace's; process-wide state is shared, as
it is one process on Windows: environment variables (`[Environment]::SetEnvironmentVariable`,
`$env:`), the file system and `[Console]::Out` (clr/process.py). Its host is a runspace's default host
(RunspaceFactory.CreateRunspace() without a host: "Default Host"), not the client's: `exit` there tells
that host (nothing reaches the client) and leaves `$LASTEXITCODE` alone (LocalPipeline.InvokeHelper, a
pipeline that is not nested). That host has no UI (DefaultHost.UI returns null), and the engine's
InternalHostUserInterface, which wraps it, returns from Write/WriteLine/WriteErrorLine without a word when the
UI it wraps is null; so what a command in the nested runspace writes to the host is dropped: ShouldProcess's
"What if: ..." line (MshCommandRuntime.DoShouldProcess: `CBhost.UI.WriteLine(whatIfMessage)`; New-Item -WhatIf in
win_file --check), Write-Host's text (MshCommandRuntime.WriteInformation: `CBhost.InternalUI.WriteLine`; the
record still reaches Streams.Information) and `$host.UI.WriteLine`; `$host` there is the engine's InternalHost over that
default host (NestedHost: Name "Default Host"). Source: PowerShell/PowerShell as opened in
2016 (60b3b30, the 5.1 code base): engine/hostifaces/DefaultHost.cs, ConnectionFactory.cs
(RunspaceFactory.CreateRunspace), PowerShell.cs (Create, the Runspace getter), InternalHost.cs,
InternalHostUserInterface.cs, engine/MshCommandRuntime.cs. Transcription (TranscribeResult) is not modelled:
the test host never transcribes. Any other host call is not modelled. A terminating error ends Invoke()
with a MethodInvocationException whose InnerException is the RuntimeException carrying the nested
ErrorRecord (`$_.Exception.InnerException.ErrorRecord`), as PowerShell's adapter wraps exceptions of
.NET methods (ExceptionHandlingOps / DotNetAdapter.AuxiliaryMethodInvoke).
"""

from __future__ import annotations

import typing
import uuid

from psrpcore.types import ErrorRecord, NETException, PSObject

from .. import typeregistry
from .. import values as V
from ..cmdlets.runspaces import add_runspace
from ..typeregistry import MISSING, net_method, net_property, net_setter
from ..dotnet import NetObject, PSHostObject, _overload, current_runspace, void
from ..errors import ParseError, PSError
from ..parser import parse
from ..syntax.lower import script_root
from ..members import add_note, invoke_method
from ..shouldprocess import not_modelled
from .invocationsettings import PSDataCollection, PSInvocationSettings


# The PSRP host methods (MS-PSRP 2.2.3.17) behind PSHostUserInterface.Write(string), Write(fg, bg, string),
# WriteLine(), WriteLine(string), WriteLine(fg, bg, string) and WriteErrorLine(string): the ones
# InternalHostUserInterface drops when the external host's UI is null. Its WriteDebugLine/WriteVerboseLine/
# WriteWarningLine/WriteProgress feed the PowerShell's informational buffers first, and Read*/Prompt* throw: not
# modelled here.
_UI_LESS_WRITES = frozenset(("Write1", "Write2", "WriteLine1", "WriteLine2", "WriteLine3", "WriteErrorLine"))


class _NestedCommand:
    """One command of a statement, in the shape Runspace.invoke takes (see runspace.Command)."""

    def __init__(self, text: str, is_script: bool, use_local_scope: bool | None) -> None:
        self.command_text = text
        self.is_script = is_script
        self.use_local_scope = use_local_scope
        self.parameters: list[tuple[str | None, typing.Any]] = []


class _Collector:
    """The nested pipeline's writer: objects as they are, error records into Streams.Error."""

    def __init__(self, streams: "PSDataStreams", output: list) -> None:
        self.streams = streams
        self.output = output

    def write_output(self, value: typing.Any) -> None:
        self.output.append(value)

    def write_error(self, exception: typing.Any, category_info: typing.Any = None, target_object: typing.Any = None,
                    fully_qualified_error_id: str | None = None, invocation_info: typing.Any = None,
                    script_stack_trace: typing.Any = None) -> None:
        del script_stack_trace
        record = ErrorRecord(Exception=exception, CategoryInfo=category_info, TargetObject=target_object,
                             FullyQualifiedErrorId=fully_qualified_error_id, InvocationInfo=invocation_info)
        record.PSObject.to_string = str(exception.Message)
        self.streams.error.append(record)

    def write_warning(self, message: str) -> None:
        self.streams.warning.append(message)

    def write_verbose(self, message: str) -> None:
        self.streams.verbose.append(message)

    def write_debug(self, message: str) -> None:
        self.streams.debug.append(message)

    def write_information(self, message_data: typing.Any, source: str, **_kwargs: typing.Any) -> None:
        del source
        self.streams.information.append(message_data)

    def write_progress(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        del args, kwargs
        self.streams.progress.append(None)

    def host_call(self, method: str, parameters: list) -> None:
        del parameters
        if method == "SetShouldExit":
            # The default host of a runspace created without one ignores it (exit in the nested PowerShell).
            return
        if method in _UI_LESS_WRITES:
            # DefaultHost.UI is null, and InternalHostUserInterface's Write/WriteLine/WriteErrorLine return without a
            # word when the host it wraps has no UI: the text goes nowhere (see the module docstring).
            return
        raise not_modelled(f"The host method '{method}' in a nested [PowerShell]'s default host")


class NestedHostUI(NetObject):
    """`$host.UI` in the nested runspace: the engine's InternalHostUserInterface over DefaultHost's null UI. Write,
    WriteLine and WriteErrorLine become the runspace's host calls, which its collector drops (_UI_LESS_WRITES); the
    other methods and RawUI (InternalHostRawUserInterface over null: its members throw) are not modelled."""

    type_names = ["System.Management.Automation.Internal.Host.InternalHostUserInterface",
                  "System.Management.Automation.Host.PSHostUserInterface", "System.Object"]

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace

    net_closed = "methods"  # its other methods (Prompt, ReadLine, ...) are not modelled
    net_not_modelled = ("RawUI",)

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        if kind == "member":
            return not_modelled("The RawUI of a nested [PowerShell]'s default host")
        return not_modelled(f"The host method '{name}' in a nested [PowerShell]'s default host")

    def _host_call(self, method: str, args: tuple) -> typing.Any:
        """The PSHostUserInterface overload as the host call it becomes (RemoteHostMethodId's names)."""
        self.runspace.host_call(method, [V.to_string(a) for a in args])
        return void()

    @net_method("Write")
    def _write(self, value: typing.Any) -> typing.Any:
        return self._host_call("Write1", (value,))

    @net_method("Write")
    def _write_colored(self, foreground: typing.Any, background: typing.Any, value: typing.Any) -> typing.Any:
        return self._host_call("Write2", (foreground, background, value))

    @net_method("WriteLine")
    def _write_line_empty(self) -> typing.Any:
        return self._host_call("WriteLine1", ())

    @net_method("WriteLine")
    def _write_line(self, value: typing.Any) -> typing.Any:
        return self._host_call("WriteLine2", (value,))

    @net_method("WriteLine")
    def _write_line_colored(self, foreground: typing.Any, background: typing.Any, value: typing.Any) -> typing.Any:
        return self._host_call("WriteLine3", (foreground, background, value))

    @net_method("WriteErrorLine")
    def _write_error_line(self, value: typing.Any) -> typing.Any:
        return self._host_call("WriteErrorLine", (value,))


class NestedHost(NetObject):
    """`$host` in the nested runspace: InternalHost over DefaultHost (DefaultHost.cs: Name "Default Host", Version the
    engine's PSVersion, a new InstanceId, SetShouldExit/NotifyBeginApplication/NotifyEndApplication do nothing,
    Enter/ExitNestedPrompt throw NotSupportedException)."""

    type_names = ["System.Management.Automation.Internal.Host.InternalHost", "System.Management.Automation.Host.PSHost",
                  "System.Object"]

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace
        self.ui = NestedHostUI(runspace)
        self.instance_id = str(uuid.uuid4())

    net_not_modelled = ("CurrentCulture", "CurrentUICulture", "PrivateData", "DebuggerEnabled", "IsRunspacePushed",
                        "Runspace")

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The {kind} '{name}' of a nested [PowerShell]'s default host")

    @net_property("Name")
    def _name(self) -> str:
        return "Default Host"

    @net_property("Version")
    def _version(self) -> typing.Any:
        return self.runspace.global_scope.lookup("PSVersionTable").value["PSVersion"]

    @net_property("InstanceId")
    def _instance_id(self) -> str:
        return self.instance_id

    @net_property("UI")
    def _ui(self) -> NestedHostUI:
        return self.ui

    @net_method("SetShouldExit")
    def _set_should_exit(self, exit_code: typing.Any) -> typing.Any:
        del exit_code
        return void()

    @net_method("NotifyBeginApplication")
    def _notify_begin_application(self) -> typing.Any:
        return void()

    @net_method("NotifyEndApplication")
    def _notify_end_application(self) -> typing.Any:
        return void()

    @staticmethod
    def _not_supported(method: str, argc: int) -> PSError:
        return PSError(f'Exception calling "{method}" with "{argc}" argument(s): "Specified method is not supported."',
                       exception_type="System.Management.Automation.MethodInvocationException",
                       fqid="NotSupportedException", reason="MethodInvocationException")

    @net_method("EnterNestedPrompt")
    def _enter_nested_prompt(self, *args: typing.Any) -> typing.Any:
        raise self._not_supported("EnterNestedPrompt", len(args))

    @net_method("ExitNestedPrompt")
    def _exit_nested_prompt(self, *args: typing.Any) -> typing.Any:
        raise self._not_supported("ExitNestedPrompt", len(args))

    def to_string(self) -> str:
        return "System.Management.Automation.Internal.Host.InternalHost"


class PSDataStreams(NetObject):
    type_names = ["System.Management.Automation.PSDataStreams", "System.Object"]

    def __init__(self) -> None:
        self.error: list = []
        self.warning: list = []
        self.verbose: list = []
        self.debug: list = []
        self.information: list = []
        self.progress: list = []

    @net_property("Error")
    def _error(self) -> list:
        return self.error

    @net_property("Warning")
    def _warning(self) -> list:
        return self.warning

    @net_property("Verbose")
    def _verbose(self) -> list:
        return self.verbose

    @net_property("Debug")
    def _debug(self) -> list:
        return self.debug

    @net_property("Information")
    def _information(self) -> list:
        return self.information

    @net_property("Progress")
    def _progress(self) -> list:
        return self.progress

    @net_method("ClearStreams")
    def _clear_streams(self) -> typing.Any:
        for stream in (self.error, self.warning, self.verbose, self.debug, self.information, self.progress):
            stream.clear()
        return void()


class SessionStateProxy(NetObject):
    type_names = ["System.Management.Automation.Runspaces.SessionStateProxy", "System.Object"]

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace

    net_closed = "methods"

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The SessionStateProxy {kind} '{name}'")

    @net_method("SetVariable")
    def _set_variable(self, name: typing.Any, value: typing.Any) -> typing.Any:
        self.runspace.global_scope.set_local(V.to_string(name), value)
        return void()

    @net_method("GetVariable")
    def _get_variable(self, name: typing.Any) -> typing.Any:
        var = self.runspace.global_scope.lookup(V.to_string(name))
        return None if var is None else var.value


def _local_runspace() -> typing.Any:
    """A new runspace in this process (RunspaceFactory.CreateRunspace() without a host): its own session state, the
    process' environment and host services, the default host as `$host` (module docstring)."""
    from ..runspace import Runspace  # pylint: disable=import-outside-toplevel  # runspace imports clr

    parent = current_runspace()
    inner = Runspace(host=parent.host, env=parent.env)
    inner.global_scope.lookup("Host").value = NestedHost(inner)
    # Listed by Get-Runspace until disposed (cmdlets/runspaces.py); Invoke() is synchronous here, so the nested
    # runspace is idle whenever a pipeline of the session asks.
    add_runspace(parent, lambda: False)
    return inner


class RunspaceObject(NetObject):
    """A LocalRunspace: the one [PowerShell]::Create() makes (opened), or RunspaceFactory.CreateRunspace()'s
    (BeforeOpen until Open(), as RunspaceBase.Open moves it to Opened). SessionStateProxy, RunspaceStateInfo and Open
    are modelled."""

    type_names = ["System.Management.Automation.Runspaces.LocalRunspace", "System.Management.Automation.Runspaces.Runspace",
                  "System.Object"]

    def __init__(self, runspace: typing.Any, state: str = "Opened") -> None:
        self.runspace = runspace
        self.proxy = SessionStateProxy(runspace)
        self.state = state

    net_closed = "members"

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The Runspace {kind} '{name}'")

    @net_property("SessionStateProxy")
    def _session_state_proxy(self) -> SessionStateProxy:
        return self.proxy

    @net_property("RunspaceStateInfo")
    def _runspace_state_info(self) -> str:
        return self.state

    @net_method("Open")
    def _open(self) -> typing.Any:
        if self.state != "BeforeOpen":
            # RunspaceBase.CoreOpen: InvalidRunspaceStateException for a runspace that is not BeforeOpen.
            raise PSError('Exception calling "Open" with "0" argument(s): "Cannot open Runspace because the '
                          f'Runspace is not in the BeforeOpen state. Current state of the Runspace is {self.state}."',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          fqid="InvalidRunspaceStateException", reason="MethodInvocationException")
        self.state = "Opened"
        return void()


class PowerShellObject(NetObject):
    type_names = ["System.Management.Automation.PowerShell", "System.Object"]

    def __init__(self) -> None:
        # A new runspace in the same process: its own session state, the process' environment and host services.
        self.inner = _local_runspace()
        self.runspace_object = RunspaceObject(self.inner)
        self.statements: list[list[_NestedCommand]] = [[]]
        self.streams = PSDataStreams()
        self.had_errors = False
        self.disposed = False
        # PSInvocationState: NotStarted, then Completed or Failed (a terminating error: Reason, the exception).
        self.state = "NotStarted"
        self.reason: typing.Any = None

    def _last_command(self, method: str) -> _NestedCommand:
        if not self.statements[-1]:
            raise PSError(f'Exception calling "{method}" with "{1}" argument(s): "A command is required to add a parameter. '
                          'A command must be added to the PowerShell instance before adding a parameter."',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          fqid="InvalidOperationException", reason="MethodInvocationException")
        return self.statements[-1][-1]

    net_closed = "methods"

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The PowerShell {kind} '{name}'")

    @net_property("Runspace")
    def _runspace(self) -> RunspaceObject:
        return self.runspace_object

    @net_setter("Runspace")
    def _set_runspace(self, value: typing.Any) -> None:
        # 2.16 to 2.18's async_watchdog.ps1 runs the module in a RunspaceFactory.CreateRunspace() runspace it opened.
        if not isinstance(value, RunspaceObject):
            raise not_modelled("PowerShell.Runspace set to anything but a runspace of RunspaceFactory.CreateRunspace()")
        if self.state != "NotStarted":
            raise not_modelled("PowerShell.Runspace set after the PowerShell ran")
        self.runspace_object, self.inner = value, value.runspace

    @net_property("Streams")
    def _streams(self) -> PSDataStreams:
        return self.streams

    @net_property("HadErrors")
    def _had_errors(self) -> bool:
        return self.had_errors

    @net_property("InvocationStateInfo")
    def _invocation_state_info(self) -> "InvocationStateInfo":
        return InvocationStateInfo(self.state, self.reason)

    def _add(self, text: typing.Any, use_local: typing.Any, script: bool) -> "PowerShellObject":
        self.statements[-1].append(_NestedCommand(V.to_string(text), script,
                                                  None if use_local is None else V.to_bool(use_local)))
        return self

    @net_method("AddCommand")
    def _add_command(self, text: typing.Any, use_local: typing.Any = None) -> "PowerShellObject":
        return self._add(text, use_local, False)

    @net_method("AddScript")
    def _add_script(self, text: typing.Any, use_local: typing.Any = None) -> "PowerShellObject":
        return self._add(text, use_local, True)

    @net_method("AddParameter")
    def _add_parameter(self, name: typing.Any, value: typing.Any = True) -> "PowerShellObject":
        # AddParameter(name) is a switch: CommandParameter(name, true).
        self._last_command("AddParameter").parameters.append((V.to_string(name), value))
        return self

    @net_method("AddParameters")
    def _add_parameters(self, parameters: typing.Any) -> "PowerShellObject":
        command = self._last_command("AddParameters")
        if isinstance(parameters, dict):
            for key, value in parameters.items():
                command.parameters.append((V.to_string(key), value))
        else:
            for value in V.as_list(parameters):
                command.parameters.append((None, value))
        return self

    @net_method("AddArgument")
    def _add_argument(self, value: typing.Any) -> "PowerShellObject":
        self._last_command("AddArgument").parameters.append((None, value))
        return self

    @net_method("AddStatement")
    def _add_statement(self) -> "PowerShellObject":
        if self.statements[-1]:
            self.statements.append([])
        return self

    @net_method("Invoke")
    def _invoke_method(self, *args: typing.Any) -> list:
        if args:
            raise not_modelled("PowerShell.Invoke with input or settings")
        return self._invoke()

    @net_method("BeginInvoke")
    def _begin_invoke_method(self, *args: typing.Any) -> "AsyncResult":
        if args:
            _check_begin_invoke_args(args)  # async_watchdog.ps1's (empty completed input, Host = $host, $null, $null)
        return self._begin_invoke()

    @net_method("EndInvoke")
    def _end_invoke(self, *args: typing.Any) -> typing.Any:
        if len(args) != 1 or not isinstance(args[0], AsyncResult) or args[0].owner is not self:
            raise not_modelled("PowerShell.EndInvoke of anything but this PowerShell's own BeginInvoke() result")
        return args[0].end()

    @net_method("Dispose")
    def _dispose(self) -> typing.Any:
        self.disposed = True
        return void()

    @net_method("Stop")
    def _stop(self) -> typing.Any:
        self.disposed = True
        return void()

    def _begin_invoke(self) -> "AsyncResult":
        """BeginInvoke(): the test host runs the pipeline to its end before returning (its IAsyncResult is then
        completed: IsCompleted $true, AsyncWaitHandle signalled), so a caller that waits with a timeout sees what
        Windows shows for a pipeline done in time. Nothing is timed out here: a pipeline still running at the deadline
        (BeginStop) is not modelled. Its output is EndInvoke's; a terminating error is EndInvoke's exception
        (PowerShell.EndInvoke rethrows the invocation's exception, wrapped by the method adapter)."""
        try:
            output = self._invoke()
        except PSError as err:
            return AsyncResult(self, None, err)
        return AsyncResult(self, output, None)

    def _invoke(self) -> list:
        if self.runspace_object.state != "Opened":
            # PowerShell.Prepare: InvalidRunspaceStateException (RunspaceStrings.RunspaceNotOpenForPipeline).
            raise PSError('Exception calling "Invoke" with "0" argument(s): "Cannot perform operation because the '
                          'runspace is not in the \'Opened\' state. Current state of runspace is '
                          f'\'{self.runspace_object.state}\'."',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          fqid="InvalidRunspaceStateException", reason="MethodInvocationException")
        statements = [s for s in self.statements if s]
        if not statements:
            raise PSError('Exception calling "Invoke" with "0" argument(s): "No commands are specified."',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          fqid="InvalidOperationException", reason="MethodInvocationException")
        output: list = []
        collector = _Collector(self.streams, output)
        self.had_errors = False
        errors_before = len(self.streams.error)
        for statement in statements:
            result = self.inner.invoke(statement, writer=collector, raw_output=True)
            if result.state == "Failed":
                self.had_errors = True
                failure = _invoke_failed(result.error)
                self.state, self.reason = "Failed", result.error.Exception
                raise failure
            if result.exit_code is not None:
                # exit ends the whole invocation (the ExitException leaves the one pipeline processor).
                break
        self.had_errors = len(self.streams.error) > errors_before
        # `exit` in it too: the pipeline completed (LocalPipeline handles the ExitException as a host exit).
        self.state, self.reason = "Completed", None
        return output


def _check_begin_invoke_args(args: list) -> None:
    """BeginInvoke(PSDataCollection input, PSInvocationSettings settings, AsyncCallback, object state) with an empty,
    completed input (the pipeline gets none), settings whose Host is the session's own $host (what the nested
    pipelines here talk to already), no callback and no state: the same run as BeginInvoke(). Anything else is not
    modelled (clr/invocationsettings.py)."""
    if len(args) != 4 or not isinstance(args[0], PSDataCollection) or args[0].open or args[2] is not None \
            or args[3] is not None or not isinstance(args[1], PSInvocationSettings):
        raise not_modelled("PowerShell.BeginInvoke other than (a completed empty input, settings, $null, $null)")
    if not isinstance(args[1].host, PSHostObject):
        raise not_modelled("PowerShell.BeginInvoke with a PSHost other than the session's $host in its settings")


class AsyncResult(NetObject):
    """PowerShellAsyncResult (an IAsyncResult) of a BeginInvoke() that has completed: IsCompleted $true,
    CompletedSynchronously $false, AsyncWaitHandle a signalled ManualResetEvent (WaitOne returns $true at once)."""

    type_names = ["System.Management.Automation.PowerShellAsyncResult", "System.Management.Automation.Runspaces.AsyncResult",
                  "System.Object"]

    def __init__(self, owner: typing.Any, output: list | None, failure: PSError | None) -> None:
        self.owner = owner
        self.output = output
        self.failure = failure
        self.ended = False

    @net_property("IsCompleted")
    def _is_completed(self) -> bool:
        return True

    @net_property("CompletedSynchronously")
    def _completed_synchronously(self) -> bool:
        return False

    @net_property("AsyncWaitHandle")
    def _async_wait_handle(self) -> "SignalledWaitHandle":
        return SignalledWaitHandle()

    @net_property("AsyncState")
    def _async_state(self) -> None:
        return None

    def end(self) -> typing.Any:
        if self.ended:
            raise not_modelled("PowerShell.EndInvoke called twice on one result")
        self.ended = True
        if self.failure is not None:
            raise _rename_invoke_failure(self.failure, "EndInvoke", 1)
        return self.output

    def to_string(self) -> str:
        return "System.Management.Automation.PowerShellAsyncResult"


class SignalledWaitHandle(NetObject):
    """The completed result's AsyncWaitHandle (System.Threading.ManualResetEvent, set): WaitOne() and WaitOne(timeout)
    return $true at once."""

    type_names = ["System.Threading.ManualResetEvent", "System.Threading.EventWaitHandle", "System.Threading.WaitHandle",
                  "System.MarshalByRefObject", "System.Object"]

    @net_method("WaitOne")
    def _wait_one(self, timeout: typing.Any = None) -> bool:
        del timeout
        return True


def _rename_invoke_failure(failure: PSError, method: str, argc: int) -> PSError:
    """Invoke()'s MethodInvocationException as another method of the PowerShell throws it (same inner exception)."""
    prefix = 'Exception calling "Invoke" with "0" argument(s): '
    message = failure.message
    if message.startswith(prefix):
        message = f'Exception calling "{method}" with "{argc}" argument(s): ' + message[len(prefix):]
    failure.message = message
    return failure


class InvocationStateInfo(NetObject):
    """PowerShell.InvocationStateInfo: State (PSInvocationState) and Reason (the exception that failed it, else
    $null). 2.16 to 2.18's module_wrapper.ps1 reads both after Invoke()."""

    type_names = ["System.Management.Automation.PSInvocationStateInfo", "System.Object"]

    def __init__(self, state: str, reason: typing.Any) -> None:
        self.state = state
        self.reason = reason

    @net_property("State")
    def _state(self) -> str:
        return self.state

    @net_property("Reason")
    def _reason(self) -> typing.Any:
        return self.reason

    def to_string(self) -> str:
        return "System.Management.Automation.PSInvocationStateInfo"


def _invoke_failed(record: ErrorRecord) -> PSError:
    """Invoke()'s exception as the calling script sees it: MethodInvocationException over the RuntimeException."""
    inner = record.Exception
    if not any(p.name == "ErrorRecord" for p in inner.PSObject.extended_properties):
        add_note(inner, "ErrorRecord", record)
    message = str(inner.Message)
    return PSError(f'Exception calling "Invoke" with "0" argument(s): "{message}"',
                   exception_type="System.Management.Automation.MethodInvocationException",
                   fqid="RuntimeException" if record.FullyQualifiedErrorId != "InternalInterpreterError" else
                   "InternalInterpreterError",
                   category="NotSpecified", reason="MethodInvocationException", inner=inner)


class InitialSessionStateObject(NetObject):
    """What `[InitialSessionState]::CreateDefault()` / `CreateDefault2()` return: the default session state a new
    runspace gets (PowerShell SDK docs, InitialSessionState). 2.21's module_wrapper.ps1 passes CreateDefault2()'s to
    `[PowerShell]::Create` (the built-in modules imported as modules, not snap-ins, so their ETS type data loads):
    the test host's new runspace is that default either way. Its members (adding commands, variables, modules,
    LanguageMode, ...) are not modelled."""

    type_names = ["System.Management.Automation.Runspaces.InitialSessionState", "System.Object"]

    def __init__(self, factory: str) -> None:
        self.factory = factory

    net_closed = True

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        return not_modelled(f"The InitialSessionState {kind} '{name}'")


def _default_session_state(factory: str) -> typing.Callable[[list], InitialSessionStateObject]:
    def create(args: list) -> InitialSessionStateObject:
        if args:
            raise _overload(factory, len(args))
        return InitialSessionStateObject(factory)
    return create


typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.Runspaces.InitialSessionState", accelerators=("initialsessionstate",),
    static_methods={"CreateDefault": _default_session_state("CreateDefault"),
                    "CreateDefault2": _default_session_state("CreateDefault2")},
    instance_check=lambda value: isinstance(value, InitialSessionStateObject)))


def _create(args: list) -> PowerShellObject:
    # Create(InitialSessionState) of a default one: a new runspace as Create() makes. Create(RunspaceMode) and
    # Create() of any other session state are not what Ansible uses.
    if len(args) == 1 and isinstance(args[0], InitialSessionStateObject):
        return PowerShellObject()
    if args:
        raise not_modelled("[PowerShell]::Create with arguments other than a default InitialSessionState")
    return PowerShellObject()


def _create_runspace(args: list) -> RunspaceObject:
    # CreateRunspace() only: with a host, an InitialSessionState, a configuration or a connection info it is not
    # what Ansible uses.
    if args:
        raise not_modelled(f"[RunspaceFactory]::CreateRunspace with {len(args)} arguments")
    return RunspaceObject(_local_runspace(), state="BeforeOpen")


typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.Runspaces.RunspaceFactory", accelerators=("runspacefactory",),
    static_methods={"CreateRunspace": _create_runspace}))
typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.PowerShell", accelerators=("powershell",),
    static_methods={"Create": _create},
    instance_check=lambda value: isinstance(value, PowerShellObject)))


# Types named in module_wrapper.ps1's parameters; instances are not modelled (no breakpoints are set by Ansible
# unless it runs a module under a debugger), so nothing converts to them.
def _no_breakpoint(value: typing.Any) -> typing.Any:
    del value
    raise not_modelled("A [LineBreakpoint]")


typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.LineBreakpoint",
    base_types=("System.Management.Automation.Breakpoint", "System.Object"),
    instance_check=lambda value: False, convert=_no_breakpoint))


# Overload definitions of the four methods every object has (System.Object), as PSMethod.ToString() lists them.
_OBJECT_METHOD_DEFINITIONS = {
    "gettype": "type GetType()",
    "tostring": "string ToString()",
    "equals": "bool Equals(System.Object obj)",
    "gethashcode": "int GetHashCode()",
}


class PSMethod(NetObject):
    """A method read as a property (`$obj.GetType`, about_Methods): a PSMethod, which is truthy, whose ToString() is
    its overload definitions and whose Invoke(...) calls it. Ansible.ModuleUtils.Legacy tests `-not $obj.GetType`
    to tell an object from $null. Only System.Object's four methods are modelled this way."""

    type_names = ["System.Management.Automation.PSMethod", "System.Management.Automation.PSMethodInfo",
                  "System.Management.Automation.PSMemberInfo", "System.Object"]

    def __init__(self, target: typing.Any, name: str) -> None:
        self.target = target
        self.method_name = name

    @net_property("Name")
    def _name(self) -> str:
        return self.method_name

    @net_property("MemberType")
    def _member_type(self) -> str:
        return "Method"

    @net_property("OverloadDefinitions")
    def _overload_definitions(self) -> list:
        return [_OBJECT_METHOD_DEFINITIONS[self.method_name.lower()]]

    @net_property("IsInstance")
    def _is_instance(self) -> bool:
        return True

    @net_method("Invoke")
    def _invoke(self, *args: typing.Any) -> typing.Any:
        return invoke_method(self.target, self.method_name, list(args), lambda block, a: None)

    def to_string(self) -> str:
        return _OBJECT_METHOD_DEFINITIONS[self.method_name.lower()]


def method_as_property(obj: typing.Any, name: str) -> typing.Any:
    """The PSMethod of `obj.name` when `name` is one of System.Object's methods, else `MISSING`."""
    low = name.lower()
    if obj is None or low not in _OBJECT_METHOD_DEFINITIONS:
        return MISSING
    canonical = {"gettype": "GetType", "tostring": "ToString", "equals": "Equals", "gethashcode": "GetHashCode"}[low]
    return PSMethod(obj, canonical)


class PSScriptMethodInfo(NetObject):
    """[System.Management.Automation.PSScriptMethod]::new(name, script): a script method to add to an object's
    members (`$obj.PSObject.Members.Add(...)`); calling `$obj.Name(args)` runs the script with those arguments."""

    type_names = ["System.Management.Automation.PSScriptMethod", "System.Management.Automation.PSMethodInfo",
                  "System.Management.Automation.PSMemberInfo", "System.Object"]

    def __init__(self, name: str, script: typing.Any) -> None:
        self.name = name
        self.script = script

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    @net_property("Script")
    def _script(self) -> typing.Any:
        return self.script

    @net_property("MemberType")
    def _member_type(self) -> str:
        return "ScriptMethod"

    @net_property("TypeNameOfValue")
    def _type_name_of_value(self) -> str:
        return "System.Object"

    @net_property("OverloadDefinitions")
    def _overload_definitions(self) -> list:
        return [f"System.Object {self.name}();"]

    def to_string(self) -> str:
        return f"System.Object {self.name}();"


def _new_script_method(args: list) -> PSScriptMethodInfo:
    if len(args) != 2:
        raise _overload("new", len(args))
    if not isinstance(args[1], V.ScriptBlock):
        raise PSError(f'Cannot convert argument "script", with value: "{V.to_string(args[1])}", for "PSScriptMethod" to type '
                      '"System.Management.Automation.ScriptBlock"', fqid="ConstructorInvokedThrowException",
                      exception_type="System.Management.Automation.MethodException", reason="MethodException")
    return PSScriptMethodInfo(V.to_string(args[0]), args[1])


typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.PSScriptMethod", accelerators=("psscriptmethod",), constructor=_new_script_method,
    instance_check=lambda value: isinstance(value, PSScriptMethodInfo)))


def script_methods(obj: typing.Any) -> dict:
    """The script methods added to a PSObject through PSObject.Members.Add, by lower-case name."""
    return getattr(obj, "_winhost_script_methods", None) or {}


class _NotePropertyView(NetObject):
    type_names = ["System.Management.Automation.PSNoteProperty", "System.Management.Automation.PSPropertyInfo",
                  "System.Management.Automation.PSMemberInfo", "System.Object"]

    def __init__(self, owner: typing.Any, prop: typing.Any, member_type: str = "NoteProperty") -> None:
        self.owner = owner
        self.prop = prop
        self.member_type = member_type

    @net_property("Name")
    def _name(self) -> str:
        return self.prop.name

    @net_property("Value")
    def _value(self) -> typing.Any:
        return self.prop.get_value(self.owner)

    @net_setter("Value")
    def _set_value(self, value: typing.Any) -> None:
        self.prop.set_value(value, self.owner)

    @net_property("MemberType")
    def _member_type(self) -> str:
        return self.member_type

    @net_property("IsSettable", "IsGettable", "IsInstance")
    def _is_settable(self) -> bool:
        return True

    @net_property("TypeNameOfValue")
    def _type_name_of_value(self) -> str:
        return V.ps_type_name(self.prop.get_value(self.owner))

    def to_string(self) -> str:
        value = self.prop.get_value(self.owner)
        return f"{V.ps_type_name(value).rsplit('.', 1)[-1]} {self.prop.name}={V.to_string(value)}"


class _MemberCollection(NetObject):
    type_names = ["System.Management.Automation.PSMemberInfoIntegratingCollection`1[[System.Management.Automation.PSMemberInfo]]",
                  "System.Object"]

    def __init__(self, owner: typing.Any) -> None:
        self.owner = owner

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "add":
            if len(args) not in (1, 2):
                raise _overload("Add", len(args))
            member = args[0]
            if not isinstance(member, PSScriptMethodInfo):
                raise not_modelled(f"PSObject.Members.Add of a {V.ps_type_name(member)}")
            low = member.name.lower()
            if low in script_methods(self.owner) or any(p.name.lower() == low for p in
                                                        self.owner.PSObject.extended_properties):
                raise PSError(f'Exception calling "Add" with "{len(args)}" argument(s): "Cannot add a member with the name '
                              f'"{member.name}" because a member with that name already exists. To overwrite the member '
                              'anyway, add the Force parameter to your command."',
                              exception_type="System.Management.Automation.MethodInvocationException",
                              fqid="ExtendedTypeSystemException", reason="MethodInvocationException")
            methods = dict(script_methods(self.owner))
            methods[low] = member
            self.owner._winhost_script_methods = methods  # pylint: disable=protected-access
            return void()
        return super().call(name, args)


class PSObjectView(NetObject):
    """`$obj.PSObject` of a property bag ([PSCustomObject], ConvertFrom-Json output): Properties (its note
    properties, in order: Name, Value, MemberType), Members.Add (script methods), TypeNames, BaseObject.
    Other objects' PSObject is not modelled (the tripwire)."""

    type_names = ["System.Management.Automation.PSObject", "System.Object"]

    def __init__(self, owner: typing.Any) -> None:
        self.owner = owner

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "properties":
            return [_NotePropertyView(self.owner, p) for p in self.owner.PSObject.extended_properties]
        if low == "members":
            return _MemberCollection(self.owner)
        if low == "typenames":
            return list(self.owner.PSObject.type_names)
        if low in ("baseobject", "immediatebaseobject"):
            return self.owner
        raise not_modelled(f"The PSObject member '{name}'")


class _ExceptionPSObjectView(PSObjectView):
    """`$exception.PSObject` of an exception the host raised: Properties are its .NET properties (Message, Data,
    HelpLink, HResult, InnerException, Source, StackTrace, TargetSite: System.Exception's, all present whatever
    their value) and what the host added (a RuntimeException's ErrorRecord). 2.16 to 2.18's module_wrapper.ps1 asks
    `$_.Exception.PSObject.Properties.Name -contains "InnerException"`. Members is not modelled for these."""

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "properties":
            data = self.owner.PSObject
            return [_NotePropertyView(self.owner, p) for p in data.extended_properties] + \
                [_NotePropertyView(self.owner, p, "Property") for p in data.adapted_properties]
        if low == "members":
            raise not_modelled("The PSObject member 'Members' of an exception")
        return super().get_member(name)


def psobject_of(obj: typing.Any) -> typing.Any:
    """`obj.PSObject` when modelled (a property bag, an exception), else `MISSING`."""
    if isinstance(obj, NETException):
        return _ExceptionPSObjectView(obj)
    if isinstance(obj, PSObject) and not isinstance(obj, (str, int, float, list, dict)) and V._is_property_bag(obj):  # pylint: disable=protected-access
        return PSObjectView(obj)
    return MISSING


def _script_block_create(args: list) -> V.ScriptBlock:
    """`[ScriptBlock]::Create(text)` (ScriptBlock.Create: the text parsed as a script, as ansible-core 2.16 to 2.18's
    bootstrap and exec wrappers build theirs); a script that does not parse throws its first parse error."""
    if len(args) != 1:
        raise _overload("Create", len(args))
    text = "" if args[0] is None else V.to_string(args[0])
    try:
        parsed, root = script_root(text, parse(text))
    except ParseError as err:
        raise PSError(f'Exception calling "Create" with "1" argument(s): "{err.message}"',
                      exception_type="System.Management.Automation.MethodInvocationException",
                      fqid="ParseException", category="NotSpecified", reason="MethodInvocationException") from err
    return V.ScriptBlock(root, parsed.source)


typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.ScriptBlock", accelerators=("scriptblock",),
    static_methods={"Create": _script_block_create},
    instance_check=lambda value: isinstance(value, V.ScriptBlock)))
