"""CodeDom's C# compiler as Windows PowerShell 5.1 reaches it, compiling through Python stand-ins.

Ansible.ModuleUtils.AddType.psm1's Add-CSharpType compiles C# on Windows PowerShell 5.1 with CodeDom
(System.CodeDom.Compiler, Microsoft.CSharp; .NET Framework docs): a `CompilerParameters` (GenerateExecutable,
GenerateInMemory, TreatWarningsAsErrors, IncludeDebugInformation, TempFiles, CompilerOptions,
ReferencedAssemblies), a `TempFileCollection(tempDir, keepFiles)`, `CSharpCodeProvider.
CompileAssemblyFromSource(parameters, sources)` and its `CompilerResults` (Errors: a CompilerErrorCollection
with HasErrors/HasWarnings/Count; CompiledAssembly). The test host has no csc.exe: the sources go to
`standins.compile_csharp`, which declares their types through Python stand-ins. A source whose namespace has
no stand-in makes CompileAssemblyFromSource throw (NotImplementedException, the message naming the
namespace, from `standins.NoStandIn`): it is not a compiler error of the source, so it is not reported as
one in CompilerResults.Errors. The compiler options and referenced assemblies are kept (readable) but do not
change what a stand-in declares.

Also the reflection AddType.psm1 uses around it: `[System.Reflection.Assembly]::GetAssembly([T])`,
`[T].Assembly` (Location, FullName, GetType(name), GetTypes()) and System.Management.Automation.
TypeAccelerators (`::Add(name, [type])`, `::Get`), through which `//TypeAccelerator` comments are applied.
"""

from __future__ import annotations

import random
import string
import typing

from .. import standins, tripwire, typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload, void
from ..typeregistry import net_method, net_property, net_setter
from ..errors import PSError, make_exception
from ..shouldprocess import not_modelled
from .reflection import HostKeptStaticField

# Where Windows PowerShell 5.1 loads System.Management.Automation from (the GAC_MSIL path of 3.0.0.0).
SMA_LOCATION = ("C:\\Windows\\Microsoft.Net\\assembly\\GAC_MSIL\\System.Management.Automation\\"
                "v4.0_3.0.0.0__31bf3856ad364e35\\System.Management.Automation.dll")
SMA_NAME = "System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
MSCORLIB_LOCATION = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\mscorlib.dll"
MSCORLIB_NAME = "mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"


class StringCollection(NetObject, list):
    """System.Collections.Specialized.StringCollection (CompilerParameters.ReferencedAssemblies)."""

    type_names = ["System.Collections.Specialized.StringCollection", "System.Object"]

    @net_property("Count")
    def _count(self) -> int:
        return len(self)

    @net_method("Add")
    def _add(self, value: typing.Any) -> int:
        self.append(None if value is None else V.to_string(value))
        return len(self) - 1

    @net_method("AddRange")
    def _add_range(self, values: typing.Any) -> typing.Any:
        self.extend(V.to_string(v) for v in V.as_list(values))
        return void()

    @net_method("Contains")
    def _contains(self, value: typing.Any) -> bool:
        return V.to_string(value) in self

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class TempFileCollection(NetObject):
    type_names = ["System.CodeDom.Compiler.TempFileCollection", "System.Object"]

    def __init__(self, temp_dir: str, keep_files: bool) -> None:
        self.temp_dir = temp_dir
        self.keep_files = keep_files

    @net_property("TempDir")
    def _temp_dir(self) -> str:
        return self.temp_dir

    @net_property("KeepFiles")
    def _keep_files(self) -> bool:
        return self.keep_files

    @net_property("Count")
    def _count(self) -> int:
        return 0


def _new_temp_files(args: list) -> TempFileCollection:
    if not args:
        return TempFileCollection("", False)
    if len(args) in (1, 2):
        return TempFileCollection(V.to_string(args[0]), V.to_bool(args[1]) if len(args) == 2 else False)
    raise _overload("new", len(args))


