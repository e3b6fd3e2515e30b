"""What a session's scripts share besides variables and functions: aliases and strict mode.

Aliases (about_Aliases, about_Command_Precedence): a session starts with Windows PowerShell 5.1's
built-in aliases (InitialSessionState.BuiltInAliases; those whose command this host has), all
AllScope and most ReadOnly; Set-Alias/New-Alias add or change one in a scope (local by default),
Get-Alias lists them, and, as in 5.1, there is no Remove-Alias (PowerShell 6 added it): an alias
is removed with `Remove-Item Alias:\\name` (providers/alias.py). Aliases are resolved before
functions and cmdlets (commands.resolve_command).

Set-StrictMode (Set-StrictMode docs; about_Scopes): -Version 1.0 forbids reading unset variables
outside strings, 2.0 also in strings and non-existent properties (including the intrinsic
Count/Length of a scalar, PowerShell/PowerShell#2798), Latest (3.0 in 5.1) also indexes outside an
array; -Off. It applies to the current scope and those below it (the evaluator reads
Scope.strict_version()).
"""

from __future__ import annotations

import typing

from .. import values as V
from ..binding import Param
from ..dotnet import NetObject
from ..typeregistry import net_property
from ..errors import PSError
from ..scopes import Scope
from ..tripwire import not_modelled
from . import CMDLETS, Cmdlet, cmdlet
from .variables import target_scope

# Windows PowerShell 5.1's built-in aliases (InitialSessionState.BuiltInAliases): name -> (command, ReadOnly).
# Every one is AllScope. Only those whose command the test host has are created (see builtin_aliases); the
# others stay unknown commands, as their cmdlets are.
_BUILTIN: dict[str, tuple[str, bool]] = {
    "foreach": ("ForEach-Object", True), "%": ("ForEach-Object", True), "where": ("Where-Object", True),
    "?": ("Where-Object", True), "ac": ("Add-Content", True), "clv": ("Clear-Variable", True),
    "gal": ("Get-Alias", True), "gc": ("Get-Content", True), "gci": ("Get-ChildItem", True), "gcm": ("Get-Command", True),
    "gi": ("Get-Item", True), "gp": ("Get-ItemProperty", True), "gmo": ("Get-Module", True), "group": ("Group-Object", True), "gv": ("Get-Variable", True),
    "iex": ("Invoke-Expression", True), "ipmo": ("Import-Module", True), "measure": ("Measure-Object", True),
    "nal": ("New-Alias", True), "ni": ("New-Item", True), "nv": ("New-Variable", True), "nmo": ("New-Module", True),
    "ri": ("Remove-Item", True), "rmo": ("Remove-Module", True), "rv": ("Remove-Variable", True),
    "sal": ("Set-Alias", True), "sc": ("Set-Content", True), "select": ("Select-Object", True), "si": ("Set-Item", True),
    "sleep": ("Start-Sleep", True), "sort": ("Sort-Object", True), "sv": ("Set-Variable", True),
    "write": ("Write-Output", True), "cat": ("Get-Content", False), "ls": ("Get-ChildItem", False),
    "rm": ("Remove-Item", False), "rmdir": ("Remove-Item", False), "echo": ("Write-Output", False),
    "del": ("Remove-Item", False), "dir": ("Get-ChildItem", False), "erase": ("Remove-Item", False),
    "rd": ("Remove-Item", False), "set": ("Set-Variable", False), "type": ("Get-Content", False),
    "cpi": ("Copy-Item", True), "mi": ("Move-Item", True), "copy": ("Copy-Item", False), "cp": ("Copy-Item", False),
    "move": ("Move-Item", False), "mv": ("Move-Item", False),
    "gjb": ("Get-Job", False), "rcjb": ("Receive-Job", False), "rjb": ("Remove-Job", False), "sajb": ("Start-Job", False),
    "spjb": ("Stop-Job", False), "wjb": ("Wait-Job", False),
    "gsv": ("Get-Service", True), "sasv": ("Start-Service", True), "spsv": ("Stop-Service", True),
}


class AliasInfo(NetObject):
    """System.Management.Automation.AliasInfo, as Get-Alias and Set-Alias -PassThru give it."""

    type_names = ["System.Management.Automation.AliasInfo", "System.Management.Automation.CommandInfo", "System.Object"]

    def __init__(self, name: str, definition: str, options: str = "None", description: str = "") -> None:
        self.name = name
        self.definition = definition
        self.options = options
        self.description = description

    @net_property("Name")
    def _name(self) -> str:
        return self.name

    @net_property("Definition")
    def _definition(self) -> str:
        return self.definition

    @net_property("ResolvedCommandName")
    def _resolved_command_name(self) -> str:
        return self.definition

    @net_property("CommandType")
    def _command_type(self) -> str:
        return "Alias"

    @net_property("Options")
    def _options(self) -> str:
        return self.options

    @net_property("Description")
    def _description(self) -> str:
        return self.description

    @net_property("DisplayName")
    def _display_name(self) -> str:
        return f"{self.name} -> {self.definition}"

    @net_property("ModuleName")
    def _module_name(self) -> str:
        return ""

    @net_property("Visibility")
    def _visibility(self) -> str:
        return "Public"

    def to_string(self) -> str:
        return self.name

    def wire_properties(self) -> list[tuple[str, typing.Any]]:
        # What it sends is what it declares, in declaration order.
        return [(name, self.get_member(name)) for name in type(self).net_members.property_names()]

    @property
    def read_only(self) -> bool:
        return "readonly" in self.options.lower() or self.constant

    @property
    def constant(self) -> bool:
        """Constant: not written or removed even with -Force (SessionStateScope.SetAliasValue/RemoveAlias test
        Constant before they look at force; ReadOnly gives way to -Force)."""
        return "constant" in self.options.lower()


