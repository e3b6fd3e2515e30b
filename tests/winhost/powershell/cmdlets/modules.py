"""Script modules: Import-Module, Get-Module, Remove-Module, New-Module, Export-ModuleMember.

A module has its own script scope (a child of the global scope, marked with `Scope.module`); functions
defined while it loads carry the module (`FunctionInfo.module`) and run in scopes hung off that module
scope, so `$script:` inside them is the module's, kept for the module's life. Exports are the same
FunctionInfo / Variable objects placed in the importer's scope (global unless imported from a module).
"""

from __future__ import annotations

import typing
import uuid

from psrpcore.types import PSObject, PSVersion

from .. import values as V
from ..binding import Param
from ..dotnet import decode_text
from ..errors import PSError
from ...machine.disk import FSError
from ..members import add_note
from ..scopes import Scope
from . import Cmdlet, cmdlet
from ..providers.filesystem import resolve

_MODULE_EXTENSIONS = (".psm1", ".ps1")


class ModuleInfo:  # pylint: disable=too-many-instance-attributes
    def __init__(self, name: str, path: str, global_scope: Scope, base: str = "") -> None:
        self.name = name
        self.path = path
        self.base = base
        self.scope = Scope(global_scope, script_scope=True)
        self.scope.module = self
        self.export_functions: list[str] | None = None  # None: Export-ModuleMember was never called
        self.export_variables: list[str] = []
        self.export_aliases: list[str] = []
        self.functions: dict[str, typing.Any] = {}  # exported, by lower-case name
        self.variables: dict[str, typing.Any] = {}
        self.imports: list[tuple[Scope, str, typing.Any]] = []  # (scope, lower-case function name, FunctionInfo)
        self.var_imports: list[tuple[Scope, str, typing.Any]] = []
        self._obj: PSObject | None = None

    def compute_exports(self, only_functions: list[str] | None = None) -> None:
        patterns = self.export_functions
        self.functions = {}
        for key, fn in self.scope.functions.items():
            if (patterns is None or _matches(fn.name, patterns)) and (only_functions is None or _matches(fn.name, only_functions)):
                self.functions[key] = fn
        self.variables = {key: var for key, var in self.scope.variables.items() if _matches(var.name, self.export_variables)}
        self._obj = None

    def import_into(self, target: Scope, function_filter: list[str] | None = None,
                    variable_filter: list[str] | None = None) -> None:
        for key, fn in self.functions.items():
            if function_filter is None or _matches(fn.name, function_filter):
                target.functions[key] = fn
                self.imports.append((target, key, fn))
        for key, var in self.variables.items():
            if variable_filter is None or _matches(var.name, variable_filter):
                target.variables[key] = var
                self.var_imports.append((target, key, var))

    def remove_imports(self) -> None:
        for scope, key, fn in self.imports:
            if scope.functions.get(key) is fn:
                del scope.functions[key]
        for scope, key, var in self.var_imports:
            if scope.variables.get(key) is var:
                del scope.variables[key]
        self.imports = []
        self.var_imports = []

    def ps_object(self) -> PSObject:
        if self._obj is not None:
            return self._obj
        obj = PSObject()
        obj.PSObject.type_names = ["System.Management.Automation.PSModuleInfo", "System.Object"]
        functions = V.PSHashtable()
        for fn in self.functions.values():
            functions[fn.name] = fn.name
        variables = V.PSHashtable()
        for var in self.variables.values():
            variables[var.name] = var.value
        for name, value in (("Name", self.name), ("Path", self.path), ("Description", ""),
                            ("Guid", "00000000-0000-0000-0000-000000000000"), ("Version", PSVersion("0.0")),
                            ("ModuleBase", self.base), ("ModuleType", "Script"), ("PrivateData", None),
                            ("AccessMode", "ReadWrite"), ("ExportedAliases", V.PSHashtable()),
                            ("ExportedCmdlets", V.PSHashtable()), ("ExportedFunctions", functions),
                            ("ExportedCommands", functions), ("ExportedVariables", variables), ("NestedModules", [])):
            add_note(obj, name, value)
        obj.PSObject.to_string = self.name
        obj._ps_module = self  # pylint: disable=protected-access  # lets Import-Module/Remove-Module take the object back
        self._obj = obj
        return obj


