"""Wire-level fidelity of the test host with Windows Server (WinRM 3.0, Windows PowerShell 5.1).

The expected shapes were read from exchanges recorded against real Windows hosts (pypsrp's test
recordings): which elements, in which order, which PSRP messages in which WSMan response.  The
client is the real pypsrp 0.9.1; the raw SOAP it exchanges is captured under the client API.
"""

from __future__ import annotations

import base64
import struct
import threading
import uuid
import xml.etree.ElementTree as ET

import pytest
from pypsrp import wsman as pypsrp_wsman
from pypsrp.complex_objects import PSInvocationState, RunspacePoolState
from pypsrp.exceptions import WinRMTransportError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan, SelectorSet

from wsman_clients import client_for, wait_for

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "pwsh": "http://schemas.microsoft.com/powershell",
    "cfg": "http://schemas.microsoft.com/wbem/wsman/1/config",
}
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
COMMAND_STATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
# Children of rsp:Shell in a CreateResponse, in WinRM's order (no Name: the client sent none).
CREATE_SHELL_FIELDS = ["ShellId", "ResourceUri", "Owner", "ClientIP", "ProcessId", "IdleTimeOut", "InputStreams",
                       "OutputStreams", "MaxIdleTimeOut", "Locale", "DataLocale", "CompressionMode", "ProfileLoaded",
                       "Encoding", "BufferMode", "State", "ShellRunTime", "ShellInactivity"]
MSG_TYPES = {0x00010002: "SessionCapability", 0x0002100B: "RunspacePoolInitData", 0x00021005: "RunspacePoolState",
             0x00021009: "ApplicationPrivateData", 0x00041004: "PipelineOutput", 0x00041005: "ErrorRecord",
             0x00041006: "PipelineState", 0x00010006: "EncryptedSessionKey"}


