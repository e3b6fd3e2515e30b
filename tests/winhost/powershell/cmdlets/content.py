"""The content cmdlets (ContentCommandBase.cs and its subclasses): Get-Content, Set-Content, Add-Content over a
provider's content interface (providers/: IContentCmdletProvider), and Out-File (the FileSystem only, as
PathUtils.MasterStreamOpen requires).

Get-Content reads the FileSystem's files with its dynamic parameters (-Encoding, -Raw, ...: the FileSystem
provider's get_content) and the other providers' items as their readers give them (`Get-Content Env:X`: the
value); a provider without a content interface (WSMan) is PowerShell's IContentCmdletProvider error, written for
that path (ContentCommandBase.GetContentReaders: catch PSNotSupportedException -> WriteError).
"""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import typing

from .. import providers
from .. import values as V
from ..binding import Param
from ..dotnet import Encoding
from ..errors import PSError
from ..formatting_objects import format_for_display
from ..providers.filesystem import FILESYSTEM, encoding_of, io_error
from ..tripwire import not_modelled
from ...machine.disk import READ_ONLY, FSError
from . import Cmdlet, cmdlet
from .items import ItemCmdlet


@cmdlet("Get-Content", "Microsoft.PowerShell.Commands.GetContentCommand", aliases=("gc", "cat", "type"))
class GetContent(ItemCmdlet):
    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("LiteralPath", aliases=("PSPath",), by_property=True),
                  Param("Raw", switch=True), Param("TotalCount", type_name="long", aliases=("First", "Head")),
                  Param("Tail", type_name="int", aliases=("Last",)), Param("Encoding"), Param("ReadCount", type_name="long"),
                  Param("Force", switch=True), Param("Delimiter")]

    def process_record(self, item: typing.Any) -> None:
        self.each_path(self.targets(), lambda p, literal: p.provider.get_content(self, p, literal))


class _WriteContent(ItemCmdlet):
    append = False
    parameters = [Param("Path", 0, by_property=True), Param("Value", 1, pipeline=True, by_property=True),
                  Param("LiteralPath", aliases=("PSPath",), by_property=True), Param("Encoding"), Param("NoNewline", switch=True),
                  Param("Force", switch=True), Param("PassThru", switch=True)]

    def begin_processing(self) -> None:
        self.values: list = []

    def process_record(self, item: typing.Any) -> None:
        if "Value" in self.bound:
            self.values.extend(V.as_list(self.bound.pop("Value")))

    def end_processing(self) -> None:
        self.each_path(self.targets(), lambda p, literal: p.provider.write_content(self, p, literal, self.values, self.append))


@cmdlet("Set-Content", "Microsoft.PowerShell.Commands.SetContentCommand", aliases=("sc",), should_process=True)
class SetContent(_WriteContent):
    append = False


@cmdlet("Add-Content", "Microsoft.PowerShell.Commands.AddContentCommand", aliases=("ac",), should_process=True)
class AddContent(_WriteContent):
    append = True


@cmdlet("Out-File", "Microsoft.PowerShell.Commands.OutFileCommand", should_process=True)
class OutFile(Cmdlet):
    """Out-File (Out-File.cs, PathUtils.MasterStreamOpen): the input formatted as the host would show it, one line
    each, in Windows PowerShell 5.1's default encoding for it (Unicode, with a BOM). The file is opened (created or
    truncated) when the command starts, after ShouldProcess("Output to File") on the path as given."""

    knows_should_process = True
    parameters = [Param("FilePath", 0, aliases=("Path",)), Param("LiteralPath", aliases=("PSPath", "LP")), Param("Encoding", 1),
                  Param("Append", switch=True), Param("Force", switch=True), Param("NoClobber", aliases=("NoOverwrite",), switch=True),
                  Param("Width", type_name="int"), Param("NoNewline", switch=True), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.items: list = []
        self.full: str | None = None
        given = self.get("LiteralPath") if self.get("LiteralPath") is not None else self.get("FilePath")
        if given is None:
            raise self.terminating(PSError("Cannot process command because of one or more missing mandatory parameters: FilePath.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="MissingMandatoryParameter", category="InvalidArgument",
                                           reason="ParameterBindingException"))
        self.encoding = encoding_of(self, "unicode")
        path = V.to_string(given)
        if not self.should_process("Output to File", path):
            return
        try:
            target = providers.resolve(self.ctx, path)
        except PSError as err:
            self.write_error(err)  # DriveNotFound / ProviderNotFound
            return
        if target.provider is not FILESYSTEM:
            # PathUtils.MasterStreamOpen: "Cannot open file because the current provider (...) cannot open a file."
            raise self.terminating(not_modelled(f"Out-File to the {target.provider.name} provider"))
        fs = self.ctx.host.filesystem
        full = fs.normalize(target.path)
        if fs.exists(full) and self.switch("NoClobber") and not self.switch("Append"):
            # PathUtils.MasterStreamOpen: the record's ErrorDetails (UtilityFileExistsNoClobber) is what is shown.
            raise self.terminating(PSError(f"File {full} already exists and NoClobber was specified.",
                                           exception_type="System.IO.IOException", fqid="NoClobber", category="ResourceExists",
                                           reason="IOException", target=full))
        try:
            if fs.exists(full) and self.switch("Force"):
                fs.set_attributes(full, fs.get_attributes(full) & ~READ_ONLY)  # -Force writes a read-only file
            if not (self.switch("Append") and fs.exists(full) and fs.read_bytes(full)):
                # A new or truncated file gets the encoding's preamble however little is written: the StreamWriter
                # writes it on its first Flush, which Out-File makes even with no input.
                fs.write_bytes(full, b"" if self.encoding in ("default", "ascii") else Encoding(self.encoding).preamble)
        except FSError as err:
            raise self.terminating(io_error(err, "FileOpenFailure", "OpenError", full)) from None
        self.full = full

    def process_record(self, item: typing.Any) -> None:
        if "InputObject" in self.bound:
            self.items.extend(V.enumerate_value(self.bound.pop("InputObject")))

    def end_processing(self) -> None:
        if self.full is None:
            return

        # $null is no record for the formatter: `$null | Out-File x -Encoding ASCII` leaves x empty.
        lines = format_for_display([item for item in self.items if item is not None])
        if not lines:
            return
        text = "".join(line + ("" if self.switch("NoNewline") else "\r\n") for line in lines)
        try:
            self.ctx.host.filesystem.write_bytes(self.full, Encoding(self.encoding).encode(text), append=True)
        except FSError as err:
            raise self.terminating(io_error(err, "FileOpenFailure", "OpenError", self.full)) from None