def _matches(name: str, patterns: list[str]) -> bool:
    return any(V.like(name, p) for p in patterns)


def _names(value: typing.Any) -> list[str]:
    return [V.to_string(v) for v in V.as_list(value) if v is not None]


def _module_of_value(value: typing.Any) -> ModuleInfo | None:
    base = getattr(value, "_ps_module", None)
    return base if isinstance(base, ModuleInfo) else None


def module_not_found(name: str) -> PSError:
    return PSError(f"The specified module '{name}' was not loaded because no valid module file was found in any module directory.",
                   exception_type="System.IO.FileNotFoundException", fqid="Modules_ModuleNotFound",
                   category="ResourceUnavailable", reason="FileNotFoundException", target=name)


def load_module(cmd: Cmdlet, module: ModuleInfo, block: typing.Any, text: str | None, args: list) -> None:
    """Run a module's body in its own scope, then work out its exports."""
    engine = cmd.engine
    if module.base:
        module.scope.set_local("PSScriptRoot", module.base)
        module.scope.set_local("PSCommandPath", module.path)
    if text is not None:
        engine.run_script_text(text, scope=module.scope, sink=cmd.emit, args=args)
    else:
        engine.invoke_script_block(block, args, cmd.emit, scope=module.scope)


def _import_target(cmd: Cmdlet) -> Scope:
    scope_arg = V.to_string(cmd.get("Scope") or "").lower()
    current = cmd.ctx.scope
    if cmd.switch("Global") or scope_arg == "global":
        return current.global_scope()
    if scope_arg == "local":
        return current
    calling_module = current.module_of()
    # From the prompt, a script or a script block the import lands in the global session state;
    # from inside a module, in that module's own session state.
    return calling_module.scope if calling_module is not None else current.global_scope()


