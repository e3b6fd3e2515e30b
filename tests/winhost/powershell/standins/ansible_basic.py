"""Stand-in for ansible-core's Ansible.Basic.cs: `Ansible.Basic.AnsibleModule`.

Served when a script compiles ansible-core's own Ansible.Basic.cs (namespace Ansible.Basic, through
Add-Type or Ansible.ModuleUtils.AddType's CodeDom path). The Python below follows Ansible.Basic.cs
(ansible-core 2.16-2.21: module_utils/csharp/Ansible.Basic.cs) step by step, in its order, with its
messages: the argument spec validation (ValidateArgumentSpec, SetArgumentSpecDefaults, GetAliases,
SetNoLogValues, CheckArguments and the Check* methods, CheckSubOption/ParseSubSpec), the type
converters (Parse*), no_log masking (RemoveNoLogValues), Warn/Deprecate, ExitJson/FailJson and the
module's Tmpdir. Where Ansible.Basic calls back into PowerShell (GetParams reads `$complex_args`,
ToJson runs `ConvertTo-Json -Compress -Depth 99`, ExitModule runs `Set-Variable LASTEXITCODE ...;
exit`), the stand-in runs those same script lines in the calling session (runtime.invoke_script), so
ExitJson ends the module as it does on Windows PowerShell 5.1: the result line goes to
Console.Out (runtime.console_write_line) and `exit` unwinds the module's pipeline with
$LASTEXITCODE set in the global scope, which module_wrapper.ps1 reads.

Not modelled (fails loudly or is documented in tests/winhost/README.md): the Windows Event Log
(LogEvent writes nowhere observable on the test host: it is a no-op), SIDs of account names,
.NET's hash order of Hashtable keys (Ansible parses
the JSON, so key order is not visible to a task), Single/Decimal precision (doubles stand in).
"""

from __future__ import annotations

import datetime
import json
import random
import re
import typing

from psrpcore.types import PSInt64

from ...machine.disk import FSError
from .. import typeregistry
from .. import values as V
from ..clr.delegates import Delegate
from ..clr.principal import SecurityIdentifier
from ..clr.system import expand_environment_variables
from ..dotnet import NetObject, current_runspace, void
from ..typeregistry import MISSING
from ..errors import PSError, method_exception, method_not_found
from . import register_standin, runtime

FULL_NAME = "Ansible.Basic.AnsibleModule"
_MSCORLIB = "mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
_LIST_OF = "System.Collections.Generic.List`1[[{0}, " + _MSCORLIB + "]]"

BOOLEANS_TRUE = ["y", "yes", "on", "1", "true", "t", "1.0"]
BOOLEANS_FALSE = ["n", "no", "off", "0", "false", "f", "0.0"]
NO_LOG_MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

# passVars of Ansible.Basic.cs: _ansible_<key> -> the property or field it sets (None: accepted, not used).
PASS_VARS: dict[str, str | None] = {
    "check_mode": "CheckMode", "debug": "DebugMode", "diff": "DiffMode", "keep_remote_files": "KeepRemoteFiles",
    "ignore_unknown_opts": "ignoreUnknownOpts", "module_name": "ModuleName", "no_log": "NoLog",
    "remote_tmp": "remoteTmp", "selinux_special_fs": None, "shell_executable": None, "socket": None,
    "syslog_facility": None, "target_log_info": "TargetLogInfo", "tracebacks_for": None, "tmpdir": "tmpdir",
    "verbosity": "Verbosity", "version": "AnsibleVersion",
}
PASS_BOOLS = ["check_mode", "debug", "diff", "keep_remote_files", "ignore_unknown_opts", "no_log"]
PASS_INTS = ["verbosity"]

# specDefaults: key -> (default factory, expected .NET type name or None for free-form), in the C# order
# (the order "valid keys:" lists them in).
SPEC_DEFAULTS: dict[str, tuple[typing.Callable[[], typing.Any], str | None]] = {
    "apply_defaults": (lambda: False, "System.Boolean"),
    "aliases": (V.PSGenericList, "List[System.String]"),
    "choices": (V.PSGenericList, "List[System.Object]"),
    "default": (lambda: None, None),
    "deprecated_aliases": (V.PSGenericList, "List[System.Collections.Hashtable]"),
    "elements": (lambda: None, None),
    "mutually_exclusive": (V.PSGenericList, "List[System.Object]"),
    "no_log": (lambda: False, "System.Boolean"),
    "options": (V.PSHashtable, "System.Collections.Hashtable"),
    "removed_in_version": (lambda: None, "System.String"),
    "removed_at_date": (lambda: None, "System.DateTime"),
    "removed_from_collection": (lambda: None, "System.String"),
    "required": (lambda: False, "System.Boolean"),
    "required_by": (V.PSHashtable, "System.Collections.Hashtable"),
    "required_if": (V.PSGenericList, "List[System.Object]"),
    "required_one_of": (V.PSGenericList, "List[System.Object]"),
    "required_together": (V.PSGenericList, "List[System.Object]"),
    "supports_check_mode": (lambda: False, "System.Boolean"),
    "type": (lambda: "str", None),
}


class Features:
    """What differs between the Ansible.Basic.cs versions the stand-in serves (2.16 to 2.21), read from the source
    being compiled: its passVars/passBools tables and the few behaviours that changed."""

    def __init__(self, source: str) -> None:
        table = re.search(r"passVars\s*=\s*new Dictionary<string, string>\(\)\s*\{(.*?)\};", source, re.DOTALL)
        pairs = re.findall(r'\{\s*"(\w+)",\s*(null|"(\w+)")\s*\}', table.group(1)) if table else []
        self.pass_vars: dict[str, str | None] = {k: (t if v != "null" else None) for k, v, t in pairs} or dict(PASS_VARS)
        bools = re.search(r"passBools\s*=\s*new List<string>\(\)\s*\{(.*?)\}", source, re.DOTALL)
        self.pass_bools = re.findall(r'"(\w+)"', bools.group(1)) if bools else list(PASS_BOOLS)
        arrays = re.search(r"passStringArrays\s*=\s*new string\[\]\s*\{(.*?)\}", source, re.DOTALL)
        self.pass_string_arrays = re.findall(r'"(\w+)"', arrays.group(1)) if arrays else []
        self.wrapper_warnings = "_WrapperWarnings" in source  # 2.19+: the exec wrapper's warnings (static list)
        self.exec_wrapper_warnings_key = '"_ansible_exec_wrapper_warnings"' in source  # 2.16: warnings as a module arg
        self.inject_invocation = "injectInvocation" in source  # 2.21: invocation only when asked for
        self.sorted_unsupported = "unsupportedSorted" in source  # 2.21: both lists sorted (ordinal)
        self.required_if_null_check = "param[key] == null ||" in source  # 2.17+
        self.list_from_long = "valueType == typeof(long)" in source  # 2.21: ParseList takes an Int64 too
        self.user_name_only = "Environment.UserName" in source  # 2.21: the tmpdir warning names the user alone


