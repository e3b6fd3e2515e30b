"""The README's demo: one persistent PowerShell session, used by two ansible-playbook runs.

Starts the test host (tests/winhost) as its own process, as a Windows machine would be,
writes an inventory for it, then runs, printing each command first:
  1. demo/1-define-state.yml: tasks that build on what earlier tasks defined;
  2. what the host has in between: the named session, Disconnected;
  3. demo/2-reconnect.yml: a new ansible-playbook process reconnects to that session;
  4. an ad-hoc `ansible -m raw` command in the same session;
  5. Connect-PSSession's enterprise example as two runs: demo/3-start-long-job.yml starts a
     command in a disconnected session and ends; demo/4-collect-results.yml, a new process,
     connects to that session, receives everything the command wrote, and removes it.
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import urllib.request

from testhost import start_test_host

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where scripts/lib.sh laid the collection out (its layout_collection exports it; .build by default).
COLLECTIONS_PATH = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(ROOT, ".build")
BIN = os.path.dirname(sys.executable)
USER, PASSWORD = "ansible", "Demo-Passw0rd!"

INVENTORY = """\
windows:
  hosts:
    win-demo:
      ansible_host: 127.0.0.1
      ansible_port: {port}
  vars:
    ansible_connection: psremoting.pssession.psrp
    ansible_user: {user}
    ansible_password: {password}
    ansible_psrp_protocol: http
    ansible_psrp_auth: ntlm            # NTLM with WinRM message encryption
    ansible_pssession_name: demo
    ansible_pssession_idle_timeout: 600
"""


def banner(text):
    print(f"\n\033[1m=== {text}\033[0m", flush=True)


def run(args, env):
    print("$ " + " ".join(shlex.quote(a) for a in args), flush=True)
    subprocess.run([os.path.join(BIN, args[0])] + args[1:], env=env, check=True, cwd=ROOT)


def show_sessions(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/winhost/sessions", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        print(f"    Name={session['Name']} State={session['State']} Owner={session['Owner']} IdleTimeOut={session['IdleTimeOut']:g}s "
              f"(what Get-PSSession -ComputerName would list)")


def main():
    with tempfile.TemporaryDirectory(prefix="pssession-demo-") as workdir:
        host, port = start_test_host(workdir, USER, PASSWORD, stop_after=600)
        try:
            inventory = os.path.join(workdir, "inventory.yml")
            with open(inventory, "w", encoding="utf-8") as handle:
                handle.write(INVENTORY.format(port=port, user=USER, password=PASSWORD))
            env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_INVENTORY=inventory,
                       ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="False",
                       ANSIBLE_PSSESSION_LOCK_DIR=os.path.join(workdir, "locks"))
            print(f"Test host (a stand-in for a Windows host) listening on 127.0.0.1:{port}; inventory:\n")
            print(INVENTORY.format(port=port, user=USER, password="********"))

            banner("Run 1: state defined in one task is there in the next")
            run(["ansible-playbook", "demo/1-define-state.yml"], env)

            banner("On the host between the runs: the session waits, Disconnected")
            show_sessions(port)

            banner("Run 2: a new ansible-playbook process reconnects to the same session")
            run(["ansible-playbook", "demo/2-reconnect.yml"], env)

            banner("An ad-hoc command joins the same session too")
            run(["ansible", "windows", "-m", "raw", "-a", "\"release $($release.Version) is in $($release.Stage)\""], env)

            banner("Run 3: start a long command in session ITTask, disconnect at once, go home")
            run(["ansible-playbook", "demo/3-start-long-job.yml"], env)
            show_sessions(port)

            banner("Run 4: a new process connects to ITTask and receives what the command wrote meanwhile")
            run(["ansible-playbook", "demo/4-collect-results.yml"], env)
            show_sessions(port)
        finally:
            host.terminate()
            host.wait(timeout=10)


if __name__ == "__main__":
    main()
