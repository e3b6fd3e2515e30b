"""Conformance of the test host with Windows Server (WinRM 3.0 + PowerShell 5.1), driven by
the real pypsrp 0.9.1 client over real HTTP(S)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
import requests
from pypsrp.complex_objects import GenericComplexObject, PSInvocationState, RunspacePoolState
from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import NAMESPACES, SelectorSet

from wsman_clients import client_for, connect_new_client, disconnect_with, wait_for

SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
TICKER = "foreach ($i in 1..5) { $i; Start-Sleep -Milliseconds 300 }"
BIG = "foreach ($i in 1..40) { ('x' * 1000) + $i }"
BIG_SLOW = "foreach ($i in 1..40) { ('x' * 1000) + $i; Start-Sleep -Milliseconds 25 }"


def run(pool: RunspacePool, script: str) -> tuple[list, PowerShell]:
    ps = PowerShell(pool)
    ps.add_script(script)
    return ps.invoke(), ps


def enumerate_shells(conn) -> list[dict[str, str]]:
    import xml.etree.ElementTree as ET  # pylint: disable=import-outside-toplevel

    wsen, wsman, rsp = NAMESPACES["wsen"], NAMESPACES["wsman"], NAMESPACES["rsp"]
    msg = ET.Element(f"{{{wsen}}}Enumerate")
    ET.SubElement(msg, f"{{{wsman}}}OptimizeEnumeration")
    ET.SubElement(msg, f"{{{wsman}}}MaxElements").text = "32000"
    resp = conn.enumerate(SHELL_URI, msg)
    return [{child.tag.split("}")[1]: child.text for child in shell}
            for shell in resp.findall(f"wsen:EnumerateResponse/wsman:Items/{{{rsp}}}Shell", NAMESPACES)]


# ----------------------------------------------------------------------------- per transport
def test_conformance_open_invoke(transport_host):
    transport, host = transport_host
    with client_for(host, transport) as conn, RunspacePool(conn) as pool:
        assert pool.state == RunspacePoolState.OPENED
        out, ps = run(pool, "'hello world'")
        assert out == ["hello world"]
        assert ps.had_errors is False and ps.state == PSInvocationState.COMPLETED
        pool.exchange_keys()
        assert pool._key_exchanged  # pylint: disable=protected-access
        assert pool.is_alive()


def test_conformance_output_types(transport_host):
    transport, host = transport_host
    with client_for(host, transport) as conn, RunspacePool(conn) as pool:
        out, _unused = run(pool, "42; [long]9000000000; 1.5; 'text'; $true; [datetime]'2024-01-02T03:04:05Z'")
        assert out[:5] == [42, 9000000000, 1.5, "text", True]
        assert [type(v) for v in out[:5]] == [int, int, float, str, bool]
        # pypsrp 0.9.1 hands DateTime (<DT>) back as its ISO 8601 text.
        assert isinstance(out[5], str) and out[5].startswith("2024-01-02T03:04:05")
        out, _unused = run(pool, ",@(1, 2, 3)")
        assert out == [[1, 2, 3]]
        out, _unused = run(pool, "@{a = 1; b = 'x'}")
        assert out == [{"a": 1, "b": "x"}]
        out, _unused = run(pool, "[PSCustomObject]@{Name = 'svc'; Count = 3}")
        assert isinstance(out[0], GenericComplexObject)
        assert out[0].extended_properties == {"Name": "svc", "Count": 3}


def test_conformance_streams_and_errors(transport_host):
    transport, host = transport_host
    with client_for(host, transport) as conn, RunspacePool(conn) as pool:
        out, ps = run(pool, "Write-Output 'out'; Write-Error 'boom'; Write-Warning 'warn'; Write-Verbose 'verb' -Verbose; "
                            "Write-Information 'info' -InformationAction Continue")
        assert out == ["out"]
        assert [str(e) for e in ps.streams.error] == ["boom"]
        assert [w.message for w in ps.streams.warning] == ["warn"]
        assert [v.message for v in ps.streams.verbose] == ["verb"]
        assert [i.message_data for i in ps.streams.information] == ["info"]
        assert ps.state == PSInvocationState.COMPLETED and ps.had_errors is False  # pypsrp: only Failed sets had_errors
        _unused, ps = run(pool, "throw 'fatal'")
        assert ps.state == PSInvocationState.FAILED and ps.had_errors is True
        assert "fatal" in str(ps.streams.error[-1])
        out, _unused = run(pool, "'hello world'")  # the pool survives a failed pipeline
        assert out == ["hello world"]


def test_conformance_disconnect_reconnect(transport_host):
    transport, host = transport_host
    with client_for(host, transport) as conn:
        pool = RunspacePool(conn)
        pool.open()
        pool.disconnect()
        assert host.sessions()[0]["State"] == "Disconnected"
        pool.connect()  # same client: WSMan Reconnect
        assert pool.state == RunspacePoolState.OPENED
        assert run(pool, "'hello world'")[0] == ["hello world"]
        pool.close()
    assert host.sessions() == []


# ----------------------------------------------------------------------------- disconnected operation
def test_conformance_new_client_receives_block_output(make_host):
    host = make_host(auth="basic", output_buffer_bytes=8192)
    with client_for(host) as conn:
        pool = RunspacePool(conn, idle_timeout=600)
        pool.open()
        ps = PowerShell(pool)
        ps.add_script(BIG)
        ps.begin_invoke()
        disconnect_with(pool, buffer_mode="Block")
        shell_id = pool.id
    # Block: the pipeline waits for a reader once the buffer is full, nothing is lost.
    assert wait_for(lambda: host.sessions()[0]["Commands"][0]["WaitingForReader"])
    assert host.sessions()[0]["BufferedBytes"] >= 8192
    assert host.sessions()[0]["Commands"][0]["State"] == "Running"
    with client_for(host) as conn2:
        pools = RunspacePool.get_runspace_pools(conn2)
        assert [p.id.upper() for p in pools] == [shell_id.upper()]
        pool2 = pools[0]
        connect_new_client(pool2)  # new client: WSMan Connect with connectXml
        assert pool2.state == RunspacePoolState.OPENED
        shells = pool2.create_disconnected_power_shells()
        assert len(shells) == 1
        out = shells[0].connect()
        assert out == [("x" * 1000) + str(i) for i in range(1, 41)]
        pool2.close()


def test_conformance_new_client_receives_drop_output(make_host):
    host = make_host(auth="basic", output_buffer_bytes=8192)
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        ps = PowerShell(pool)
        ps.add_script(BIG_SLOW)
        ps.begin_invoke()
        disconnect_with(pool, idle_timeout=600, buffer_mode="Drop")
    assert wait_for(lambda: host.sessions()[0]["Commands"][0]["State"] == "Done")
    session = host.sessions()[0]
    assert session["BufferMode"] == "Drop" and session["DroppedRecords"] > 0
    with client_for(host) as conn2:
        pool2 = RunspacePool.get_runspace_pools(conn2)[0]
        connect_new_client(pool2)
        out = pool2.create_disconnected_power_shells()[0].connect()
        numbers = [int(s[1000:]) for s in out]
        assert numbers[-1] == 40, "Drop keeps the newest output"
        assert len(numbers) < 40 and numbers == sorted(numbers)
        pool2.close()


def test_conformance_pipeline_runs_while_disconnected(make_host):
    host = make_host(auth="negotiate")
    with client_for(host, "ntlm") as conn:
        pool = RunspacePool(conn)
        pool.open()
        ps = PowerShell(pool)
        ps.add_script(TICKER)
        ps.begin_invoke()
        pool.disconnect()
    assert wait_for(lambda: host.sessions()[0]["Commands"][0]["State"] == "Done")
    with client_for(host, "ntlm") as conn2:
        pool2 = RunspacePool.get_runspace_pools(conn2)[0]
        connect_new_client(pool2)
        assert pool2.create_disconnected_power_shells()[0].connect() == [1, 2, 3, 4, 5]
        assert run(pool2, "'hello world'")[0] == ["hello world"]
        pool2.close()


def test_conformance_state_survives_disconnect_and_new_client(make_host):
    host = make_host(auth="both")
    with client_for(host, "basic") as conn:
        pool = RunspacePool(conn)
        pool.open()
        run(pool, "$x = 42; function Get-Answer { $x + 1 }")
        pool.disconnect()
    with client_for(host, "ntlm") as conn2:  # another client, another auth protocol, same user
        pool2 = RunspacePool.get_runspace_pools(conn2)[0]
        connect_new_client(pool2)
        assert run(pool2, "$x")[0] == [42]
        assert run(pool2, "Get-Answer")[0] == [43]
        pool2.close()


def test_conformance_idle_timeout_expiry(make_host):
    # 60 server seconds (Windows' minimum) pass in one real second.
    host = make_host(auth="basic", time_scale=60)
    with client_for(host) as conn:
        pool = RunspacePool(conn, idle_timeout=1)  # below the minimum: raised to 60 s, as WinRM does
        pool.open()
        assert enumerate_shells(conn)[0]["IdleTimeOut"] == "PT60.000S"
        disconnect_with(pool, idle_timeout=60)
        shells = enumerate_shells(conn)
        assert [s["State"] for s in shells] == ["Disconnected"]
        assert wait_for(lambda: not RunspacePool.get_runspace_pools(conn))
        assert host.stats()["events"]["shells_expired"] == 1


def test_conformance_idle_timeout_above_max_faults(make_host):
    host = make_host(auth="basic")
    host.control({"config": {"Plugin\\microsoft.powershell\\Quotas\\MaxIdleTimeoutms": 120000}})
    with client_for(host) as conn:
        with pytest.raises(WSManFaultError) as err:
            RunspacePool(conn, idle_timeout=121).open()
        assert err.value.code == 2150859250


def test_conformance_silent_client_gets_disconnected(make_host):
    host = make_host(auth="basic", time_scale=60, client_silence_timeout=60)
    with client_for(host) as conn:
        pool = RunspacePool(conn, idle_timeout=3600)
        pool.open()
        assert wait_for(lambda: host.sessions()[0]["State"] == "Disconnected")
        assert pool.is_alive() is False  # Get reports State Disconnected
    with client_for(host) as conn2:
        pool2 = RunspacePool.get_runspace_pools(conn2)[0]
        connect_new_client(pool2)
        assert run(pool2, "'hello world'")[0] == ["hello world"]
        pool2.close()
    assert host.stats()["events"]["auto_disconnects"] == 1


def test_conformance_max_shells_per_user(make_host):
    host = make_host(auth="basic")
    host.control({"config": {"Shell\\MaxShellsPerUser": 2}})
    with client_for(host) as conn:
        pools = [RunspacePool(conn) for _unused in range(2)]
        for pool in pools:
            pool.open()
        with pytest.raises(WSManFaultError) as err:
            RunspacePool(conn).open()
        assert err.value.code == 2150859173
        assert "maximum number of 2 concurrent shells" in err.value.message
        with client_for(host, username="other", password="0ther!Pass") as other:
            with RunspacePool(other):  # the quota is per user
                pass
        pools[0].close()
        RunspacePool(conn).open()  # room again
    assert host.stats()["shells"]["user"]["total"] == 2


def test_conformance_other_user_cannot_see_or_connect(make_host):
    host = make_host(auth="both")
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        pool.disconnect()
        shell_id = pool.id
        assert len(RunspacePool.get_runspace_pools(conn)) == 1
    with client_for(host, "ntlm", username="CORP\\other", password="0ther!Pass") as other:
        assert RunspacePool.get_runspace_pools(other) == []
        stolen = RunspacePool(other)
        stolen.id = stolen.shell.id = shell_id
        stolen.shell.opened = True
        stolen._new_client = True  # pylint: disable=protected-access
        stolen.state = RunspacePoolState.DISCONNECTED
        with pytest.raises(WSManFaultError) as err:
            stolen.connect()
        assert err.value.code == 2150858843
    assert host.sessions()[0]["State"] == "Disconnected"


def test_conformance_unknown_shell_is_invalid_selectors(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        selectors = SelectorSet()
        selectors.add_option("ShellId", str(uuid.uuid4()).upper())
        with pytest.raises(WSManFaultError) as err:
            conn.get(SHELL_URI, selector_set=selectors)
        assert err.value.code == 2150858843
        assert err.value.provider == "Shell provider"
        assert "invalid selectors" in err.value.message


def test_conformance_ctrl_c_stops_pipeline(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn, RunspacePool(conn) as pool:
        ps = PowerShell(pool)
        ps.add_script("Start-Sleep -Seconds 30")
        ps.begin_invoke()
        start = time.monotonic()
        ps.stop()
        assert run(pool, "'hello world'")[0] == ["hello world"]
        assert time.monotonic() - start < 20, 'stopped long before the 30 s sleep ended'


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_conformance_wrong_password(make_host, transport):
    host = make_host(auth="both")
    with client_for(host, transport, password="wrong") as conn:
        with pytest.raises(AuthenticationError):
            RunspacePool(conn).open()
    assert host.stats()["http_status"]["401"] >= 1


def test_conformance_restart_loses_sessions(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        pool.disconnect()
    port = host.port
    host.restart()
    assert host.port == port
    with client_for(host) as conn:
        assert RunspacePool.get_runspace_pools(conn) == []


def test_conformance_knobs_kill_and_fail_next(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        pool = RunspacePool(conn)
        pool.open()
        host.knobs.fail_next("Command", 1, "reset")
        with pytest.raises(requests.exceptions.ConnectionError):
            run(pool, "'hello world'")
        assert run(pool, "'hello world'")[0] == ["hello world"]
        assert host.kill_session(pool.id)
        assert pool.is_alive() is False


def test_conformance_stats_and_control_endpoints(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        for _unused in range(2):
            with RunspacePool(conn) as pool:
                run(pool, "'hello world'")
    stats = json.load(urllib.request.urlopen(f"http://127.0.0.1:{host.port}/winhost/stats", timeout=5))
    assert stats["actions"]["Create"]["requests"] == 2
    assert stats["actions"]["Create"]["bytes_in"] > 0 and stats["actions"]["Create"]["bytes_out"] > 0
    assert stats["events"]["shells_created"] == 2
    req = urllib.request.Request(f"http://127.0.0.1:{host.port}/winhost/knobs", data=json.dumps({"latency": 0.01}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    assert json.load(urllib.request.urlopen(req, timeout=5))["latency"] == 0.01
    assert host.knobs.latency == 0.01


def test_conformance_cli_process(tmp_path):
    users = tmp_path / "users"
    users.write_text("user:Passw0rd!\nCORP\\other:0ther!Pass\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(__file__)), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "winhost", "--port", "0", "--users", str(users), "--auth", "basic",
                             "--stop-after", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/wsman", line)
        assert m, line
        stats = json.load(urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}/winhost/stats", timeout=5))
        assert stats["totals"]["requests"] == 0
        proc.terminate()  # SIGTERM
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_conformance_shell_name_and_enumeration_fields(make_host):
    host = make_host(auth="basic")
    with client_for(host) as conn:
        original = conn.create

        def create_named(resource_uri, resource, *args, **kwargs):
            resource.set("Name", "ansible-session")  # what New-PSSession -Name sends; pypsrp has no option for it
            return original(resource_uri, resource, *args, **kwargs)

        conn.create = create_named
        pool = RunspacePool(conn, idle_timeout=600)
        pool.open()
        shells = enumerate_shells(conn)
        assert len(shells) == 1
        shell = shells[0]
        assert shell["Name"] == "ansible-session"
        assert shell["ShellId"] == pool.id.upper()
        assert shell["Owner"] == "WINHOST\\user" and shell["State"] == "Connected" and shell["BufferMode"] == "Block"
        assert shell["IdleTimeOut"] == "PT600.000S" and shell["MaxIdleTimeOut"] == "PT2147483.647S"
        assert re.fullmatch(r"P\d+DT\d+H\d+M\d+S", shell["ShellInactivity"])
        disconnect_with(pool, idle_timeout=900, buffer_mode="Drop")
        shell = enumerate_shells(conn)[0]
        assert (shell["State"], shell["IdleTimeOut"], shell["BufferMode"]) == ("Disconnected", "PT900.000S", "Drop")
