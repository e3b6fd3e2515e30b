"""Types of the System namespace declared through the registry."""

from __future__ import annotations

import re
import uuid
import typing

from psrpcore.types import PSVersion

from .. import typeregistry
from ..dotnet import NetObject, current_runspace
from ..errors import invalid_cast, method_exception
from ..typeregistry import net_method, net_property
from .. import values as V


def expand_environment_variables(text: str) -> str:
    """Environment.ExpandEnvironmentVariables: each %NAME% found in the process environment (the runspace's copy) is
    replaced; unknown names and a lone % stay as written (.NET Framework's ExpandEnvironmentStrings)."""

    env = current_runspace().env

    def replace(match: re.Match) -> str:
        found = env.get(match.group(1))
        return match.group(0) if found is None else found

    return re.sub(r"%([^%]+)%", replace, text)


def _version_from_text(text: str) -> PSVersion:
    """System.Version.Parse: 2 to 4 non-negative Int32 parts (Version.cs TryParseVersion)."""
    parts = text.strip().split(".")
    if not 2 <= len(parts) <= 4 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    if any(int(p) > V.INT32_MAX for p in parts):
        raise ValueError(text)
    return PSVersion(".".join(str(int(p)) for p in parts))


def to_version(value: typing.Any) -> PSVersion:
    """[Version]$value as PowerShell converts it: a Version as is, a string parsed (2 to 4 parts), anything else by its
    string; $null stays $null (a reference type), as an unset [Version] parameter does."""
    if value is None:
        return None
    if isinstance(value, PSVersion):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    text = V.to_string(value)
    try:
        return _version_from_text(text)
    except ValueError:
        # 5.1: Cannot convert value "x" to type "System.Version". Error: "Version string portion was too short or too long."
        raise invalid_cast(text, "System.Version", "Version string portion was too short or too long."
                           if len(text.split(".")) < 2 or len(text.split(".")) > 4 else
                           "Input string was not in a correct format.", fqid="InvalidCastParseTargetInvocation") from None


def _new_version(args: list) -> PSVersion:
    if len(args) == 1:
        return to_version(args[0])
    if 2 <= len(args) <= 4:
        numbers = [V.cast(a, V.TypeValue("System.Int32")) for a in args]
        if any(n < 0 for n in numbers):
            raise method_exception("new", len(args), "Version's parameters must be greater than or equal to zero.\r\n"
                                   "Parameter name: major", "System.ArgumentOutOfRangeException")
        return PSVersion(".".join(str(n) for n in numbers))
    if not args:
        return PSVersion("0.0")
    raise method_exception("new", len(args), f'Cannot find an overload for "new" and the argument count: "{len(args)}".',
                           "System.Management.Automation.MethodException")


def _parse(args: list) -> PSVersion:
    return to_version(args[0]) if len(args) == 1 else _new_version(args)


def _key(version: PSVersion) -> tuple[int, ...]:
    return tuple(-1 if p is None else p for p in (version.major, version.minor, version.build, version.revision))


def compare_versions(left: PSVersion, right: typing.Any) -> int:
    """Version.CompareTo after converting the right operand to a Version (PowerShell's comparison rule); $null is smallest."""
    if right is None:
        return 1
    a, b = _key(left), _key(to_version(right))
    return (a > b) - (a < b)


typeregistry.register(typeregistry.NetType(
    "System.Version", accelerators=("version",),
    base_types=("System.Object",),
    static_methods={"Parse": _parse},
    constructor=_new_version,
    convert=to_version,
    instance_check=lambda value: isinstance(value, PSVersion),
    compare=compare_versions,
    equals=lambda left, right: right is not None and compare_versions(left, right) == 0,
))


# --- System.String's static Equals ----------------------------------------------------------------------------

def _string_equals(args: list) -> bool:
    """String.Equals(a, b[, comparisonType]): ordinal unless a StringComparison says otherwise; PowerShell picks
    the (string, string) overload for [string]::Equals and converts both arguments to strings ($null stays null)."""
    if len(args) not in (2, 3):
        raise method_exception("Equals", len(args), f'Cannot find an overload for "Equals" and the argument count: '
                               f'"{len(args)}".', "System.Management.Automation.MethodException")
    left, right = (None if a is None else V.to_string(a) for a in args[:2])
    if left is None or right is None:
        return left is None and right is None
    ignore_case = len(args) == 3 and V.to_string(args[2]).lower().endswith("ignorecase")
    return left.lower() == right.lower() if ignore_case else left == right


typeregistry.register(typeregistry.NetType(
    "System.String", accelerators=("string",), static_methods={"Equals": _string_equals}))


