"""The tripwire: reading something Windows PowerShell 5.1 has but this interpreter does not model is an error.

Without it such a read gives $null, as reading a member or variable that does not exist does in
PowerShell, and a script goes on with a wrong value: a silent success. With it (the host's
``tripwire`` knob, on by default and in the suite), the read is a terminating error record that
names what is missing (FQID ``NotModelledByTestHost``). Members and variables that do not exist on
Windows either still give $null, as PowerShell does.

What counts as "Windows has it" is listed here, with sources:
- automatic and preference variables of a 5.1 remote session that the interpreter does not seed
  (about_Automatic_Variables, about_Preference_Variables; InitialSessionState.BuiltInVariables);
- the intrinsic members every object has (about_Intrinsic_Members: PSObject, PSBase, PSAdapted,
  PSExtended, PSTypeNames) and System.Object's methods read as a property (`$x.GetType` is a
  PSMethod on Windows);
- the .NET members of the common types (String, Hashtable, Object[], DateTime, ErrorRecord,
  Exception) that the interpreter does not give;
- PowerShell 5.1's type accelerators ([psobject].Assembly.GetType(
  'System.Management.Automation.TypeAccelerators')::Get) and a few common .NET types.
Anything not listed still reads as $null (or "Unable to find type"): the lists are where a gap is
found, not a proof that there is none.
"""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from . import dotnet, windows_commands
from .dotnet import _LOCAL
from .errors import PSError, value_type_name

# A remote 5.1 session's variables (Get-Variable in Invoke-Command -Session) that always exist and
# that scopes.seed_globals does not model. Contextual ones ($foreach, $switch, $this, $Event*, $input,
# $PSCmdlet, $Matches, $LASTEXITCODE) are $null where they are not set on Windows too, so they are not listed;
# $PSScriptRoot/$PSCommandPath are set by every script block (commands.py); $PROFILE is not set in a remote session.
WINDOWS_VARIABLES = {name.lower(): name for name in (
    "MyInvocation", "ConsoleFileName", "StackTrace", "PSSenderInfo",
    "OutputEncoding", "PSSessionOption",
)}

# about_Intrinsic_Members: every object but $null has these.
INTRINSIC_MEMBERS = {name.lower(): name for name in ("PSObject", "PSBase", "PSAdapted", "PSExtended", "PSTypeNames")}
# System.Object's methods: read without parentheses they are a PSMethod on Windows.
OBJECT_METHODS = {name.lower(): name for name in ("GetType", "ToString", "Equals", "GetHashCode")}

_STRING_MEMBERS = ("Chars", "Clone", "CompareTo", "Contains", "CopyTo", "EndsWith", "GetEnumerator", "GetTypeCode",
                   "IndexOf", "IndexOfAny", "Insert", "IsNormalized", "LastIndexOf", "LastIndexOfAny", "Normalize",
                   "PadLeft", "PadRight", "Remove", "Replace", "Split", "StartsWith", "Substring", "ToCharArray",
                   "ToLower", "ToLowerInvariant", "ToUpper", "ToUpperInvariant", "Trim", "TrimEnd", "TrimStart")
_DICTIONARY_MEMBERS = ("IsReadOnly", "IsFixedSize", "IsSynchronized", "SyncRoot", "Add", "Clear", "Clone", "Contains",
                       "ContainsKey", "ContainsValue", "CopyTo", "GetEnumerator", "GetObjectData", "OnDeserialization",
                       "Remove")
_ARRAY_MEMBERS = ("IsReadOnly", "IsFixedSize", "IsSynchronized", "SyncRoot", "Rank", "Address", "Clone", "CopyTo",
                  "Get", "Set", "GetEnumerator", "GetLength", "GetLongLength", "GetLowerBound", "GetUpperBound",
                  "GetValue", "SetValue", "Initialize")
_DATETIME_MEMBERS = ("Add", "AddDays", "AddHours", "AddMilliseconds", "AddMinutes", "AddMonths", "AddSeconds", "AddTicks",
                     "AddYears", "CompareTo", "GetDateTimeFormats", "GetTypeCode", "IsDaylightSavingTime", "Subtract",
                     "ToBinary", "ToFileTime", "ToFileTimeUtc", "ToLocalTime", "ToLongDateString", "ToLongTimeString",
                     "ToOADate", "ToShortDateString", "ToShortTimeString", "ToUniversalTime", "DisplayHint", "DateTime")
