"""System.Management.Automation.InvocationInfo of an error record: where the error happened.

PowerShell gives an error raised while a statement runs the position of that statement: the compiled script's
current sequence point, set by ExceptionHandlingOps.CheckActionPreference through
InterpreterError.UpdateExceptionErrorRecordPosition, which gives a record without an InvocationInfo
`new InvocationInfo(null, extent, context)` (MyCommand $null) and leaves a record that has one as it is (a rethrown
`$_` keeps the position where it was first raised). A cmdlet's records carry the cmdlet's own InvocationInfo
(MshCommandRuntime: `errorRecord.SetInvocationInfo(MyInvocation)`): MyCommand the cmdlet, the position its
CommandAst, InvocationName the name it was called by.

The members, as InvocationInfo.cs defines them (PowerShell/PowerShell, src/System.Management.Automation/engine/
InvocationInfo.cs): ScriptLineNumber and OffsetInLine the extent's start line and column, ScriptName its file or
"", Line the whole text of the start line (PositionHelper.Text: up to the next line's start, its line break
included), PositionMessage PositionUtilities.VerboseMessage (engine/parser/Position.cs, below), PSScriptRoot the
file's directory or "", PSCommandPath the file ($null without one), InvocationName "" unless a command set it,
PipelineLength/PipelinePosition 0 and ExpectingInput $false for a statement's error, BoundParameters an empty
dictionary and UnboundArguments an empty list, CommandOrigin Internal, DisplayScriptPosition $null. HistoryId (the
runspace history's next id) is not modelled: reading it is a NotModelledByTestHost error, as is any other member.
"""

from __future__ import annotations

import typing

from psrpcore.types import InvocationInfo

from ..dotnet import NetObject
from ..errors import PSError, set_invocation
from ..scopes import PSHashtable
from ..tripwire import trip as not_modelled
from ..syntax.extents import SourceText
from ..syntax.nodes import Extent
from ..typeregistry import net_property
from .enums import declare_enum, member

AUTOMATION = "System.Management.Automation"
declare_enum(f"{AUTOMATION}.CommandOrigin", {"Runspace": 0, "Internal": 1}, accelerators=())
# Position.cs: lines wider than this are cut around the error, with "... " and " ..." marking the cut.
MAX_LINE_LENGTH = 69
# Environment.NewLine on Windows; ParserStrings.TextForPositionMessage is "At {0}:{1} char:{2}" and "+ {3}" on two
# lines (resources built on Windows: CRLF), TextForWordLine is "line" (the "file" of a script with none).
NEWLINE = "\r\n"
WRAPPER = "function __winhost_script {\n"


def verbose_message(extent: Extent, line: str) -> str:
    """PositionUtilities.VerboseMessage: `At <file or line>:<line> char:<column>`, then `+ <the line>` and `+ ` with
    `~` under the extent (the rest of the line for an extent over several lines; one `~` for an empty one), tabs
    expanded to four spaces, a line over 69 characters cut around the extent."""
    file_name = extent.file or "line"
    source_line = line.rstrip()
    message = ""
    if source_line:
        before = extent.start_column_number - 1
        length = (extent.end_column_number - extent.start_column_number
                  if extent.start_line_number == extent.end_line_number else len(source_line) - extent.start_column_number + 1)
        if "\t" in source_line:
            head = source_line[:before].replace("\t", "    ")
            body = source_line[before:before + length].replace("\t", "    ")
            source_line = head + body + source_line[before + length:].replace("\t", "    ")
            before, length = len(head), len(body)
        prefix_dots = suffix_dots = False
        if len(source_line) > MAX_LINE_LENGTH:
            total_prefix = before
            prefix = min(total_prefix, 12)
            total_suffix = len(source_line) - length - before
            suffix = min(total_suffix, 8)
            candidate = prefix + length + suffix
            if candidate >= MAX_LINE_LENGTH:
                if prefix + length >= MAX_LINE_LENGTH:
                    length = MAX_LINE_LENGTH - prefix
                suffix_dots = True
            else:
                available = total_prefix - prefix
                if available > 0:
                    prefix += min(available, MAX_LINE_LENGTH - candidate)
                    candidate = prefix + length + suffix
                if candidate < MAX_LINE_LENGTH and total_suffix > 0:
                    suffix += min(total_suffix, MAX_LINE_LENGTH - candidate)
                suffix_dots = suffix < total_suffix
            prefix_dots = prefix < total_prefix
            start = max(before - prefix, 0)
            source_line = source_line[start:start + MAX_LINE_LENGTH]
            before = min(before, prefix)
            length = min(length, MAX_LINE_LENGTH - before)
        message = (("... " if prefix_dots else "") + source_line + (" ..." if suffix_dots else "") + NEWLINE + "+ "
                   + " " * (before + (4 if prefix_dots else 0)) + "~" * (length if length > 0 else 1))
    return f"At {file_name}:{extent.start_line_number} char:{extent.start_column_number}{NEWLINE}+ {message}"