# System.Environment and System.Console (process-wide state) are declared in clr/process.py.


# --- System.StringComparer (learn.microsoft.com: Ordinal, OrdinalIgnoreCase, InvariantCulture[IgnoreCase],
# CurrentCulture[IgnoreCase]; Equals and Compare of two strings) ---------------------------------------------------

class StringComparer(NetObject):  # pylint: disable=too-few-public-methods
    def __init__(self, name: str, ignore_case: bool) -> None:
        self.type_names = [f"System.{name}Comparer" if name == "Ordinal" else "System.CultureAwareComparer",
                           "System.StringComparer", "System.Object"]
        self.name = name + ("IgnoreCase" if ignore_case else "")
        self.ignore_case = ignore_case

    def key(self, value: typing.Any) -> typing.Any:
        if isinstance(value, str):
            return ("s", value.lower() if self.ignore_case else str.__str__(value))
        return ("o", value)

    @net_method("Equals")
    def _equals_object(self, other: typing.Any) -> bool:
        return other is self  # System.Object.Equals(object)

    @net_method("Equals")
    def _equals(self, left: typing.Any, right: typing.Any) -> bool:
        return self.key(left) == self.key(right)

    @net_method("Compare")
    def _compare(self, left: typing.Any, right: typing.Any) -> int:
        a, b = self.key(left), self.key(right)
        return (a > b) - (a < b)


_COMPARERS = {name.lower(): StringComparer(base, name.endswith("IgnoreCase")) for name, base in (
    ("Ordinal", "Ordinal"), ("OrdinalIgnoreCase", "Ordinal"), ("InvariantCulture", "InvariantCulture"),
    ("InvariantCultureIgnoreCase", "InvariantCulture"), ("CurrentCulture", "CurrentCulture"),
    ("CurrentCultureIgnoreCase", "CurrentCulture"))}

typeregistry.register(typeregistry.NetType(
    "System.StringComparer",
    static_properties={c.name: (lambda c=c: c) for c in _COMPARERS.values()},
))


class GuidObject(NetObject):
    """A System.Guid: `[Guid]::NewGuid()`. Its text is the "D" form (lower case, hyphens); `.Guid` is types.ps1xml's
    ScriptProperty (`$this.ToString()`), which Ansible.ModuleUtils.AddType joins to its temporary path
    (`Join-Path $temp_path ([Guid]::NewGuid().Guid)`); ToString("N"/"D"/"B"/"P") as Guid.ToString(format). On the wire
    a Guid is `<G>` (MS-PSRP 2.2.5.1.15)."""

    type_names = ["System.Guid", "System.ValueType", "System.Object"]

    def __init__(self, value: uuid.UUID) -> None:
        self.value = value

    @net_property("Guid")
    def _guid(self) -> str:
        return self.to_string()

    @net_method("ToString")
    def _to_string(self) -> str:
        return self.to_string()

    @net_method("ToString")
    def _to_string_format(self, format_arg: typing.Any) -> str:
        fmt = (V.to_string(format_arg) or "D").upper()
        text = str(self.value)
        forms = {"D": text, "N": self.value.hex, "B": "{" + text + "}", "P": "(" + text + ")"}
        if fmt not in forms:
            raise method_exception("ToString", 1, "Format String can be only \"D\", \"d\", \"N\", \"n\", \"P\", "
                                   "\"p\", \"B\", \"b\", \"X\" or \"x\".", "System.FormatException")
        return forms[fmt]

    @net_method("Equals")
    def _equals(self, other: typing.Any) -> bool:
        return isinstance(other, GuidObject) and other.value == self.value

    def to_string(self) -> str:
        return str(self.value)

    def to_wire(self) -> typing.Any:
        return self.value


def _to_guid(value: typing.Any) -> GuidObject:
    if isinstance(value, GuidObject):
        return value
    text = V.to_string(value).strip()
    try:
        return GuidObject(uuid.UUID(text))
    except ValueError:
        raise invalid_cast(text, "System.Guid", "Guid should contain 32 digits with 4 dashes "
                           "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).", fqid="InvalidCastParseTargetInvocation") from None


typeregistry.register(typeregistry.NetType(
    "System.Guid", accelerators=("guid",), base_types=("System.ValueType", "System.Object"),
    static_methods={"NewGuid": lambda args: GuidObject(uuid.uuid4())},
    static_properties={"Empty": lambda: GuidObject(uuid.UUID(int=0))},
    convert=_to_guid, instance_check=lambda value: isinstance(value, GuidObject),
    equals=lambda left, right: isinstance(right, GuidObject) and left.value == right.value))
