"""One function per WS-Management action.  Each takes the request context and the parsed
request, and returns the children of the response Body (or raises a WSManFault)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import threading
import time
import typing
import uuid
import xml.etree.ElementTree as ET

from . import faults
from ..machine.accounts import User
from ..machine.wsman_settings import PLUGIN_NAMES, WSManConfig
from ..machine.knobs import HostKnobs
from .shells import CONNECTED, DISCONNECTED, Shell, ShellRegistry
from .soap import RESPONSE_ACTIONS, Request, format_dhms, format_seconds, parse_duration, q, rsp
from ..machine.stats import Stats

POWERSHELL_URI = "http://schemas.microsoft.com/powershell/"
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
CONFIG_URI = "http://schemas.microsoft.com/wbem/wsman/1/config"
CONFIG_NS = "http://schemas.microsoft.com/wbem/wsman/1/config"
COMMAND_STATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
# pypsrp and PowerShell spell the PowerShell ctrl_c signal "crtl_c" (sic); accept both.
STOP_SIGNALS = ("/signal/crtl_c", "/signal/ctrl_c")
TERMINATE_SIGNAL = "/signal/terminate"


@dataclasses.dataclass
class Context:  # pylint: disable=too-many-instance-attributes
    """What an operation may use: the server's state plus who is asking."""

    registry: ShellRegistry
    knobs: HostKnobs
    config: WSManConfig
    stats: Stats
    stopping: threading.Event
    user: User
    client_ip: str
    address: str  # the listener URL, echoed in ResourceCreated


