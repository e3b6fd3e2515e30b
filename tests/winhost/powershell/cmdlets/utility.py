"""Start-Sleep, Get-Date, Invoke-Expression, Get-Command and friends."""

from __future__ import annotations

import datetime
import hashlib
import typing

from psrpcore.types import PSCustomObject, PSObject

from .. import dotnet, providers, tripwire, typeregistry, values as V
from ..binding import Param
from ..commands import resolve_command
from ..errors import PSError, make_exception
from ..formatting import format_datetime, uformat_datetime
from ..members import add_note
from ..parser import parse
from ..providers.filesystem import expand
from . import CMDLETS, Cmdlet, cmdlet


@cmdlet("Start-Sleep", "Microsoft.PowerShell.Commands.StartSleepCommand", aliases=("sleep",))
class StartSleep(Cmdlet):
    parameters = [Param("Seconds", 0, aliases=("s",), type_name="int"), Param("Milliseconds", aliases=("ms",), type_name="int")]

    def process_record(self, item: typing.Any) -> None:
        if self.has("Seconds") and self.has("Milliseconds"):
            raise self.terminating(PSError("Parameter set cannot be resolved using the specified named parameters.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="AmbiguousParameterSet", category="InvalidArgument",
                                           reason="ParameterBindingException"))
        if self.has("Milliseconds"):
            seconds = self.get("Milliseconds") / 1000.0
        elif self.has("Seconds"):
            seconds = float(self.get("Seconds"))
        else:
            raise self.terminating(PSError("Parameter set cannot be resolved using the specified named parameters.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="AmbiguousParameterSet", category="InvalidArgument",
                                           reason="ParameterBindingException"))
        self.ctx.sleep(seconds)


@cmdlet("Get-Date", "Microsoft.PowerShell.Commands.GetDateCommand")
class GetDate(Cmdlet):
    parameters = [Param("Date", 0, pipeline=True, type_name="datetime", aliases=("LastWriteTime",)), Param("Format"),
                  Param("UFormat"), Param("Year", type_name="int"), Param("Month", type_name="int"),
                  Param("Day", type_name="int"), Param("Hour", type_name="int"), Param("Minute", type_name="int"),
                  Param("Second", type_name="int"), Param("Millisecond", type_name="int"), Param("DisplayHint")]

    def process_record(self, item: typing.Any) -> None:
        value = self.get("Date") or datetime.datetime.now()
        changes = {k.lower(): self.get(k) for k in ("Year", "Month", "Day", "Hour", "Minute", "Second") if self.has(k)}
        if changes:
            value = value.replace(**changes)
        if self.has("Millisecond"):
            value = value.replace(microsecond=self.get("Millisecond") * 1000)
        result = V.to_datetime(value)
        if self.has("Format"):
            self.emit(format_datetime(result, V.to_string(self.get("Format"))))
        elif self.has("UFormat"):
            self.emit(uformat_datetime(result, V.to_string(self.get("UFormat"))))
        else:
            self.emit(result)


@cmdlet("Invoke-Expression", "Microsoft.PowerShell.Commands.InvokeExpressionCommand", aliases=("iex",))
class InvokeExpression(Cmdlet):
    parameters = [Param("Command", 0, pipeline=True, mandatory=True, type_name="string")]

    def process_record(self, item: typing.Any) -> None:
        parsed = parse(self.get("Command") or "")
        # The statements run in the caller's scope (a script's top-level `begin { }` is a command here, as it always was).
        script = self.engine.script_ast(V.ScriptBlock(parsed.root, parsed.source))
        if script.end_block is not None:
            self.engine.exec_block(script.end_block, self.emit)


# The common parameters every cmdlet has (about_CommonParameters, 5.1), and the risk mitigation ones of a cmdlet that
# supports ShouldProcess.
_COMMON_PARAMETERS = ("Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable",
                      "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable")


def _cmdlet_parameters(cls: typing.Any) -> typing.Any:
    """CmdletInfo.Parameters: a case-insensitive dictionary of each parameter's name to its ParameterMetadata
    (Keys: the names; 2.16 to 2.18's exec wrapper asks whether ConvertFrom-Json has -AsHashtable, which 5.1's has
    not). Only the parameters the test host's cmdlet has (a subset of Windows' for some cmdlets: STATUS.md);
    the metadata carries Name, and reading anything else of it is a NotImplemented error."""
    table = V.PSHashtable()
    names = [p.name for p in cls.parameters] + list(_COMMON_PARAMETERS)
    if cls.supports_should_process:
        names += ["WhatIf", "Confirm"]
    for name in names:
        meta = PSObject()
        meta.PSObject.type_names = ["System.Management.Automation.ParameterMetadata", "System.Object"]
        add_note(meta, "Name", name)
        meta.PSObject.to_string = "System.Management.Automation.ParameterMetadata"
        table[name] = meta
    return table


