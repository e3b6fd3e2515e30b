"""System.IO.Pipes' named pipes and their ACL, over the machine's pipe namespace (../../machine/kernel.py NamedPipes):
what ansible-core 2.16 to 2.18's async_wrapper.ps1 uses to hand the job to the process it starts through WMI, and what
that process's bootstrap reads it with. .NET Framework 4.x (System.Core), learn.microsoft.com:

- `PipeSecurity()`: an empty ACL; `AddAccessRule(PipeAccessRule)` adds an allow or deny rule. Its other members
  (GetAccessRules, SetOwner, Sddl, ...) are not modelled (a tripwire error naming them).
- `PipeAccessRule(IdentityReference | string, PipeAccessRights, AccessControlType)`: an Allow rule also grants
  Synchronize (PipeAccessRule.AccessMaskFromRights), so `Read` allows what GENERIC_READ asks (FILE_GENERIC_READ).
- `NamedPipeServerStream(name[, direction[, maxInstances[, transmissionMode[, options[, inBufferSize,
  outBufferSize[, pipeSecurity]]]]]])` (CreateNamedPipeW): a new instance of \\\\.\\pipe\\<name>; the name
  "anonymous" is reserved (ArgumentOutOfRangeException); an instance too many is IOException "All pipe instances are
  busy." (ERROR_PIPE_BUSY). The buffer sizes are advisory and change nothing here. `WaitForConnection()`,
  `BeginWaitForConnection(callback, state)` (an IAsyncResult: AsyncWaitHandle.WaitOne(ms), IsCompleted) and
  `EndWaitForConnection(result)` (ConnectNamedPipe: a client that opened the instance first counts as connected,
  ERROR_PIPE_CONNECTED); `Write(byte[], offset, count)`, `Read(byte[], offset, count)`, `Flush()` (nothing to do for a
  pipe), `WaitForPipeDrain()` (FlushFileBuffers: until the client has read all; IOException "Pipe is broken." once
  the client has closed), `IsConnected`, `CanRead`, `CanWrite`, `Dispose()`/`Close()` (the name is gone).
- `NamedPipeClientStream(serverName, pipeName[, direction[, options[, impersonationLevel]]])` on the local machine
  ("." or "localhost"; another server is not modelled): `Connect()` / `Connect(timeout ms)` waits for a free instance
  (.NET Framework 4.x's Connect loops on WaitNamedPipe and CreateFile until the timeout, then throws TimeoutException
  "The operation has timed out."; a name nobody serves is retried the same way); a DACL that does not grant the asked
  access (GENERIC_READ for In, GENERIC_WRITE for Out) is UnauthorizedAccessException "Access to the path is denied.".
  `Read`, `Write`, `IsConnected`, `Dispose()`/`Close()`.
- Reads return what is in the pipe (at most count bytes), waiting for some, and 0 once the other end has closed and
  nothing is left (byte mode). A write before a connection: InvalidOperationException "Pipe hasn't been connected
  yet."; after the other end closed: IOException "Pipe is broken."; on a disposed stream: ObjectDisposedException
  "Cannot access a closed pipe.".

Every process of the test host runs as the session's user (clr/principal.py user_sid): that is the SID a client's
access is checked for. Waits are bounded (kernelobjects.PIPE_WAIT_BOUND): an infinite wait that would block longer is
a NotImplemented error naming it. Message mode, impersonation (RunAsClient, GetImpersonationUserName), the pipes'
SafePipeHandle and inheritability, a remote server, and PipeSecurity's reading side are not modelled.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import ByteArray, NetObject, void
from ..errors import method_exception
from ..typeregistry import net_method, net_property
from .enums import declare_enum
from .kernelobjects import PIPE_DIRECTION, PIPE_WAIT_BOUND, kernel, not_modelled
from .principal import NTAccount, SecurityIdentifier, user_sid

PIPES = "System.IO.Pipes"
TRANSMISSION_MODE = declare_enum(f"{PIPES}.PipeTransmissionMode", {"Byte": 0, "Message": 1})
PIPE_OPTIONS = declare_enum(f"{PIPES}.PipeOptions", {"None": 0, "WriteThrough": -2147483648,
                                                     "Asynchronous": 1073741824}, flags=True)
PIPE_ACCESS_RIGHTS = declare_enum(f"{PIPES}.PipeAccessRights", {
    "ReadData": 1, "WriteData": 2, "CreateNewInstance": 4, "ReadExtendedAttributes": 8, "WriteExtendedAttributes": 16,
    "ReadAttributes": 128, "WriteAttributes": 256, "Write": 274, "Delete": 65536, "ReadPermissions": 131072,
    "Read": 131209, "ReadWrite": 131483, "ChangePermissions": 262144, "TakeOwnership": 524288,
    "Synchronize": 1048576, "FullControl": 2032031, "AccessSystemSecurity": 16777216}, flags=True)
ACCESS_CONTROL_TYPE = declare_enum("System.Security.AccessControl.AccessControlType", {"Allow": 0, "Deny": 1})
IMPERSONATION_LEVEL = declare_enum("System.Security.Principal.TokenImpersonationLevel", {
    "None": 0, "Anonymous": 1, "Identification": 2, "Impersonation": 3, "Delegation": 4})

_SYNCHRONIZE = 1048576
_GENERIC_READ = 0x120089  # FILE_GENERIC_READ: what GENERIC_READ maps to on a pipe
_GENERIC_WRITE = 0x120116  # FILE_GENERIC_WRITE
_IN, _OUT, _IN_OUT = 1, 2, 3


def _number(enum: typeregistry.NetType, value: typing.Any) -> int:
    return int(V.to_number(enum.convert(value)))


class PipeAccessRule(NetObject):
    type_names = [f"{PIPES}.PipeAccessRule", "System.Security.AccessControl.AccessRule",
                  "System.Security.AccessControl.AuthorizationRule", "System.Object"]

    def __init__(self, identity: typing.Any, rights: int, allow: bool) -> None:
        self.identity = identity
        self.rights = rights | (_SYNCHRONIZE if allow else 0)
        self.allow = allow

    @property
    def sid(self) -> str:
        sid = self.identity
        if isinstance(sid, NTAccount):
            sid = sid.call("Translate", [V.TypeValue("System.Security.Principal.SecurityIdentifier")])
        return sid.value

    @net_property("IdentityReference")
    def _identity_reference(self) -> typing.Any:
        return self.identity

    @net_property("PipeAccessRights")
    def _pipe_access_rights(self) -> typing.Any:
        return PIPE_ACCESS_RIGHTS.convert(self.rights)

    @net_property("AccessControlType")
    def _access_control_type(self) -> typing.Any:
        return ACCESS_CONTROL_TYPE.convert(0 if self.allow else 1)

    @net_property("IsInherited")
    def _is_inherited(self) -> bool:
        return False

    net_not_modelled = ("InheritanceFlags", "PropagationFlags")


def _access_rule(args: list) -> PipeAccessRule:
    if len(args) != 3:
        raise not_modelled(f"[{PIPES}.PipeAccessRule]::new with {len(args)} arguments")
    identity = args[0]
    if isinstance(identity, str):
        identity = NTAccount(identity)
    if not isinstance(identity, (SecurityIdentifier, NTAccount)):
        raise not_modelled(f"a PipeAccessRule for a {type(identity).__name__}")
    return PipeAccessRule(identity, _number(PIPE_ACCESS_RIGHTS, args[1]), _number(ACCESS_CONTROL_TYPE, args[2]) == 0)


class PipeSecurity(NetObject):
    type_names = [f"{PIPES}.PipeSecurity", "System.Security.AccessControl.NativeObjectSecurity",
                  "System.Security.AccessControl.ObjectSecurity", "System.Object"]

    def __init__(self) -> None:
        self.rules: list[PipeAccessRule] = []

    @net_method("AddAccessRule")
    def _add_access_rule(self, rule: typing.Any) -> typing.Any:
        if not isinstance(rule, PipeAccessRule):
            raise not_modelled("PipeSecurity.AddAccessRule of anything but a PipeAccessRule")
        self.rules.append(rule)
        return void()

    net_not_modelled = ("AccessRightType", "AccessRuleType", "AuditRuleType", "AreAccessRulesProtected",
                        "AreAccessRulesCanonical", "AreAuditRulesProtected", "AreAuditRulesCanonical", "Owner", "Group",
                        "Access", "Sddl")
    net_not_modelled_methods = ("AccessRuleFactory", "AuditRuleFactory", "AddAuditRule", "GetAccessRules",
                                "GetAuditRules", "GetOwner", "GetGroup", "SetOwner", "SetGroup", "RemoveAccessRule",
                                "RemoveAccessRuleSpecific", "ResetAccessRule", "SetAccessRule",
                                "SetAccessRuleProtection",
                                "PurgeAccessRules", "GetSecurityDescriptorSddlForm", "GetSecurityDescriptorBinaryForm",
                                "SetSecurityDescriptorSddlForm", "SetSecurityDescriptorBinaryForm")


def _bytes(method: str, argc: int, buffer: typing.Any, offset: typing.Any, count: typing.Any) -> tuple[list, int, int]:
    if buffer is None:
        raise method_exception(method, argc, "Buffer cannot be null.\r\nParameter name: buffer",
                               "System.ArgumentNullException")
    if not isinstance(buffer, ByteArray):
        raise not_modelled(f"PipeStream.{method} with a {type(buffer).__name__} for its byte[] buffer")
    start, size = int(V.to_number(offset)), int(V.to_number(count))
    if start < 0 or size < 0:
        name = "offset" if start < 0 else "count"
        raise method_exception(method, argc, f"Non-negative number required.\r\nParameter name: {name}",
                               "System.ArgumentOutOfRangeException")
    if start + size > len(buffer):
        raise method_exception(method, argc, "Offset and length were out of bounds for the array or count is greater "
                               "than the number of elements from index to the end of the source collection.",
                               "System.ArgumentException")
    return buffer, start, size


class _PipeStream(NetObject):
    """One end of a named pipe instance (the server's or the client's): what both ends share (PipeStream)."""

    server = False

    def __init__(self, direction: int) -> None:
        self.direction = direction
        self.pipe: typing.Any = None
        self.disposed = False

    def _usable(self, method: str, argc: int) -> typing.Any:
        if self.disposed:
            raise method_exception(method, argc, "Cannot access a closed pipe.", "System.ObjectDisposedException")
        if self.pipe is None or not self.pipe.connected:
            raise method_exception(method, argc, "Pipe hasn't been connected yet.", "System.InvalidOperationException")
        return self.pipe

    @net_property("IsConnected")
    def _is_connected(self) -> bool:
        return self.pipe is not None and self.pipe.connected and not self.disposed

    @net_property("CanRead")
    def _can_read(self) -> bool:
        return bool(self.direction & _IN) and not self.disposed

    @net_property("CanWrite")
    def _can_write(self) -> bool:
        return bool(self.direction & _OUT) and not self.disposed

    @net_property("CanSeek")
    def _can_seek(self) -> bool:
        return False

    @net_method("Write")
    def _write(self, buffer: typing.Any, offset: typing.Any, count: typing.Any) -> typing.Any:
        data, start, size = _bytes("Write", 3, buffer, offset, count)
        if not self.direction & _OUT:
            raise method_exception("Write", 3, "Stream does not support writing.", "System.NotSupportedException")
        pipe = self._usable("Write", 3)
        if not pipe.write(self.server, bytes(data[start:start + size])):
            raise method_exception("Write", 3, "Pipe is broken.", "System.IO.IOException")
        return void()

    @net_method("Read")
    def _read(self, buffer: typing.Any, offset: typing.Any, count: typing.Any) -> int:
        data, start, size = _bytes("Read", 3, buffer, offset, count)
        if not self.direction & _IN:
            raise method_exception("Read", 3, "Stream does not support reading.", "System.NotSupportedException")
        pipe = self._usable("Read", 3)
        got = pipe.read(self.server, size, PIPE_WAIT_BOUND)
        if got is None:
            raise not_modelled(f"a pipe read that waited {PIPE_WAIT_BOUND:.0f} s for data (the test host's bound)")
        data[start:start + len(got)] = list(got)
        return len(got)

    @net_method("Flush")
    def _flush(self) -> typing.Any:
        if self.disposed:
            raise method_exception("Flush", 0, "Cannot access a closed pipe.", "System.ObjectDisposedException")
        return void()

    @net_method("Dispose")
    def _dispose(self) -> typing.Any:
        self.dispose()
        return void()

    @net_method("Close")
    def _close(self) -> typing.Any:
        self.dispose()
        return void()

    def dispose(self) -> None:
        if self.disposed:
            return
        self.disposed = True
        if self.pipe is not None:
            self.pipe.close(self.server)
            if self.server:
                kernel().named_pipes.closed(self.pipe)

    net_not_modelled = ("SafePipeHandle", "TransmissionMode", "ReadMode", "InBufferSize", "OutBufferSize", "IsAsync",
                        "IsMessageComplete", "Length", "Position", "CanTimeout", "ReadTimeout", "WriteTimeout")
    net_not_modelled_methods = ("BeginRead", "EndRead", "BeginWrite", "EndWrite", "ReadByte", "WriteByte",
                                "GetAccessControl", "SetAccessControl", "CopyTo", "CopyToAsync", "ReadAsync",
                                "WriteAsync", "FlushAsync", "Seek", "SetLength")


class NamedPipeServerStream(_PipeStream):
    type_names = [f"{PIPES}.NamedPipeServerStream", f"{PIPES}.PipeStream", "System.IO.Stream",
                  "System.MarshalByRefObject", "System.Object"]
    server = True

    def __init__(self, name: str, direction: int, instances: int, security: PipeSecurity | None, argc: int) -> None:
        super().__init__(direction)
        rules = None if security is None else [(r.sid, r.rights, r.allow) for r in security.rules]
        pipe = kernel().named_pipe(name, rules, server_writes=bool(direction & _OUT),
                                   server_reads=bool(direction & _IN))
        if kernel().named_pipes.create(name, instances, pipe) != 0:
            raise method_exception(".ctor", argc, "All pipe instances are busy.", "System.IO.IOException")
        self.pipe = pipe
        self.waited = False  # WaitForConnection/EndWaitForConnection returned once

    def _wait(self, method: str, argc: int) -> typing.Any:
        if self.disposed:
            raise method_exception(method, argc, "Cannot access a closed pipe.", "System.ObjectDisposedException")
        if self.waited:
            raise method_exception(method, argc, "Already in a connected state.", "System.InvalidOperationException")
        self.waited = True
        if not self.pipe.wait_connected(PIPE_WAIT_BOUND):
            raise not_modelled(f"waiting {PIPE_WAIT_BOUND:.0f} s for a client of a named pipe (the test host's bound)")
        return void()

    @net_method("WaitForConnection")
    def _wait_for_connection(self) -> typing.Any:
        return self._wait("WaitForConnection", 0)

    @net_method("BeginWaitForConnection")
    def _begin_wait_for_connection(self, callback: typing.Any, state: typing.Any) -> "ConnectionResult":
        if callback is not None:
            raise not_modelled("NamedPipeServerStream.BeginWaitForConnection with a callback")
        if self.disposed:
            raise method_exception("BeginWaitForConnection", 2, "Cannot access a closed pipe.",
                                   "System.ObjectDisposedException")
        return ConnectionResult(self, state)

    @net_method("EndWaitForConnection")
    def _end_wait_for_connection(self, result: typing.Any) -> typing.Any:
        if not isinstance(result, ConnectionResult) or result.owner is not self:
            raise method_exception("EndWaitForConnection", 1, "Either the IAsyncResult object did not come from the "
                                   "corresponding async method on this type, or EndRead was called multiple times "
                                   "with the same IAsyncResult.\r\nParameter name: asyncResult",
                                   "System.ArgumentException")
        return self._wait("EndWaitForConnection", 1)

    @net_method("WaitForPipeDrain")
    def _wait_for_pipe_drain(self) -> typing.Any:
        pipe = self._usable("WaitForPipeDrain", 0)
        drained = pipe.wait_drained(PIPE_WAIT_BOUND)
        if drained is None:
            raise not_modelled(f"a pipe drain that waited {PIPE_WAIT_BOUND:.0f} s (the test host's bound)")
        if not drained:
            raise method_exception("WaitForPipeDrain", 0, "Pipe is broken.", "System.IO.IOException")
        return void()

    net_not_modelled_methods = _PipeStream.net_not_modelled_methods + (
        "Disconnect", "RunAsClient", "GetImpersonationUserName", "WaitForConnectionAsync")


class ConnectionResult(NetObject):
    """BeginWaitForConnection's IAsyncResult: completed once a client has connected."""

    type_names = ["System.IO.Pipes.PipeAsyncResult", "System.IAsyncResult", "System.Object"]
    net_type_name = "System.IAsyncResult"

    def __init__(self, owner: NamedPipeServerStream, state: typing.Any) -> None:
        self.owner = owner
        self.state = state

    @net_property("IsCompleted")
    def _is_completed(self) -> bool:
        return bool(self.owner.pipe.connected)

    @net_property("CompletedSynchronously")
    def _completed_synchronously(self) -> bool:
        return False

    @net_property("AsyncState")
    def _async_state(self) -> typing.Any:
        return self.state

    @net_property("AsyncWaitHandle")
    def _async_wait_handle(self) -> "ConnectionWaitHandle":
        return ConnectionWaitHandle(self.owner.pipe)