class CompilerParameters(NetObject):
    type_names = ["System.CodeDom.Compiler.CompilerParameters", "System.Object"]

    _BOOLS = ("GenerateExecutable", "GenerateInMemory", "TreatWarningsAsErrors", "IncludeDebugInformation")

    def __init__(self) -> None:
        self.values: dict[str, typing.Any] = {name.lower(): False for name in self._BOOLS}
        self.values["compileroptions"] = None
        self.values["warninglevel"] = -1
        self.values["outputassembly"] = None
        self.values["tempfiles"] = TempFileCollection("", False)
        self.values["referencedassemblies"] = StringCollection()

    @net_property("ReferencedAssemblies")  # read-only: setting it is PowerShell's own error
    def _referenced_assemblies(self) -> "StringCollection":
        return self.values["referencedassemblies"]

    @net_property("TempFiles")
    def _temp_files(self) -> TempFileCollection:
        return self.values["tempfiles"]

    @net_setter("TempFiles")
    def _set_temp_files(self, value: typing.Any) -> None:
        if not isinstance(value, TempFileCollection):
            raise PSError(f'Exception setting "TempFiles": "Cannot convert the "{V.to_string(value)}" value of type '
                          f'"{V.ps_type_name(value)}" to type "System.CodeDom.Compiler.TempFileCollection"."',
                          fqid="ExceptionWhenSetting", reason="SetValueInvocationException",
                          exception_type="System.Management.Automation.SetValueInvocationException")
        self.values["tempfiles"] = value

    def _bool(self, name: str) -> bool:
        return self.values[name]

    def _set_bool(self, name: str, value: typing.Any) -> None:
        self.values[name] = V.to_bool(value)

    @net_property("GenerateExecutable")
    def _generate_executable(self) -> bool:
        return self._bool("generateexecutable")

    @net_setter("GenerateExecutable")
    def _set_generate_executable(self, value: typing.Any) -> None:
        self._set_bool("generateexecutable", value)

    @net_property("GenerateInMemory")
    def _generate_in_memory(self) -> bool:
        return self._bool("generateinmemory")

    @net_setter("GenerateInMemory")
    def _set_generate_in_memory(self, value: typing.Any) -> None:
        self._set_bool("generateinmemory", value)

    @net_property("TreatWarningsAsErrors")
    def _treat_warnings_as_errors(self) -> bool:
        return self._bool("treatwarningsaserrors")

    @net_setter("TreatWarningsAsErrors")
    def _set_treat_warnings_as_errors(self, value: typing.Any) -> None:
        self._set_bool("treatwarningsaserrors", value)

    @net_property("IncludeDebugInformation")
    def _include_debug_information(self) -> bool:
        return self._bool("includedebuginformation")

    @net_setter("IncludeDebugInformation")
    def _set_include_debug_information(self, value: typing.Any) -> None:
        self._set_bool("includedebuginformation", value)

    @net_property("CompilerOptions")
    def _compiler_options(self) -> str | None:
        return self.values["compileroptions"]

    @net_setter("CompilerOptions")
    def _set_compiler_options(self, value: typing.Any) -> None:
        self.values["compileroptions"] = None if value is None else V.to_string(value)

    @net_property("OutputAssembly")
    def _output_assembly(self) -> str | None:
        return self.values["outputassembly"]

    @net_setter("OutputAssembly")
    def _set_output_assembly(self, value: typing.Any) -> None:
        self.values["outputassembly"] = None if value is None else V.to_string(value)

    @net_property("WarningLevel")
    def _warning_level(self) -> typing.Any:
        return self.values["warninglevel"]

    @net_setter("WarningLevel")
    def _set_warning_level(self, value: typing.Any) -> None:
        self.values["warninglevel"] = V.cast(value, V.TypeValue("System.Int32"))


def _new_parameters(args: list) -> CompilerParameters:
    if args:
        raise not_modelled("A CompilerParameters constructor with arguments")
    return CompilerParameters()