def _features() -> Features:
    features = _statics().get("features")
    if features is None:
        raise PSError("Ansible.Basic was not compiled in this process.", fqid="TypeNotFound", category="InvalidOperation")
    return features


class DelegateFailure(Exception):
    """What a script block assigned to the static Exit/WriteLine delegates threw, on its way out of the C# method."""

    def __init__(self, error: PSError) -> None:
        super().__init__(error.message)
        self.error = error

    def method_error(self, method: str, argc: int) -> PSError:
        """ConvertToMethodInvocationException: the method's MethodInvocationException around the block's exception
        (a typed catch of the inner type gets that one back: ExceptionHandlingOps.FindMatchingHandler)."""
        inner = self.error.to_record().Exception
        return PSError(f'Exception calling "{method}" with "{argc}" argument(s): "{self.error.message}"',
                       exception_type="System.Management.Automation.MethodInvocationException",
                       fqid=self.error.exception_type.rsplit(".", 1)[-1], category="NotSpecified",
                       reason="MethodInvocationException", inner=inner)


class CSharpException(Exception):
    """A .NET exception thrown inside Ansible.Basic: its type and Message."""

    def __init__(self, message: str, type_name: str = "System.ArgumentException") -> None:
        super().__init__(message)
        self.message = message
        self.type_name = type_name


# --------------------------------------------------------------------------- .NET views of values

def net_type_name(value: typing.Any) -> str:
    """value.GetType().FullName as .NET prints it in Ansible.Basic's messages."""
    if isinstance(value, V.PSGenericList):
        return "System.Collections.Generic.List`1[[System.Object, " + _MSCORLIB + "]]"
    if isinstance(value, Delegate):
        return value.net_type
    return V.ps_type_name(value)


def net_to_string(value: typing.Any) -> str:
    """object.ToString(): collections print their type name, not their items."""
    if isinstance(value, V.PSGenericList):
        return "System.Collections.Generic.List`1[System.Object]"
    if isinstance(value, (list, tuple, dict)):
        return V.ps_type_name(value)
    if isinstance(value, V.ScriptBlock):
        return value.text
    return V.to_string(value)


def _is_bool(value: typing.Any) -> bool:
    return isinstance(value, bool)


def _is_int32(value: typing.Any) -> bool:
    return V.ps_type_name(value) == "System.Int32" and not isinstance(value, bool)


def _is_list(value: typing.Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_dict(value: typing.Any) -> bool:
    return isinstance(value, dict)


def _is_hashtable(value: typing.Any) -> bool:
    return V.ps_type_name(value) == "System.Collections.Hashtable"


def _cast_error(value: typing.Any, target: str) -> CSharpException:
    return CSharpException(f"Unable to cast object of type '{net_type_name(value)}' to type '{target}'.",
                           "System.InvalidCastException")


def _as_ilist(value: typing.Any) -> list:
    if value is None:
        raise CSharpException("Object reference not set to an instance of an object.", "System.NullReferenceException")
    if not _is_list(value):
        raise _cast_error(value, "System.Collections.IList")
    return list(value)


def _as_idict(value: typing.Any) -> dict:
    if value is None:
        raise CSharpException("Object reference not set to an instance of an object.", "System.NullReferenceException")
    if not _is_dict(value):
        raise _cast_error(value, "System.Collections.IDictionary")
    return value


def _as_hashtable(value: typing.Any) -> dict:
    if value is not None and not _is_hashtable(value):
        raise _cast_error(value, "System.Collections.Hashtable")
    return value


def _to_str(value: typing.Any) -> str:
    """(string)value: a cast, not a conversion."""
    if value is None or isinstance(value, str):
        return value
    raise _cast_error(value, "System.String")


# --------------------------------------------------------------------------- the type converters (Parse*)

def parse_str(value: typing.Any) -> str:
    if value is None:
        raise CSharpException("Object reference not set to an instance of an object.", "System.NullReferenceException")
    return net_to_string(value)


def parse_bool(value: typing.Any) -> bool:
    if _is_bool(value):
        return bool(value)
    text = parse_str(value).lower().strip()
    if text in BOOLEANS_TRUE:
        return True
    if text in BOOLEANS_FALSE:
        return False
    raise CSharpException(f"The value '{text}' is not a valid boolean. Valid booleans include: "
                          + ", ".join(BOOLEANS_TRUE + BOOLEANS_FALSE))


_INT_TEXT = re.compile(r"^[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*$")
_FLOAT_TEXT = re.compile(r"^\s*[+-]?(([0-9][0-9,]*)?\.?[0-9]+|[0-9][0-9,]*\.)([eE][+-]?[0-9]+)?\s*$")


def parse_int(value: typing.Any) -> int:
    if _is_int32(value):
        return int(value)
    text = parse_str(value)
    if not _INT_TEXT.match(text):  # Int32.Parse with NumberStyles.Integer
        raise CSharpException("Input string was not in a correct format.", "System.FormatException")
    number = int(text.strip())
    if not V.INT32_MIN <= number <= V.INT32_MAX:
        raise CSharpException("Value was either too large or too small for an Int32.", "System.OverflowException")
    return number


def parse_float(value: typing.Any) -> float:
    text = parse_str(value)
    if not _FLOAT_TEXT.match(text):  # float.Parse: NumberStyles.Float | AllowThousands, en-US
        raise CSharpException("Input string was not in a correct format.", "System.FormatException")
    return float(text.strip().replace(",", ""))


def parse_list(value: typing.Any) -> typing.Any:
    if value is None:
        return None
    if isinstance(value, V.PSGenericList):
        return value
    if isinstance(value, (list, tuple)):
        return V.PSGenericList(list(value))
    if isinstance(value, str):
        return V.PSGenericList([s.strip() for s in value.split(",")])
    if _is_int32(value) or (V.ps_type_name(value) == "System.Int64" and _features().list_from_long):
        return V.PSGenericList([value])
    raise CSharpException(f"{net_type_name(value)} cannot be converted to a list")


def _split_key_value(text: str) -> list[str]:
    fields: list[str] = []
    buffer: list[str] = []
    in_quote: str | None = None
    in_escape = False
    for char in text:
        if in_escape:
            buffer.append(char)
            in_escape = False
        elif char == "\\":
            in_escape = True
        elif in_quote is None and char in ("'", '"'):
            in_quote = char
        elif in_quote is not None and char == in_quote:
            in_quote = None
        elif in_quote is None and char in (",", " "):
            field = "".join(buffer)
            if field:
                fields.append(field)
            buffer = []
        else:
            buffer.append(char)
    field = "".join(buffer)
    if field:
        fields.append(field)
    return fields


def parse_dict(value: typing.Any) -> dict:
    if _is_dict(value):
        if isinstance(value, Dictionary):
            return value
        result = Dictionary()
        for key, item in value.items():
            result[_to_str(key)] = item
        return result
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}"):
            return from_json(value)
        if "=" in value:
            result = Dictionary()
            seen: list[str] = []
            for field in _split_key_value(value):
                if field in seen:  # Distinct()
                    continue
                seen.append(field)
                key, sep, rest = field.partition("=")
                if key in result:
                    raise CSharpException("An item with the same key has already been added.")
                result[key] = rest if sep else None
            return result
        raise CSharpException("string cannot be converted to a dict, must either be a JSON string or in the key=value form")
    raise CSharpException(f"{net_type_name(value)} cannot be converted to a dict")