class Wire:
    """Every SOAP exchange of the pypsrp clients in a test: (action, request, HTTP status, response)."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[str, ET.Element, int, ET.Element | None]] = []

    def of(self, action: str) -> list[tuple[ET.Element, int, ET.Element | None]]:
        return [(req, status, resp) for act, req, status, resp in self.exchanges if act == action]


@pytest.fixture
def wire(monkeypatch):
    captured = Wire()
    original = pypsrp_wsman._TransportHTTP._send_request  # pylint: disable=protected-access

    def send_request(self, request, timeout=None):
        body = request.body if isinstance(request.body, bytes) else b""
        if not body.startswith(b"<"):
            return original(self, request, timeout)  # auth set-up or an encrypted body (not used here)
        req = ET.fromstring(body)
        action = req.findtext("s:Header/a:Action", namespaces=NS).rsplit("/", 1)[1]
        try:
            out = original(self, request, timeout)
        except WinRMTransportError as err:
            captured.exchanges.append((action, req, err.code, ET.fromstring(err.response_text) if err.response_text else None))
            raise
        captured.exchanges.append((action, req, 200, ET.fromstring(out)))
        return out

    monkeypatch.setattr(pypsrp_wsman._TransportHTTP, "_send_request", send_request)  # pylint: disable=protected-access
    return captured


def psrp_messages(b64_texts: list[str]) -> list[tuple[str, str]]:
    """(message type, CLIXML body) of the complete PSRP messages in base64 WSMan stream payloads."""
    pending: dict[int, bytes] = {}
    out = []
    for text in b64_texts:
        data = base64.b64decode(text)
        i = 0
        while i + 21 <= len(data):
            oid, _fid, flags, length = struct.unpack(">QQBI", data[i:i + 21])
            pending[oid] = pending.get(oid, b"") + data[i + 21:i + 21 + length]
            i += 21 + length
            if flags & 0x2:
                message = pending.pop(oid)
                msg_type = struct.unpack("<I", message[4:8])[0]
                out.append((MSG_TYPES.get(msg_type, hex(msg_type)), message[40:].decode("utf-8-sig")))
    return out


def stream_messages(resp: ET.Element) -> list[tuple[str, str]]:
    return psrp_messages([s.text for s in resp.findall("s:Body/rsp:ReceiveResponse/rsp:Stream", NS) if s.text])


def fault_parts(resp: ET.Element) -> dict:
    fault = resp.find("s:Body/s:Fault", NS)
    wsman_fault = fault.find("s:Detail/f:WSManFault", NS)
    return {
        "action": resp.findtext("s:Header/a:Action", namespaces=NS),
        "value": fault.findtext("s:Code/s:Value", namespaces=NS),
        "subcode": fault.findtext("s:Code/s:Subcode/s:Value", namespaces=NS),
        "reason": fault.findtext("s:Reason/s:Text", namespaces=NS),
        "detail": fault.findtext("s:Detail/w:FaultDetail", namespaces=NS),
        "code": wsman_fault.get("Code"),
        "machine": wsman_fault.get("Machine"),
        "message": wsman_fault.find("f:Message", NS),
    }


# ----------------------------------------------------------------------------- Connect (new client)
def test_fidelity_connect_new_client_messages(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        pool.disconnect()
    with client_for(host) as conn2:
        pool2 = RunspacePool.get_runspace_pools(conn2)[0]
        pool2.connect()
        # connectResponseXml: SessionCapability then RunspacePoolInitData, nothing else.
        (_req, status, resp), = wire.of("Connect")
        assert status == 200
        body = resp.find("s:Body/rsp:ConnectResponse", NS)
        assert [c.tag.split("}")[1] for c in body] == ["InputStreams", "OutputStreams", "connectResponseXml"]
        assert (body.findtext("rsp:InputStreams", namespaces=NS), body.findtext("rsp:OutputStreams", namespaces=NS)) == \
            ("stdin pr", "stdout")
        head = psrp_messages([body.findtext("pwsh:connectResponseXml", namespaces=NS)])
        assert [t for t, _unused in head] == ["SessionCapability", "RunspacePoolInitData"]
        assert '<I32 N="MinRunspaces">1</I32><I32 N="MaxRunspaces">1</I32>' in head[1][1]
        # The one pool Receive pypsrp makes after Connect gets ApplicationPrivateData alone: Windows sends
        # no RunspacePoolState, so pypsrp leaves the pool Disconnected (our collection marks it Opened).
        _req, _status, receive = wire.of("Receive")[-1]
        assert [t for t, _unused in stream_messages(receive)] == ["ApplicationPrivateData"]
        assert pool2.state == RunspacePoolState.DISCONNECTED
        pool2.state = RunspacePoolState.OPENED  # what our collection (and conftest.connect_new_client) does
        ps = PowerShell(pool2)
        ps.add_script("'hello world'")
        assert ps.invoke() == ["hello world"]
        pool2.close()
    assert host.sessions() == []


# ----------------------------------------------------------------------------- Receive of a pipeline
def test_fidelity_pipeline_receive_command_state(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        # 'b' comes only once the client has received 'a': the host's file is created from the
        # first pipeline Receive answer that carries a Stream, so the output takes two Receives.
        ps.add_script("'a'; while (-not (Test-Path C:\\b)) { Start-Sleep -Milliseconds 20 }; 'b'")

        def got_a():
            return any(status == 200 and resp.find("s:Body/rsp:ReceiveResponse/rsp:Stream[@CommandId]", NS) is not None
                       for _req, status, resp in wire.of("Receive"))

        release = threading.Thread(target=lambda: wait_for(got_a, timeout=120) and host.filesystem.write_bytes("C:\\b", b"go"))
        ps.begin_invoke()
        release.start()
        assert ps.end_invoke() == ["a", "b"]
        release.join()
        pipeline = [(req, resp) for req, status, resp in wire.of("Receive")
                    if req.find("s:Body/rsp:Receive/rsp:DesiredStream", NS).get("CommandId")]
        assert len(pipeline) >= 2, "the output came in more than one Receive"
        messages = []
        for _req, resp in pipeline[:-1]:
            # A running PowerShell pipeline: Streams only, no rsp:CommandState element.
            assert resp.find("s:Body/rsp:ReceiveResponse/rsp:CommandState", NS) is None
            messages += stream_messages(resp)
        last = pipeline[-1][1].find("s:Body/rsp:ReceiveResponse", NS)
        state = last.find("rsp:CommandState", NS)
        assert state.get("State") == COMMAND_STATE + "Done"
        assert state.get("CommandId") == ps.id.upper()
        assert state.findtext("rsp:ExitCode", namespaces=NS) == "0"
        assert [s.get("CommandId") for s in last.findall("rsp:Stream", NS)] == [ps.id.upper()] * len(last.findall("rsp:Stream", NS))
        assert {s.get("Name") for s in last.findall("rsp:Stream", NS)} == {"stdout"}
        messages += stream_messages(pipeline[-1][1])
        # No PipelineState(Running): the only PipelineState is the final Completed (4).
        assert [t for t, _unused in messages] == ["PipelineOutput", "PipelineOutput", "PipelineState"]
        assert '<I32 N="PipelineState">4</I32>' in messages[-1][1]


def test_fidelity_pool_receive_has_no_command_state(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn):
        pass
    for _req, _status, resp in wire.of("Receive"):
        body = resp.find("s:Body/rsp:ReceiveResponse", NS)
        assert body.find("rsp:CommandState", NS) is None
        assert all(s.get("Name") == "stdout" and s.get("CommandId") is None for s in body.findall("rsp:Stream", NS))


# ----------------------------------------------------------------------------- faults
def test_fidelity_fault_unknown_command(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.state = PSInvocationState.RUNNING
        ps._command_id = ps.id  # pylint: disable=protected-access
        pool.pipelines[ps.id] = ps
        with pytest.raises(WSManFaultError) as err:
            ps.end_invoke()
    assert err.value.code == 2150858843
    (_req, status, resp), = [x for x in wire.of("Receive") if x[1] != 200]
    assert status == 500
    parts = fault_parts(resp)
    assert parts["action"] == "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
    assert (parts["value"], parts["subcode"], parts["code"]) == ("s:Sender", "w:InvalidSelectors", "2150858843")
    assert parts["detail"] == "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors"
    assert parts["reason"] == ("The WS-Management service cannot process the request because the request contained "
                               "invalid selectors for the resource. ")
    assert parts["message"].text == (
        "The Windows Remote Shell received a request to perform an operation on a command identifier that does not "
        "exist. Either the command has completed execution or the client specified an invalid command identifier. ")
    # Machine is the host as the client addressed it, not the server's computer name.
    assert parts["machine"] == "127.0.0.1" and err.value.machine == "127.0.0.1"


def test_fidelity_fault_machine_follows_addressed_name(make_host):
    host = make_host(auth="basic")
    conn = WSMan("localhost", port=host.port, ssl=False, auth="basic", username="user", password="Passw0rd!",
                 encryption="never", operation_timeout=5)
    with conn:
        selectors = SelectorSet()
        selectors.add_option("ShellId", str(uuid.uuid4()).upper())
        with pytest.raises(WSManFaultError) as err:
            conn.get(SHELL_URI, selector_set=selectors)
    assert err.value.machine == "localhost"


def test_fidelity_get_of_vanished_shell_is_shell_provider_fault(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        pool = RunspacePool(conn, idle_timeout=60)
        pool.open()
        assert pool.is_alive() is True
        host.kill_session(pool.id)
        assert pool.is_alive() is False  # pypsrp: InvalidSelectors on Get means the shell is gone
    _req, status, resp = wire.of("Get")[-1]
    assert status == 500
    parts = fault_parts(resp)
    assert (parts["value"], parts["subcode"], parts["code"]) == ("s:Sender", "w:InvalidSelectors", "2150858843")
    assert parts["detail"] == "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors"
    # f:Message holds no text of its own but the Shell provider's fault, itself a WSManFault.
    message = parts["message"]
    assert not (message.text or "").strip()
    provider = message.find("f:ProviderFault", NS)
    assert provider.get("provider") == "Shell provider"
    assert provider.get("path") == "%systemroot%\\system32\\WsmSvc.dll"
    inner = provider.find("f:WSManFault", NS)
    assert (inner.get("Code"), inner.get("Machine")) == ("2150858843", "127.0.0.1")
    assert inner.findtext("f:Message", namespaces=NS) == parts["reason"]


def test_fidelity_fault_operation_timeout(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host, operation_timeout=1) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.add_script("Start-Sleep -Milliseconds 1500; 'hi'")
        assert ps.invoke() == ["hi"]  # pypsrp retries the Receive after TimedOut
    (_req, status, resp), = [x for x in wire.of("Receive") if x[1] != 200][:1]
    assert status == 500
    parts = fault_parts(resp)
    assert (parts["value"], parts["subcode"], parts["code"], parts["detail"]) == \
        ("s:Receiver", "w:TimedOut", "2150858793", None)
    text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "
    assert parts["reason"] == text and parts["message"].text == text


# ----------------------------------------------------------------------------- shells and commands
def test_fidelity_shell_fields_create_and_enumerate(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        ps = PowerShell(pool)
        ps.add_script("Start-Sleep -Seconds 1")
        ps.begin_invoke()
        pool.disconnect()
        RunspacePool.get_runspace_pools(conn)
        _req, _status, created = wire.of("Create")[0]
        shell = created.find("s:Body/rsp:Shell", NS)
        fields = {c.tag.split("}")[1]: c.text for c in shell}
        assert list(fields) == CREATE_SHELL_FIELDS
        assert fields["Owner"] == "WINHOST\\user"  # a local account: COMPUTERNAME\user
        assert (fields["IdleTimeOut"], fields["MaxIdleTimeOut"], fields["State"], fields["BufferMode"]) == \
            ("PT7200.000S", "PT2147483.647S", "Connected", "Block")
        assert (fields["Locale"], fields["DataLocale"], fields["CompressionMode"], fields["ProfileLoaded"],
                fields["Encoding"], fields["InputStreams"], fields["OutputStreams"]) == \
            ("en-US", "en-US", "NoCompression", "Yes", "UTF8", "stdin pr", "stdout")
        assert fields["ProcessId"].isdigit() and fields["ClientIP"] == "127.0.0.1"
        # Enumerate: the same fields plus MemoryUsed and ChildProcesses; State Disconnected.
        _req, _status, shells = wire.of("Enumerate")[0]
        enumerated = shells.find("s:Body/n:EnumerateResponse", NS)
        assert [c.tag.split("}")[1] for c in enumerated] == ["EnumerationContext", "Items", "EndOfSequence"]
        (item,) = enumerated.findall("w:Items/rsp:Shell", NS)
        fields = {c.tag.split("}")[1]: c.text for c in item}
        assert list(fields) == CREATE_SHELL_FIELDS + ["MemoryUsed", "ChildProcesses"]
        assert fields["State"] == "Disconnected" and fields["Owner"] == "WINHOST\\user"
        # Enumerate of the shell's commands: CommandId, an empty CommandLine, CommandState Running.
        _req, _status, commands = wire.of("Enumerate")[1]
        (command,) = commands.findall("s:Body/n:EnumerateResponse/w:Items/rsp:Command", NS)
        assert [(c.tag.split("}")[1], c.text) for c in command] == \
            [("CommandId", ps.id.upper()), ("CommandLine", None), ("CommandState", "Running")]
        pools = RunspacePool.get_runspace_pools(conn)
        pools[0].connect()
        pools[0].state = RunspacePoolState.OPENED  # no RunspacePoolState after Connect (see above)
        pools[0].close()
        # No commands: no w:Items element at all.
        with RunspacePool(conn) as pool3:
            wire.exchanges.clear()
            assert RunspacePool.get_runspace_pools(conn)[0].id == pool3.id
            _req, _status, commands = wire.of("Enumerate")[1]
            assert [c.tag.split("}")[1] for c in commands.find("s:Body/n:EnumerateResponse", NS)] == \
                ["EnumerationContext", "EndOfSequence"]


def test_fidelity_owner_of_domain_account(make_host):
    host = make_host(auth="basic")
    with client_for(host, username="CORP\\other", password="0ther!Pass") as conn, RunspacePool(conn) as pool:
        selectors = SelectorSet()
        selectors.add_option("ShellId", pool.id)
        shell = conn.get(SHELL_URI, selector_set=selectors).find("rsp:Shell", NS)  # pypsrp returns s:Body
        assert shell.findtext("rsp:Owner", namespaces=NS) == "CORP\\other"


# ----------------------------------------------------------------------------- PSRP messages
def test_fidelity_error_category_message(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.add_script("Write-Error 'boom'; 'after'")
        assert ps.invoke() == ["after"]
        # ErrorCategoryInfo.GetMessage(): "Category: (TargetName:TargetType) [Activity], Reason"
        assert ps.streams.error[0].message == "NotSpecified: (:) [Write-Error], WriteErrorException"
        ps = PowerShell(pool)
        ps.add_script("$ErrorActionPreference = 'Stop'; Write-Output before; Write-Error error; Write-Output after")
        assert ps.invoke() == ["before"]
        assert ps.state == PSInvocationState.FAILED
        assert [str(e) for e in ps.streams.error] == ["error"]
        assert ps.streams.error[0].message == "NotSpecified: (:) [Write-Error], WriteErrorException"


def test_fidelity_open_messages_and_private_data(make_host, wire):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        assert pool.state == RunspacePoolState.OPENED
    messages = []
    for _req, _status, resp in wire.of("Receive"):
        messages += stream_messages(resp)
    assert [t for t, _unused in messages] == ["SessionCapability", "ApplicationPrivateData", "RunspacePoolState"]
    capability = messages[0][1]
    for name, value in (("protocolversion", "2.3"), ("PSVersion", "2.0"), ("SerializationVersion", "1.1.0.1")):
        assert f'<Version N="{name}">{value}</Version>' in capability
    assert '<I32 N="RunspaceState">2</I32>' in messages[2][1]
    data = ET.fromstring(messages[1][1])
    private = data.find("MS/Obj[@N='ApplicationPrivateData']")
    expected_type_names = ["System.Management.Automation.PSPrimitiveDictionary", "System.Collections.Hashtable", "System.Object"]
    assert [t.text for t in private.find("TN")] == expected_type_names
    (entry,) = private.findall("DCT/En")
    assert entry.findtext("S[@N='Key']") == "PSVersionTable"
    table = entry.find("Obj[@N='Value']")
    assert table.find("TNRef") is not None, "PSVersionTable is itself a PSPrimitiveDictionary"
    keys = [en.findtext("S[@N='Key']") for en in table.findall("DCT/En")]
    assert keys == ["PSVersion", "PSEdition", "PSCompatibleVersions", "CLRVersion", "BuildVersion",
                    "WSManStackVersion", "PSRemotingProtocolVersion", "SerializationVersion"]
    compatible = table.find("DCT/En[S='PSCompatibleVersions']/Obj[@N='Value']")
    assert [t.text for t in compatible.find("TN")] == ["System.Version[]", "System.Array", "System.Object"]
    assert [v.text for v in compatible.findall("LST/Version")][:5] == ["1.0", "2.0", "3.0", "4.0", "5.0"]


# ----------------------------------------------------------------------------- WSMan config
def test_fidelity_server_config_get(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        config = conn.get_server_config()
        assert config.findtext("cfg:Config/cfg:MaxEnvelopeSizekb", namespaces=NS) == "500"
        assert config.findtext("cfg:Config/cfg:MaxTimeoutms", namespaces=NS) == "60000"
        conn.update_max_payload_size()  # reads MaxEnvelopeSizekb, as against Windows
        assert conn.max_envelope_size == 512000
        host.config.set("MaxEnvelopeSizekb", 150)
        conn.update_max_payload_size()
        assert conn.max_envelope_size == 153600
        with RunspacePool(conn) as pool:  # the pool still works with that envelope size
            ps = PowerShell(pool)
            ps.add_script("'hello world'")
            assert ps.invoke() == ["hello world"]


# ----------------------------------------------------------------------------- strings XML cannot carry
# NUL, other C0 controls, a literal "_x0041_" (which must not read as an escape), and U+E0067 held as
# its two UTF-16 code units (a high surrogate in the U+D900-U+DBFF range): Windows PowerShell encodes
# each as _xHHHH_ (serialization.cs, InternalSerializer.EncodeString) wherever a string goes.
AWKWARD = "nul\x00one\x01us\x1f_x0041_ tag\U000E0067"
AWKWARD_PS = '"nul`0one$([char]1)us$([char]0x1f)_x0041_ tag" + [char]0xDB40 + [char]0xDC67'
AWKWARD_WIRE = "nul_x0000_one_x0001_us_x001F__x005F_x0041_ tag_xDB40__xDC67_"


def run(pool: RunspacePool, script: str) -> tuple[list, PowerShell]:
    ps = PowerShell(pool)
    ps.add_script(script)
    return ps.invoke(), ps


def test_fidelity_strings_xml_cannot_carry_round_trip(make_host, wire):
    host = make_host(auth="basic")
    script = (f"$s = {AWKWARD_PS}\n"
              "$s\n"
              "[PSCustomObject]@{PSTypeName = \"My`0Type\"; Text = $s}\n"
              "[System.Exception]::new($s)\n"
              "Write-Error $s\n"
              "Write-Warning $s\n"
              "Write-Information $s\n")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        out, ps = run(pool, script)
        text, custom, exception = out
        assert text == AWKWARD
        assert custom.extended_properties == {"Text": AWKWARD}
        assert exception.to_string == "System.Exception: " + AWKWARD
        assert exception.adapted_properties["Message"] == AWKWARD
        assert [str(e) for e in ps.streams.error] == [AWKWARD]
        assert [w.message for w in ps.streams.warning] == [AWKWARD]
        assert [i.message_data for i in ps.streams.information] == [AWKWARD]
        # A lone surrogate: Windows sends _xD900_, which pypsrp 0.9.1 cannot decode (it decodes the escapes as
        # strict UTF-16); what matters here is that the XML is well-formed and says _xD900_ (checked below).
        with pytest.raises(UnicodeDecodeError):
            run(pool, "[string][char]0xD900")
    # On the wire: well-formed XML, every string encoded as Windows encodes it, in every element.
    bodies = [body for _req, _status, resp in wire.of("Receive") for _t, body in stream_messages(resp)]
    for body in bodies:
        ET.fromstring(body)
    wire_text = "\n".join(bodies)
    assert f"<S>{AWKWARD_WIRE}</S>" in wire_text                        # output, properties, messages
    assert f'<S N="Text">{AWKWARD_WIRE}</S>' in wire_text
    assert f"<ToString>System.Exception: {AWKWARD_WIRE}</ToString>" in wire_text
    assert f"<ToString>{AWKWARD_WIRE}</ToString>" in wire_text          # the error record's
    assert "<T>My_x0000_Type</T>" in wire_text                          # type names (pypsrp leaves them encoded)
    assert "<S>_xD900_</S>" in wire_text