class ConnectionWaitHandle(NetObject):
    """The wait handle of a pending connection: signalled once a client connected."""

    type_names = ["System.Threading.ManualResetEvent", "System.Threading.EventWaitHandle",
                  "System.Threading.WaitHandle", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, pipe: typing.Any) -> None:
        self.pipe = pipe

    @net_method("WaitOne")
    def _wait_one(self, timeout: typing.Any = None) -> bool:
        seconds = PIPE_WAIT_BOUND if timeout is None else V.to_number(timeout) / 1000
        if seconds < 0:
            seconds = PIPE_WAIT_BOUND  # Timeout.Infinite: bounded here, and a wait this long trips below
        if seconds > PIPE_WAIT_BOUND:
            raise not_modelled(f"a wait longer than {PIPE_WAIT_BOUND:.0f} s (the test host's bound)")
        return bool(self.pipe.wait_connected(seconds))


def _server(args: list) -> NamedPipeServerStream:
    if not 1 <= len(args) <= 8 or len(args) == 6:
        raise not_modelled(f"[{PIPES}.NamedPipeServerStream]::new with {len(args)} arguments")
    name = V.to_string(args[0])
    if not name:
        raise method_exception(".ctor", len(args), "Path cannot be the empty string or all whitespace.\r\nParameter "
                               "name: pipeName", "System.ArgumentException")
    if name.lower() == "anonymous":
        raise method_exception(".ctor", len(args), "The pipeName \"anonymous\" is reserved.\r\nParameter name: "
                               "pipeName", "System.ArgumentOutOfRangeException")
    direction = _number(PIPE_DIRECTION, args[1]) if len(args) > 1 else _IN_OUT
    instances = int(V.to_number(args[2])) if len(args) > 2 else 1
    if len(args) > 3 and _number(TRANSMISSION_MODE, args[3]) != 0:
        raise not_modelled("a named pipe in message mode")
    if len(args) > 4:
        _number(PIPE_OPTIONS, args[4])  # Asynchronous, WriteThrough: how .NET does its I/O, nothing to see here
    security = args[7] if len(args) > 7 else None
    if security is not None and not isinstance(security, PipeSecurity):
        raise not_modelled(f"a NamedPipeServerStream with a {type(security).__name__} for its PipeSecurity")
    return NamedPipeServerStream(name, direction, instances, security, len(args))


