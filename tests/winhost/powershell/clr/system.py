"""Types of the System namespace declared through the registry."""

from __future__ import annotations

import re
import typing

from psrpcore.types import PSVersion

from .. import typeregistry
from ..errors import invalid_cast, method_exception
from .. import values as V


def expand_environment_variables(text: str) -> str:
    """Environment.ExpandEnvironmentVariables: each %NAME% found in the process environment (the runspace's copy) is
    replaced; unknown names and a lone % stay as written (.NET Framework's ExpandEnvironmentStrings)."""
    from ..dotnet import current_runspace  # pylint: disable=import-outside-toplevel  # dotnet imports the value model

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
    """[Version]$value as PowerShell converts it: a Version as is, a string parsed (2 to 4 parts), anything else by its string."""
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
