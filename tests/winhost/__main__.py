"""python -m winhost: run the test host as a process.

Prints exactly ``listening on http(s)://127.0.0.1:PORT/wsman`` once it accepts requests and
stops on SIGTERM/SIGINT or after --stop-after seconds.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from .wsman.server import WinHost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winhost", description="WSMan + PSRP test host (stand-in for Windows)")
    parser.add_argument("--port", type=int, default=0, help="TCP port, 0 = any free port")
    parser.add_argument("--users", help="file of user:password or DOMAIN\\user:password lines (default user:Passw0rd!)")
    parser.add_argument("--auth", choices=["basic", "negotiate", "both"], default="both")
    parser.add_argument("--tls", action="store_true", help="HTTPS with a generated self-signed certificate")
    parser.add_argument("--bind", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--stop-after", type=float, default=3600.0, help="stop by itself after this many seconds")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    try:
        host = WinHost(port=args.port, users=args.users, auth=args.auth, tls=args.tls, bind=args.bind, stop_after=args.stop_after)
        host.start()
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    done = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"listening on {host.url}", flush=True)
    while not done.is_set() and not host.stopped.is_set():
        done.wait(0.2)
    host.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