class NamedPipeClientStream(_PipeStream):
    type_names = [f"{PIPES}.NamedPipeClientStream", f"{PIPES}.PipeStream", "System.IO.Stream",
                  "System.MarshalByRefObject", "System.Object"]

    def __init__(self, name: str, direction: int) -> None:
        super().__init__(direction)
        self.name = name

    def _connect(self, argc: int, timeout: float) -> typing.Any:
        if self.disposed:
            raise method_exception("Connect", argc, "Cannot access a closed pipe.", "System.ObjectDisposedException")
        if self.pipe is not None:
            raise method_exception("Connect", argc, "Already in a connected state.", "System.InvalidOperationException")
        wanted = (_GENERIC_READ if self.direction & _IN else 0) | (_GENERIC_WRITE if self.direction & _OUT else 0)
        error, pipe = kernel().named_pipes.open(self.name, user_sid(), wanted, timeout)
        if error == 5:
            raise method_exception("Connect", argc, "Access to the path is denied.",
                                   "System.UnauthorizedAccessException")
        if pipe is None:
            return None
        self.pipe = pipe
        return void()

    @net_method("Connect")
    def _connect_infinite(self) -> typing.Any:
        if self._connect(0, PIPE_WAIT_BOUND) is None:
            raise not_modelled(f"NamedPipeClientStream.Connect() that waited {PIPE_WAIT_BOUND:.0f} s for its server "
                               "(an infinite wait; the test host's bound)")
        return void()

    @net_method("Connect")
    def _connect_timeout(self, timeout: typing.Any) -> typing.Any:
        milliseconds = int(V.to_number(timeout))
        if milliseconds < -1:
            raise method_exception("Connect", 1, "Timeout must be non-negative or equal to -1 "
                                   "(Timeout.Infinite)\r\nParameter name: timeout",
                                   "System.ArgumentOutOfRangeException")
        if milliseconds == -1 or milliseconds / 1000 > PIPE_WAIT_BOUND:
            return self._connect_infinite()
        if self._connect(1, milliseconds / 1000) is None:
            raise method_exception("Connect", 1, "The operation has timed out.", "System.TimeoutException")
        return void()

    net_not_modelled = _PipeStream.net_not_modelled + ("NumberOfServerInstances",)
    net_not_modelled_methods = _PipeStream.net_not_modelled_methods + ("ConnectAsync",)