@cmdlet("Import-Module", "Microsoft.PowerShell.Commands.ImportModuleCommand", aliases=("ipmo",))
class ImportModule(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("ModuleInfo"), Param("Global", switch=True),
                  Param("Force", switch=True), Param("PassThru", switch=True), Param("Function"), Param("Variable"),
                  Param("Alias"), Param("Cmdlet"), Param("ArgumentList", aliases=("Args",)), Param("Scope"),
                  Param("Prefix"), Param("DisableNameChecking", switch=True), Param("NoClobber", switch=True),
                  Param("AsCustomObject", switch=True), Param("MinimumVersion"), Param("RequiredVersion")]

    def process_record(self, item: typing.Any) -> None:
        values = V.as_list(self.get("ModuleInfo")) + V.as_list(self.get("Name"))
        for value in values:
            module = _module_of_value(value)
            if module is not None:
                self._import(module)
                continue
            self._import_name(V.to_string(value))

    def _import_name(self, name: str) -> None:
        session = self.ctx.session
        fs = self.ctx.host.filesystem
        is_path = "\\" in name or "/" in name or name.lower().endswith((".psm1", ".ps1", ".psd1")) or ":" in name
        if is_path:
            try:
                full = fs.full_name(resolve(self.ctx, name))
            except FSError:
                self.write_error(module_not_found(name))
                return
            if fs.is_dir(full):
                leaf = full.rstrip("\\").rsplit("\\", 1)[-1]
                full = next((f"{full}\\{leaf}{ext}" for ext in _MODULE_EXTENSIONS if fs.is_file(f"{full}\\{leaf}{ext}")), full)
        else:
            loaded = [m for m in session.modules if m.name.lower() == name.lower()]
            if loaded and not self.switch("Force"):
                self._import(loaded[-1])
                return
            full = self._search_module_path(name)
        if full is None or not fs.is_file(full):
            self.write_error(module_not_found(name))
            return
        if full.lower().endswith(".psd1"):
            self.write_error(PSError(f"The module manifest '{full}' could not be processed because this host does not support "
                                     "module manifests (.psd1).", exception_type="System.NotSupportedException",
                                     fqid="Modules_ManifestNotSupported", category="NotImplemented",
                                     reason="NotSupportedException", target=full))
            return
        existing = next((m for m in session.modules if m.path.lower() == full.lower()), None)
        if existing is not None:
            if not self.switch("Force"):
                self._import(existing)
                return
            _unload(session, existing)
        try:
            text = decode_text(fs.read_bytes(full))
        except FSError:
            self.write_error(module_not_found(name))
            return
        leaf = full.rsplit("\\", 1)[-1]
        module = ModuleInfo(leaf.rsplit(".", 1)[0], full, session.global_scope, full.rsplit("\\", 1)[0])
        load_module(self, module, None, text, V.as_list(self.get("ArgumentList")))
        module.compute_exports()
        self._import(module)

    def _search_module_path(self, name: str) -> str | None:
        fs = self.ctx.host.filesystem
        for directory in (self.ctx.session.env.get("PSModulePath") or "").split(";"):
            if not directory:
                continue
            for ext in _MODULE_EXTENSIONS:
                candidate = f"{directory.rstrip(chr(92))}\\{name}\\{name}{ext}"
                if fs.is_file(candidate):
                    return fs.full_name(candidate)
        return None

    def _import(self, module: ModuleInfo) -> None:
        if self.switch("AsCustomObject"):
            raise self.terminating(PSError("Import-Module -AsCustomObject is not supported by this host.",
                                           exception_type="System.NotSupportedException", fqid="AsCustomObjectNotSupported",
                                           category="NotImplemented", reason="NotSupportedException"))
        session = self.ctx.session
        module.import_into(_import_target(self), _names(self.get("Function")) if self.has("Function") else None,
                           _names(self.get("Variable")) if self.has("Variable") else None)
        if module not in session.modules:
            session.modules.append(module)
        if self.switch("PassThru"):
            self.emit(module.ps_object())


def _unload(session: typing.Any, module: ModuleInfo) -> None:
    module.remove_imports()
    if module in session.modules:
        session.modules.remove(module)


@cmdlet("Get-Module", "Microsoft.PowerShell.Commands.GetModuleCommand", aliases=("gmo",))
class GetModule(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("ListAvailable", switch=True), Param("All", switch=True),
                  Param("Refresh", switch=True), Param("FullyQualifiedName")]

    def end_processing(self) -> None:
        patterns = _names(self.get("Name")) or ["*"]
        if self.switch("ListAvailable"):
            for module in self._available():
                if _matches(module.name, patterns):
                    self.emit(module.ps_object())
            return
        for module in sorted(self.ctx.session.modules, key=lambda m: m.name.lower()):
            if _matches(module.name, patterns):
                self.emit(module.ps_object())

    def _available(self) -> list[ModuleInfo]:
        fs = self.ctx.host.filesystem
        found = []
        for directory in (self.ctx.session.env.get("PSModulePath") or "").split(";"):
            if not directory or not fs.is_dir(directory):
                continue
            for entry in fs.children(directory):
                leaf = entry.full_name.rsplit("\\", 1)[-1]
                path = f"{entry.full_name}\\{leaf}.psm1"
                if fs.is_file(path):
                    found.append(ModuleInfo(leaf, path, self.ctx.session.global_scope, entry.full_name))
        return found


