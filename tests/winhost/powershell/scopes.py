"""Session state: variable scopes, functions, $env: and the automatic variables."""

from __future__ import annotations

import typing

from psrpcore.types import PSVersion

from .errors import PSError
from .values import PSHashtable

_UNSET = object()


class Variable:
    __slots__ = ("name", "value", "options", "type_constraint")

    def __init__(self, name: str, value: typing.Any, options: str = "None") -> None:
        self.name = name
        self.value = value
        self.options = options
        # `[T]$x = ...` or a typed parameter: later assignments in this scope convert to T (the variable's
        # ArgumentTypeConverterAttribute, about_Variables "Types of variables"); a values.TypeValue, or None.
        self.type_constraint: typing.Any = None


def _private(table: str, item: typing.Any) -> bool:
    """A variable with the Private option is seen only from its own scope (about_Scopes, "Private Option";
    PowerShell's VariableScopeItemSearcher.GetScopeItem skips it in any other scope). Scope-qualified reads
    ($global:x) from another scope are not modelled: they still see it."""
    return table == "variables" and "private" in str(getattr(item, "options", "")).lower()


class Scope:
    def __init__(self, parent: "Scope | None" = None, script_scope: bool = False) -> None:
        self.parent = parent
        self.variables: dict[str, Variable] = {}
        self.functions: dict[str, typing.Any] = {}
        # The script: modifier resolves to the nearest scope created for a script/script block run.
        self.is_script = script_scope or parent is None
        # Set on a module's own script scope (cmdlets/modules.py ModuleInfo).
        self.module: typing.Any = None
        # Aliases defined in this scope (Set-Alias/New-Alias; the built-in ones live in the global scope).
        self.aliases: dict[str, typing.Any] = {}
        # Set-StrictMode of this scope: None inherits the parent's, 0 is -Off, 1 to 3 the version in force.
        self.strict_mode: int | None = None

    def _find(self, table: str, name: str) -> typing.Any:
        """The nearest definition of name in one of the scope tables (variables, functions, aliases), walking
        up to the global scope as PowerShell resolves names (about_Scopes)."""
        key = name.lower()
        scope: Scope | None = self
        while scope is not None:
            found = getattr(scope, table).get(key)
            if found is not None and not (scope is not self and _private(table, found)):
                return found
            scope = scope.parent
        return None

    def visible(self, table: str) -> dict[str, typing.Any]:
        """Every name of one table visible from this scope, the nearest definition of each (Get-Variable, Get-Alias)."""
        seen: dict[str, typing.Any] = {}
        scope: Scope | None = self
        while scope is not None:
            for key, item in getattr(scope, table).items():
                if not (scope is not self and _private(table, item)):
                    seen.setdefault(key, item)
            scope = scope.parent
        return seen

    def lookup(self, name: str) -> Variable | None:
        return self._find("variables", name)

    def set_local(self, name: str, value: typing.Any) -> Variable:
        key = name.lower()
        var = self.variables.get(key)
        if var is None:
            var = Variable(name, value)
            self.variables[key] = var
        else:
            if var.options in ("ReadOnly", "Constant"):
                raise PSError(f"Cannot overwrite variable {var.name} because it is read-only or constant.",
                              exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                              fqid="VariableNotWritable", category="WriteError",
                              reason="SessionStateUnauthorizedAccessException", target=var.name)
            var.value = value
        return var

    def lookup_function(self, name: str) -> typing.Any:
        return self._find("functions", name)

    def lookup_alias(self, name: str) -> typing.Any:
        return self._find("aliases", name)

    def strict_version(self) -> int:
        """The strict mode in force here: Set-StrictMode applies to its scope and the scopes below it."""
        scope: Scope | None = self
        while scope is not None:
            if scope.strict_mode is not None:
                return scope.strict_mode
            scope = scope.parent
        return 0

    def script_scope(self) -> "Scope":
        scope: Scope = self
        while not scope.is_script and scope.parent is not None:
            scope = scope.parent
        return scope

    def module_of(self) -> typing.Any:
        """The module whose session state this scope belongs to (None outside modules)."""
        scope: Scope | None = self
        while scope is not None:
            if scope.module is not None:
                return scope.module
            scope = scope.parent
        return None

    def global_scope(self) -> "Scope":
        scope: Scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def ps_version_table() -> PSHashtable:
    table = PSHashtable()
    table["PSVersion"] = PSVersion("5.1.17763.6414")
    table["PSEdition"] = "Desktop"
    table["PSCompatibleVersions"] = [PSVersion(v) for v in ("1.0", "2.0", "3.0", "4.0", "5.0", "5.1.17763.6414")]
    table["BuildVersion"] = PSVersion("10.0.17763.6414")
    table["CLRVersion"] = PSVersion("4.0.30319.42000")
    table["WSManStackVersion"] = PSVersion("3.0")
    table["PSRemotingProtocolVersion"] = PSVersion("2.3")
    table["SerializationVersion"] = PSVersion("1.1.0.1")
    return table


