"""Robust connections (MS-WSMV 3.1.4.1.39) on the test host, in raw SOAP.

A Receive carrying wsmv:OperationID is answered with that OperationID and SequenceId 1, and its
answer is kept; the same request sent again with mustUnderstand="true" (on a new connection, as
in MS-WSMV 4.11.3) gets the kept answer instead of new output. pypsrp starts the pipelines; the
Receives are written here by hand, each requests.Session being one TCP connection.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from pypsrp.powershell import PowerShell, RunspacePool

from wsman_clients import client_for, wait_for

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
RESOURCE = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
INVALID_HEADER = 2150858767  # ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER
COMMAND_NOT_FOUND = 2150858843


def new_id() -> str:
    return "uuid:" + str(uuid.uuid4()).upper()


def receive(shell_id: str, command_id: str, message_id: str, operation_id: str | None = None,
            retransmission: bool = False, sequence_id: str = "1") -> bytes:
    """A pipeline Receive as Windows' client writes one (OperationID and SequenceId after SessionId)."""
    robust = ""
    if operation_id:
        robust = (f'<p:OperationID s:mustUnderstand="{"true" if retransmission else "false"}">{operation_id}</p:OperationID>'
                  f'<p:SequenceId s:mustUnderstand="false">{sequence_id}</p:SequenceId>')
    return (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:p="{NS["p"]}" xmlns:rsp="{NS["rsp"]}">'
        "<s:Header><a:To>http://127.0.0.1/wsman</a:To>"
        f'<w:ResourceURI s:mustUnderstand="true">{RESOURCE}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
        "</a:Address></a:ReplyTo>"
        '<a:Action s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive</a:Action>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>'
        f"<a:MessageID>{message_id}</a:MessageID>"
        '<p:SessionId s:mustUnderstand="false">uuid:0D1E2F3A-0000-4000-8000-000000000001</p:SessionId>'
        f"{robust}<w:OperationTimeout>PT5.000S</w:OperationTimeout>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></s:Header>'
        f'<s:Body><rsp:Receive><rsp:DesiredStream CommandId="{command_id}">stdout</rsp:DesiredStream></rsp:Receive></s:Body>'
        "</s:Envelope>"
    ).encode()


class Connection:
    """One TCP connection to the host (a requests.Session keeps it alive), Basic auth."""

    def __init__(self, host, user: str = "user", password: str = "Passw0rd!") -> None:
        self.url = host.url
        self.session = requests.Session()
        self.session.auth = (user, password)

    def post(self, body: bytes) -> tuple[int, ET.Element]:
        response = self.session.post(self.url, data=body, headers={"Content-Type": "application/soap+xml;charset=UTF-8"},
                                     timeout=30)
        return response.status_code, ET.fromstring(response.content)

    def post_raw(self, body: bytes) -> requests.Response:
        return self.session.post(self.url, data=body, headers={"Content-Type": "application/soap+xml;charset=UTF-8"},
                                 timeout=30)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def command(make_host):
    """(host, ShellId, CommandId) of a pipeline that wrote 'one' and 'two' and whose output nobody received."""
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.add_script("'one'; 'two'")
        ps.begin_invoke()
        # Ended on the host before any Receive, so the first Receive takes all its output and its Done.
        assert wait_for(lambda: [c["State"] for c in host.sessions()[0]["Commands"]] == ["Done"], timeout=60)
        yield host, pool.id.upper(), ps.id.upper()


def robust_headers(answer: ET.Element) -> list[tuple[str, dict[str, str], str]]:
    """The header elements of an answer from a:MessageID to a:To: (tag, attributes, text)."""
    header = list(answer.find("s:Header", NS))
    tags = [child.tag for child in header]
    start, end = tags.index("{%s}MessageID" % NS["a"]), tags.index("{%s}To" % NS["a"])
    return [(child.tag.split("}")[1], dict(child.attrib), child.text or "") for child in header[start + 1:end]]


def streams(answer: ET.Element) -> list[str]:
    return [s.text or "" for s in answer.findall("s:Body/rsp:ReceiveResponse/rsp:Stream", NS)]


def fault_code(answer: ET.Element) -> int:
    return int(answer.find("s:Body/s:Fault/s:Detail/f:WSManFault", NS).get("Code"))