_ERROR_RECORD_MEMBERS = ("Exception", "TargetObject", "CategoryInfo", "FullyQualifiedErrorId", "ErrorDetails",
                         "InvocationInfo", "ScriptStackTrace", "PipelineIterationInfo", "GetObjectData")
_EXCEPTION_MEMBERS = ("Message", "Data", "InnerException", "TargetSite", "StackTrace", "HelpLink", "Source", "HResult",
                      "GetBaseException", "GetObjectData", "ErrorRecord", "WasThrownFromThrowStatement")

# .NET type name -> members (lower case) Windows has on it.
TYPE_MEMBERS: dict[str, set[str]] = {
    "System.String": {m.lower() for m in _STRING_MEMBERS},
    "System.Collections.Hashtable": {m.lower() for m in _DICTIONARY_MEMBERS},
    "System.Collections.Specialized.OrderedDictionary": {m.lower() for m in _DICTIONARY_MEMBERS + ("AsReadOnly", "Insert", "RemoveAt")},
    "System.Object[]": {m.lower() for m in _ARRAY_MEMBERS},
    "System.DateTime": {m.lower() for m in _DATETIME_MEMBERS},
    "System.Management.Automation.ErrorRecord": {m.lower() for m in _ERROR_RECORD_MEMBERS},
}
EXCEPTION_MEMBERS = {m.lower() for m in _EXCEPTION_MEMBERS}

# PowerShell 5.1's type accelerators that values.TYPE_ALIASES does not know, and common .NET types
# Windows PowerShell resolves (the interpreter says "Unable to find type" for them without the tripwire).
WINDOWS_TYPES = {name.lower(): name for name in (
    "Alias", "AllowEmptyCollection", "AllowEmptyString", "AllowNull", "ArgumentCompleter", "CmdletBinding", "decimal",
    "DscResource", "float", "single", "int16", "ciminstance", "cimclass", "cimtype", "cimconverter", "IPEndpoint",
    "OutputType", "ObjectSecurity", "Parameter", "PhysicalAddress", "PSDefaultValue",
    "pslistmodifier", "psprimitivedictionary", "PSTypeNameAttribute", "DscProperty", "sbyte", "SupportsWildcards",
    "cultureinfo", "bigint", "uint16", "uint32", "uint64", "uri", "ValidateCount", "ValidateDrive",
    "ValidateLength", "ValidateNotNull", "ValidateNotNullOrEmpty", "ValidatePattern", "ValidateRange", "ValidateScript",
    "ValidateSet", "ValidateTrustedData", "ValidateUserDrive", "ipaddress", "DscLocalConfigurationManager",
    "WildcardPattern", "X509Certificate", "X509Store", "xml", "CimSession", "adsi", "adsisearcher", "wmiclass", "wmi",
    "wmisearcher", "mailaddress", "scriptblock", "psvariable", "type", "psmoduleinfo", "powershell", "runspacefactory",
    "runspace", "initialsessionstate", "psscriptmethod", "psscriptproperty", "psnoteproperty", "psaliasproperty",
    "psvariableproperty", "System.IO.FileInfo", "System.IO.DirectoryInfo", "System.IO.FileAttributes",
    "System.IO.StreamReader", "System.IO.StreamWriter", "System.IO.MemoryStream", "System.Text.StringBuilder",
    "System.Collections.Generic.Dictionary", "System.Collections.Generic.HashSet", "System.Console",
    "System.Diagnostics.Process", "System.Diagnostics.Stopwatch", "System.Security.Principal.WindowsIdentity",
    "System.Reflection.Assembly", "System.Management.Automation.ActionPreference",
    "System.Management.Automation.Runspaces.Runspace", "System.Management.Automation.PowerShell", "System.Threading.Thread",
    "System.Threading.Mutex", "System.Net.WebClient", "System.Uri", "System.Xml.XmlDocument", "System.Exception",
    "System.Collections.Generic.List", "System.Collections.Generic.KeyValuePair", "System.Globalization.CultureInfo",
    "System.Runtime.InteropServices.Marshal", "System.Enum", "System.Activator",
    "System.AppDomain", "System.Text.RegularExpressions.RegexOptions", "System.StringComparison",
    "System.Management.Automation.WildcardPattern", "System.Management.Automation.CommandTypes", "Microsoft.Win32.Registry",
    "Microsoft.Win32.RegistryKey",
    # 2.16 to 2.18's async_wrapper.ps1, after WindowsIdentity (clr/principal.py): its named pipe and the pipe's ACL.
    "System.IO.Pipes.PipeSecurity", "System.IO.Pipes.PipeAccessRule", "System.IO.Pipes.NamedPipeServerStream",
    # System.IO.Pipes (System.Core), as 2.19's async_wrapper.ps1 names them after `using namespace System.IO.Pipes`.
    "System.IO.Pipes.AnonymousPipeServerStream", "AnonymousPipeServerStream", "System.IO.Pipes.PipeDirection",
    "PipeDirection", "System.IO.HandleInheritability", "HandleInheritability",
)}


