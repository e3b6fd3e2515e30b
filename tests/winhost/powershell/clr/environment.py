"""System.Environment's process environment variables, declared through the registry.

The test host's process environment is its runspace's (scopes.Environment: one wsmprovhost process
per session, as on Windows), so these read and write the same variables `$env:` does. .NET docs,
System.Environment: GetEnvironmentVariables() "Retrieves all environment variable names and their
values from the current process" (an IDictionary, a Hashtable); SetEnvironmentVariable(variable,
value) with value null or empty deletes the variable; the EnvironmentVariableTarget overloads
(Process, User, Machine) exist, and only Process is modelled (User and Machine are the registry).
The declaration keeps the static properties members.py already answers (NewLine, MachineName, ...).
"""

from __future__ import annotations

import typing

from .. import dotnet, tripwire, typeregistry
from .. import values as V
from ..errors import method_exception


def _process(args: list, at: int, method: str) -> None:
    """Only the Process target is modelled; anything else is a NotModelledByTestHost error, never a silent no-op."""
    if len(args) > at:
        target = V.to_string(args[at])
        if target.lower() not in ("process", "0"):
            raise tripwire.not_modelled(f"[Environment]::{method} with the target '{target}'")


def _env() -> typing.Any:
    return dotnet.current_runspace().env


def _get_all(args: list) -> V.PSHashtable:
    if len(args) > 1:
        raise method_exception("GetEnvironmentVariables", len(args),
                               f'Cannot find an overload for "GetEnvironmentVariables" and the argument count: "{len(args)}".',
                               "System.Management.Automation.MethodException")
    _process(args, 0, "GetEnvironmentVariables")
    env = _env()
    table = V.PSHashtable()
    for name in env.names():
        table[name] = env.get(name)
    return table


def _get(args: list) -> typing.Any:
    _process(args, 1, "GetEnvironmentVariable")
    return _env().get(V.to_string(args[0]))


def _set(args: list) -> None:
    if len(args) not in (2, 3):
        raise method_exception("SetEnvironmentVariable", len(args),
                               f'Cannot find an overload for "SetEnvironmentVariable" and the argument count: "{len(args)}".',
                               "System.Management.Automation.MethodException")
    _process(args, 2, "SetEnvironmentVariable")
    _env().set(V.to_string(args[0]), None if args[1] is None else V.to_string(args[1]))
    return dotnet.void()


typeregistry.register(typeregistry.NetType(
    "System.Environment",
    static_methods={"GetEnvironmentVariables": _get_all, "GetEnvironmentVariable": _get, "SetEnvironmentVariable": _set},
))
