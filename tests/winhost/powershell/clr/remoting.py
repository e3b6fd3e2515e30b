"""The remoting host's internals that ansible-core's psrp_put_file.ps1 (2.19 on) reaches by reflection.

Its begin block (in a try/catch) lifts the deserialization memory quota of the command's input:

    $Host | Get-Property 'ExternalHost' | Get-Field '_transportManager' | Get-Property 'Fragmentor' |
        Get-Property 'DeserializationContext' | Set-Property 'MaximumAllowedMemory' $null

each step `$Object.GetType().GetProperty|GetField($Name, [BindingFlags]'NonPublic, Instance')` then `GetValue`/`SetValue`.
What Windows PowerShell 5.1 has there (PowerShell/PowerShell, the 2016 code base of 5.1, and the 5.1 assembly):
`$Host` is the engine's InternalHost (engine/hostifaces/InternalHost.cs) whose internal ExternalHost property is the
host it wraps, in a PSRP session the ServerRemoteHost (engine/remoting/server/ServerRemoteHost.cs; a pipeline that
uses the runspace pool's host gets its subclass ServerDriverRemoteHost: the same members); its protected field
`_transportManager` is the AbstractServerTransportManager it talks to the client through (over WinRM a
WSManPluginServerTransportManager, engine/remoting/fanin/WSManPluginTransportManager.cs); BaseTransportManager's
internal Fragmentor property (engine/remoting/common/BaseTransportManager.cs) is the Fragmentor
(engine/remoting/common/fragmentor.cs) whose internal DeserializationContext property is the context incoming data
is deserialized with (engine/serialization.cs), whose internal `int? MaximumAllowedMemory` is the quota, $null for
none.

The test host enforces no deserialization quota on what a client sends, so the value the script sets ($null: no
quota) is what the host already does: it is kept (on the session's `$Host`, where Windows keeps it per transport
manager) and read back. Its value before anything set it (Windows' configured quota) is not modelled: reading it
trips. Any other member or reflection of these objects trips too.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, PSHostObject, _overload, void
from ..errors import PSError
from ..tripwire import trip

REMOTING = "System.Management.Automation.Remoting"
INTERNAL_HOST = "System.Management.Automation.Internal.Host.InternalHost"
SERVER_REMOTE_HOST = f"{REMOTING}.ServerRemoteHost"
TRANSPORT_MANAGER = f"{REMOTING}.WSManPluginServerTransportManager"
FRAGMENTOR = f"{REMOTING}.Fragmentor"
DESERIALIZATION_CONTEXT = "System.Management.Automation.DeserializationContext"


class _Internal(NetObject):
    """One of the internal objects: reached only by reflection; its own members are not modelled."""

    net_closed = True

    def net_not_modelled_error(self, kind: str, name: str) -> PSError:
        return trip(f"The {self.type_names[0]} {kind} '{name}'")


class DeserializationContext(_Internal):
    type_names = [DESERIALIZATION_CONTEXT, "System.Object"]

    def __init__(self) -> None:
        super().__init__()
        self.maximum_allowed_memory: typing.Any = None
        self.set = False


class Fragmentor(_Internal):
    type_names = [FRAGMENTOR, "System.Object"]

    def __init__(self) -> None:
        super().__init__()
        self.context = DeserializationContext()


class TransportManager(_Internal):
    type_names = [TRANSPORT_MANAGER, f"{REMOTING}.Server.AbstractServerSessionTransportManager",
                  f"{REMOTING}.AbstractServerTransportManager", f"{REMOTING}.BaseTransportManager", "System.Object"]

    def __init__(self) -> None:
        super().__init__()
        self.fragmentor = Fragmentor()


class ServerRemoteHost(_Internal):
    """The host InternalHost wraps in a PSRP session (ExternalHost)."""

    type_names = [SERVER_REMOTE_HOST, "System.Management.Automation.Host.PSHost", "System.Object"]

    def __init__(self) -> None:
        super().__init__()
        self.transport_manager = TransportManager()


def external_host(internal_host: typing.Any) -> ServerRemoteHost:
    """InternalHost.ExternalHost of the session's `$Host` (dotnet.PSHostObject): one per `$Host`."""
    found = getattr(internal_host, "external_host", None)
    if found is None:
        found = internal_host.external_host = ServerRemoteHost()
    return found


def _max_memory(context: DeserializationContext) -> typing.Any:
    if not context.set:
        raise trip("DeserializationContext.MaximumAllowedMemory before anything set it (Windows' quota)")
    return context.maximum_allowed_memory