def _source_text(source: bytes) -> SourceText:
    """One SourceText per parsed script (kept on the script's Source, which has room for attributes), so the
    alignment of a rewritten script with the script as written is made once, when its first error needs it."""
    found = getattr(source, "_positions", None)
    if found is None:
        found = SourceText(source, getattr(source, "original", None))
        try:
            source._positions = found  # type: ignore[attr-defined]
        except AttributeError:  # plain bytes: made again next time
            pass
    return found


class ScriptPosition:
    """Where in a parsed script a tree node is; the extent and its line are worked out when first read."""

    def __init__(self, source: bytes, start_byte: int, end_byte: int, file: str | None = None) -> None:
        self.source, self.start_byte, self.end_byte, self.file = source, start_byte, end_byte, file
        self._resolved: tuple[Extent, str] | None = None

    def resolve(self) -> tuple[Extent, str]:
        if self._resolved is None:
            text = _source_text(self.source)
            extent = text.extent(self.start_byte, self.end_byte)
            if self.file:
                extent = Extent(extent.text, extent.start_offset, extent.end_offset, extent.start_line_number,
                                extent.start_column_number, extent.end_line_number, extent.end_column_number, self.file)
            original = text.original
            if original.startswith(WRAPPER) and original.endswith("\n}"):
                # A script with top-level named blocks is parsed inside a function (runspace.py, syntax/lower.py):
                # its positions are in the script as sent, one line and the wrapper's characters up.
                cut = len(WRAPPER)
                original = original[cut:-2]
                extent = Extent(extent.text, extent.start_offset - cut, extent.end_offset - cut, extent.start_line_number - 1,
                                extent.start_column_number, extent.end_line_number - 1, extent.end_column_number, extent.file)
            line_start = original.rfind("\n", 0, extent.start_offset) + 1
            line_end = original.find("\n", extent.start_offset)
            self._resolved = extent, original[line_start:] if line_end < 0 else original[line_start:line_end + 1]
        return self._resolved


class AstPosition(ScriptPosition):
    """Where an evaluator AST node is: its extent counts characters of the parsed text ``source`` (syntax.lower_statement),
    turned into the byte positions ScriptPosition aligns with the script as written, when first read."""

    def __init__(self, source: bytes, start_offset: int, end_offset: int) -> None:
        super().__init__(source, 0, 0)
        self._offsets: tuple[int, int] | None = (start_offset, end_offset)

    def resolve(self) -> tuple[Extent, str]:
        if self._offsets is not None:
            text = self.source.decode("utf-8", "replace")
            start, end = self._offsets
            self.start_byte = len(text[:start].encode("utf-8"))
            self.end_byte = self.start_byte + len(text[start:end].encode("utf-8"))
            self._offsets = None
        return super().resolve()


def ast_position(source: bytes, ast: typing.Any) -> ScriptPosition:
    """The position of an evaluator AST node of the parsed text ``source`` (no position without a text)."""
    if not source:
        return EmptyPosition()
    return AstPosition(source, ast.extent.start_offset, ast.extent.end_offset)


class EmptyPosition(ScriptPosition):
    """PositionUtilities.EmptyExtent: no position (a command the host invoked, a script's own $MyInvocation): line and
    column 0, Line "", and PositionMessage "" (VerboseMessage returns "" for it)."""

    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        self._resolved = (Extent("", 0, 0, 0, 0, 0, 0), "")
        self.file = None


class CommandInfoOfError(NetObject):
    """The MyCommand of a command's error record (a CmdletInfo or FunctionInfo): its name; ToString is the name."""

    def __init__(self, name: str, kind: str) -> None:
        super().__init__()
        self.name = name
        self.type_names = [f"{AUTOMATION}.{kind}", f"{AUTOMATION}.CommandInfo", "System.Object"]

    net_closed = "members"

    def net_not_modelled_error(self, kind: str, name: str) -> PSError:
        return not_modelled(f"The error record's MyCommand {kind} '{name}'")

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    def to_string(self) -> str:
        return self.name