def seed_globals(scope: Scope, host: typing.Any, error_list: list) -> None:
    values = {
        "true": True, "false": False, "null": None,
        "PID": host.process_id,
        "Error": error_list,
        "PSVersionTable": ps_version_table(),
        "ErrorActionPreference": "Continue",
        "VerbosePreference": "SilentlyContinue",
        "WarningPreference": "Continue",
        "DebugPreference": "SilentlyContinue",
        "InformationPreference": "SilentlyContinue",
        "ProgressPreference": "Continue",
        "ConfirmPreference": "High",
        "WhatIfPreference": False,
        "OFS": " ",
        "LASTEXITCODE": None,
        "HOME": f"C:\\Users\\{host.user_name}",
        "PSHOME": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
        "Host": None,
        "ShellId": "Microsoft.PowerShell",
        "PSSessionApplicationName": "wsman",
        "PSSessionConfigurationName": "http://schemas.microsoft.com/powershell/Microsoft.PowerShell",
        "MaximumHistoryCount": 4096,
        "PSCulture": "en-US",
        "PSUICulture": "en-US",
        # InitialSessionState.BuiltInVariables and about_Preference_Variables' defaults.
        "PSEdition": "Desktop",
        "NestedPromptLevel": 0,
        "ErrorView": "NormalView",
        "FormatEnumerationLimit": 4,
        "PSEmailServer": "",
        "MaximumAliasCount": 4096,
        "MaximumDriveCount": 4096,
        "MaximumErrorCount": 256,
        "MaximumFunctionCount": 4096,
        "MaximumVariableCount": 4096,
        # about_Parameters_Default_Values: empty until a script fills it (binding.apply_default_values reads it).
        "PSDefaultParameterValues": PSHashtable(),
    }
    for name, value in values.items():
        var = scope.set_local(name, value)
        if name.lower() in ("true", "false", "null", "pid", "psversiontable", "error", "host", "shellid", "home", "pshome"):
            var.options = "Constant" if name.lower() in ("true", "false", "null") else "ReadOnly"
    scope.variables.pop("lastexitcode", None)
    scope.variables.pop("host", None)


def default_environment(host: typing.Any) -> dict[str, str]:
    user = host.user_name
    computer = host.computer_name
    return {
        "ALLUSERSPROFILE": "C:\\ProgramData",
        "APPDATA": f"C:\\Users\\{user}\\AppData\\Roaming",
        "COMPUTERNAME": computer,
        "ComSpec": "C:\\Windows\\system32\\cmd.exe",
        "LOCALAPPDATA": f"C:\\Users\\{user}\\AppData\\Local",
        "NUMBER_OF_PROCESSORS": "2",
        "OS": "Windows_NT",
        "Path": "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.CPL",
        "PROCESSOR_ARCHITECTURE": "AMD64",
        "ProgramData": "C:\\ProgramData",
        "ProgramFiles": "C:\\Program Files",
        "ProgramFiles(x86)": "C:\\Program Files (x86)",
        "PSModulePath": f"C:\\Users\\{user}\\Documents\\WindowsPowerShell\\Modules;C:\\Program Files\\WindowsPowerShell\\Modules;"
                        "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules",
        "PUBLIC": "C:\\Users\\Public",
        "SystemDrive": "C:",
        "SystemRoot": "C:\\Windows",
        "TEMP": f"C:\\Users\\{user}\\AppData\\Local\\Temp",
        "TMP": f"C:\\Users\\{user}\\AppData\\Local\\Temp",
        "USERDOMAIN": computer,
        "USERNAME": user,
        "USERPROFILE": f"C:\\Users\\{user}",
        "windir": "C:\\Windows",
    }


class Environment:
    """Case-insensitive process environment (per runspace, like a wsmprovhost process)."""

    def __init__(self, initial: dict[str, str]) -> None:
        self._data: dict[str, tuple[str, str]] = {k.lower(): (k, v) for k, v in initial.items()}

    def get(self, name: str) -> str | None:
        entry = self._data.get(name.lower())
        return None if entry is None else entry[1]

    def set(self, name: str, value: str | None) -> None:
        if value is None or value == "":
            self._data.pop(name.lower(), None)
            return
        existing = self._data.get(name.lower())
        self._data[name.lower()] = (existing[0] if existing else name, value)

    def names(self) -> list[str]:
        return [k for k, _unused in self._data.values()]

    def copy(self) -> "Environment":
        return Environment(dict(self._data.values()))