class CompilerErrorCollection(NetObject, list):
    type_names = ["System.CodeDom.Compiler.CompilerErrorCollection", "System.Collections.CollectionBase", "System.Object"]

    @net_property("HasErrors")
    def _has_errors(self) -> bool:
        return False  # a stand-in compile either succeeds without diagnostics or throws

    @net_property("HasWarnings")
    def _has_warnings(self) -> bool:
        return False

    @net_property("Count")
    def _count(self) -> int:
        return len(self)

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class Assembly(NetObject):
    """A loaded assembly: for the compiled one, the types its stand-ins declared."""

    type_names = ["System.Reflection.RuntimeAssembly", "System.Reflection.Assembly", "System.Object"]

    def __init__(self, full_name: str, location: str, namespaces: typing.Sequence[str] = ()) -> None:
        self.full_name = full_name
        self.location = location
        self.namespaces = list(namespaces)

    @net_property("Location")
    def _location(self) -> str:
        return self.location

    @net_property("FullName")
    def _full_name(self) -> str:
        return self.full_name

    @net_property("GlobalAssemblyCache")
    def _global_assembly_cache(self) -> bool:
        return bool(self.location.lower().startswith("c:\\windows\\microsoft.net\\assembly"))

    @net_method("GetTypes")
    def _get_types(self) -> list:
        if not self.namespaces:
            raise not_modelled(f"GetTypes() of the assembly '{self.full_name}'")
        return [V.TypeValue(t.full_name) for ns in self.namespaces for t in typeregistry.types_in_namespace(ns)]

    @net_method("GetType")
    def _get_own_type(self) -> V.TypeValue:
        return V.TypeValue("System.Reflection.RuntimeAssembly")

    @net_method("GetType")
    def _get_type(self, name: typing.Any, throw_on_error: typing.Any = None, ignore_case: typing.Any = None) -> typing.Any:
        """Assembly.GetType(name[, throwOnError[, ignoreCase]])."""
        del throw_on_error, ignore_case
        wanted = V.to_string(name)
        found = typeregistry.registered(wanted)
        if found is not None:
            return V.TypeValue(found.full_name)
        if self.namespaces and not any(wanted.lower().startswith(ns.lower() + ".") for ns in self.namespaces):
            return None  # a compiled assembly holds only its stand-ins' types: GetType gives null for others
        # Windows' own assemblies hold many types the host does not declare (internal ones, read by reflection):
        # which exist is not known here, so no $null answer.
        raise not_modelled(f"The type '{wanted}' of the assembly '{self.full_name}'")

    def to_string(self) -> str:
        return self.full_name


def assembly_of(type_value: V.TypeValue) -> Assembly:
    """`[T].Assembly` / `[Assembly]::GetAssembly([T])` for the types the interpreter knows."""
    full = type_value.full_name
    if full.lower().startswith("system.management.automation."):
        return Assembly(SMA_NAME, SMA_LOCATION)
    compiled = _COMPILED.get(full.lower())
    if compiled is not None:
        return compiled
    if full.lower().startswith("system.") and full.count(".") == 1:
        return Assembly(MSCORLIB_NAME, MSCORLIB_LOCATION)
    raise not_modelled(f"The assembly of [{full}]")


_COMPILED: dict[str, Assembly] = {}


def _get_assembly(args: list) -> Assembly:
    if len(args) != 1:
        raise _overload("GetAssembly", len(args))
    if not isinstance(args[0], V.TypeValue):
        raise PSError('Exception calling "GetAssembly" with "1" argument(s): "Value cannot be null.\r\nParameter name: type"'
                      if args[0] is None else f'Cannot convert argument "type", with value: "{V.to_string(args[0])}", for '
                      '"GetAssembly" to type "System.Type"', fqid="MethodArgumentConversionInvalidCastArgument",
                      exception_type="System.Management.Automation.MethodException", reason="MethodException")
    return assembly_of(args[0])


class CompilerResults(NetObject):
    type_names = ["System.CodeDom.Compiler.CompilerResults", "System.Object"]

    def __init__(self, assembly: Assembly, temp_files: TempFileCollection) -> None:
        self.errors = CompilerErrorCollection()
        self.assembly = assembly
        self.temp_files = temp_files

    @net_property("Errors")
    def _errors(self) -> CompilerErrorCollection:
        return self.errors

    @net_property("CompiledAssembly")
    def _compiled_assembly(self) -> Assembly:
        return self.assembly

    @net_property("TempFiles")
    def _temp_files(self) -> TempFileCollection:
        return self.temp_files

    @net_property("NativeCompilerReturnValue")
    def _native_compiler_return_value(self) -> int:
        return 0

    @net_property("Output")
    def _output(self) -> StringCollection:
        return StringCollection()

    @net_property("PathToAssembly")
    def _path_to_assembly(self) -> None:
        return None  # GenerateInMemory: no file


