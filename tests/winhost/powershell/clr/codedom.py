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
from ..typeregistry import MISSING
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

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "count":
            return len(self)
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "add":
            if len(args) != 1:
                raise _overload("Add", len(args))
            self.append(None if args[0] is None else V.to_string(args[0]))
            return len(self) - 1
        if low == "addrange":
            if len(args) != 1:
                raise _overload("AddRange", len(args))
            self.extend(V.to_string(v) for v in V.as_list(args[0]))
            return void()
        if low == "contains":
            return V.to_string(args[0]) in self
        return NetObject.call(self, name, args)

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class TempFileCollection(NetObject):
    type_names = ["System.CodeDom.Compiler.TempFileCollection", "System.Object"]

    def __init__(self, temp_dir: str, keep_files: bool) -> None:
        self.temp_dir = temp_dir
        self.keep_files = keep_files

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "tempdir":
            return self.temp_dir
        if low == "keepfiles":
            return self.keep_files
        if low == "count":
            return 0
        return MISSING


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

    def get_member(self, name: str) -> typing.Any:
        return self.values.get(name.lower(), MISSING)

    def set_member(self, name: str, value: typing.Any) -> bool:
        low = name.lower()
        if low == "referencedassemblies":
            return False  # a read-only property: PowerShell's own error
        if low == "tempfiles":
            if not isinstance(value, TempFileCollection):
                raise PSError(f'Exception setting "TempFiles": "Cannot convert the "{V.to_string(value)}" value of type '
                              f'"{V.ps_type_name(value)}" to type "System.CodeDom.Compiler.TempFileCollection"."',
                              fqid="ExceptionWhenSetting", reason="SetValueInvocationException",
                              exception_type="System.Management.Automation.SetValueInvocationException")
            self.values[low] = value
            return True
        if low in (n.lower() for n in self._BOOLS):
            self.values[low] = V.to_bool(value)
            return True
        if low in ("compileroptions", "outputassembly"):
            self.values[low] = None if value is None else V.to_string(value)
            return True
        if low == "warninglevel":
            self.values[low] = V.cast(value, V.TypeValue("System.Int32"))
            return True
        return False


def _new_parameters(args: list) -> CompilerParameters:
    if args:
        raise not_modelled("A CompilerParameters constructor with arguments")
    return CompilerParameters()


class CompilerErrorCollection(NetObject, list):
    type_names = ["System.CodeDom.Compiler.CompilerErrorCollection", "System.Collections.CollectionBase", "System.Object"]

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low in ("haserrors", "haswarnings"):
            return False  # a stand-in compile either succeeds without diagnostics or throws
        if low == "count":
            return len(self)
        return MISSING

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class Assembly(NetObject):
    """A loaded assembly: for the compiled one, the types its stand-ins declared."""

    type_names = ["System.Reflection.RuntimeAssembly", "System.Reflection.Assembly", "System.Object"]

    def __init__(self, full_name: str, location: str, namespaces: typing.Sequence[str] = ()) -> None:
        self.full_name = full_name
        self.location = location
        self.namespaces = list(namespaces)

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "location":
            return self.location
        if low == "fullname":
            return self.full_name
        if low == "globalassemblycache":
            return bool(self.location.lower().startswith("c:\\windows\\microsoft.net\\assembly"))
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "gettypes":
            if args:
                raise _overload("GetTypes", len(args))
            if not self.namespaces:
                raise not_modelled(f"GetTypes() of the assembly '{self.full_name}'")
            return [V.TypeValue(t.full_name) for ns in self.namespaces for t in typeregistry.types_in_namespace(ns)]
        if low == "gettype":
            if not args:
                return V.TypeValue("System.Reflection.RuntimeAssembly")
            if len(args) > 3:
                raise _overload("GetType", len(args))
            wanted = V.to_string(args[0])
            found = typeregistry.registered(wanted)
            if found is not None:
                return V.TypeValue(found.full_name)
            if self.namespaces and not any(wanted.lower().startswith(ns.lower() + ".") for ns in self.namespaces):
                return None  # a compiled assembly holds only its stand-ins' types: GetType gives null for others
            # Windows' own assemblies hold many types the host does not declare (internal ones, read by reflection):
            # which exist is not known here, so no $null answer.
            raise not_modelled(f"The type '{wanted}' of the assembly '{self.full_name}'")
        return super().call(name, args)

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

    def get_member(self, name: str) -> typing.Any:
        low = name.lower()
        if low == "errors":
            return self.errors
        if low == "compiledassembly":
            return self.assembly
        if low == "tempfiles":
            return self.temp_files
        if low == "nativecompilerreturnvalue":
            return 0
        if low == "output":
            return StringCollection()
        if low == "pathtoassembly":
            return None  # GenerateInMemory: no file
        return MISSING


class CSharpCodeProvider(NetObject):
    type_names = ["Microsoft.CSharp.CSharpCodeProvider", "System.CodeDom.Compiler.CodeDomProvider",
                  "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object"]

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "fileextension":
            return "cs"
        return MISSING

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "compileassemblyfromdom" and len(args) == 2 and all(
                isinstance(u, CodeSnippetCompileUnit) for u in V.as_list(args[1])):
            # CompileAssemblyFromDom of snippet units (2.16 to 2.18's AddType.psm1): CodeDom writes each unit's Value
            # out as source and compiles those (CodeDomProvider docs; CSharpCodeProvider.FromDomBatch), so the
            # same as CompileAssemblyFromSource of the texts. Other CodeDom graphs are not modelled.
            return self.call("CompileAssemblyFromSource", [args[0], [u.value for u in V.as_list(args[1])]])
        if low == "compileassemblyfromsource":
            if len(args) != 2:
                raise _overload("CompileAssemblyFromSource", len(args))
            parameters, sources = args
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
        if low in ("compileassemblyfromfile", "compileassemblyfromdom"):
            raise not_modelled(f"CSharpCodeProvider.{name}")
        return super().call(name, args)


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

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "value":
            return self.value
        if name.lower() in ("linepragma", "namespaces", "referencedassemblies", "assemblycustomattributes", "userdata",
                            "startdirectives", "enddirectives"):
            raise not_modelled(f"CodeSnippetCompileUnit.{name}")
        return MISSING


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
