"""System.Management.Automation engine objects the exec wrapper of ansible-core reads.

Declared here (each member not listed raises NotModelledByTestHost, never a made-up value):
- `$ExecutionContext` (EngineIntrinsics): `.SessionState.LanguageMode` (PSLanguageMode FullLanguage: the test
  host has no Device Guard / AppLocker policy, about_Language_Modes);
- `$PWD` (PathInfo: Path, ProviderPath, ToString): the session's location, the user's Documents in a remote
  session (about_Automatic_Variables);
- `[System.Management.Automation.Security.SystemPolicy]::GetSystemLockdownPolicy()`: SystemEnforcementMode None
  (no WDAC/AppLocker policy);
- `[ErrorRecord]::new(exception, errorId, category, target)`, `[ErrorCategory]` (ErrorRecord.cs; the ErrorCategory
  enum's members in their .NET order);
- (`[PSScriptMethod]` and the intrinsic `.PSObject` are in clr/automation.py;)
- `$MyInvocation` (InvocationInfo: `ExpectingInput`, `BoundParameters`, `UnboundArguments`, `InvocationName`,
  `MyCommand.Name`);
- steppable pipelines: `{ cmd | cmd }.GetSteppablePipeline()` with `Begin($expectingInput)`, `Process([$input])`,
  `End()`, `Dispose()` (ScriptBlock.GetSteppablePipeline, SteppablePipeline.cs): the arguments are evaluated when
  the pipeline is made (PipelineOps.GetSteppablePipeline), each step returns the output it produced.
"""

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord, PSObject

from .. import typeregistry
from ..ast_eval import lowered, statement_nodes
from ..commands import build_processor
from ..dotnet import NetObject, PSReference, current_runspace, resolve_native_path, void
from ..errors import PSError, category_info, method_exception, short_type_name
from ..evaluator import NO_INPUT
from ..tripwire import trip as not_modelled
from ..syntax.nodes import Ast, CommandAst, PipelineAst
from ..typeregistry import net_method, net_property
from ..values import TypeValue, cast, to_bool, to_string
from .enums import EnumValue, declare_enum, member

AUTOMATION = "System.Management.Automation"

declare_enum(f"{AUTOMATION}.PSLanguageMode",
             {"FullLanguage": 0, "RestrictedLanguage": 1, "NoLanguage": 2, "ConstrainedLanguage": 3})
declare_enum(f"{AUTOMATION}.Security.SystemEnforcementMode", {"None": 0, "Audit": 1, "Enforce": 2})
# System.Reflection.BindingFlags ([Flags]; learn.microsoft.com): psrp_put_file.ps1 builds 'NonPublic, Instance'.
declare_enum("System.Reflection.BindingFlags", {
    "Default": 0, "IgnoreCase": 1, "DeclaredOnly": 2, "Instance": 4, "Static": 8, "Public": 16, "NonPublic": 32,
    "FlattenHierarchy": 64, "InvokeMethod": 256, "CreateInstance": 512, "GetField": 1024, "SetField": 2048,
    "GetProperty": 4096, "SetProperty": 8192, "PutDispProperty": 16384, "PutRefDispProperty": 32768,
    "ExactBinding": 65536, "SuppressChangeType": 131072, "OptionalParamBinding": 262144, "IgnoreReturn": 16777216},
    flags=True)
declare_enum(f"{AUTOMATION}.ErrorCategory", (
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
    "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled",
    "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied",
    "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError",
    "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled"),
    accelerators=())


class _Modelled(NetObject):
    """An engine object with a fixed set of members (declared: net_property, net_method); any other member read or
    call is NotModelledByTestHost."""

    what = "object"
    net_closed = True

    def net_not_modelled_error(self, kind: str, name: str) -> PSError:
        return not_modelled(f"The {self.what} {kind} '{name}'")


class _Named(_Modelled):
    """An engine object known by its name alone (ProviderInfo, CommandInfo): Name, and ToString() is the name."""

    def __init__(self, name: str) -> None:
        self.name = name

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    def to_string(self) -> str:
        return self.name


class SessionState(_Modelled):
    type_names = [f"{AUTOMATION}.SessionState", "System.Object"]
    what = "$ExecutionContext.SessionState"

    @net_property("LanguageMode")
    def _language_mode(self) -> typing.Any:
        return member(f"{AUTOMATION}.PSLanguageMode", "FullLanguage")

    @net_property("Path")
    def _path(self) -> "PathIntrinsics":
        return PathIntrinsics()


class ProviderInfo(_Named):
    type_names = [f"{AUTOMATION}.ProviderInfo", "System.Object"]
    what = "ProviderInfo"