class CSharpCodeProvider(NetObject):
    type_names = ["Microsoft.CSharp.CSharpCodeProvider", "System.CodeDom.Compiler.CodeDomProvider",
                  "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object"]

    @net_property("FileExtension")
    def _file_extension(self) -> str:
        return "cs"

    @net_method("CompileAssemblyFromDom")
    def _compile_from_dom(self, *args: typing.Any) -> "CompilerResults":
        if len(args) == 2 and all(isinstance(u, CodeSnippetCompileUnit) for u in V.as_list(args[1])):
            # CompileAssemblyFromDom of snippet units (2.16 to 2.18's AddType.psm1): CodeDom writes each unit's Value
            # out as source and compiles those (CodeDomProvider docs; CSharpCodeProvider.FromDomBatch), so the
            # same as CompileAssemblyFromSource of the texts. Other CodeDom graphs are not modelled.
            return self._compile_from_source(args[0], [u.value for u in V.as_list(args[1])])
        raise not_modelled("CSharpCodeProvider.CompileAssemblyFromDom")

    @net_method("CompileAssemblyFromFile")
    def _compile_from_file(self, *args: typing.Any) -> typing.Any:
        del args
        raise not_modelled("CSharpCodeProvider.CompileAssemblyFromFile")

    @net_method("CompileAssemblyFromSource")
    def _compile_from_source(self, parameters: typing.Any, sources: typing.Any) -> "CompilerResults":
        if not isinstance(parameters, CompilerParameters):
            raise PSError(f'Cannot convert argument "options", with value: "{V.to_string(parameters)}", for '
                          '"CompileAssemblyFromSource" to type "System.CodeDom.Compiler.CompilerParameters"',
                          fqid="MethodArgumentConversionInvalidCastArgument", reason="MethodException",
                          exception_type="System.Management.Automation.MethodException")
        if not parameters.get_member("GenerateInMemory"):
            raise not_modelled("CompileAssemblyFromSource writing an assembly file (GenerateInMemory false)")
        texts = [V.to_string(s) for s in V.as_list(sources)]
        try:
            namespaces = standins.compile_csharp(texts)
        except standins.NoStandIn as err:
            note = getattr(tripwire._host(), "note_unmodelled", None)  # pylint: disable=protected-access
            if note is not None:
                note(f"C# namespace '{err.namespace}'")
            raise PSError(f'Exception calling "CompileAssemblyFromSource" with "2" argument(s): "{err}"',
                          exception_type="System.Management.Automation.MethodInvocationException",
                          fqid="NotModelledByTestHost", category="NotImplemented", reason="MethodInvocationException",
                          inner=_exception("System.NotImplementedException", str(err)), target=err.namespace) from None
        assembly = Assembly(f"{_assembly_name()}, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null", "",
                            namespaces)
        for namespace in namespaces:
            for net_type in typeregistry.types_in_namespace(namespace):
                _COMPILED[net_type.full_name.lower()] = assembly
        return CompilerResults(assembly, parameters.get_member("TempFiles"))


def _exception(type_name: str, message: str) -> typing.Any:
    return make_exception(type_name, message)


def _assembly_name() -> str:
    # CodeDom names an in-memory assembly after its random temp file name (8 lower-case letters and digits).
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _unused in range(8))