class ErrorInvocationInfo(NetObject, InvocationInfo):
    """An error record's InvocationInfo (see the module's docstring). A psrpcore InvocationInfo too, as the record's
    InvocationInfo property is typed, but its members are the ones below (a live object, not psrpcore's property
    bag); the PSRP bridge does not serialize it (tests/winhost/README.md, fidelity list)."""

    type_names = [f"{AUTOMATION}.InvocationInfo", "System.Object"]

    def __init__(self, position: ScriptPosition, command: str | None = None, invocation_name: str = "",  # pylint: disable=too-many-arguments
                 pipeline_length: int | None = 0, pipeline_position: int | None = 0, expecting_input: bool = False,
                 command_kind: str = "CmdletInfo", script_level: bool = False) -> None:
        super().__init__()
        self.script_level = script_level
        self.position = position
        self.command = command
        self.command_kind = command_kind
        self.invocation_name = invocation_name
        self.pipeline_length = pipeline_length
        self.pipeline_position = pipeline_position
        self.expecting_input = expecting_input

    def _members(self) -> dict[str, typing.Callable[[], typing.Any]]:
        def extent() -> typing.Any:
            return self.position.resolve()[0]

        known = {
            "mycommand": lambda: None if self.command is None else CommandInfoOfError(self.command, self.command_kind),
            "boundparameters": PSHashtable,
            "unboundarguments": list,
            "scriptlinenumber": lambda: extent().start_line_number,
            "offsetinline": lambda: extent().start_column_number,
            "scriptname": lambda: extent().file or "",
            "line": lambda: self.position.resolve()[1],
            "positionmessage": lambda: "" if isinstance(self.position, EmptyPosition) else verbose_message(*self.position.resolve()),
            "psscriptroot": lambda: extent().file.rsplit("\\", 1)[0] if extent().file and "\\" in extent().file else "",
            "pscommandpath": lambda: extent().file,
            "invocationname": lambda: self.invocation_name,
            "pipelinelength": lambda: self.pipeline_length,
            "pipelineposition": lambda: self.pipeline_position,
            "expectinginput": lambda: self.expecting_input,
            "commandorigin": lambda: member(f"{AUTOMATION}.CommandOrigin", "Internal"),
            "displayscriptposition": lambda: None,
        }
        if self.command is not None:  # a cmdlet's: what its binding and pipeline held is not kept
            for name in ("boundparameters", "unboundarguments", "pipelinelength", "pipelineposition"):
                del known[name]
        if self.script_level:  # a script's own invocation: its ScriptInfo and how the host invoked it are not kept
            for name in ("mycommand", "invocationname", "boundparameters", "unboundarguments", "pipelinelength",
                         "pipelineposition", "expectinginput"):
                del known[name]
        return known

    def get_member(self, name: str) -> typing.Any:
        getter = self._members().get(name.lower())
        if getter is None:
            raise not_modelled(f"The InvocationInfo member '{name}'")
        return getter()


def set_position(err: typing.Any, position: ScriptPosition) -> None:
    """UpdateExceptionErrorRecordPosition: an error without an InvocationInfo gets one at this position."""
    if err.invocation is None and (err._record is None or err._record.InvocationInfo is None):  # pylint: disable=protected-access
        set_invocation(err, ErrorInvocationInfo(position))


def cmdlet_invocation(position: ScriptPosition, command: str, invocation_name: str, expecting_input: bool,
                      kind: str) -> ErrorInvocationInfo:
    """A command's MyInvocation as its error records carry it (a cmdlet's, or an advanced function's through
    $PSCmdlet.ThrowTerminatingError/WriteError): the command (`kind` CmdletInfo or FunctionInfo), the name it was
    called by, its CommandAst; its pipeline position and bound parameters are not modelled (reading them trips)."""
    return ErrorInvocationInfo(position, command, invocation_name, None, None, expecting_input, kind)


def caller_invocation(scope: typing.Any) -> ErrorInvocationInfo:
    """What Write-Error gives its record: the $MyInvocation of the script or function that called it
    (WriteErrorCommand: "set InvocationInfo to the script not the command", SetInvocationInfo(MyInvocation)): a
    function's call, or for a script's top level the script's own invocation, which has no position (its MyCommand,
    a ScriptInfo, is not modelled: reading it trips)."""
    variable = scope.lookup("MyInvocation")
    found = getattr(getattr(variable, "value", None), "error_info", None)
    if found is not None:
        return found
    return ErrorInvocationInfo(EmptyPosition(), None, "", 0, 0, False, "ScriptInfo", script_level=True)


def script_block_invocation(position: ScriptPosition, expecting_input: bool) -> ErrorInvocationInfo:
    """The MyInvocation of a script block run with `&` or `.`: the command's position; its MyCommand (a ScriptInfo)
    and what the host passed are not kept (reading them trips)."""
    return ErrorInvocationInfo(position, None, "", 0, 0, expecting_input, "ScriptInfo", script_level=True)