class PSDriveInfo(_Named):
    type_names = [f"{AUTOMATION}.PSDriveInfo", "System.Object"]
    what = "PSDriveInfo"

    def __init__(self, name: str, root: str) -> None:
        super().__init__(name)
        self.root = root

    @net_property("Root")
    def _root(self) -> str:
        return self.root


_SESSION_DRIVES = ("env", "variable", "function", "alias", "wsman")


class PathIntrinsics(_Modelled):
    """`$ExecutionContext.SessionState.Path` (PathIntrinsics): GetUnresolvedProviderPathFromPSPath(path[, [ref]provider,
    [ref]drive]) for FileSystem paths (2.21's Test-AnsiblePath): drive C: or a path relative to the current location
    gives the normalised path, the FileSystem provider and drive C; a UNC path the FileSystem provider and no drive; a
    drive letter the host does not have DriveNotFoundException ("Cannot find drive. A drive with the name 'X' does not
    exist.", SessionStateInternal). The other providers' paths and the other members are not modelled."""

    type_names = [f"{AUTOMATION}.PathIntrinsics", "System.Object"]
    what = "$ExecutionContext.SessionState.Path"

    @net_method("GetUnresolvedProviderPathFromPSPath")
    def _unresolved_path(self, path: typing.Any) -> str:
        return self._unresolved_provider_path(path, None, None, 1)

    @net_method("GetUnresolvedProviderPathFromPSPath")
    def _unresolved_path_provider_drive(self, path: typing.Any, provider_ref: typing.Any, drive_ref: typing.Any) -> str:
        return self._unresolved_provider_path(path, provider_ref, drive_ref, 3)

    @staticmethod
    def _unresolved_provider_path(path_arg: typing.Any, provider_ref: typing.Any, drive_ref: typing.Any,
                                  argc: int) -> str:
        path = to_string(path_arg).replace("/", "\\")
        runspace = current_runspace()
        drive_name, sep, _rest = path.partition(":")
        provider, drive = ProviderInfo("FileSystem"), PSDriveInfo("C", "C:\\")
        if path.startswith("\\\\"):
            result, drive = path, None
        elif sep and ("\\" not in drive_name) and drive_name.lower() != "c":
            if drive_name.lower() in _SESSION_DRIVES or "::" in path or len(drive_name) != 1:
                raise not_modelled(f"GetUnresolvedProviderPathFromPSPath of '{path}' (another provider's path)")
            raise method_exception("GetUnresolvedProviderPathFromPSPath", argc,
                                   f"Cannot find drive. A drive with the name '{drive_name}' does not exist.",
                                   f"{AUTOMATION}.DriveNotFoundException")
        else:
            result = runspace.host.filesystem.normalize(resolve_native_path(runspace, path))
        for ref, value in ((provider_ref, provider), (drive_ref, drive)):
            if isinstance(ref, PSReference):
                ref.set_value(value)
        return result


class EngineIntrinsics(_Modelled):
    type_names = [f"{AUTOMATION}.EngineIntrinsics", "System.Object"]
    what = "$ExecutionContext"

    def __init__(self) -> None:
        self.session_state = SessionState()

    @net_property("SessionState")
    def _session_state(self) -> SessionState:
        return self.session_state


class PathInfo(_Modelled):
    type_names = [f"{AUTOMATION}.PathInfo", "System.Object"]
    what = "$PWD"

    def __init__(self, runspace: typing.Any) -> None:
        self.runspace = runspace

    @net_property("Path")
    def _path(self) -> str:
        return self.runspace.native_cwd()

    @net_property("ProviderPath")
    def _provider_path(self) -> str:
        return self.runspace.native_cwd()

    def to_string(self) -> str:
        return self.runspace.native_cwd()


def engine_variables(runspace: typing.Any) -> dict[str, typing.Any]:
    """The automatic variables a session's global scope holds from the start (Runspace seeds them)."""
    return {"ExecutionContext": EngineIntrinsics(), "PWD": PathInfo(runspace)}


typeregistry.register(typeregistry.NetType(
    f"{AUTOMATION}.Security.SystemPolicy",
    static_methods={"GetSystemLockdownPolicy": lambda args: member(
        f"{AUTOMATION}.Security.SystemEnforcementMode", "None")}))


# --- ErrorRecord -------------------------------------------------------------------------------------------------