def _set_max_memory(context: DeserializationContext, value: typing.Any) -> None:
    context.maximum_allowed_memory = None if value is None else V.cast(value, V.TypeValue("System.Int32"))
    context.set = True


class MemberInfo(NetObject):
    """A System.Reflection.PropertyInfo / FieldInfo of one of these types: GetValue and (for a property the script sets)
    SetValue on an instance of it."""

    def __init__(self, kind: str, name: str, owner: type, getter: typing.Callable[[typing.Any], typing.Any],
                 setter: typing.Callable[[typing.Any, typing.Any], None] | None = None) -> None:
        super().__init__()
        self.type_names = (["System.Reflection.RuntimePropertyInfo", "System.Reflection.PropertyInfo"] if kind == "property"
                           else ["System.Reflection.RtFieldInfo", "System.Reflection.FieldInfo"]) + \
            ["System.Reflection.MemberInfo", "System.Object"]
        self.kind, self.name, self.owner, self.getter, self.setter = kind, name, owner, getter, setter

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "name":
            return self.name
        raise trip(f"The {self.type_names[1]} member '{name}'")

    def _target(self, method: str, target: typing.Any) -> typing.Any:
        if not isinstance(target, self.owner):
            raise trip(f"{self.type_names[1]}.{method} of '{self.name}' on an object of another type")
        return target

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        # PropertyInfo.GetValue(obj, index[]) / FieldInfo.GetValue(obj); PropertyInfo.SetValue(obj, value, index[]).
        if low == "getvalue":
            if len(args) != (2 if self.kind == "property" else 1) or (self.kind == "property" and args[1] is not None):
                raise _overload("GetValue", len(args))
            return self.getter(self._target("GetValue", args[0]))
        if low == "setvalue" and self.setter is not None:
            if len(args) != 3 or args[2] is not None:
                raise _overload("SetValue", len(args))
            self.setter(self._target("SetValue", args[0]), args[1])
            return void()
        if low in ("gettype", "tostring", "equals", "gethashcode"):
            return super().call(name, args)
        raise trip(f"The {self.type_names[1]} method '{name}' of '{self.name}'")

    def to_string(self) -> str:
        return self.name


# type -> (GetProperty | GetField) -> member name -> the MemberInfo it gives (NonPublic, Instance).
_MEMBERS: dict[str, dict[str, dict[str, typing.Callable[[], MemberInfo]]]] = {
    INTERNAL_HOST: {"getproperty": {"externalhost": lambda: MemberInfo("property", "ExternalHost", PSHostObject, external_host)}},
    SERVER_REMOTE_HOST: {"getfield": {"_transportmanager": lambda: MemberInfo(
        "field", "_transportManager", ServerRemoteHost, lambda remote: remote.transport_manager)}},
    TRANSPORT_MANAGER: {"getproperty": {"fragmentor": lambda: MemberInfo(
        "property", "Fragmentor", TransportManager, lambda manager: manager.fragmentor)}},
    FRAGMENTOR: {"getproperty": {"deserializationcontext": lambda: MemberInfo(
        "property", "DeserializationContext", Fragmentor, lambda fragmentor: fragmentor.context)}},
    DESERIALIZATION_CONTEXT: {"getproperty": {"maximumallowedmemory": lambda: MemberInfo(
        "property", "MaximumAllowedMemory", DeserializationContext, _max_memory, _set_max_memory)}},
}


def _reflect(type_name: str, key: str) -> typing.Callable[[list], typing.Any]:
    method = "GetProperty" if key == "getproperty" else "GetField"

    def find(args: list) -> typing.Any:
        if len(args) != 2:
            raise _overload(method, len(args))
        name = V.to_string(args[0])
        flags = {n.strip() for n in V.to_string(V.cast(args[1], V.TypeValue("System.Reflection.BindingFlags"))).split(",")}
        make = _MEMBERS[type_name][key].get(name.lower())
        if make is None or not {"NonPublic", "Instance"} <= flags:
            raise trip(f"Reflection on [{type_name}] (the System.Type method {method} for '{name}', {', '.join(sorted(flags))})")
        return make()
    return find


for _type_name, _methods in _MEMBERS.items():
    typeregistry.register(typeregistry.NetType(
        _type_name, static_methods={("GetProperty" if m == "getproperty" else "GetField"): _reflect(_type_name, m)
                                    for m in _methods}))
