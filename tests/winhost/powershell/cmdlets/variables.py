"""Variable cmdlets: Get-Variable, Set-Variable, New-Variable, Remove-Variable, Clear-Variable."""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .. import values as V
from ..binding import Param
from ..errors import PSError, variable_not_found
from ..members import add_note
from ..scopes import Scope
from . import Cmdlet, cmdlet


def target_scope(cmd: Cmdlet, scope_arg: typing.Any) -> Scope:
    current = cmd.ctx.scope
    if scope_arg is None:
        return current
    text = V.to_string(scope_arg).lower()
    if text == "global":
        return current.global_scope()
    if text == "script":
        return current.script_scope()
    if text in ("local", "private", "0"):
        return current
    if text.isdigit():
        scope = current
        for _unused in range(int(text)):
            if scope.parent is None:
                raise cmd.terminating(PSError(
                    "The scope number '" + text + "' exceeds the number of active scopes.\r\nParameter name: Scope\r\n"
                    "Actual value was " + text + ".",
                    exception_type="System.Management.Automation.PSArgumentOutOfRangeException",
                    fqid="ArgumentOutOfRange", category="InvalidArgument", reason="PSArgumentOutOfRangeException"))
            scope = scope.parent
        return scope
    raise cmd.terminating(PSError(
        f"The scope \"{V.to_string(scope_arg)}\" could not be found.",
        exception_type="System.ArgumentException", fqid="Argument", category="InvalidArgument", reason="ArgumentException"))


def ps_variable(name: str, value: typing.Any, options: str = "None") -> PSObject:
    obj = PSObject()
    obj.PSObject.type_names = ["System.Management.Automation.PSVariable", "System.Object"]
    add_note(obj, "Name", name)
    add_note(obj, "Description", "")
    add_note(obj, "Value", value)
    add_note(obj, "Visibility", "Public")
    add_note(obj, "Module", None)
    add_note(obj, "ModuleName", "")
    add_note(obj, "Options", options)
    add_note(obj, "Attributes", [])
    obj.PSObject.to_string = "System.Management.Automation.PSVariable"
    return obj


def _visible(scope: Scope) -> dict[str, typing.Any]:
    return scope.visible("variables")


@cmdlet("Get-Variable", "Microsoft.PowerShell.Commands.GetVariableCommand", aliases=("gv",))
class GetVariable(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("ValueOnly", switch=True), Param("Scope"),
                  Param("Include"), Param("Exclude")]

    def process_record(self, item: typing.Any) -> None:
        scope = target_scope(self, self.get("Scope"))
        names = [V.to_string(n) for n in V.as_list(self.get("Name"))] or ["*"]
        variables = _visible(scope) if self.get("Scope") is None else dict(scope.variables)
        for name in names:
            matches = [var for key, var in sorted(variables.items()) if V.like(key, name)]
            if not matches and not any(ch in name for ch in "*?["):
                self.write_error(variable_not_found(name, self.dotnet))
                continue
            for var in matches:
                self.emit(var.value if self.switch("ValueOnly") else ps_variable(var.name, var.value, var.options))


@cmdlet("Set-Variable", "Microsoft.PowerShell.Commands.SetVariableCommand", aliases=("set", "sv"), should_process=True)
class SetVariable(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("Value", 1), Param("Scope"), Param("Option"),
                  Param("PassThru", switch=True), Param("Force", switch=True), Param("Description")]

    _processed = False

    def process_record(self, item: typing.Any) -> None:
        self._processed = True
        self._set()

    def end_processing(self) -> None:
        # SetVariableCommand.EndProcessing: with -Name and -Value given as parameters the variable is set even when no
        # record came (a Set-Variable after another command in a pipeline, which gets no input: setup.ps1 of
        # ansible.windows chains AddCommand('Set-Variable') three times on one [PowerShell]).
        if not self._processed and self.has("Name") and self.has("Value"):
            self._set()

    def _set(self) -> None:
        scope = target_scope(self, self.get("Scope"))
        for name in V.as_list(self.get("Name")):
            text = V.to_string(name)
            var = scope.set_local(text, self.get("Value"))
            if self.has("Option"):
                var.options = V.to_string(self.get("Option"))
            if self.switch("PassThru"):
                self.emit(ps_variable(var.name, var.value, var.options))


@cmdlet("New-Variable", "Microsoft.PowerShell.Commands.NewVariableCommand", aliases=("nv",), should_process=True)
class NewVariable(Cmdlet):
    parameters = [Param("Name", 0), Param("Value", 1), Param("Scope"), Param("Option"), Param("PassThru", switch=True),
                  Param("Force", switch=True), Param("Description")]

    def process_record(self, item: typing.Any) -> None:
        scope = target_scope(self, self.get("Scope"))
        name = V.to_string(self.get("Name"))
        if name.lower() in scope.variables and not self.switch("Force"):
            self.write_error(PSError(f"A variable with name '{name}' already exists.",
                                     exception_type="System.Management.Automation.SessionStateException",
                                     fqid="VariableAlreadyExists", category="ResourceExists",
                                     reason="SessionStateException", target=name))
            return
        var = scope.set_local(name, self.get("Value"))
        if self.has("Option"):
            var.options = V.to_string(self.get("Option"))
        if self.switch("PassThru"):
            self.emit(ps_variable(var.name, var.value, var.options))


@cmdlet("Remove-Variable", "Microsoft.PowerShell.Commands.RemoveVariableCommand", aliases=("rv",), should_process=True)
class RemoveVariable(Cmdlet):
    parameters = [Param("Name", 0), Param("Scope"), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        explicit = self.get("Scope") is not None
        for name in V.as_list(self.get("Name")):
            text = V.to_string(name)
            scope: Scope | None = target_scope(self, self.get("Scope"))
            removed = False
            while scope is not None:
                keys = [k for k in scope.variables if V.like(k, text)]
                for key in keys:
                    if scope.variables[key].options in ("Constant", "ReadOnly") and not self.switch("Force"):
                        self.write_error(PSError(
                            f"Cannot remove variable {scope.variables[key].name} because it is constant or read-only. If "
                            "the variable is read-only, try the operation again specifying the Force option.",
                            exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                            fqid="VariableNotRemovable", category="WriteError",
                            reason="SessionStateUnauthorizedAccessException", target=scope.variables[key].name))
                        removed = True
                        continue
                    del scope.variables[key]
                    removed = True
                if removed or explicit:
                    break
                scope = scope.parent
            if not removed and not any(ch in text for ch in "*?["):
                self.write_error(variable_not_found(text, self.dotnet))


@cmdlet("Clear-Variable", "Microsoft.PowerShell.Commands.ClearVariableCommand", aliases=("clv",), should_process=True)
class ClearVariable(Cmdlet):
    parameters = [Param("Name", 0), Param("Scope"), Param("PassThru", switch=True), Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        scope = target_scope(self, self.get("Scope"))
        for name in V.as_list(self.get("Name")):
            var = scope.lookup(V.to_string(name))
            if var is None:
                self.write_error(variable_not_found(V.to_string(name), self.dotnet))
                continue
            var.value = None