def _new_error_record(args: list) -> typing.Any:
    """ErrorRecord(Exception exception, string errorId, ErrorCategory errorCategory, object targetObject): the
    CategoryInfo's reason is the exception's type name, its target the target's string and type."""

    if len(args) != 4:
        raise not_modelled(f"The ErrorRecord constructor with {len(args)} arguments")
    exception, error_id, category, target = args
    if not isinstance(exception, PSObject) or not any(n.endswith("Exception") for n in exception.PSObject.type_names):
        raise method_exception("new", 4, 'The test host builds an ErrorRecord from an exception object only.',
                               "System.NotImplementedException")
    category_value = cast(category, TypeValue(f"{AUTOMATION}.ErrorCategory"))
    assert isinstance(category_value, EnumValue)
    type_name = exception.PSObject.type_names[0].replace("Deserialized.", "")
    record = ErrorRecord(
        Exception=exception,
        CategoryInfo=category_info(category_value.name, type_name.rsplit(".", 1)[-1],
                                   "" if target is None else to_string(target), short_type_name(target)),
        TargetObject=target,
        FullyQualifiedErrorId=to_string(error_id),
    )
    record.PSObject.to_string = str(exception.Message)
    return record


typeregistry.register(typeregistry.NetType(
    f"{AUTOMATION}.ErrorRecord", accelerators=("ErrorRecord",), constructor=_new_error_record))


# --- $MyInvocation -------------------------------------------------------------------------------------------------

class CommandInfo(_Named):
    type_names = [f"{AUTOMATION}.CommandInfo", "System.Object"]
    what = "$MyInvocation.MyCommand"


class InvocationInfo(_Modelled):
    type_names = [f"{AUTOMATION}.InvocationInfo", "System.Object"]
    what = "$MyInvocation"

    def __init__(self, name: str, expecting_input: bool, bound: typing.Any, unbound: list) -> None:
        self.name = name
        self.expecting_input = expecting_input
        self.bound = bound
        self.unbound = unbound

    @net_property("ExpectingInput")
    def _expecting_input(self) -> bool:
        return self.expecting_input

    @net_property("BoundParameters")
    def _bound_parameters(self) -> typing.Any:
        return self.bound

    @net_property("UnboundArguments")
    def _unbound_arguments(self) -> list:
        return self.unbound

    @net_property("InvocationName")
    def _invocation_name(self) -> str:
        return self.name

    @net_property("MyCommand")
    def _my_command(self) -> CommandInfo:
        return CommandInfo(self.name)


# --- steppable pipelines -------------------------------------------------------------------------------------------

class SteppablePipeline(_Modelled):
    type_names = [f"{AUTOMATION}.SteppablePipeline", "System.Object"]
    what = "SteppablePipeline"

    def __init__(self, engine: typing.Any, block: typing.Any) -> None:
        self.engine = engine
        self.output: list = []
        self.begun = False
        stages = _single_pipeline(engine, block)
        self.processors = [build_processor(engine, stage, i > 0) for i, stage in enumerate(stages)]
        for i, proc in enumerate(self.processors):
            proc.emit = self.processors[i + 1].process if i + 1 < len(self.processors) else self.output.append

    def _take(self) -> list:
        out, self.output[:] = list(self.output), []
        return out

    @net_method("Begin")
    def _begin(self, expecting_input: typing.Any) -> typing.Any:
        head = self.processors[0]
        if hasattr(head, "expects_input"):
            head.expects_input = to_bool(expecting_input)
        for proc in self.processors:
            proc.begin()
        self.begun = True
        return void()

    @net_method("Process")
    def _process(self, item: typing.Any = NO_INPUT) -> list:
        self.processors[0].process(item)
        return self._take()

    @net_method("End")
    def _end(self) -> list:
        for proc in self.processors:
            proc.end()
        return self._take()

    @net_method("Dispose")
    def _dispose(self) -> typing.Any:
        if self.begun:
            for proc in self.processors:
                proc.dispose()
            self.begun = False
        return void()


def _single_pipeline(engine: typing.Any, block: typing.Any) -> list:
    """The commands of a script block that holds exactly one pipeline of commands (GetSimplePipeline)."""
    blocks = engine.named_blocks(engine.script_ast(block))
    end = blocks.get("end")
    statements = statement_nodes(end) if end is not None and len(blocks) == 1 else []
    if len(statements) != 1:
        raise _one_pipeline()
    pipeline = statements[0]
    if not isinstance(pipeline, Ast):
        if pipeline.type != "pipeline":
            raise _one_pipeline()
        pipeline = lowered(pipeline, end._source)  # pylint: disable=protected-access
    if not isinstance(pipeline, PipelineAst) or not all(isinstance(e, CommandAst) for e in pipeline.pipeline_elements):
        raise _one_pipeline()
    return pipeline.pipeline_elements


def _one_pipeline() -> PSError:
    return method_exception("GetSteppablePipeline", 0, "Can only convert a script block that contains exactly one "
                            "pipeline or command. Expressions or control structures are not permitted. Verify that the "
                            "script block contains exactly one pipeline or command.",
                            "System.Management.Automation.ScriptBlockToPowerShellNotSupportedException")