def _client(args: list) -> NamedPipeClientStream:
    if not 2 <= len(args) <= 5:
        raise not_modelled(f"[{PIPES}.NamedPipeClientStream]::new with {len(args)} arguments (only serverName, "
                           "pipeName[, direction[, options[, impersonationLevel]]])")
    server, name = V.to_string(args[0]), V.to_string(args[1])
    if server.lower() not in (".", "localhost"):
        raise not_modelled(f"a named pipe on the server '{server}' (only the local machine, '.')")
    direction = _number(PIPE_DIRECTION, args[2]) if len(args) > 2 else _IN_OUT
    if len(args) > 3:
        _number(PIPE_OPTIONS, args[3])
    if len(args) > 4:
        _number(IMPERSONATION_LEVEL, args[4])  # what the server may do with the client's identity: none is done here
    return NamedPipeClientStream(name, direction)


typeregistry.register(typeregistry.NetType(
    f"{PIPES}.PipeSecurity", base_types=PipeSecurity.type_names[1:],
    constructor=lambda args: PipeSecurity() if not args else _bad("PipeSecurity", args)))
typeregistry.register(typeregistry.NetType(
    f"{PIPES}.PipeAccessRule", base_types=PipeAccessRule.type_names[1:], constructor=_access_rule))
typeregistry.register(typeregistry.NetType(
    f"{PIPES}.NamedPipeServerStream", base_types=NamedPipeServerStream.type_names[1:], constructor=_server))
typeregistry.register(typeregistry.NetType(
    f"{PIPES}.NamedPipeClientStream", base_types=NamedPipeClientStream.type_names[1:], constructor=_client))


def _bad(name: str, args: list) -> typing.Any:
    raise not_modelled(f"[{PIPES}.{name}]::new with {len(args)} arguments")