def test_a_receive_sent_again_gets_the_kept_answer_not_new_output(command):
    host, shell_id, command_id = command
    host.knobs.set("robust_resend_acknowledge", False)  # the kept answer alone, read here as one envelope
    operation, message = new_id(), new_id()
    first = Connection(host)
    status, answer = first.post(receive(shell_id, command_id, message, operation))
    assert status == 200
    assert streams(answer), "the pipeline's output"
    assert answer.find("s:Body/rsp:ReceiveResponse/rsp:CommandState", NS).get("State") == DONE
    # 3.1.4.1.39: the answer names the operation; Windows writes it after a:MessageID (ironPosh's captures).
    assert robust_headers(answer) == [
        ("OperationID", {"{%s}mustUnderstand" % NS["s"]: "false"}, operation), ("SequenceId", {}, "1")]
    assert [row["OperationID"] for row in host.operations()] == [operation]

    # As after a lost answer: a new connection, the same request marked as a retransmission (4.11.3).
    second = Connection(host)
    status, again = second.post(receive(shell_id, command_id, message, operation, retransmission=True))
    assert status == 200
    assert ET.tostring(again) == ET.tostring(answer), "the very answer that was kept, RelatesTo and all"
    assert host.stats()["events"]["receives_resent"] == 1
    # The output was handed out once: a new Receive finds the command gone (its Done was delivered).
    status, plain = second.post(receive(shell_id, command_id, new_id()))
    assert status == 500 and fault_code(plain) == COMMAND_NOT_FOUND
    assert robust_headers(plain) == [], "no OperationID asked, none answered"
    first.close()
    second.close()


def test_the_answer_lost_with_its_connection_is_sent_again(command):
    host, shell_id, command_id = command
    host.knobs.set("robust_resend_acknowledge", False)  # the kept answer alone, read here as one envelope
    operation, message = new_id(), new_id()
    host.knobs.fail_next("Receive", 1, "drop_after", command=command_id)
    lost = Connection(host)
    with pytest.raises(requests.exceptions.ConnectionError):
        lost.post(receive(shell_id, command_id, message, operation))
    assert host.stats()["faults"][0]["mode"] == "drop_after"
    assert wait_for(lambda: not host.operations()[0]["Connected"])  # 3.1.6.5: the closed connection starts the retention timer
    fresh = Connection(host)
    status, again = fresh.post(receive(shell_id, command_id, message, operation, retransmission=True))
    assert status == 200
    assert streams(again) and again.find("s:Body/rsp:ReceiveResponse/rsp:CommandState", NS).get("State") == DONE
    assert again.findtext("s:Header/a:RelatesTo", namespaces=NS) == message
    [row] = host.operations()
    assert (row["Answered"], row["Connected"], row["Resends"]) == (True, True, 1), "now kept for the new connection"
    fresh.close()


def test_a_retransmission_the_host_never_received_is_handled_as_a_new_request(command):
    host, shell_id, command_id = command
    operation = new_id()
    # 3.1.4.1.39: mustUnderstand="true" with an OperationID not in the table: processed as new.
    status, answer = Connection(host).post(receive(shell_id, command_id, new_id(), operation, retransmission=True))
    assert status == 200 and streams(answer)
    assert robust_headers(answer)[0][2] == operation
    assert host.stats()["events"].get("receives_resent") is None


def test_the_next_robust_request_on_a_connection_forgets_the_answers_it_carried(command):
    host, shell_id, command_id = command
    first_op, first_msg = new_id(), new_id()
    conn = Connection(host)
    assert conn.post(receive(shell_id, command_id, first_msg, first_op))[0] == 200
    second_op = new_id()
    status, answer = conn.post(receive(shell_id, command_id, new_id(), second_op))
    assert status == 500 and fault_code(answer) == COMMAND_NOT_FOUND  # the first took the output and the Done
    assert robust_headers(answer)[0][2] == second_op, "a fault is an answer of the operation too"
    assert [row["OperationID"] for row in host.operations()] == [second_op]
    # The first answer is gone: sent again, the first request is handled anew and finds nothing.
    status, again = Connection(host).post(receive(shell_id, command_id, first_msg, first_op, retransmission=True))
    assert status == 500 and fault_code(again) == COMMAND_NOT_FOUND