_INVALID_PATH_CHARS = set('"<>|') | {chr(c) for c in range(32)}


def parse_path(value: typing.Any) -> str:
    text = parse_str(value)
    if text.startswith("\\\\?\\"):
        return text
    text = expand_environment_variables(text)
    if any(c in _INVALID_PATH_CHARS for c in text):
        raise CSharpException("string value contains invalid path characters, cannot convert to path")
    # Path.GetFullPath (.NET Framework 4.x): a ':' past the drive is NotSupportedException; '?'/'*' are illegal.
    if any(c in "?*" for c in text):
        raise CSharpException("Illegal characters in path.")
    if ":" in text[2:] or (text.find(":") == 0):
        raise CSharpException("The given path's format is not supported.", "System.NotSupportedException")
    return text


def parse_raw(value: typing.Any) -> typing.Any:
    return value


def parse_json(value: typing.Any) -> str:
    if _is_dict(value):
        return to_json(value)
    if isinstance(value, str):
        return value
    raise CSharpException(f"{net_type_name(value)} cannot be converted to json")


_SID = re.compile(r"^S-1-\d+(-\d+)+$", re.IGNORECASE)


def parse_sid(value: typing.Any) -> typing.Any:
    text = parse_str(value)
    if _SID.match(text):
        return SecurityIdentifier(text.upper())
    # NTAccount.Translate needs the host's account database, which the test host does not have.
    raise PSError(f"The test host does not model translating the account name '{text}' to a SID (NTAccount.Translate, "
                  "Ansible.Basic's 'sid' type).", fqid="NotModelledOnTestHost", category="NotImplemented",
                  exception_type="System.NotImplementedException", terminating=True)


OPTION_TYPES: dict[str, typing.Callable[[typing.Any], typing.Any]] = {
    "bool": parse_bool, "dict": parse_dict, "float": parse_float, "int": parse_int, "json": parse_json,
    "list": parse_list, "path": parse_path, "raw": parse_raw, "sid": parse_sid, "str": parse_str,
}


# --------------------------------------------------------------------------- JSON

class Dictionary(V.PSHashtable):  # pylint: disable=abstract-method
    """Dictionary<string, object> as Ansible.Basic makes them (sub-options, FromJson). The test host keeps them as
    hashtables: key lookup is case-insensitive here (case-sensitive on Windows)."""


def _from_json_value(value: typing.Any) -> typing.Any:
    if isinstance(value, dict):
        result = Dictionary()
        for key, item in value.items():
            result[key] = _from_json_value(item)
        return result
    if isinstance(value, list):
        # JavaScriptSerializer leaves arrays as ArrayList in an object-typed slot (ansible_basic_tests: Parse complex module
        # options, dict_type_json.c is a System.Collections.ArrayList)
        return V.PSArrayList([_from_json_value(v) for v in value])
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value) if V.INT32_MIN <= value <= V.INT32_MAX else PSInt64(value)
    return float(value)


def from_json(text: str) -> typing.Any:
    """JavaScriptSerializer.Deserialize: objects -> Dictionary<string, object>, arrays -> ArrayList, Int32/Int64;
    fractional numbers are Decimal on Windows (doubles here)."""
    try:
        return _from_json_value(json.loads(text))
    except ValueError as exc:
        raise CSharpException(f"Invalid JSON primitive: {exc}.") from None


def to_json(value: typing.Any) -> str:
    """ToJson: `ConvertTo-Json -InputObject $args[0] -Depth 99 -Compress` in the current runspace."""
    out = runtime.invoke_script("ConvertTo-Json -InputObject $args[0] -Depth 99 -Compress", [value])
    return V.to_string(out[0]) if out else ""


# --------------------------------------------------------------------------- the module object


def _statics() -> dict:
    """Static fields live per process (per test host)."""
    return current_runspace().host.static_fields.setdefault(
        "Ansible.Basic.AnsibleModule", {"_WrapperWarnings": None, "_DebugArgSpec": False})


def _exit_module(rc: int) -> None:
    """The static Exit delegate: ExitModule by default, which in a runspace runs the same script Ansible.Basic runs
    (sets $global:LASTEXITCODE, then `exit`); a script block assigned to [Ansible.Basic.AnsibleModule]::Exit instead
    (ansible-core's own tests do). What that block throws leaves the C# method as a MethodInvocationException around it
    (DelegateFailure)."""
    handler = _statics().get("Exit")
    if handler is not None:
        try:
            runtime.current_engine().invoke_script_block_value(handler, [rc])
        except PSError as err:
            raise DelegateFailure(err) from None
        return
    runtime.invoke_script("Set-Variable -Name LASTEXITCODE -Value $args[0] -Scope Global; exit $args[0]", [rc])


def _write_line(line: str) -> None:
    """The static WriteLine delegate: Console.WriteLine by default, or an assigned script block."""
    handler = _statics().get("WriteLine")
    if handler is not None:
        try:
            runtime.current_engine().invoke_script_block_value(handler, [line])
        except PSError as err:
            raise DelegateFailure(err) from None
        return
    runtime.console_write_line(line)


def _handler_setter(name: str) -> typing.Callable[[typing.Any], None]:
    def setter(value: typing.Any) -> None:
        if value is not None and not isinstance(value, V.ScriptBlock):
            raise PSError(f'Cannot convert the "{V.to_string(value)}" value of type "{V.ps_type_name(value)}" to type '
                          f'"Ansible.Basic.AnsibleModule+{name}Handler".', fqid="ExceptionWhenSetting",
                          category="NotSpecified", exception_type="System.Management.Automation.SetValueInvocationException")
        _statics()[name] = value
    return setter