class CodeSnippetCompileUnit(NetObject):
    """System.CodeDom.CodeSnippetCompileUnit(value): a compile unit that is literal source text (Value)."""

    type_names = ["System.CodeDom.CodeSnippetCompileUnit", "System.CodeDom.CodeCompileUnit", "System.CodeDom.CodeObject",
                  "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value

    net_not_modelled = ("LinePragma", "Namespaces", "ReferencedAssemblies", "AssemblyCustomAttributes", "UserData",
                        "StartDirectives", "EndDirectives")

    def net_not_modelled_error(self, kind: str, name: str) -> PSError | None:
        del kind
        return not_modelled(f"CodeSnippetCompileUnit.{name}")

    @net_property("Value")
    def _value(self) -> str:
        return self.value


def _new_snippet_unit(args: list) -> CodeSnippetCompileUnit:
    if len(args) != 1:
        raise not_modelled("CodeSnippetCompileUnit without its source text")
    return CodeSnippetCompileUnit(V.to_string(args[0]))


def _new_provider(args: list) -> CSharpCodeProvider:
    if args:
        raise not_modelled("CSharpCodeProvider with provider options")
    return CSharpCodeProvider()


typeregistry.register(typeregistry.NetType(
    "Microsoft.CSharp.CSharpCodeProvider", base_types=("System.CodeDom.Compiler.CodeDomProvider", "System.Object"),
    constructor=_new_provider, instance_check=lambda value: isinstance(value, CSharpCodeProvider)))
typeregistry.register(typeregistry.NetType(
    "System.CodeDom.CodeSnippetCompileUnit",
    base_types=("System.CodeDom.CodeCompileUnit", "System.CodeDom.CodeObject", "System.Object"),
    constructor=_new_snippet_unit, instance_check=lambda value: isinstance(value, CodeSnippetCompileUnit)))
typeregistry.register(typeregistry.NetType(
    "System.CodeDom.Compiler.CompilerParameters", constructor=_new_parameters,
    instance_check=lambda value: isinstance(value, CompilerParameters)))
typeregistry.register(typeregistry.NetType(
    "System.CodeDom.Compiler.TempFileCollection", constructor=_new_temp_files,
    instance_check=lambda value: isinstance(value, TempFileCollection)))
typeregistry.register(typeregistry.NetType(
    "System.Reflection.Assembly", static_methods={"GetAssembly": _get_assembly},
    instance_check=lambda value: isinstance(value, Assembly)))


def _accelerator_add(args: list) -> typing.Any:
    if len(args) != 2:
        raise _overload("Add", len(args))
    name, target = V.to_string(args[0]), args[1]
    if not isinstance(target, V.TypeValue):
        raise PSError(f'Cannot convert argument "type", with value: "{V.to_string(target)}", for "Add" to type "System.Type"',
                      fqid="MethodArgumentConversionInvalidCastArgument", reason="MethodException",
                      exception_type="System.Management.Automation.MethodException")
    net_type = typeregistry.registered(target.full_name)
    if net_type is None:
        raise not_modelled(f"A type accelerator for [{target.full_name}]")
    typeregistry.add_accelerator(name, net_type)
    return void()


# An internal class of System.Management.Automation: scripts reach it through
# [PSObject].Assembly.GetType("System.Management.Automation.TypeAccelerators").
typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.TypeAccelerators", static_methods={"Add": _accelerator_add}))


# --------------------------------------------------------------------------- reflection on internals

def _binding_flag_names(value: typing.Any) -> list[str]:
    """The names of a System.Reflection.BindingFlags value (the [Flags] enum declared in clr/engine.py)."""
    flags = V.cast(value, V.TypeValue("System.Reflection.BindingFlags"))
    return [name.strip() for name in V.to_string(flags).split(",")]


def _clr_facade_get_field(args: list) -> typing.Any:
    """`[ClrFacade].GetField(name, flags)`: System.Type.GetField, reached as a method of the type object."""
    if len(args) not in (1, 2):
        raise _overload("GetField", len(args))
    name = V.to_string(args[0])
    flags = _binding_flag_names(args[1]) if len(args) == 2 else ["Instance", "Static", "Public"]
    if name != "_defaultEncoding" or "NonPublic" not in flags or "Static" not in flags:
        raise not_modelled(f"The field '{name}' of System.Management.Automation.ClrFacade")
    # ClrFacade._defaultEncoding: the encoding Windows PowerShell 5.1 reads script files without a BOM in;
    # exec_wrapper.ps1's Set-WinPSDefaultFileEncoding sets it to UTF-8. The test host reads script files
    # as UTF-8 always, so the value is only kept.
    return HostKeptStaticField("_defaultEncoding", "clr_default_encoding")


# Internal to System.Management.Automation: reached by [PSObject].Assembly.GetType('...ClrFacade').
typeregistry.register(typeregistry.NetType(
    "System.Management.Automation.ClrFacade", static_methods={"GetField": _clr_facade_get_field}))