def test_kept_answers_expire_after_the_response_retention_time(command):
    host, shell_id, command_id = command
    conn = Connection(host)
    assert conn.post(receive(shell_id, command_id, new_id(), new_id()))[0] == 200
    [row] = host.operations()
    assert row["Connected"], "kept while its connection is open"
    host.knobs.set("time_scale", 2000)  # 3 min 15 s of server time in about 0.1 s
    conn.close()
    assert wait_for(lambda: host.operations() == [], timeout=30), host.operations()


@pytest.mark.parametrize("sequence_id, reuse", [("2", False), ("1", True)])
def test_headers_the_host_cannot_take_are_refused(command, sequence_id, reuse):
    host, shell_id, command_id = command
    operation = new_id()
    conn = Connection(host)
    if reuse:
        assert conn.post(receive(shell_id, command_id, new_id(), operation))[0] == 200
    # 3.1.4.1.39: SequenceId other than 1, or an OperationID used before without mustUnderstand="true".
    status, answer = Connection(host).post(receive(shell_id, command_id, new_id(), operation, sequence_id=sequence_id))
    assert status == 500 and fault_code(answer) == INVALID_HEADER
    assert answer.findtext("s:Body/s:Fault/s:Code/s:Subcode/s:Value", namespaces=NS) == "a:InvalidMessageInformationHeader"


def test_a_retransmission_naming_another_command_or_user_gets_no_kept_answer(command, make_host):
    host, shell_id, command_id = command
    operation, message = new_id(), new_id()
    assert Connection(host).post(receive(shell_id, command_id, message, operation))[0] == 200
    other_command = str(uuid.uuid4()).upper()
    status, answer = Connection(host).post(receive(shell_id, other_command, message, operation, retransmission=True))
    assert status == 500 and fault_code(answer) == INVALID_HEADER
    # Another user's table is another table: the request is new to it, and the shell is not theirs.
    status, answer = Connection(host, "CORP\\other", "0ther!Pass").post(
        receive(shell_id, command_id, message, operation, retransmission=True))
    assert status == 500 and fault_code(answer) == COMMAND_NOT_FOUND and not streams(answer)
    assert host.stats()["events"].get("receives_resent") is None


def test_without_robust_connections_the_operation_id_is_ignored(command):
    host, shell_id, command_id = command
    host.knobs.set("robust_connections", False)
    operation, message = new_id(), new_id()
    status, answer = Connection(host).post(receive(shell_id, command_id, message, operation))
    assert status == 200 and streams(answer)
    assert robust_headers(answer) == [], "3.1.4.1.39: omitted by a server without the support"
    assert host.operations() == []
    # Sent again, it is a new Receive: what the first answer carried cannot be had again.
    status, again = Connection(host).post(receive(shell_id, command_id, message, operation, retransmission=True))
    assert status == 500 and fault_code(again) == COMMAND_NOT_FOUND and robust_headers(again) == []


def test_the_knob_answers_a_retransmission_as_the_spec_shows_an_acknowledge_first(command):
    host, shell_id, command_id = command
    host.knobs.set("robust_resend_acknowledge", True)
    operation, message = new_id(), new_id()
    first = Connection(host)
    status, answer = first.post(receive(shell_id, command_id, message, operation))
    assert status == 200, "a first answer is an ordinary one"
    reply = Connection(host).post_raw(receive(shell_id, command_id, message, operation, retransmission=True))
    # MS-WSMV 3.1.4.1.39 / 4.11.3: chunked; an Acknowledge message, then the kept answer.
    assert reply.status_code == 200 and reply.headers["Transfer-Encoding"] == "chunked"
    ack_end = reply.content.index(b"</s:Envelope>") + len(b"</s:Envelope>")
    ack, kept = ET.fromstring(reply.content[:ack_end]), ET.fromstring(reply.content[ack_end:])
    assert ack.findtext("s:Header/a:Action", namespaces=NS) == "http://schemas.microsoft.com/wbem/wsman/1/wsman/Acknowledge"
    assert ack.findtext("s:Header/w:ResourceURI", namespaces=NS) == "http://schemas.microsoft.com/wbem/wsman/1/wsman/RobustConnection"
    assert ack.findtext("s:Header/p:OperationID", namespaces=NS) == operation
    assert ack.findtext("s:Body/p:LastSequenceIdReceived", namespaces=NS) == "1"
    assert ET.tostring(kept) == ET.tostring(answer)
    first.close()