@cmdlet("Get-Command", "Microsoft.PowerShell.Commands.GetCommandCommand", aliases=("gcm",))
class GetCommand(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("CommandType")]

    def process_record(self, item: typing.Any) -> None:
        names = V.as_list(self.get("Name")) or sorted(c.name for c in CMDLETS.values())
        # -CommandType Cmdlet (Get-Command docs): only cmdlets, whatever function or alias has the name;
        # -CommandType Application: the files of that name on $env:Path (below); the other command types are not
        # modelled.
        command_type = V.to_string(self.get("CommandType")) if self.has("CommandType") else None
        if command_type is not None and command_type.lower() not in ("cmdlet", "application"):
            raise self.terminating(tripwire.not_modelled(f"Get-Command -CommandType {command_type}"))
        for name in names:
            text = V.to_string(name)
            if command_type is not None and command_type.lower() == "application":
                found = self._applications(text)
                for info in found:
                    self.emit(info)
                if found:
                    continue
                resolved = None
            else:
                resolved = CMDLETS.get(text.lower()) if command_type else resolve_command(self.engine, text)
            if resolved is None:
                # An application of that name not found is not a gap: Windows looks for a file too.
                unmodelled = None if command_type and command_type.lower() == "application" else tripwire.unmodelled_command(text)
                if unmodelled is not None:
                    raise self.terminating(unmodelled)
                self.write_error(PSError(
                    f"The term '{text}' is not recognized as the name of a cmdlet, function, script file, or operable "
                    "program. Check the spelling of the name, or if a path was included, verify that the path is correct "
                    "and try again.",
                    exception_type="System.Management.Automation.CommandNotFoundException",
                    fqid="CommandNotFoundException", category="ObjectNotFound", target=text))
                continue
            info = PSObject()
            is_cmdlet = isinstance(resolved, type)
            info.PSObject.type_names = ["System.Management.Automation.CmdletInfo" if is_cmdlet else
                                        "System.Management.Automation.FunctionInfo", "System.Object"]
            add_note(info, "Name", resolved.name)
            add_note(info, "CommandType", "Cmdlet" if is_cmdlet else "Function")
            if is_cmdlet:
                add_note(info, "Parameters", _cmdlet_parameters(resolved))
            info.PSObject.to_string = resolved.name
            self.emit(info)

    def _applications(self, name: str) -> list[typing.Any]:
        """Get-Command NAME -CommandType Application: each file named NAME (NAME plus each $env:PATHEXT extension when
        NAME has none of them) in each $env:Path directory, in that order, as ApplicationInfo (Name: the file name,
        Path/Definition/Source: the directory's text joined to it, Extension). CommandSearcher
        (System.Management.Automation/engine/CommandSearcher.cs, 5.1) searches the path this way; wildcards and paths
        in NAME are not modelled, but for a drive-qualified path without wildcards (ansible.windows' Resolve-ExecutablePath
        looks up the full path it resolved before): that file, or NAME plus a $env:PATHEXT extension, if it exists
        (CommandSearcher's path resolution; Path its full name)."""
        rooted = len(name) > 2 and name[1] == ":" and name[2] in "\\/" and not any(ch in name for ch in "*?[")
        if rooted:
            name = name.replace("/", "\\")
        if not rooted and any(ch in name for ch in "*?[\\/:"):
            raise self.terminating(tripwire.not_modelled(f"Get-Command -CommandType Application of a path or pattern ({name})"))
        env = self.ctx.session.env
        extensions = [e for e in (env.get("PATHEXT") or "").split(";") if e]
        leaves = [name] if any(name.lower().endswith(e.lower()) for e in extensions) else [name + e.lower() for e in extensions]
        fs = self.ctx.host.filesystem
        out = []
        directories = [name.rsplit("\\", 1)[0]] if rooted else (env.get("Path") or "").split(";")
        if rooted:
            leaves = [leaf.rsplit("\\", 1)[1] for leaf in leaves]
        for directory in directories:
            if not directory:
                continue
            for leaf in leaves:
                candidate = directory.rstrip("\\") + "\\" + leaf
                if not fs.is_file(candidate):
                    continue
                file_name = fs.full_name(candidate).rsplit("\\", 1)[1]
                info = PSObject()
                info.PSObject.type_names = ["System.Management.Automation.ApplicationInfo",
                                            "System.Management.Automation.CommandInfo", "System.Object"]
                path = directory.rstrip("\\") + "\\" + file_name
                for key, value in (("Name", file_name), ("CommandType", "Application"), ("Definition", path),
                                   ("Path", path), ("Source", path), ("Extension", "." + file_name.rsplit(".", 1)[-1])):
                    add_note(info, key, value)
                info.PSObject.to_string = file_name
                out.append(info)
        return out