def _host() -> typing.Any:
    runspace = getattr(_LOCAL, "runspace", None)
    return None if runspace is None else runspace.host


def enabled() -> bool:
    """Whether the host running this thread's pipeline has the tripwire on (HostServices.tripwire)."""
    return bool(getattr(_host(), "tripwire", False))


def _trip(what: str) -> PSError:
    """The error of a trip; the host hears of it too (HostServices.note_unmodelled, when it has one), so a test can
    see a trip that a script's try/catch swallowed."""
    note = getattr(_host(), "note_unmodelled", None)
    if note is not None:
        note(what)
    return not_modelled(what)


def trip(what: str) -> PSError:
    """The error for something 5.1 has that the interpreter knows it lacks (a member of a modelled object that is not
    modelled itself): always an error, and the host hears of it as a trip (see _trip)."""
    return _trip(what)


def not_modelled(what: str) -> PSError:
    return PSError(f"{what} exists in Windows PowerShell 5.1 but the test host does not model it (its tripwire knob is on).",
                   fqid="NotModelledByTestHost", category="NotImplemented", reason="NotImplementedException",
                   exception_type="System.NotImplementedException", target=what, terminating=True)


def check_variable(name: str) -> None:
    """A variable read found nothing: trip if Windows would have had it."""
    known = WINDOWS_VARIABLES.get(name.lower())
    if known is not None and enabled():
        raise _trip(f"The automatic variable ${known}")


def _type_names(obj: typing.Any) -> list[str]:
    if isinstance(obj, dotnet.NetObject):
        return list(obj.type_names)
    names = [value_type_name(obj)]
    if isinstance(obj, PSObject) and not isinstance(obj, (str, int, float, list, dict)):
        names.extend(n.replace("Deserialized.", "") for n in obj.PSObject.type_names)
    return names


def check_member(obj: typing.Any, name: str) -> None:
    """A property read on a non-null object found nothing of its own: trip if Windows has the member."""
    if obj is None:
        return
    low = name.lower()
    if low in INTRINSIC_MEMBERS or low in OBJECT_METHODS:
        if enabled():
            raise _trip(f"The member '{name}' of every object")
        return
    names = _type_names(obj)
    for type_name in names:
        members = TYPE_MEMBERS.get(type_name)
        if members is not None and low in members:
            if enabled():
                raise _trip(f"The member '{name}' of [{type_name}]")
            return
    if any(n.endswith("Exception") for n in names) and low in EXCEPTION_MEMBERS and enabled():
        raise _trip(f"The member '{name}' of [{names[0]}]")


def check_type(name: str) -> None:
    """A type name did not resolve: trip if Windows PowerShell 5.1 knows it."""
    key = name.strip().replace(" ", "")
    base = key.split("[", 1)[0].split("`", 1)[0].lower()
    if (base in WINDOWS_TYPES or f"system.{base}" in WINDOWS_TYPES) and enabled():
        raise _trip(f"The type [{name.strip()}]")


def unmodelled_command(name: str) -> PSError | None:
    """The error for a command Windows PowerShell 5.1 has (windows_commands) that the interpreter did not find, when
    the tripwire is on; None otherwise (then "the term is not recognized", as on Windows)."""
    known = windows_commands.COMMANDS.get(name.lower())
    if known is None or not enabled():
        return None
    return _trip(f"The command '{known[0]}' (module {known[1]})")


# A NetObject's declared-but-not-modelled members (typeregistry's net_not_modelled) trip through this module.
dotnet.use_tripwire(trip)
