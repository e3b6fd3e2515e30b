"""The PSRP bridge: psrpcore's ServerRunspacePool/ServerPipeline messages in, calls on the session's
runspace (runspace.py) out, and the runspace's writes back as PSRP messages into the shell's output
buffer (streams.py).

Everything here runs with the owning shell's condition held (``self.cond``), except the
interpreter itself, which runs in one thread per pipeline and re-enters the lock for each
write through ``PipelineWriter``.  psrpcore's own send buffer is drained into the output buffer
right after every psrpcore call, so output can be buffered, blocked or dropped per
message while a session is disconnected, as WinRM does.
"""

from __future__ import annotations

import collections
import queue
import struct
import threading
import typing
import uuid

import psrpcore
from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    HostMethodIdentifier,
    NETException,
    PSInt,
    PSInvocationState,
    PSList,
    PSPrimitiveDictionary,
    PSRPMessageType,
    PSType,
    PSVersion,
    RunspacePoolState,
)

from . import clixml_strings, faults
from .runspace import END_OF_INPUT, PipelineTerminated, SessionRunspace
from .streams import OutputBuffer


# Strings leave the host encoded as PowerShell encodes them (clixml_strings: <ToString>, type names, surrogates).
clixml_strings.install()


@PSType(["System.Version[]", "System.Array", "System.Object"], skip_inheritance=True, rehydrate=False, tag="LST")
class VersionArray(PSList):
    """A System.Version[] (how PSCompatibleVersions goes on the wire)."""


def windows_private_data() -> PSPrimitiveDictionary:
    """ApplicationPrivateData as Windows PowerShell 5.1 on Server 2019 reports it: PSVersionTable is
    itself a PSPrimitiveDictionary, PSCompatibleVersions a System.Version[], keys in this order."""
    return PSPrimitiveDictionary({
        "PSVersionTable": PSPrimitiveDictionary({
            "PSVersion": PSVersion("5.1.17763.1"),
            "PSEdition": "Desktop",
            "PSCompatibleVersions": VersionArray([PSVersion(v) for v in ("1.0", "2.0", "3.0", "4.0", "5.0", "5.1.17763.1")]),
            "CLRVersion": PSVersion("4.0.30319.42000"),
            "BuildVersion": PSVersion("10.0.17763.1"),
            "WSManStackVersion": PSVersion("3.0"),
            "PSRemotingProtocolVersion": PSVersion("2.3"),
            "SerializationVersion": PSVersion("1.1.0.1"),
        })
    })


class WindowsCategoryInfo(ErrorCategoryInfo):
    """ErrorCategoryInfo whose text is Windows' ErrorCategoryInfo.GetMessage() (psrpcore's lacks the
    colon): what goes on the wire as ErrorCategory_Message, shown by clients as "+ CategoryInfo"."""

    def __str__(self) -> str:
        return (f"{self.Category.name!s}: ({self.TargetName or ''}:{self.TargetType or ''}) "
                f"[{self.Activity or ''}], {self.Reason or ''}")


def windows_category(info: typing.Any) -> typing.Any:
    if info is None or isinstance(info, WindowsCategoryInfo) or not isinstance(info, ErrorCategoryInfo):
        return info
    return WindowsCategoryInfo(Category=info.Category, Activity=info.Activity, Reason=info.Reason,
                               TargetName=info.TargetName, TargetType=info.TargetType)


def fail_pipeline(pipe: psrpcore.ServerPipeline, error: ErrorRecord) -> None:
    """Failed state with its error, serialized with Windows' ErrorCategory_Message."""
    original, invocation = error.CategoryInfo, error.InvocationInfo
    error.CategoryInfo = windows_category(original)
    error.InvocationInfo = None  # not serialized (see PipelineWriter.write_error)
    try:
        pipe._change_state(PSInvocationState.Failed, error)  # pylint: disable=protected-access  # no public API
    finally:
        error.CategoryInfo, error.InvocationInfo = original, invocation


