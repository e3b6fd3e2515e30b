"""Run one command against the test host: the engine of scripts/testhost.

Starts the test host (tests/winhost) as its own process on a free loopback port with one
account, ansible / Testhost-Passw0rd! (docs/examples/first-steps/testhost-inventory.yml uses
it), runs the command with PSSESSION_TESTHOST_PORT set to that port and the laid-out
collection on ANSIBLE_COLLECTIONS_PATH, then stops the host and exits with the command's code.
"""

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where scripts/lib.sh laid the collection out (its layout_collection exports it; .build by default).
COLLECTIONS_PATH = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(ROOT, ".build")
USER, PASSWORD = "ansible", "Testhost-Passw0rd!"
# The host stops by itself after this long even if this script is killed.
STOP_AFTER = 3600


def start_test_host(workdir, user=USER, password=PASSWORD, stop_after=STOP_AFTER):
    """Start tests/winhost as a process on a free loopback port with one account; returns (process, port).
    scripts/demo.py starts its host with this too."""
    users = os.path.join(workdir, "users")
    with open(users, "w", encoding="utf-8") as handle:
        handle.write(f"{user}:{password}\n")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests"))
    proc = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped in main()'s finally
        [sys.executable, "-m", "winhost", "--port", "0", "--auth", "both", "--users", users, "--stop-after", str(stop_after)],
        stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"the test host did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1].split("/")[0])


def main(argv):
    with tempfile.TemporaryDirectory(prefix="pssession-testhost-") as workdir:
        host, port = start_test_host(workdir)
        try:
            print(f"test host (a stand-in for a Windows host) listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
            env = dict(os.environ, PSSESSION_TESTHOST_PORT=str(port), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH)
            env.setdefault("ANSIBLE_PSSESSION_LOCK_DIR", os.path.join(workdir, "locks"))
            return subprocess.run(argv, env=env, check=False).returncode
        finally:
            host.terminate()
            host.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