@cmdlet("New-TimeSpan", "Microsoft.PowerShell.Commands.NewTimeSpanCommand")
class NewTimeSpan(Cmdlet):
    """New-TimeSpan (5.1's two parameter sets): -Start/-End (each now when not given; positions 0 and 1, -LastWriteTime is
    -Start's alias) gives End - Start; -Days/-Hours/-Minutes/-Seconds give that span. The two sets do not mix."""

    parameters = [Param("Start", 0, pipeline=True, type_name="datetime", aliases=("LastWriteTime",)),
                  Param("End", 1, type_name="datetime"), Param("Days", type_name="int"), Param("Hours", type_name="int"),
                  Param("Minutes", type_name="int"), Param("Seconds", type_name="int")]

    def process_record(self, item: typing.Any) -> None:
        by_time = [k for k in ("Days", "Hours", "Minutes", "Seconds") if self.has(k)]
        if by_time and (self.has("Start") or self.has("End")):
            raise self.terminating(PSError("Parameter set cannot be resolved using the specified named parameters.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="AmbiguousParameterSet", category="InvalidArgument"))
        if by_time:
            self.emit(datetime.timedelta(**{k.lower(): self.get(k) for k in by_time}))
            return
        now = datetime.datetime.now()
        # End - Start as DateTime's subtraction: ticks, whatever each one's Kind (learn.microsoft.com,
        # DateTime.Subtraction: "does not consider the value of the Kind property").
        start = V.naive(self.get("Start")).replace(tzinfo=None) if self.has("Start") else now
        end = V.naive(self.get("End")).replace(tzinfo=None) if self.has("End") else now
        self.emit(end - start)


@cmdlet("New-Object", "Microsoft.PowerShell.Commands.NewObjectCommand")
class NewObject(Cmdlet):
    parameters = [Param("TypeName", 0, type_name="string"), Param("ArgumentList", 1, aliases=("Args",)), Param("Property")]

    def process_record(self, item: typing.Any) -> None:
        type_name = V.to_string(self.get("TypeName"))
        low = type_name.lower()
        if low in ("psobject", "system.management.automation.psobject", "pscustomobject", "object", "system.object"):
            obj: typing.Any = PSCustomObject()
            props = self.get("Property")
            if isinstance(props, dict):
                obj = V.cast(props, V.TypeValue("System.Management.Automation.PSCustomObject"))
            self.emit(obj)
            return
        type_value = V.resolve_type(type_name)
        net_type = typeregistry.registered(type_value.full_name)
        if net_type is not None and net_type.constructor is not None:
            self.emit(net_type.constructor(V.as_list(self.get("ArgumentList")) if self.has("ArgumentList") else []))
            return
        if type_value.full_name == "System.Collections.ArrayList":
            self.emit(V.PSArrayList())
            return
        if type_value.full_name.startswith("System.Collections.Generic.List"):
            self.emit(V.PSGenericList())
            return
        if type_value.full_name == "System.Collections.Hashtable":
            self.emit(V.PSHashtable())
            return
        if type_value.full_name == "System.DateTime":
            args = V.as_list(self.get("ArgumentList"))
            # DateTime(year, month, day, hour, minute, second, DateTimeKind): a Utc kind is kept as UTC.
            kind = V.to_string(args.pop()) if len(args) == 7 else "Unspecified"
            if kind not in ("Unspecified", "Local", "Utc"):
                raise self.terminating(tripwire.not_modelled(f"New-Object DateTime with the kind '{kind}'"))
            numbers = [V.cast(a, V.TypeValue("System.Int32")) for a in args]
            made = datetime.datetime(*numbers, tzinfo=datetime.timezone.utc if kind == "Utc" else None)
            self.emit(V.to_datetime(made))
            return
        if type_value.full_name.lower() == "system.byte[]":
            # New-Object byte[] n: an array of n zero bytes (Activator.CreateInstance of an array type takes its
            # length), as [byte[]]::new(n); 2.16 to 2.18's async bootstrap reads its named pipe into one.
            self.emit(dotnet.invoke_static("system.byte[]", "new", V.as_list(self.get("ArgumentList"))
                                           if self.has("ArgumentList") else []))
            return
        if type_value.full_name == "System.Text.UTF8Encoding":
            # As [Text.UTF8Encoding]::new(...) (win_shell prefixes its script with `New-Object Text.UTF8Encoding $false`).
            self.emit(dotnet.invoke_static("system.text.utf8encoding", "new", V.as_list(self.get("ArgumentList"))
                                           if self.has("ArgumentList") else []))
            return
        if type_value.full_name.endswith("Exception"):
            message = V.to_string(self.get("ArgumentList")) if self.has("ArgumentList") else \
                f"Exception of type '{type_value.full_name}' was thrown."
            exc = make_exception(type_value.full_name, message)
            self.emit(exc)
            return
        raise self.terminating(PSError(
            f'Cannot find type [{type_name}]: verify that the assembly containing this type is loaded.',
            exception_type="System.Management.Automation.PSArgumentException", fqid="TypeNotFound",
            category="InvalidType", reason="PSArgumentException"))


# Get-FileHash's -Algorithm ValidateSet and the hashlib name of each (5.1's Microsoft.PowerShell.Utility.psm1).
_FILE_HASHES = {"sha1": "sha1", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512", "md5": "md5",
                "mactripledes": None, "ripemd160": None}


@cmdlet("Get-FileHash", "Microsoft.PowerShell.Commands.GetFileHashCommand")
class GetFileHash(Cmdlet):
    """Get-FileHash -Path/-LiteralPath [-Algorithm]: in 5.1 a function of Microsoft.PowerShell.Utility.psm1 (modelled as
    a command: Get-Command shows it as a cmdlet here). Each path is resolved with Resolve-Path (a missing one is
    Resolve-Path's error), a directory is skipped, each file gives a [pscustomobject] of Algorithm (upper case), Hash
    (upper-case hex) and Path with the type name Microsoft.Powershell.Utility.FileHash inserted first. Not modelled
    (tripwire): -InputStream, MACTripleDES and RIPEMD160."""

    parameters = [Param("Path", 0, pipeline=True, by_property=True), Param("LiteralPath", aliases=("PSPath",), by_property=True),
                  Param("InputStream"), Param("Algorithm", 1)]

    def process_record(self, item: typing.Any) -> None:
        if self.has("InputStream"):
            raise self.terminating(tripwire.not_modelled("Get-FileHash -InputStream"))
        algorithm = V.to_string(self.get("Algorithm") or "SHA256")
        if algorithm.lower() not in _FILE_HASHES:
            raise self.terminating(PSError(
                f"Cannot validate argument on parameter 'Algorithm'. The argument \"{algorithm}\" does not belong to the set "
                "\"SHA1,SHA256,SHA384,SHA512,MACTripleDES,MD5,RIPEMD160\" specified by the ValidateSet attribute. Supply an "
                "argument that is in the set and then try the command again.",
                exception_type="System.Management.Automation.ParameterBindingValidationException",
                fqid="ParameterArgumentValidationError,Get-FileHash", category="InvalidData",
                reason="ParameterBindingValidationException"))
        name = _FILE_HASHES[algorithm.lower()]
        if name is None:
            raise self.terminating(tripwire.not_modelled(f"Get-FileHash -Algorithm {algorithm}"))
        literal = self.get("LiteralPath") is not None
        fs = self.ctx.host.filesystem
        for given in V.as_list(self.get("LiteralPath") if literal else self.get("Path")):
            p = providers.resolve(self.ctx, V.to_string(given))
            if p.provider.name != "FileSystem":
                raise self.terminating(tripwire.not_modelled(f"Get-FileHash on the {p.provider.name} provider"))
            shown, matches = expand(self.ctx, p.path, literal)
            if not matches:
                self.write_error(providers.path_not_found(shown, "Microsoft.PowerShell.Commands.ResolvePathCommand"))
                continue
            for full in matches:
                if fs.is_dir(full):
                    continue
                result = PSCustomObject()
                for prop, value in (("Algorithm", algorithm.upper()),
                                    ("Hash", hashlib.new(name, fs.read_bytes(full)).hexdigest().upper()), ("Path", full)):
                    add_note(result, prop, value)
                result.PSObject.type_names.insert(0, "Microsoft.Powershell.Utility.FileHash")
                self.emit(result)