def start_silently(pipe: psrpcore.ServerPipeline) -> None:
    """Running, without the PipelineState(Running) message psrpcore's start() sends: Windows sends
    no PipelineState until the pipeline ends (Completed/Failed/Stopped)."""
    pipe._change_state(PSInvocationState.Running, emit=False)  # pylint: disable=protected-access


def plain(value: typing.Any) -> typing.Any:
    """A value as psrpcore decoded it, as plain JSON-able data: primitives as themselves, lists and
    dictionaries element by element, other objects as their type names and properties."""
    if value is None:
        return None
    for base in (bool, int, float, str):  # psrpcore's PSString, PSInt, ... subclass these
        if isinstance(value, base):
            return base(value)
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, dict):
        return {"dict": [[plain(k), plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    meta = getattr(value, "PSObject", None)
    if meta is None:
        return {"repr": repr(value)}
    props = {p.name: plain(p.get_value(value)) for p in list(meta.adapted_properties) + list(meta.extended_properties)}
    return {"type": list(meta.type_names), "properties": props, "str": str(value)}


def describe_pipeline(metadata: typing.Any) -> dict[str, typing.Any]:
    """What a CreatePipeline message asked for (MS-PSRP 2.2.2.10, 2.2.3.11-12): the commands with their
    script text, scope, end-of-statement flag and parameters, the pipeline's flags, and (appended
    later by PipelineInput events, 2.2.2.17) its input objects."""
    return {
        "commands": [{"text": c.command_text, "is_script": c.is_script, "use_local_scope": c.use_local_scope,
                      "end_of_statement": bool(getattr(c, "end_of_statement", False)),
                      "parameters": [[name, plain(value)] for name, value in c.parameters]} for c in metadata.commands],
        "no_input": metadata.no_input,
        "add_to_history": metadata.add_to_history,
        "is_nested": metadata.is_nested,
        "input": [],
    }


class CommandRecord:
    """A WSMan command = one PSRP pipeline."""

    def __init__(self, pid: uuid.UUID, pipe: psrpcore.ServerPipeline) -> None:
        self.pid = pid
        self.pipe = pipe
        self.stop_event = threading.Event()
        self.terminated = False
        self.finished = False
        self.input: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.receiving = False
        self.waiting_for_reader = False  # Block mode, buffer full: the pipeline is paused until a Receive
        self.command_line = ""
        self.host_info: typing.Any = None  # the CreatePipeline HostInfo: does the client have a host for it?
        self.recorded: dict[str, typing.Any] | None = None  # this pipeline's entry in the host's pipeline recording

    @property
    def state_name(self) -> str:
        return "Done" if self.finished else "Running"


class PoolBridge:  # pylint: disable=too-many-instance-attributes
    """One runspace pool: psrpcore's state machine, whose messages become calls on the session's runspace
    (``self.session``, runspace.py) and whose output goes to the shell's buffer (``self.output``, streams.py)."""

    def __init__(self, cond: threading.Condition, host_services: typing.Any,
                 buffer_limit: typing.Callable[[], int], drop_mode: typing.Callable[[], bool], fragment_size: int) -> None:
        self.cond = cond
        self.host_services = host_services
        self.fragment_size = fragment_size
        self.pool = psrpcore.ServerRunspacePool(application_private_data=windows_private_data())
        self.session = SessionRunspace(host_services)  # the interpreter's runspace and pipeline threads (runspace.py)
        self.output = OutputBuffer(cond, buffer_limit, drop_mode)  # WinRS output buffering (streams.py)
        self.commands: dict[uuid.UUID, CommandRecord] = {}
        self.finished_ids: collections.OrderedDict[uuid.UUID, None] = collections.OrderedDict()
        # Set by the shell registry: called with describe_pipeline()'s dict of every CreatePipeline
        # (tests compare what two clients sent); it only reads what psrpcore decoded.
        self.recorder: typing.Callable[[dict[str, typing.Any]], None] | None = None

    @property
    def closed(self) -> bool:
        return self.session.closed

    # ---------------------------------------------------------------- input side
    def open(self, creation_xml: bytes) -> None:
        """Create: SessionCapability + InitRunspacePool from creationXml."""
        self.session.open()
        self.feed(creation_xml)

    def feed(self, data: bytes, stream: str = "stdin") -> None:
        stream_type = psrpcore.StreamType.prompt_response if stream == "pr" else psrpcore.StreamType.default
        try:
            self.pool.receive_data(psrpcore.PSRPPayload(data, stream_type, None))
            while True:
                event = self.pool.next_event()
                if event is None:
                    break
                self._on_event(event)
        except psrpcore.PSRPCoreError as exc:
            raise faults.command_rejected(f"The PowerShell remoting payload could not be processed: {exc}") from exc
        finally:
            self.drain()

    def add_command(self, pid: uuid.UUID) -> CommandRecord:
        # The ServerPipeline must exist before psrpcore processes its CreatePipeline message.
        rec = CommandRecord(pid, psrpcore.ServerPipeline(self.pool, pid))
        self.commands[pid] = rec
        self.output.open_target(pid)
        return rec

    def _on_event(self, event: psrpcore.PSRPEvent) -> None:
        if isinstance(event, psrpcore.CreatePipelineEvent):
            rec = self.commands.get(event.pipeline_id)
            if rec is None:
                return
            metadata = event.pipeline
            rec.command_line = "; ".join(c.command_text for c in metadata.commands)
            rec.host_info = getattr(metadata, "host", None)
            if self.recorder is not None:
                rec.recorded = describe_pipeline(metadata)
                self.recorder(rec.recorded)
            start_silently(rec.pipe)
            self.session.start(rec, metadata, PipelineWriter(self, rec), self._pipeline_done)
        elif isinstance(event, psrpcore.GetCommandMetadataEvent):
            rec = self.commands.get(event.pipeline_id)
            if rec is not None:
                start_silently(rec.pipe)
                self._fail(rec, "NotSupported", "Get-Command metadata requests are not supported by this host.")
                rec.finished = True
        elif isinstance(event, psrpcore.PipelineInputEvent):
            rec = self.commands.get(event.pipeline_id)
            if rec is not None:
                if rec.recorded is not None:
                    rec.recorded["input"].append(plain(event.data))
                rec.input.put(event.data)
        elif isinstance(event, psrpcore.EndOfPipelineInputEvent):
            rec = self.commands.get(event.pipeline_id)
            if rec is not None:
                rec.input.put(END_OF_INPUT)
        elif isinstance(event, (psrpcore.SetMaxRunspacesEvent, psrpcore.SetMinRunspacesEvent)):
            self.pool.runspace_availability_response(event.ci, True)
        elif isinstance(event, psrpcore.GetAvailableRunspacesEvent):
            busy = sum(1 for r in self.commands.values() if not r.finished)
            self.pool.runspace_availability_response(event.ci, max(0, max(self.pool.max_runspaces, 1) - busy))
        elif isinstance(event, psrpcore.ResetRunspaceStateEvent):
            self.pool.runspace_availability_response(event.ci, self.session.reset())
        # SessionCapability, InitRunspacePool, ConnectRunspacePool and PublicKey are answered by psrpcore
        # itself. The host calls made (SetShouldExit, Write*) are void methods: clients send no response.

    # ---------------------------------------------------------------- pipelines
    def _pipeline_done(self, rec: CommandRecord, result: typing.Any, crash: BaseException | None) -> None:
        with self.cond:
            try:
                self._finish(rec, result, crash)
            finally:
                rec.finished = True
                self.drain()

    def _finish(self, rec: CommandRecord, result: typing.Any, crash: BaseException | None) -> None:
        pipe = rec.pipe
        if rec.terminated or self.closed or pipe.state != PSInvocationState.Running:
            return
        if crash is not None:
            self._fail(rec, "InterpreterFailure", f"The test host interpreter failed: {type(crash).__name__}: {crash}")
            return
        state = getattr(result, "state", "Stopped" if rec.stop_event.is_set() else "Completed")
        if state == "Completed":
            pipe.complete()
        elif state == "Failed":
            error = getattr(result, "error", None)
            if error is None:
                self._fail(rec, "RuntimeException", "The pipeline failed.")
            else:
                fail_pipeline(pipe, error)
        else:
            pipe.stop()

    @staticmethod
    def _fail(rec: CommandRecord, reason: str, message: str) -> None:
        error = ErrorRecord(
            Exception=NETException(Message=message),
            CategoryInfo=ErrorCategoryInfo(Category=ErrorCategory.NotSpecified, Reason=reason),
            FullyQualifiedErrorId=reason,
        )
        fail_pipeline(rec.pipe, error)

    def signal_stop(self, rec: CommandRecord) -> None:
        """ctrl_c: the interpreter notices stop_event and returns Stopped."""
        rec.stop_event.set()
        self.cond.notify_all()

    def terminate(self, rec: CommandRecord) -> None:
        """Terminate signal: stop it if running and forget the command."""
        rec.stop_event.set()
        if not rec.finished:
            rec.terminated = True
        self.forget(rec)

    def forget(self, rec: CommandRecord) -> None:
        self.commands.pop(rec.pid, None)
        self.output.discard(rec.pid)
        if rec.pipe.state in (PSInvocationState.Running, PSInvocationState.Stopping):
            # The thread is still inside the interpreter: mark it stopped without telling anyone.
            rec.pipe._change_state(PSInvocationState.Stopped, emit=False)  # pylint: disable=protected-access
        rec.pipe.close()
        self.finished_ids[rec.pid] = None
        while len(self.finished_ids) > 256:
            self.finished_ids.popitem(last=False)
        self.cond.notify_all()

    def close(self) -> None:
        """Shell deleted or expired: unwind every pipeline thread."""
        self.session.closed = True
        for rec in list(self.commands.values()):
            rec.stop_event.set()
            rec.terminated = True
        self.commands.clear()
        self.output.clear()
        self.cond.notify_all()

    # ---------------------------------------------------------------- output side
    def drain(self) -> None:
        """Move psrpcore's send buffer into per-target queues of whole messages."""
        while True:
            payload = self.pool.data_to_send(self.fragment_size)
            if payload is None:
                break
            self.output.enqueue(payload.pipeline_id, payload.data)
        if self.output.drop_mode():
            self.output.enforce_drop()
        self.cond.notify_all()

    # ---------------------------------------------------------------- (dis)connection
    def disconnect(self) -> None:
        if self.pool.state == RunspacePoolState.Opened:
            self.pool.begin_disconnect()
            self.pool.disconnect()

    def reconnect(self) -> None:
        # The same client comes back: psrpcore's reconnect() would queue a RunspacePoolState message
        # that Windows does not send, so change the state silently.
        self.pool._change_state(RunspacePoolState.Opened, emit=False)  # pylint: disable=protected-access

    def connect_new_client(self, connect_xml: bytes) -> bytes:
        """Connect from a new client; returns the connectResponseXml payload.

        Windows answers SessionCapability + RunspacePoolInitData in connectResponseXml and sends
        ApplicationPrivateData alone on the next pool Receive (PowerShell's HandlePostConnect): no
        RunspacePoolState, so a client's pool state is not moved to Opened by the server.  psrpcore
        does not emit SessionCapability while Connecting, so it is queued here, and its
        RunspacePoolState(Opened) is left out.
        """
        self.output.discard(None)  # pool messages meant for the previous client
        self.pool.connect()
        self.pool.prepare_message(self.pool.our_capability)
        self.pool.receive_data(psrpcore.PSRPPayload(connect_xml, psrpcore.StreamType.default, None))
        while self.pool.next_event() is not None:
            pass
        payload = self.pool.data_to_send()  # every pool message, one fragment each
        head = bytearray()
        rest = bytearray()
        i = count = 0
        data = payload.data if payload else b""
        while i + 21 <= len(data):
            length = struct.unpack(">I", data[i + 17:i + 21])[0]
            fragment = data[i:i + 21 + length]
            i += 21 + length
            msg_type = struct.unpack("<I", fragment[25:29])[0] if len(fragment) >= 29 else 0
            if count >= 2 and msg_type == int(PSRPMessageType.RunspacePoolState):
                continue
            (head if count < 2 else rest).extend(fragment)
            count += 1
        if rest:
            self.output.enqueue(None, bytes(rest))
        self.drain()
        return bytes(head)


class PipelineWriter:
    """The writer handed to ``Runspace.invoke``: psrpcore ServerPipeline's write_* methods,
    made thread-safe and subject to the shell's output buffer (it blocks when the buffer is
    full in Block mode: the back-pressure CONTRACT.md describes)."""

    def __init__(self, bridge: PoolBridge, rec: CommandRecord) -> None:
        self._bridge = bridge
        self._rec = rec

    def _emit(self, method: str, args: tuple, kwargs: dict) -> None:
        bridge, rec = self._bridge, self._rec
        with bridge.cond:
            while True:
                if rec.terminated or bridge.closed:
                    raise PipelineTerminated()
                if rec.pipe.state != PSInvocationState.Running:
                    return
                if bridge.output.has_room():
                    break
                if rec.stop_event.is_set():
                    rec.waiting_for_reader = False
                    return  # stopping: discard instead of waiting for a reader
                rec.waiting_for_reader = True
                bridge.cond.wait(0.25)
            rec.waiting_for_reader = False
            getattr(rec.pipe, method)(*args, **kwargs)
            bridge.drain()

    def write_output(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_output", args, kwargs)

    def write_error(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        if len(args) > 1:
            args = (args[0], windows_category(args[1])) + tuple(args[2:])
        elif "category_info" in kwargs:
            kwargs["category_info"] = windows_category(kwargs["category_info"])
        # The interpreter's error records carry an InvocationInfo (powershell/clr/invocation.py) that Windows would
        # serialize with the record (ErrorRecord.ToPSObjectForRemoting, SerializeExtendedInfo); the bridge leaves it
        # out, as before records had one (tests/winhost/README.md, fidelity list).
        if len(args) > 4:
            args = args[:4] + (None,) + tuple(args[5:])
        kwargs.pop("invocation_info", None)
        self._emit("write_error", args, kwargs)

    def write_warning(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_warning", args, kwargs)

    def write_verbose(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_verbose", args, kwargs)

    def write_debug(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_debug", args, kwargs)

    def write_information(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_information", args, kwargs)

    def write_progress(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        self._emit("write_progress", args, kwargs)

    def host_call(self, method: str, parameters: list) -> None:
        """A PSRP host method call for this pipeline (PipelineHostCall), made only when the client supplied a
        host for it (HostInfo: a pipeline with _useRunspaceHost uses the pool's), and for the UI methods only
        when that host has a UI, as Windows' ServerRemoteHost does."""
        mi = getattr(HostMethodIdentifier, method)
        if not client_has_host(self._rec.host_info, self._bridge.pool.host, ui=11 <= mi.value <= 26):
            return
        wire = [PSInt(p) if isinstance(p, int) and not isinstance(p, bool) else p for p in parameters]
        self._emit("host_call", (mi, wire), {})


def client_has_host(pipeline_host: typing.Any, pool_host: typing.Any, ui: bool = False) -> bool:
    """From the HostInfo of the pipeline (or the pool's, when the pipeline says _useRunspaceHost)."""
    info = pipeline_host
    if info is None or getattr(info, "UseRunspaceHost", False):
        info = pool_host
    if info is None or getattr(info, "IsHostNull", True):
        return False
    return not (ui and getattr(info, "IsHostUINull", True))