def _b64(text: str | None) -> bytes:
    try:
        return base64.b64decode(text or "", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise faults.schema_validation("invalid base64 content") from exc


def _uuid(text: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(text or "")
    except ValueError as exc:
        raise faults.command_not_found() from exc


def resolve_idle_timeout(ctx: Context, seconds: float | None) -> float:
    """WinRM raises values under its 60 s floor to the floor and refuses values over MaxIdleTimeout."""
    if seconds is None:
        return ctx.config.default_idle_timeout
    if seconds > ctx.config.max_idle_timeout:
        raise faults.idle_timeout_out_of_bounds(seconds, ctx.config.max_idle_timeout)
    return max(seconds, ctx.knobs.min_idle_timeout)


def shell_element(ctx: Context, shell: Shell, full: bool = False) -> ET.Element:
    """The rsp:Shell description, in the element order WinRM uses."""
    with shell.cond:
        fields: list[tuple[str, str]] = [("ShellId", shell.id)]
        if shell.name:
            fields.append(("Name", shell.name))
        fields += [
            ("ResourceUri", shell.resource_uri),
            # WinRM qualifies a local account with the computer name (WIN-XXXX\\vagrant).
            ("Owner", shell.owner.display if shell.owner.domain else f"{ctx.knobs.computer_name}\\{shell.owner.name}"),
            ("ClientIP", shell.client_ip),
            ("ProcessId", str(shell.process_id)),
            ("IdleTimeOut", format_seconds(shell.idle_timeout)),
            ("InputStreams", "stdin pr"),
            ("OutputStreams", "stdout"),
            ("MaxIdleTimeOut", format_seconds(ctx.config.max_idle_timeout)),
            ("Locale", "en-US"),
            ("DataLocale", "en-US"),
            ("CompressionMode", "NoCompression"),
            ("ProfileLoaded", "Yes"),
            ("Encoding", "UTF8"),
            ("BufferMode", shell.buffer_mode),
            ("State", shell.state),
            ("ShellRunTime", format_dhms(shell.clock.now() - shell.created)),
            ("ShellInactivity", format_dhms(shell.inactivity())),
        ]
        if full:
            fields += [("MemoryUsed", "46MB"), ("ChildProcesses", "0")]
    el = rsp("Shell")
    for tag, value in fields:
        el.append(rsp(tag, value))
    return el


def _fragment_size(max_envelope: int) -> int:
    # Fragments must fit a Receive response: base64 grows data by 4/3 and the envelope needs room.
    return max(4096, min(32768, (max_envelope - 8192) * 3 // 4))


# --------------------------------------------------------------------------- operations
def op_create(ctx: Context, req: Request) -> list[ET.Element]:
    if ctx.knobs.create_delay > 0:
        time.sleep(ctx.knobs.create_delay)
    resource = req.resource_uri
    if not resource.lower().startswith(POWERSHELL_URI) or resource[len(POWERSHELL_URI):].lower() not in PLUGIN_NAMES:
        raise faults.resource_not_found(resource)
    shell_xml = req.body_child("rsp", "Shell")
    creation = shell_xml.find(q("pwsh", "creationXml")) if shell_xml is not None else None
    if shell_xml is None or creation is None:
        raise faults.schema_validation("a PowerShell shell needs rsp:Shell/creationXml")
    shell_id = (shell_xml.get("ShellId") or str(uuid.uuid4())).upper()
    name = shell_xml.get("Name") or shell_xml.findtext(q("rsp", "Name")) or None
    idle = resolve_idle_timeout(ctx, parse_duration(shell_xml.findtext(q("rsp", "IdleTimeOut"))))
    ctx.registry.check_quota(ctx.user)
    shell = Shell(shell_id, name, resource, ctx.user, ctx.client_ip, req.session_id, idle, ctx.knobs, ctx.config,
                  _fragment_size(req.max_envelope_size), filesystem=ctx.registry.filesystem,
                  services=ctx.registry.services, accounts=ctx.registry.accounts)
    try:
        with shell.cond:
            shell.bridge.open(_b64(creation.text))
    except faults.WSManFault:
        shell.close()
        raise
    except Exception as exc:
        shell.close()
        raise faults.command_rejected(f"The session could not be created: {type(exc).__name__}: {exc}") from exc
    ctx.registry.add(shell)
    created = ET.Element(q("x", "ResourceCreated"))
    ET.SubElement(created, q("a", "Address")).text = ctx.address
    params = ET.SubElement(created, q("a", "ReferenceParameters"))
    ET.SubElement(params, q("w", "ResourceURI")).text = resource
    selectors = ET.SubElement(params, q("w", "SelectorSet"))
    ET.SubElement(selectors, q("w", "Selector"), {"Name": "ShellId"}).text = shell_id
    return [created, shell_element(ctx, shell)]


def _connected_shell(ctx: Context, req: Request) -> Shell:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    if shell.state == DISCONNECTED:
        raise faults.shell_disconnected()
    return shell


def op_command(ctx: Context, req: Request) -> list[ET.Element]:
    shell = _connected_shell(ctx, req)
    # A Connected shell runs the commands of the client session it is connected to: servers that
    # support Disconnect/Connect tell client sessions apart by wsmv:SessionId (MS-PSRP 3.1.4.9), not by
    # TCP connection, so a new connection with that SessionId is the same client; another one is not.
    if shell.session_id and req.session_id and shell.session_id.lower() != req.session_id.lower():
        raise faults.connected_to_different_client()
    line = req.body_child("rsp", "CommandLine")
    if line is None:
        raise faults.schema_validation("rsp:CommandLine is required")
    first = _b64(line.findtext(q("rsp", "Arguments")))
    if line.get("CommandId"):
        pid = _uuid(line.get("CommandId"))
    elif len(first) >= 61:
        # No CommandId from the client: the PSRP message header names the pipeline (bytes_le GUID).
        pid = uuid.UUID(bytes_le=first[21 + 24:21 + 40])
    else:
        raise faults.schema_validation("a PowerShell command needs its pipeline id")
    with shell.cond:
        if pid in shell.bridge.commands:
            raise faults.already_exists(str(pid).upper())
        shell.bridge.add_command(pid)
        shell.bridge.feed(first)
    ctx.stats.record("command_started", shell=shell.id.upper(), command=str(pid).upper())
    resp = rsp("CommandResponse")
    resp.append(rsp("CommandId", str(pid).upper()))
    return [resp]


def op_send(ctx: Context, req: Request) -> list[ET.Element]:
    shell = _connected_shell(ctx, req)
    send = req.body_child("rsp", "Send")
    if send is None:
        raise faults.schema_validation("rsp:Send is required")
    with shell.cond:
        for stream in send.findall(q("rsp", "Stream")):
            cmd_id = stream.get("CommandId")
            if cmd_id and _uuid(cmd_id) not in shell.bridge.commands:
                raise faults.command_not_found()
            shell.bridge.feed(_b64(stream.text), stream.get("Name", "stdin"))
    return [rsp("SendResponse")]


def op_receive(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    desired = req.body.find(f"{q('rsp', 'Receive')}/{q('rsp', 'DesiredStream')}")
    cmd_id = desired.get("CommandId") if desired is not None else None
    target = _uuid(cmd_id) if cmd_id else None
    budget = max(4096, (req.max_envelope_size - 8192) * 3 // 4)
    # Pipeline Receives time out like WinRM's (pypsrp retries on that fault); pool-level ones
    # block until there is something to say, because pypsrp's pool receive cannot take the fault.
    wait = req.operation_timeout if target is not None else ctx.knobs.pool_receive_max_wait
    deadline = time.monotonic() + wait
    bridge = shell.bridge
    with shell.cond:
        while True:
            if shell.deleted:
                raise faults.shell_not_found(shell.id)
            if shell.state == DISCONNECTED:
                raise faults.shell_disconnected()
            rec = None
            if target is not None:
                rec = bridge.commands.get(target)
                if rec is None:
                    raise faults.command_not_found()
                if bridge.output.has_output(target) or rec.finished:
                    break
            elif bridge.output.has_output(None):
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0 or ctx.stopping.is_set():
                raise faults.timed_out()
            shell.cond.wait(min(remaining, 0.5))
        fragments = bridge.output.take(target, budget)
        done = rec is not None and rec.finished and not bridge.output.has_output(target)
        if done:
            # WinRM drops a command once its Done state is delivered (it leaves the Command enumeration).
            bridge.forget(rec)
    if done:
        ctx.stats.record("command_done", shell=shell.id.upper(), command=cmd_id.upper())
    resp = rsp("ReceiveResponse")
    attrib = {"Name": "stdout"}
    if cmd_id:
        attrib["CommandId"] = cmd_id.upper()
    for fragment in fragments:
        resp.append(rsp("Stream", base64.b64encode(fragment).decode(), **attrib))
    if cmd_id and done:
        # The PowerShell plug-in reports a CommandState only once the command is Done (with ExitCode 0);
        # Receives of a running pipeline carry Streams alone (recorded from Windows).
        state = rsp("CommandState", CommandId=cmd_id.upper(), State=COMMAND_STATE + "Done")
        state.append(rsp("ExitCode", "0"))
        resp.append(state)
    return [resp]


def op_signal(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    signal = req.body_child("rsp", "Signal")
    if signal is None:
        raise faults.schema_validation("rsp:Signal is required")
    code = (signal.findtext(q("rsp", "Code")) or "").strip().lower()
    cmd_id = signal.get("CommandId")
    if cmd_id:
        pid = _uuid(cmd_id)
        with shell.cond:
            rec = shell.bridge.commands.get(pid)
            if rec is None:
                # A Terminate after Done was delivered is normal client behaviour (pypsrp close()).
                if pid in shell.bridge.finished_ids:
                    return [rsp("SignalResponse")]
                raise faults.command_not_found()
            if code.endswith(STOP_SIGNALS):
                shell.bridge.signal_stop(rec)
            elif code.endswith(TERMINATE_SIGNAL):
                shell.bridge.terminate(rec)
    return [rsp("SignalResponse")]


def op_delete(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    ctx.registry.remove(shell, "deleted")
    return []


def _disconnect_args(ctx: Context, req: Request) -> tuple[float | None, str | None]:
    body = req.body_child("rsp", "Disconnect")
    if body is None:
        return None, None
    idle_text = body.findtext(q("rsp", "IdleTimeOut")) or body.findtext(q("rsp", "IdleTimeout"))
    idle = None
    if idle_text:
        seconds = parse_duration(idle_text)
        if seconds is None:
            raise faults.schema_validation(f"IdleTimeOut {idle_text!r} is not an xs:duration")
        idle = resolve_idle_timeout(ctx, seconds)
    mode = (body.findtext(q("rsp", "BufferMode")) or "").strip() or None
    if mode is not None:
        if mode.lower() not in ("block", "drop"):
            raise faults.schema_validation(f"BufferMode {mode!r} must be Block or Drop")
        mode = mode.capitalize()
    return idle, mode


def op_disconnect(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    idle, mode = _disconnect_args(ctx, req)
    with shell.cond:
        if shell.state != CONNECTED:
            raise faults.disconnect_not_valid()
        shell.disconnect(idle, mode)
    return []


def op_reconnect(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    with shell.cond:
        if shell.state != DISCONNECTED:
            raise faults.reconnect_not_valid()
        if shell.session_id and req.session_id and shell.session_id.lower() != req.session_id.lower():
            raise faults.client_session_mismatch()
        shell.bridge.reconnect()
        shell.attach(req.session_id, ctx.client_ip)
    return []


def op_connect(ctx: Context, req: Request) -> list[ET.Element]:
    shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    body = req.body_child("rsp", "Connect")
    if body is None:
        raise faults.schema_validation("rsp:Connect is required")
    cmd_id = body.get("CommandId")
    with shell.cond:
        if cmd_id:
            # Connect to one pipeline of a pool this client just connected to: its buffered output
            # is then fetched with ordinary Receives.
            if _uuid(cmd_id) not in shell.bridge.commands:
                raise faults.command_not_found()
            return [rsp("ConnectResponse")]
        if shell.state == CONNECTED:
            raise faults.connected_to_different_client()
        connect_xml = body.find(q("pwsh", "connectXml"))
        if connect_xml is None:
            raise faults.schema_validation("rsp:Connect needs connectXml")
        try:
            head = shell.bridge.connect_new_client(_b64(connect_xml.text))
        except Exception as exc:
            raise faults.command_rejected(f"The Connect payload could not be processed: {exc}") from exc
        shell.attach(req.session_id, ctx.client_ip)
    resp = rsp("ConnectResponse")
    resp.append(rsp("InputStreams", "stdin pr"))
    resp.append(rsp("OutputStreams", "stdout"))
    ET.SubElement(resp, q("pwsh", "connectResponseXml")).text = base64.b64encode(head).decode()
    return [resp]


def op_enumerate(ctx: Context, req: Request) -> list[ET.Element]:
    resp = ET.Element(q("n", "EnumerateResponse"))
    ET.SubElement(resp, q("n", "EnumerationContext"))
    items = ET.Element(q("w", "Items"))
    resource = req.resource_uri.rstrip("/").lower()
    if resource == SHELL_URI.lower():
        for shell in sorted(ctx.registry.for_user(ctx.user), key=lambda s: s.created):
            items.append(shell_element(ctx, shell, full=True))
    elif resource == (SHELL_URI + "/Command").lower():
        selector = req.body.find(
            f"{q('n', 'Enumerate')}/{q('w', 'Filter')}/{q('w', 'SelectorSet')}/{q('w', 'Selector')}[@Name='ShellId']")
        shell_id = (selector.text or "").strip().upper() if selector is not None else ""
        shell = next((s for s in ctx.registry.for_user(ctx.user) if s.id == shell_id), None)
        if shell is not None:
            with shell.cond:
                for pid, rec in shell.bridge.commands.items():
                    command = rsp("Command")
                    command.append(rsp("CommandId", str(pid).upper()))
                    command.append(rsp("CommandLine", ""))
                    command.append(rsp("CommandState", rec.state_name))
                    items.append(command)
    else:
        raise faults.resource_not_found(req.resource_uri)
    if len(items):
        resp.append(items)
    ET.SubElement(resp, q("w", "EndOfSequence"))
    return [resp]


def op_get(ctx: Context, req: Request) -> list[ET.Element]:
    resource = req.resource_uri.rstrip("/").lower()
    if resource == CONFIG_URI:
        return [config_element(ctx)]
    if resource != SHELL_URI.lower():
        raise faults.resource_not_found(req.resource_uri)
    try:
        shell = ctx.registry.get(req.selectors.get("ShellId"), ctx.user)
    except faults.WSManFault as fault:
        if fault.detail and fault.detail.endswith("UnexpectedSelectors"):
            # The Shell provider answers an unknown ShellId with its own, generic fault.
            raise faults.shell_resource_not_found() from None
        raise
    return [shell_element(ctx, shell, full=True)]


def config_element(ctx: Context) -> ET.Element:
    """cfg:Config, the answer to Get on .../wsman/1/config (pypsrp's get_server_config()); the values
    that exist in the test host's WSMan: drive come from it, in WinRM's element order."""
    cfg = ET.Element(f"{{{CONFIG_NS}}}Config")

    def add(parent: ET.Element, tag: str, value: str | None = None) -> ET.Element:
        child = ET.SubElement(parent, f"{{{CONFIG_NS}}}{tag}")
        child.text = value
        return child

    get = ctx.config.get
    add(cfg, "MaxEnvelopeSizekb", get("MaxEnvelopeSizekb"))
    add(cfg, "MaxTimeoutms", get("MaxTimeoutms"))
    add(cfg, "MaxBatchItems", get("MaxBatchItems"))
    add(cfg, "MaxProviderRequests", "4294967295")
    service = add(cfg, "Service")
    add(service, "MaxConcurrentOperationsPerUser", get("Service\\MaxConcurrentOperationsPerUser"))
    add(service, "MaxConnections", get("Service\\MaxConnections"))
    add(service, "AllowUnencrypted", get("Service\\AllowUnencrypted"))
    auth = add(service, "Auth")
    for name in ("Basic", "Kerberos", "Negotiate", "CredSSP"):
        add(auth, name, get(f"Service\\Auth\\{name}"))
    winrs = add(cfg, "Winrs")
    add(winrs, "AllowRemoteShellAccess", get("Shell\\AllowRemoteShellAccess"))
    add(winrs, "IdleTimeout", get("Shell\\IdleTimeout"))
    add(winrs, "MaxConcurrentUsers", get("Shell\\MaxConcurrentUsers"))
    add(winrs, "MaxShellRunTime", get("Shell\\MaxShellRunTime"))
    add(winrs, "MaxProcessesPerShell", get("Shell\\MaxProcessesPerShell"))
    add(winrs, "MaxMemoryPerShellMB", get("Shell\\MaxMemoryPerShellMB"))
    add(winrs, "MaxShellsPerUser", get("Shell\\MaxShellsPerUser"))
    return cfg


OPERATIONS: dict[str, typing.Callable[[Context, Request], list[ET.Element]]] = {
    "Create": op_create,
    "Command": op_command,
    "Send": op_send,
    "Receive": op_receive,
    "Signal": op_signal,
    "Delete": op_delete,
    "Disconnect": op_disconnect,
    "Reconnect": op_reconnect,
    "Connect": op_connect,
    "Enumerate": op_enumerate,
    "Get": op_get,
}


def handle(ctx: Context, req: Request) -> tuple[str, list[ET.Element]]:
    """Run one request; returns the response action URI and Body children."""
    operation = OPERATIONS.get(req.action)
    if operation is None:
        raise faults.action_not_supported(req.action_uri)
    shell = None
    shell_id = req.selectors.get("ShellId")
    if shell_id:
        # Count the request as client activity on that shell (silent-client detection).
        shell = next((s for s in ctx.registry.for_user(ctx.user) if s.id == shell_id.upper()), None)
    if shell is not None:
        shell.begin_request()
    try:
        return RESPONSE_ACTIONS[req.action], operation(ctx, req)
    finally:
        if shell is not None:
            shell.end_request()
