"""PSRP host calls from the test host to a client that supplied a host (pypsrp's PSHost), as
Windows PowerShell 5.1 makes them: `exit N` and `$host.SetShouldExit(N)` call SetShouldExit,
Write-Host calls the host UI's WriteLine/Write (with colours when given) and still records an
InformationRecord tagged PSHOST; a client without a host (or without a UI) gets no calls."""

from __future__ import annotations

from pypsrp.complex_objects import PSInvocationState
from pypsrp.host import PSHost, PSHostUserInterface
from pypsrp.powershell import PowerShell, RunspacePool

from wsman_clients import client_for


class RecordingUI(PSHostUserInterface):
    """pypsrp's UI, recording each host method it is called with (the default methods still run)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def Write1(self, runspace, pipeline, value):  # pylint: disable=invalid-name
        self.calls.append(("Write1", value))
        super().Write1(runspace, pipeline, value)

    def Write2(self, runspace, pipeline, foreground_color, background_color, value):  # pylint: disable=invalid-name
        self.calls.append(("Write2", foreground_color, background_color, value))
        super().Write2(runspace, pipeline, foreground_color, background_color, value)

    def WriteLine2(self, runspace, pipeline, value):  # pylint: disable=invalid-name
        self.calls.append(("WriteLine2", value))
        super().WriteLine2(runspace, pipeline, value)

    def WriteLine3(self, runspace, pipeline, foreground_color, background_color, value):  # pylint: disable=invalid-name
        self.calls.append(("WriteLine3", foreground_color, background_color, value))
        super().WriteLine3(runspace, pipeline, foreground_color, background_color, value)

    def WriteErrorLine(self, runspace, pipeline, message):  # pylint: disable=invalid-name
        self.calls.append(("WriteErrorLine", message))
        super().WriteErrorLine(runspace, pipeline, message)


class RecordingHost(PSHost):
    def __init__(self, ui: PSHostUserInterface | None) -> None:
        super().__init__(None, None, False, "recording host", None, ui, "1.0")
        self.exits: list[int] = []

    def SetShouldExit(self, runspace, pipeline, exit_code):  # pylint: disable=invalid-name
        self.exits.append(exit_code)
        super().SetShouldExit(runspace, pipeline, exit_code)


def invoke(pool: RunspacePool, script: str) -> tuple[list, PowerShell]:
    ps = PowerShell(pool)
    ps.add_script(script)
    return ps.invoke(), ps


def test_conformance_write_host_calls_the_host_ui_and_records_information(make_host):
    host = make_host(auth="basic")
    ui = RecordingUI()
    client_host = RecordingHost(ui)
    with client_for(host) as conn, RunspacePool(conn, host=client_host) as pool:
        output, ps = invoke(pool, "'out'; Write-Host 'plain'; Write-Host 'red on blue' -ForegroundColor Red -BackgroundColor Blue; "
                                  "Write-Host 'green' -ForegroundColor Green; Write-Host 'no newline' -NoNewline; "
                                  "Write-Host 'quiet' -InformationAction SilentlyContinue; Write-Host 'gone' -InformationAction Ignore; "
                                  "$host.UI.WriteLine('direct'); $host.UI.WriteErrorLine('to stderr')")
    assert output == ["out"]
    assert ps.state == PSInvocationState.COMPLETED and not ps.had_errors
    # ConsoleColor values as ints (Red 12, Blue 9, Green 10; the missing background filled with Black 0).
    # SilentlyContinue does not hide Write-Host: a PSHOST-tagged record is shown and recorded unless the preference
    # is Ignore (MshCommandRuntime.WriteInformation in PowerShell's source).
    assert ui.calls == [("WriteLine2", "plain"), ("WriteLine3", 12, 9, "red on blue"), ("WriteLine3", 10, 0, "green"),
                        ("Write1", "no newline"), ("WriteLine2", "quiet"), ("WriteLine2", "direct"),
                        ("WriteErrorLine", "to stderr")]
    assert ui.stdout == ["plain\r\n", "red on blue\r\n", "green\r\n", "no newline", "quiet\r\n", "direct\r\n"]
    assert ui.stderr == ["to stderr\r\n"]
    # ... and Write-Host still records its InformationRecords (PowerShell 5.1 does both).
    records = ps.streams.information
    assert [str(r.message_data) for r in records] == ["plain", "red on blue", "green", "no newline", "quiet"]
    assert all(r.tags == ["PSHOST"] and r.source == "Write-Host" for r in records)
    assert client_host.exits == []


def test_conformance_exit_and_set_should_exit_reach_the_client_host(make_host):
    host = make_host(auth="basic")
    client_host = RecordingHost(RecordingUI())
    with client_for(host) as conn, RunspacePool(conn, host=client_host) as pool:
        output, ps = invoke(pool, "'before'; exit 3; 'after'")
        assert output == ["before"] and ps.state == PSInvocationState.COMPLETED
        assert client_host.exits == [3] and client_host.rc == 3
        output, ps = invoke(pool, "$host.SetShouldExit(5); 'still running'")
        assert output == ["still running"] and ps.state == PSInvocationState.COMPLETED
        assert client_host.exits == [3, 5]
        output, _ps = invoke(pool, "function Stop-Here { exit 9 }; Stop-Here; 'not reached'")
        assert output == [] and client_host.exits == [3, 5, 9]
        # A top-level exit leaves $LASTEXITCODE alone (only nested pipelines set it).
        output, _ps = invoke(pool, "$LASTEXITCODE -eq $null; $host.Name")
        assert output == [True, "ServerRemoteHost"]
        assert client_host.exits == [3, 5, 9]


def test_conformance_no_host_calls_without_a_client_host(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:  # HostInfo: _isHostNull, _useRunspaceHost
        output, ps = invoke(pool, "Write-Host 'hello'; $host.UI.WriteLine('direct'); exit 4")
        assert output == [] and ps.state == PSInvocationState.COMPLETED
        assert [str(r.message_data) for r in ps.streams.information] == ["hello"]
    # A host without a UI gets SetShouldExit but no Write calls.
    client_host = RecordingHost(None)
    with client_for(host) as conn, RunspacePool(conn, host=client_host) as pool:
        output, ps = invoke(pool, "Write-Host 'hello'; exit 6")
        assert [str(r.message_data) for r in ps.streams.information] == ["hello"]
        assert client_host.exits == [6]


def test_conformance_the_tripwire_knob_errors_and_the_host_lists_each_trip(make_host):
    """A read of what 5.1 has and the interpreter does not model: an error record over PSRP, and stats()["tripwire"]
    lists it even when the script caught it; with the knob off it reads as $null and nothing is listed."""
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        output, ps = invoke(pool, "try { $OutputEncoding } catch { 'caught' }; $null -eq $NotAThing; $ConsoleFileName")
        assert output == ["caught", True] and ps.had_errors
        assert [str(e.fq_error) for e in ps.streams.error] == ["NotModelledByTestHost"]
        assert host.stats()["tripwire"] == ["The automatic variable $OutputEncoding", "The automatic variable $ConsoleFileName"]
        host.control({"tripwire": False, "reset_stats": True})
        output, ps = invoke(pool, "$null -eq $OutputEncoding")
        assert output == [True] and not ps.had_errors
        assert host.stats()["tripwire"] == []
