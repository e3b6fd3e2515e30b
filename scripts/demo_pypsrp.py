"""Demo: a PowerShell session outlives its client.

Starts the test host (tests/winhost) as its own process, as a Windows machine would be,
then:
  1. client A opens a session, defines a variable and a function, and disconnects with an
     IdleTimeout: the session stays on the host, Disconnected;
  2. client B, a brand-new WSMan connection (NTLM with message encryption this time),
     lists the user's sessions, connects to that one and uses the variable and function.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import NAMESPACES, WSMan, SelectorSet

USER, PASSWORD = "ansible", "Demo-Passw0rd!"


def start_test_host(users_file):
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
    proc = subprocess.Popen([sys.executable, "-m", "winhost", "--port", "0", "--auth", "both", "--users", users_file, "--stop-after", "300"],
                            stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"the test host did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1].split("/")[0])


def run(pool, script):
    ps = PowerShell(pool)
    ps.add_script(script)
    output = ps.invoke()
    for record in ps.streams.error:
        print(f"    error: {record}")
    return output


def disconnect(pool, idle_timeout):
    # pypsrp 0.9.1 sends an empty Disconnect body; the IdleTimeOut goes in by hand.
    body = ET.Element(f"{{{NAMESPACES['rsp']}}}Disconnect")
    ET.SubElement(body, f"{{{NAMESPACES['rsp']}}}IdleTimeOut").text = f"PT{idle_timeout}S"
    selectors = SelectorSet()
    selectors.add_option("ShellId", pool.shell.id)
    pool.connection.disconnect(pool.shell.resource_uri, body, selector_set=selectors)


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".users", delete=False) as users:
        users.write(f"{USER}:{PASSWORD}\n")
    host, port = start_test_host(users.name)
    try:
        print(f"test host listening on 127.0.0.1:{port}")
        print("\n[client A, Basic auth] open a session and define state in it")
        with WSMan("127.0.0.1", port=port, ssl=False, auth="basic", encryption="never", username=USER, password=PASSWORD) as conn:
            pool = RunspacePool(conn)
            pool.open()
            script = "$greeting = 'state set by client A'; function Get-Greeting { param($Name) \"Hello $Name, $greeting\" }; $PID"
            print(f"    PS> {script}")
            print(f"    {run(pool, script)}")
            disconnect(pool, idle_timeout=600)
            print("    disconnected, IdleTimeout 600 s")
        print("\n[client B, NTLM + message encryption] a new client finds the session and reconnects")
        with WSMan("127.0.0.1", port=port, ssl=False, auth="ntlm", username=USER, password=PASSWORD) as conn:
            pools = RunspacePool.get_runspace_pools(conn)
            print(f"    sessions of {USER} on the host: {[p.id for p in pools]}")
            pool = pools[0]
            pool.connect()
            for script in ("Get-Greeting -Name 'client B'", "$PID", "$greeting.ToUpper()"):
                print(f"    PS> {script}")
                print(f"    {run(pool, script)}")
            pool.close()
            print("    session removed")
    finally:
        host.terminate()
        host.wait(timeout=10)
        os.unlink(users.name)


if __name__ == "__main__":
    main()