class AnsibleModule(NetObject):  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    type_names = [FULL_NAME, "System.Object"]

    _PROPERTIES = ("CheckMode", "DebugMode", "DiffMode", "KeepRemoteFiles", "ModuleName", "NoLog", "TargetLogInfo",
                   "Verbosity", "AnsibleVersion")

    def __init__(self, args: list, argument_spec: typing.Any, fragments: typing.Any = None) -> None:
        self.ignore_unknown_opts = False
        self.remote_tmp = current_runspace().temp_dir() + "\\"
        self.tmpdir: str | None = None
        self.no_log_values: list[str] = []
        self.options_context: list[str] = []
        self.warnings: list[str] = []
        self.deprecations: list[dict] = []
        self.cleanup_files: list[str] = []
        self.diff = V.PSHashtable()
        self.params: typing.Any = None
        self.result = V.PSHashtable({"changed": False})
        self.props: dict[str, typing.Any] = {"CheckMode": False, "DebugMode": False, "DiffMode": False,
                                             "KeepRemoteFiles": False, "ModuleName": None, "NoLog": False,
                                             "TargetLogInfo": None, "Verbosity": 0, "AnsibleVersion": None}
        aliases: dict = {}
        try:
            self._validate_argument_spec(argument_spec)
            if fragments is not None:
                for fragment in V.as_list(fragments):
                    self._validate_argument_spec(fragment)
                    self._merge_fragment_spec(argument_spec, fragment)
            if _statics()["_DebugArgSpec"]:
                runtime.invoke_script("Set-Variable -Name ansibleTestArgSpec -Value $args[0] -Scope Global", [argument_spec])
                raise CSharpException("ansible-test validate-modules check", "System.Exception")
            self._set_argument_spec_defaults(argument_spec)
            self.params = get_params(args)
            aliases = self._get_aliases(argument_spec, self.params)
            self._set_no_log_values(argument_spec, self.params)
        except CSharpException as exc:
            if exc.message == "ansible-test validate-modules check":
                _exit_module(0)
            result = V.PSHashtable({"failed": True, "msg": f"internal error: {exc.message}",
                                    "exception": f"{exc.type_name}: {exc.message}"})
            _write_line(to_json(result))
            _exit_module(1)

        self.props.update({"CheckMode": False, "DebugMode": False, "DiffMode": False, "KeepRemoteFiles": False,
                           "ModuleName": "undefined win module", "TargetLogInfo": "",
                           "NoLog": bool(argument_spec["no_log"]), "Verbosity": 0})
        self.features = _features()
        legal = ["_ansible_" + k for k in self.features.pass_vars]
        legal.extend(_to_str(k) for k in _as_idict(argument_spec["options"]).keys())
        legal.extend(aliases.keys())
        self._check_arguments(argument_spec, self.params, legal)
        if not self.features.inject_invocation or self.props.get("injectInvocation", False):
            self.result["invocation"] = self._remove_no_log_values(V.PSHashtable({"module_args": self.params}))
        # LogEvent("Invoked with: ...") writes the Windows Event Log: nothing a task sees.

    # ----------------------------------------------------------------- members
    def get_member(self, name: str) -> typing.Any:  # pylint: disable=too-many-return-statements
        low = name.lower()
        if low == "params":
            return self.params
        if low == "result":
            return self.result
        if low == "diff":
            return self.diff
        if low == "tmpdir":
            return self._get_tmpdir()
        for prop in self._PROPERTIES:
            if prop.lower() == low:
                return self.props[prop]
        return MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        low = name.lower()
        if low in ("params", "result", "diff"):  # public fields
            setattr(self, low, value)
            return True
        if low in (p.lower() for p in self._PROPERTIES) or low == "tmpdir":
            raise PSError(f"'{name}' is a ReadOnly property.", fqid="PropertyAssignmentException",
                          category="InvalidOperation")
        return False

    def call(self, name: str, args: list) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
        low = name.lower()
        argc = len(args)
        try:
            if low == "exitjson" and argc == 0:
                self.exit_json()
            if low == "failjson" and argc in (1, 2):
                self.fail_json(V.to_string(args[0]), args[1] if argc == 2 else None)
            if low == "warn" and argc == 1:
                self.warn(V.to_string(args[0]))
                return void()
            if low == "deprecate" and argc in (2, 3):
                collection = None if argc == 2 or args[2] is None else V.to_string(args[2])
                self.record_deprecation(V.to_string(args[0]), args[1], collection)
                return void()
            if low == "debug" and argc == 1:
                return void()  # LogEvent of "[DEBUG] ..." when DebugMode: the Event Log only
            if low == "logevent" and 1 <= argc <= 3:
                return void()  # the Windows Event Log: not observable through a task
        except CSharpException as exc:
            raise method_exception(name, argc, exc.message, exc.type_name) from None
        except DelegateFailure as failure:
            raise failure.method_error(name, argc) from None
        if low in ("exitjson", "failjson", "warn", "deprecate", "debug", "logevent"):
            raise PSError(f'Cannot find an overload for "{name}" and the argument count: "{argc}".',
                          exception_type="System.Management.Automation.MethodException",
                          fqid="MethodCountCouldNotFindBest", category="NotSpecified", reason="MethodException")
        if low == "gettype":
            return V.TypeValue(FULL_NAME)
        if low in ("tostring", "equals", "gethashcode"):
            return super().call(name, args)
        raise method_not_found(FULL_NAME, name)

    def to_string(self) -> str:
        return FULL_NAME

    # ----------------------------------------------------------------- public methods
    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def record_deprecation(self, message: str, version_or_date: typing.Any, collection: str | None) -> None:
        if isinstance(version_or_date, datetime.datetime):
            self.deprecations.append(V.PSOrderedDict({"msg": message, "date": version_or_date.strftime("%Y-%m-%d"),
                                                      "collection_name": collection}))
        else:
            version = None if version_or_date is None else V.to_string(version_or_date)
            self.deprecations.append(V.PSOrderedDict({"msg": message, "version": version,
                                                      "collection_name": collection}))

    def exit_json(self) -> None:
        self._cleanup_files()
        _write_line(self._formatted_results(self.result))
        _exit_module(0)

    def fail_json(self, message: str, detail: typing.Any = None) -> None:
        self.result["failed"] = True
        self.result["msg"] = self._remove_no_log_values(message)
        if "exception" not in self.result and (self.props["Verbosity"] > 2 or self.props["DebugMode"]) and detail is not None:
            if "System.Management.Automation.ErrorRecord" in V.type_names_of(detail):
                self.result["exception"] = _error_record_traceback(detail)
            else:
                self.result["exception"] = getattr(getattr(detail, "PSObject", None), "to_string", None) or V.to_string(detail)
        self._cleanup_files()
        _write_line(self._formatted_results(self.result))
        _exit_module(1)

    # ----------------------------------------------------------------- Tmpdir and cleanup
    def _get_tmpdir(self) -> str:
        if self.tmpdir is None:
            runspace = current_runspace()
            fs = runspace.host.filesystem
            base_dir = fs.normalize(expand_environment_variables(self.remote_tmp)).rstrip("\\") or "C:\\"
            if not fs.is_dir(base_dir):
                failed = None
                try:
                    fs.create_directory(base_dir)
                except Exception as exc:  # pylint: disable=broad-except  # Directory.CreateDirectory's failure, reported as Ansible.Basic does
                    failed = f"Failed to create base tmpdir '{base_dir}': {getattr(exc, 'message', str(exc))}"
                if failed is not None:
                    env_tmp = runspace.temp_dir() + "\\"
                    self.warn(f"Unable to use '{base_dir}' as temporary directory, falling back to system tmp '{env_tmp}': {failed}")
                    base_dir = env_tmp.rstrip("\\")
                else:
                    user = (runspace.host.user_name if _features().user_name_only
                            else f"{runspace.host.computer_name}\\{runspace.host.user_name}")
                    self.warn(f"Module remote_tmp {base_dir} did not exist and was created with FullControl to {user}, "
                              "this may cause issues when running as another user. To avoid this, create the remote_tmp "
                              "dir with the correct permissions manually")
            file_time = int((datetime.datetime.now(datetime.timezone.utc) -
                             datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds() * 10_000_000)
            name = f"ansible-moduletmp-{file_time}-{runspace.host.process_id}-{random.randint(0, V.INT32_MAX - 1)}"
            new_dir = base_dir + "\\" + name
            fs.create_directory(new_dir)
            self.tmpdir = new_dir
            if not self.props["KeepRemoteFiles"]:
                self.cleanup_files.append(new_dir)
        return self.tmpdir

    def _cleanup_files(self) -> None:
        fs = current_runspace().host.filesystem
        for path in self.cleanup_files:
            try:
                if fs.exists(path):
                    fs.remove(path, recursive=True)
            except Exception as exc:  # pylint: disable=broad-except  # reported as a warning, as Ansible.Basic does
                kind = type(exc).__name__ if not hasattr(exc, "exception_type") else exc.exception_type.rsplit(".", 1)[-1]
                self.warn(f"Failure cleaning temp path '{path}': {kind} {getattr(exc, 'message', str(exc))}")
        self.cleanup_files = []

    # ----------------------------------------------------------------- results
    def _formatted_results(self, result: dict) -> str:
        features = _features()
        inject = not features.inject_invocation or self.props.get("injectInvocation", False)
        if inject and "invocation" not in result:
            result["invocation"] = V.PSHashtable({"module_args": self._remove_no_log_values(self.params)})
        wrapper = _statics()["_WrapperWarnings"]
        if features.wrapper_warnings and wrapper is not None:
            for warning in V.as_list(wrapper):
                self.warnings.append(V.to_string(warning))
        if self.warnings:
            result["warnings"] = V.PSGenericList(self.warnings)
        if self.deprecations:
            result["deprecations"] = V.PSGenericList(self.deprecations)
        if len(self.diff) > 0 and self.props["DiffMode"]:
            result["diff"] = self.diff
        return to_json(result)

    def _remove_no_log_values(self, value: typing.Any) -> typing.Any:
        """RemoveNoLogValues: dictionaries become Hashtables, lists List<object>, DateTimes ISO strings, other
        objects their ToString(); a no_log value is masked wherever it appears."""
        if value is None:
            return None
        if isinstance(value, bool) or V.is_number(value):
            text = net_to_string(value)
            if any(text == s or s in text for s in self.no_log_values):
                return NO_LOG_MASK
            return value
        if isinstance(value, datetime.datetime):
            # DateTime.ToString("o"): seven fraction digits; an offset only for a DateTime that has one
            text = value.replace(tzinfo=None).isoformat(timespec="microseconds") + "0"
            offset = value.utcoffset()
            if offset is not None:
                minutes = int(offset.total_seconds()) // 60
                text += f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            return text
        if _is_list(value):
            return V.PSGenericList([self._remove_no_log_values(v) for v in value])
        if _is_dict(value):
            out = V.PSHashtable()
            for key, item in value.items():
                out[_to_str(key) if isinstance(key, str) else V.to_string(key)] = self._remove_no_log_values(item)
            return out
        text = net_to_string(value)
        if text in self.no_log_values:
            return NO_LOG_MASK
        for omit in self.no_log_values:
            if omit in text:
                return text.replace(omit, "********")
        return text

    def _format_context(self, msg: str, prefix: str = " ") -> str:
        if self.options_context:
            msg += f"{prefix}found in {' -> '.join(self.options_context)}"
        return msg

    def _fail(self, msg: str) -> None:
        self.fail_json(msg)

    # ----------------------------------------------------------------- argument spec
    def _validate_argument_spec(self, spec: typing.Any) -> None:  # pylint: disable=too-many-branches
        spec = _as_idict(spec)
        changed: dict = {}
        for key, value in list(spec.items()):
            key = _to_str(key)
            if key not in SPEC_DEFAULTS:
                msg = f"argument spec entry contains an invalid key '{key}', valid keys: {', '.join(SPEC_DEFAULTS)}"
                raise CSharpException(self._format_context(msg, " - "))
            expected = SPEC_DEFAULTS[key][1] if value is not None else None
            if expected is not None:
                invalid = False
                actual = net_type_name(value)
                if expected.startswith("List["):
                    entry_type = expected[5:-1]
                    is_array = _is_list(value) and not isinstance(value, str)
                    if actual == entry_type or is_array:
                        items = list(value) if is_array else [value]
                        for item in items:
                            if entry_type != "System.Object" and item is not None and net_type_name(item) != entry_type:
                                # Enumerable.Cast<T>() through MethodInfo.Invoke: the cast failure surfaces wrapped
                                raise CSharpException("Exception has been thrown by the target of an invocation.",
                                                      "System.Reflection.TargetInvocationException")
                        changed[key] = V.PSGenericList(items)
                    elif not isinstance(value, V.PSGenericList):
                        invalid = True
                    expected_name = _LIST_OF.format(entry_type)
                else:
                    invalid = actual != expected
                    expected_name = expected
                if invalid:
                    msg = f"argument spec for '{key}' did not match expected type {expected_name}: actual type {actual}"
                    raise CSharpException(self._format_context(msg, " - "))
            if key == "options" and value is not None:
                for option_name, option_meta in _as_idict(value).items():
                    self.options_context.append(_to_str(option_name))
                    self._validate_argument_spec(option_meta)
                    self.options_context.pop()
            if key == "type" or (key == "elements" and value is not None):
                if value is None:
                    raise CSharpException("Object reference not set to an instance of an object.",
                                          "System.NullReferenceException")
                if isinstance(value, str):
                    if value not in OPTION_TYPES:
                        msg = self._format_context(f"{key} '{value}' is unsupported", " - ")
                        raise CSharpException(f"{msg}. Valid types are: {', '.join(OPTION_TYPES)}")
                elif not isinstance(value, Delegate):
                    raise CSharpException(self._format_context(
                        f"{key} must either be a string or delegate, was: {net_type_name(value)}", " - "))
        for key, value in changed.items():
            spec[key] = value

    def _merge_fragment_spec(self, spec: typing.Any, fragment: typing.Any) -> None:
        for key, value in _as_idict(fragment).items():
            key = V.to_string(key)
            if key in spec:
                if _is_dict(value):
                    self._merge_fragment_spec(spec[key], value)
                elif _is_list(value):
                    target = spec[key]
                    for item in value:
                        target.append(item)
            else:
                spec[key] = value

    def _set_argument_spec_defaults(self, spec: dict) -> None:
        for key, (factory, _unused) in SPEC_DEFAULTS.items():
            if key not in spec:
                spec[key] = factory()
        for key, value in list(spec.items()):
            if value is None or V.to_string(key) != "options":
                continue
            for option_name, option_meta in _as_idict(value).items():
                self.options_context.append(_to_str(option_name))
                self._set_argument_spec_defaults(_as_idict(option_meta))
                self.options_context.pop()

    def _get_aliases(self, spec: dict, params: typing.Any) -> dict:  # pylint: disable=too-many-branches
        results: dict = {}
        if params is None:
            raise CSharpException("Object reference not set to an instance of an object.", "System.NullReferenceException")
        for k, v in _as_idict(spec["options"]).items():
            k = _to_str(k)
            v = _as_hashtable(v)
            aliases = v["aliases"]
            if v["default"] is not None and bool(v["required"]):
                raise CSharpException(f"required and default are mutually exclusive for {k}")
            for alias in aliases:
                if alias in results:
                    raise CSharpException("An item with the same key has already been added.")
                results[alias] = k
                if alias in params:
                    params[k] = params[alias]
            for dep in v["deprecated_aliases"]:
                if "name" not in dep:
                    raise CSharpException(self._format_context("name is required in a deprecated_aliases entry", " - "))
                if "version" not in dep and "date" not in dep:
                    raise CSharpException(self._format_context(
                        "One of version or date is required in a deprecated_aliases entry", " - "))
                if "version" in dep and "date" in dep:
                    raise CSharpException(self._format_context(
                        "Only one of version or date is allowed in a deprecated_aliases entry", " - "))
                if "date" in dep and not isinstance(dep["date"], datetime.datetime):
                    raise CSharpException(self._format_context("A deprecated_aliases date must be a DateTime object", " - "))
                collection = _to_str(dep["collection_name"]) if "collection_name" in dep else None
                alias_name = _to_str(dep["name"])
                if alias_name in params:
                    msg = self._format_context(f"Alias '{alias_name}' is deprecated. See the module docs for more information",
                                               " - ")
                    if "version" in dep:
                        self.record_deprecation(msg, _to_str(dep["version"]), collection)
                    if "date" in dep:
                        self.record_deprecation(msg, dep["date"], collection)
        return results

    def _set_no_log_values(self, spec: dict, params: dict) -> None:
        for k, v in _as_idict(spec["options"]).items():
            k = _to_str(k)
            v = _as_hashtable(v)
            if bool(v["no_log"]):
                value = params[k] if k in params else None
                text = "" if value is None else net_to_string(value)
                if text and text not in self.no_log_values:
                    self.no_log_values.append(text)
            collection = _to_str(v["removed_from_collection"]) if "removed_from_collection" in v else None
            if v["removed_in_version"] is not None and k in params:
                self.record_deprecation(f"Param '{k}' is deprecated. See the module docs for more information",
                                        V.to_string(v["removed_in_version"]), collection)
            if v["removed_at_date"] is not None and k in params:
                self.record_deprecation(f"Param '{k}' is deprecated. See the module docs for more information",
                                        v["removed_at_date"], collection)

    def _check_arguments(self, spec: dict, param: dict, legal: list[str]) -> None:  # pylint: disable=too-many-branches,too-many-locals
        self._check_unsupported_arguments(param, legal)
        if self.props["CheckMode"] and not bool(spec["supports_check_mode"]) and not self.options_context:
            self.result["skipped"] = True
            self.result["msg"] = f"remote module ({self.props['ModuleName']}) does not support check mode"
            self.exit_json()
        option_spec = _as_idict(spec["options"])
        self._check_mutually_exclusive(param, spec["mutually_exclusive"])
        self._check_required_arguments(option_spec, param)
        for k, v in option_spec.items():
            k = _to_str(k)
            v = _as_hashtable(v)
            value = param[k] if k in param else None
            if value is None:
                continue
            if isinstance(v["type"], str):
                type_name = v["type"]
                converter = OPTION_TYPES[type_name]
            else:
                type_name = "delegate"
                converter = _delegate_converter(v["type"])
            try:
                value = converter(value)
                param[k] = value
            except CSharpException as exc:
                self._fail(self._format_context(f"argument for {k} is of type {net_type_name(value)} and we were unable "
                                                f"to convert to {type_name}: {exc.message}"))
            choices = [net_to_string(c) for c in v["choices"]]
            if choices:
                if type_name == "list":
                    values = [net_to_string(x) for x in value]
                    choice_msg = "one or more of"
                else:
                    values = [net_to_string(value)]
                    choice_msg = "one of"
                lowered = [c.lower() for c in choices]
                diff: list[str] = []
                for item in values:  # Enumerable.Except(..., OrdinalIgnoreCase): distinct, case-insensitive
                    if item.lower() not in lowered and item.lower() not in (d.lower() for d in diff):
                        diff.append(item)
                if diff:
                    self._fail(self._format_context(f"value of {k} must be {choice_msg}: {', '.join(choices)}. Got no "
                                                    f"match for: {', '.join(diff)}"))
        self._check_required_together(param, spec["required_together"])
        self._check_required_one_of(param, spec["required_one_of"])
        self._check_required_if(param, spec["required_if"])
        self._check_required_by(param, _as_idict(spec["required_by"]))
        for k, v in option_spec.items():
            k = _to_str(k)
            if k not in param:
                param[k] = None
            self._check_sub_option(param, k, _as_idict(v))

    def _check_unsupported_arguments(self, param: dict, legal: list[str]) -> None:  # pylint: disable=too-many-branches
        unsupported: list[str] = []
        case_unsupported: list[str] = []
        removed: list[str] = []
        legal_lower = [x.lower() for x in legal]
        pass_vars = self.features.pass_vars
        for key, value in list(param.items()):
            key = _to_str(key)
            if key == "_ansible_exec_wrapper_warnings" and self.features.exec_wrapper_warnings_key:
                removed.append(key)
                for warning in V.as_list(value):
                    self.warn(_to_str(warning))
            elif key.lower() not in legal_lower:
                if key not in unsupported:
                    unsupported.append(key)
            elif key not in legal:
                if key not in case_unsupported:
                    case_unsupported.append(key)
            elif key.startswith("_ansible_"):
                removed.append(key)
                name = key.replace("_ansible_", "")
                if (name == "no_log" and self.props["NoLog"]) or pass_vars[name] is None:
                    continue
                if name in self.features.pass_bools:
                    value = parse_bool(value)
                elif name in PASS_INTS:
                    value = parse_int(value)
                elif name in self.features.pass_string_arrays:
                    value = [parse_str(v) for v in V.as_list(value)]
                target = pass_vars[name]
                if target in self.props:
                    self.props[target] = value
                elif target == "ignoreUnknownOpts":
                    self.ignore_unknown_opts = bool(value)
                elif target == "remoteTmp":
                    self.remote_tmp = _to_str(value)
                elif target == "tmpdir":
                    self.tmpdir = _to_str(value)
                else:  # the private fields of later versions: injectInvocation, _tracebacksFor
                    self.props[target] = value
        for key in removed:
            del param[key]
        if unsupported and not self.ignore_unknown_opts:
            legal[:] = [x for x in legal if x.replace("_ansible_", "") not in pass_vars]
            shown, supported = unsupported, legal
            if self.features.sorted_unsupported:  # OrderBy(s => s, StringComparer.Ordinal)
                shown, supported = sorted(unsupported), sorted(legal)
            msg = f"Unsupported parameters for ({self.props['ModuleName']}) module: {', '.join(shown)}"
            self._fail(f"{self._format_context(msg)}. Supported parameters include: {', '.join(supported)}")
        for key in case_unsupported:
            correct = next(x for x in legal if x.lower() == key.lower())
            value = param[key]
            del param[key]
            param[correct] = value

    def _check_mutually_exclusive(self, param: dict, checks: typing.Any) -> None:
        if checks is None:
            return
        for check in checks:
            names = [_to_str(x) for x in _as_ilist(check)]
            if sum(1 for n in names if n in param) > 1:
                self._fail(self._format_context(f"parameters are mutually exclusive: {', '.join(names)}"))

    def _check_required_arguments(self, spec: dict, param: dict) -> None:
        missing_names = []
        for k, v in spec.items():
            v = _as_hashtable(v)
            if v["default"] is not None and k not in param:
                param[k] = v["default"]
            if bool(v["required"]) and k not in param:
                missing_names.append(k)
        if missing_names:
            self._fail(self._format_context(f"missing required arguments: {', '.join(missing_names)}"))

    def _check_required_together(self, param: dict, checks: typing.Any) -> None:
        if checks is None:
            return
        for check in checks:
            names = [_to_str(x) for x in _as_ilist(check)]
            found = [n in param for n in names]
            if True in found and False in found:
                self._fail(self._format_context(f"parameters are required together: {', '.join(names)}"))

    def _check_required_one_of(self, param: dict, checks: typing.Any) -> None:
        if checks is None:
            return
        for check in checks:
            names = [_to_str(x) for x in _as_ilist(check)]
            if not any(n in param for n in names):
                self._fail(self._format_context(f"one of the following is required: {', '.join(names)}"))

    def _check_required_if(self, param: dict, checks: typing.Any) -> None:
        if checks is None:
            return
        for check in checks:
            entry = _as_ilist(check)
            max_missing = 1
            one_required = False
            if len(entry) < 3:
                self._fail(f"internal error: invalid required_if value count of {len(entry)}, expecting 3 or 4 entries")
            elif len(entry) == 4:
                one_required = bool(entry[3])
            key = _to_str(entry[0])
            val = entry[1]
            requirements = _as_ilist(entry[2])
            if param[key] is None and not self.features.required_if_null_check:
                parse_str(None)  # 2.16: ParseStr(null) -> NullReferenceException
            if param[key] is None or parse_str(param[key]) != parse_str(val):
                continue
            term = "all"
            if one_required:
                max_missing = len(requirements)
                term = "any"
            missing_names = [_to_str(r) for r in requirements if r not in param]
            if len(missing_names) >= max_missing:
                self._fail(self._format_context(f"{key} is {net_to_string(val)} but {term} of the following are missing: "
                                                f"{', '.join(missing_names)}"))

    def _check_required_by(self, param: dict, required_by: dict) -> None:
        for key, value in required_by.items():
            key = _to_str(key)
            if key not in param:
                continue
            missing_names = [_to_str(r) for r in parse_list(value) if r not in param]
            if missing_names:
                self._fail(self._format_context(f"missing parameter(s) required by '{key}': {', '.join(missing_names)}"))

    def _check_sub_option(self, param: dict, key: str, spec: dict) -> None:
        value = param[key]
        type_name = spec["type"] if isinstance(spec["type"], str) else "delegate"
        elements = None
        converter = None
        if isinstance(spec["elements"], str):
            elements = spec["elements"]
            converter = OPTION_TYPES[elements]
        elif spec["elements"] is not None:
            elements = "delegate"
            converter = _delegate_converter(spec["elements"])
        if not (type_name == "dict" or (type_name == "list" and elements is not None)):
            return
        if type_name == "list":
            if value is None:
                return
            new_value = V.PSGenericList()
            for element in value:
                if elements == "dict":
                    new_value.append(self._parse_sub_spec(spec, element, key))
                else:
                    try:
                        new_value.append(converter(element))
                    except CSharpException:
                        # e.Message of the TargetInvocationException DynamicInvoke wraps the converter's exception in
                        self._fail(self._format_context(
                            f"argument for list entry {key} is of type {net_type_name(element)} and we were unable to "
                            f"convert to {elements}: Exception has been thrown by the target of an invocation."))
            param[key] = new_value
        else:
            param[key] = self._parse_sub_spec(spec, value, key)

    def _parse_sub_spec(self, spec: dict, value: typing.Any, context: str) -> typing.Any:
        apply_defaults = bool(spec["apply_defaults"])
        options = _as_idict(spec["options"])
        if apply_defaults and len(options) > 0 and value is None:
            value = Dictionary()
        elif len(options) == 0 or value is None:
            return value
        self.options_context.append(context)
        new_value = parse_dict(value)
        aliases = self._get_aliases(spec, new_value)
        self._set_no_log_values(spec, new_value)
        legal = [_to_str(k) for k in options.keys()] + list(aliases.keys())
        self._check_arguments(spec, new_value, legal)
        self.options_context.pop()
        return new_value


def _delegate_converter(delegate: Delegate) -> typing.Callable[[typing.Any], typing.Any]:
    """Delegate.DynamicInvoke(value): what the script block throws is the inner exception."""
    def convert(value: typing.Any) -> typing.Any:
        try:
            return delegate.invoke([value])
        except PSError as err:
            raise CSharpException(err.message, err.exception_type) from None
    return convert


def _error_record_traceback(record: typing.Any) -> str:
    """FailJson's traceback of an ErrorRecord, built by the same member reads as the C# (run in the session, so a
    member the test host does not model trips the tripwire instead of inventing text)."""
    out = runtime.invoke_script(
        '$r = $args[0]; "{0}`r`n{1}" -f $r.ToString(), $r.InvocationInfo.PositionMessage + '
        '"`r`n    + CategoryInfo          : $($r.CategoryInfo)" + '
        '"`r`n    + FullyQualifiedErrorId : $($r.FullyQualifiedErrorId)" + '
        '"`r`n`r`nScriptStackTrace:`r`n$($r.ScriptStackTrace)"', [record])
    return V.to_string(out[0]) if out else ""


def get_params(args: list) -> typing.Any:
    if args:
        try:
            text = current_runspace().host.filesystem.read_bytes(V.to_string(args[0])).decode("utf-8-sig")
        except FSError as exc:
            raise CSharpException(exc.message, exc.exception_type) from None
        raw = from_json(text)
        if not isinstance(raw, dict) or "ANSIBLE_MODULE_ARGS" not in raw:
            raise CSharpException("Module was unable to get ANSIBLE_MODULE_ARGS value from the argument path json")
        return raw["ANSIBLE_MODULE_ARGS"]
    out = runtime.invoke_script("$complex_args")
    if not out:
        raise CSharpException("Index was out of range. Must be non-negative and less than the size of the collection."
                              "\r\nParameter name: index", "System.ArgumentOutOfRangeException")
    raw = out[0]
    return raw if _is_hashtable(raw) else None


# --------------------------------------------------------------------------- static members and registration

def _create(args: list) -> AnsibleModule:
    if len(args) not in (2, 3):
        raise PSError(f'Cannot find an overload for "Create" and the argument count: "{len(args)}".',
                      exception_type="System.Management.Automation.MethodException",
                      fqid="MethodCountCouldNotFindBest", category="NotSpecified", reason="MethodException")
    module_args = [V.to_string(a) for a in V.as_list(args[0])]
    fragments = args[2] if len(args) == 3 else None
    try:
        return AnsibleModule(module_args, args[1], fragments)
    except CSharpException as exc:
        raise method_exception("Create", len(args), exc.message, exc.type_name) from None
    except DelegateFailure as failure:
        raise failure.method_error("Create", len(args)) from None


def _static_call(name: str, func: typing.Callable[[typing.Any], typing.Any]) -> typing.Callable[[list], typing.Any]:
    def call(args: list) -> typing.Any:
        if len(args) != 1:
            raise PSError(f'Cannot find an overload for "{name}" and the argument count: "{len(args)}".',
                          exception_type="System.Management.Automation.MethodException",
                          fqid="MethodCountCouldNotFindBest", category="NotSpecified", reason="MethodException")
        try:
            return func(args[0])
        except CSharpException as exc:
            raise method_exception(name, 1, exc.message, exc.type_name) from None
    return call


def _set_wrapper_warnings(value: typing.Any) -> None:
    _statics()["_WrapperWarnings"] = value


def _set_debug_arg_spec(value: typing.Any) -> None:
    _statics()["_DebugArgSpec"] = V.to_bool(value)


def _load(source: str) -> list[str]:
    if not re.search(r"\bpublic\s+class\s+AnsibleModule\b", source):
        raise PSError("The test host's Ansible.Basic stand-in models ansible-core's Ansible.Basic.cs (class AnsibleModule); "
                      "this source declares namespace Ansible.Basic without it.", fqid="NoStandIn",
                      category="NotImplemented", terminating=True)
    features = Features(source)
    _statics()["features"] = features
    static_properties = {"Exit": lambda: _statics().get("Exit"), "WriteLine": lambda: _statics().get("WriteLine"),
                         "_DebugArgSpec": lambda: _statics()["_DebugArgSpec"]}
    static_setters = {"_DebugArgSpec": _set_debug_arg_spec, "Exit": _handler_setter("Exit"),
                      "WriteLine": _handler_setter("WriteLine")}
    if features.wrapper_warnings:
        static_properties["_WrapperWarnings"] = lambda: _statics()["_WrapperWarnings"]
        static_setters["_WrapperWarnings"] = _set_wrapper_warnings
    typeregistry.register(typeregistry.NetType(
        FULL_NAME,
        static_properties=static_properties,
        static_setters=static_setters,
        static_methods={
            "Create": _create,
            "FromJson": _static_call("FromJson", lambda v: from_json(V.to_string(v))),
            "ToJson": _static_call("ToJson", to_json),
            "GetParams": _static_call("GetParams", lambda v: get_params([V.to_string(a) for a in V.as_list(v)])),
            "ParseBool": _static_call("ParseBool", parse_bool), "ParseDict": _static_call("ParseDict", parse_dict),
            "ParseFloat": _static_call("ParseFloat", parse_float), "ParseInt": _static_call("ParseInt", parse_int),
            "ParseJson": _static_call("ParseJson", parse_json), "ParseList": _static_call("ParseList", parse_list),
            "ParsePath": _static_call("ParsePath", parse_path), "ParseRaw": _static_call("ParseRaw", parse_raw),
            "ParseSid": _static_call("ParseSid", parse_sid), "ParseStr": _static_call("ParseStr", parse_str),
        },
        constructor=_create,
        instance_check=lambda v: isinstance(v, AnsibleModule),
    ))
    return [FULL_NAME]


register_standin("Ansible.Basic", _load)