@cmdlet("Remove-Module", "Microsoft.PowerShell.Commands.RemoveModuleCommand", aliases=("rmo",), should_process=True)
class RemoveModule(Cmdlet):
    parameters = [Param("Name", 0, pipeline=True), Param("ModuleInfo"), Param("Force", switch=True),
                  Param("FullyQualifiedName")]

    def begin_processing(self) -> None:
        self.removed = 0  # pylint: disable=attribute-defined-outside-init

    def process_record(self, item: typing.Any) -> None:
        session = self.ctx.session
        for value in V.as_list(self.get("ModuleInfo")) + V.as_list(self.get("Name")):
            module = _module_of_value(value)
            targets = [module] if module is not None else \
                [m for m in session.modules if V.like(m.name, V.to_string(value))]
            for target in targets:
                if target is not None:
                    _unload(session, target)
                    self.removed += 1

    def end_processing(self) -> None:
        if not self.removed:
            self.write_error(PSError("No modules were removed. Verify that the specification of modules to remove is correct "
                                     "and those modules exist in the runspace.",
                                     exception_type="System.InvalidOperationException", fqid="Modules_NoModulesRemoved",
                                     category="ResourceUnavailable", reason="InvalidOperationException"))


@cmdlet("New-Module", "Microsoft.PowerShell.Commands.NewModuleCommand", aliases=("nmo",))
class NewModule(Cmdlet):
    parameters = [Param("Name", 0), Param("ScriptBlock", 1), Param("Function"), Param("Cmdlet"),
                  Param("ReturnResult", switch=True), Param("AsCustomObject", switch=True),
                  Param("ArgumentList", aliases=("Args",))]

    def end_processing(self) -> None:
        name, block = self.get("Name"), self.get("ScriptBlock")
        if block is None and isinstance(name, V.ScriptBlock):
            name, block = None, name
        if not isinstance(block, V.ScriptBlock):
            raise self.terminating(PSError("Cannot bind argument to parameter 'ScriptBlock' because it is null.",
                                           exception_type="System.Management.Automation.ParameterBindingException",
                                           fqid="ParameterArgumentValidationErrorNullNotAllowed", category="InvalidData",
                                           reason="ParameterBindingValidationException"))
        if self.switch("AsCustomObject"):
            raise self.terminating(PSError("New-Module -AsCustomObject is not supported by this host.",
                                           exception_type="System.NotSupportedException", fqid="AsCustomObjectNotSupported",
                                           category="NotImplemented", reason="NotSupportedException"))
        guid = str(uuid.uuid4())
        module = ModuleInfo(V.to_string(name) if name is not None else f"__DynamicModule_{guid}", guid,
                            self.ctx.session.global_scope)
        results: list = []
        saved = self.emit
        self.emit = results.append
        try:
            load_module(self, module, block, None, V.as_list(self.get("ArgumentList")))
        finally:
            self.emit = saved
        module.compute_exports(_names(self.get("Function")) if self.has("Function") else None)
        # A dynamic module's members are available at once; Get-Module lists it only once piped to Import-Module.
        module.import_into(_import_target(self))
        if self.switch("ReturnResult"):
            for value in results:
                self.emit(value)
            return
        self.emit(module.ps_object())


@cmdlet("Export-ModuleMember", "Microsoft.PowerShell.Commands.ExportModuleMemberCommand")
class ExportModuleMember(Cmdlet):
    parameters = [Param("Function", 0, pipeline=True, by_property=True), Param("Cmdlet"), Param("Variable"), Param("Alias")]

    def process_record(self, item: typing.Any) -> None:
        module = self.ctx.scope.module_of()
        if module is None:
            raise self.terminating(PSError("The Export-ModuleMember cmdlet can only be called from inside a module.",
                                           exception_type="System.InvalidOperationException",
                                           fqid="Modules_CanOnlyExecuteExportModuleMemberInsideAModule",
                                           category="PermissionDenied", reason="InvalidOperationException"))
        if module.export_functions is None:
            module.export_functions = []
        module.export_functions.extend(_names(self.get("Function")))
        module.export_variables.extend(_names(self.get("Variable")))
        module.export_aliases.extend(_names(self.get("Alias")))