def builtin_aliases() -> dict[str, AliasInfo]:
    """A new session's aliases (the global scope's), for the commands this host has."""
    return {name: AliasInfo(name, command, "ReadOnly, AllScope" if read_only else "AllScope")
            for name, (command, read_only) in _BUILTIN.items() if command.lower() in CMDLETS}


def visible_aliases(scope: Scope) -> dict[str, AliasInfo]:
    return scope.visible("aliases")


def _owner(scope: Scope, key: str) -> Scope | None:
    current: Scope | None = scope
    while current is not None:
        if key in current.aliases:
            return current
        current = current.parent
    return None


class _AliasWriter(Cmdlet):
    parameters = [Param("Name", 0), Param("Value", 1), Param("Description"), Param("Option"), Param("PassThru", switch=True),
                  Param("Scope"), Param("Force", switch=True)]
    replace_existing = True

    def process_record(self, item: typing.Any) -> None:
        name = V.to_string(self.get("Name"))
        key = name.lower()
        scope = target_scope(self, self.get("Scope"))
        existing_scope = _owner(scope, key)
        existing = existing_scope.aliases[key] if existing_scope is not None else None
        # An AllScope alias is the same alias in every scope: writing it changes that one.
        if existing is not None and (existing_scope is scope or "allscope" in existing.options.lower()):
            if not self.replace_existing and not self.switch("Force"):
                self.write_error(PSError(f"The alias is not allowed, because an alias with the name '{name}' already exists.",
                                         exception_type="System.Management.Automation.SessionStateException",
                                         fqid="AliasAlreadyExists", category="ResourceExists", reason="SessionStateException",
                                         target=name))
                return
            if existing.constant or (existing.read_only and not self.switch("Force")):
                self.write_error(PSError(f"Alias is not writeable because alias {existing.name} is read-only or constant and "
                                         "cannot be written to.",
                                         exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                                         fqid="AliasNotWritable", category="WriteError",
                                         reason="SessionStateUnauthorizedAccessException", target=name))
                return
            scope = existing_scope
        options = V.to_string(self.get("Option")) if self.has("Option") else (existing.options if existing else "None")
        alias = AliasInfo(name, V.to_string(self.get("Value")), options,
                          V.to_string(self.get("Description")) if self.has("Description") else "")
        scope.aliases[key] = alias
        if self.switch("PassThru"):
            self.emit(alias)


@cmdlet("Set-Alias", "Microsoft.PowerShell.Commands.SetAliasCommand", should_process=True)
class SetAlias(_AliasWriter):
    replace_existing = True


@cmdlet("New-Alias", "Microsoft.PowerShell.Commands.NewAliasCommand", should_process=True)
class NewAlias(_AliasWriter):
    replace_existing = False


@cmdlet("Get-Alias", "Microsoft.PowerShell.Commands.GetAliasCommand")
class GetAlias(Cmdlet):
    parameters = [Param("Name", 0), Param("Definition"), Param("Exclude"), Param("Scope")]

    def end_processing(self) -> None:
        scope = target_scope(self, self.get("Scope"))
        aliases = visible_aliases(scope) if self.get("Scope") is None else dict(scope.aliases)
        ordered = [aliases[k] for k in sorted(aliases)]
        excludes = [V.to_string(x) for x in V.as_list(self.get("Exclude"))]
        ordered = [a for a in ordered if not any(V.like(a.name, x) for x in excludes)]
        if self.has("Definition"):
            for pattern in (V.to_string(x) for x in V.as_list(self.get("Definition"))):
                for alias in ordered:
                    if V.like(alias.definition, pattern):
                        self.emit(alias)
            return
        for pattern in [V.to_string(x) for x in V.as_list(self.get("Name"))] or ["*"]:
            found = [a for a in ordered if V.like(a.name, pattern)]
            if not found and not any(ch in pattern for ch in "*?["):
                self.write_error(PSError(f"This command cannot find a matching alias because an alias with the name "
                                         f"'{pattern}' does not exist.",
                                         exception_type="System.Management.Automation.ItemNotFoundException",
                                         fqid="ItemNotFoundException", category="ObjectNotFound",
                                         reason="ItemNotFoundException", target=pattern))
            for alias in found:
                self.emit(alias)


_STRICT_VERSIONS = {"1": 1, "1.0": 1, "2": 2, "2.0": 2, "3": 3, "3.0": 3, "latest": 3}


@cmdlet("Set-StrictMode", "Microsoft.PowerShell.Commands.SetStrictModeCommand")
class SetStrictMode(Cmdlet):
    parameters = [Param("Version", aliases=("v",)), Param("Off", switch=True)]

    def end_processing(self) -> None:
        if self.switch("Off"):
            self.ctx.scope.strict_mode = 0
            return
        if not self.has("Version"):
            raise self.terminating(PSError("Parameter set cannot be resolved using the specified named parameters.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="AmbiguousParameterSet", category="InvalidArgument",
                                           reason="ParameterBindingException"))
        text = V.to_string(self.get("Version")).strip().lower()
        version = _STRICT_VERSIONS.get(text)
        if version is None:
            # 5.1 may take 4.0 and 5.0 too (not checked against Windows): anything but 1, 2, 3 and Latest is not modelled.

            raise self.terminating(not_modelled(f"Set-StrictMode -Version {text}"))
        self.ctx.scope.strict_mode = version
