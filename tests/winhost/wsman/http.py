"""HTTP(S) front end: keep-alive connections, Basic and connection-bound NTLM/Negotiate
authentication, WinRM message encryption, the /winhost/* control endpoints (loopback only),
and the connection-level fault knobs."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import socket
import ssl
import struct
import threading
import time
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import encryption, faults, operations, robust, soap
from ..machine.accounts import User
from .auth import AuthFailed, NegotiateAcceptor, check_basic

if typing.TYPE_CHECKING:  # pragma: no cover
    from .server import HostCore

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


class WinHostHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections (so stop() can cut them) and speaks TLS."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], core: "HostCore", ssl_context: ssl.SSLContext | None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.core = core
        self.ssl_context = ssl_context
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, WSManHandler)

    def get_request(self) -> tuple[socket.socket, typing.Any]:
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            # The handshake happens in the handler thread, so a slow client cannot stall accept().
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self._conns_lock:
            self._conns.add(sock)
        return sock, addr

    def shutdown_request(self, request: typing.Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
            self._conns.clear()
        for sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass


class WSManHandler(BaseHTTPRequestHandler):
    """One TCP connection.  The NTLM context lives as long as the connection, as with WinRM."""

    protocol_version = "HTTP/1.1"  # keep-alive: NTLM authenticates the connection, not the request
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 600  # an idle keep-alive connection is closed after this many seconds
    # http.server writes the headers and the body separately: with Nagle's algorithm on, the
    # body then waits ~40 ms for the client's delayed ACK on every kept-alive request, a stall
    # HTTP.sys does not have (it answers in one send). Benchmarks measured it as most of a task.
    disable_nagle_algorithm = True
    server: WinHostHTTPServer

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            self.request.do_handshake()
        super().setup()
        self.acceptor: NegotiateAcceptor | None = None
        self.scheme = "Negotiate"

    def finish(self) -> None:
        # MS-WSMV 3.1.6.5: answers kept for robust requests on this connection start their retention timer.
        try:
            self.core.operations.connection_closed(self)
        finally:
            super().finish()

    def log_message(self, format: str, *args: typing.Any) -> None:  # pylint: disable=redefined-builtin
        log.debug("%s - %s", self.address_string(), format % args)

    @property
    def core(self) -> "HostCore":
        return self.server.core

    # ------------------------------------------------------------------ plumbing
    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.core.stats.http(status)  # counted before answering, so a client never sees the answer first
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_chunked(self, status: int, chunks: list[bytes], headers: dict[str, str]) -> None:
        """An answer in HTTP chunked transfer encoding, one chunk per part (MS-WSMV 3.1.4.1.39's
        answer to a retransmission: "The Transfer-Encoding header MUST be set to "chunked"")."""
        self.core.stats.http(status)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _challenge_headers(self) -> list[tuple[str, str]]:
        out = []
        if "negotiate" in self.core.auth_modes:
            out.append(("WWW-Authenticate", "Negotiate"))
        if "basic" in self.core.auth_modes:
            out.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        return out

    def _unauthorized(self) -> None:
        self.core.stats.http(401)
        self.core.stats.event("auth_failures")
        self.send_response(401)
        for key, value in self._challenge_headers():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _abort(self, reset: bool) -> None:
        """Knob: end the connection without an answer (a reset sends a TCP RST)."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass

    # ------------------------------------------------------------------ control endpoints
    def _control(self, method: str) -> bool:
        path = self.path.split("?", 1)[0].rstrip("/").lower()
        if not path.startswith("/winhost/"):
            return False
        if not is_loopback(self.client_address[0]):
            self._send(403)
            return True
        try:
            if method == "GET" and path == "/winhost/stats":
                result: typing.Any = self.core.stats_snapshot()
            elif method == "GET" and path == "/winhost/knobs":
                result = self.core.knobs.as_dict()
            elif method == "GET" and path == "/winhost/sessions":
                result = self.core.sessions()
            elif method == "GET" and path == "/winhost/operations":
                result = self.core.operations_table()
            elif method == "POST" and path == "/winhost/knobs":
                result = self.core.apply_control(json.loads(self._read_body() or b"{}"))
            else:
                self._send(404)
                return True
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, json.dumps({"error": str(exc)}).encode(), {"Content-Type": "application/json"})
            return True
        self._send(200, json.dumps(result, default=str).encode(), {"Content-Type": "application/json"})
        return True

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        if not self._control("GET"):
            self._send(405)

    # ------------------------------------------------------------------ WSMan
    def do_POST(self) -> None:  # pylint: disable=invalid-name
        if self._control("POST"):
            return
        raw = self._read_body()
        if self.path.split("?", 1)[0].rstrip("/").lower() != "/wsman":
            self._send(404)
            return
        auth = self._authenticate()
        if auth is None:
            return
        user, extra_headers = auth
        if not raw:
            # pypsrp's empty POST that only sets up the NTLM context.
            self._send(200, b"", extra_headers)
            return
        self._wsman(raw, user, extra_headers)

    def _authenticate(self) -> tuple[User, dict[str, str]] | None:
        header = self.headers.get("Authorization", "")
        scheme = header.split(" ", 1)[0].lower()
        try:
            if scheme == "basic" and "basic" in self.core.auth_modes:
                return check_basic(self.core.users, header), {}
            if scheme in ("negotiate", "ntlm") and "negotiate" in self.core.auth_modes:
                try:
                    token = base64.b64decode(header.split(" ", 1)[1])
                except (IndexError, binascii.Error) as exc:
                    raise AuthFailed("malformed token") from exc
                if self.acceptor is None or self.acceptor.complete:
                    self.acceptor = NegotiateAcceptor(self.core.users)
                    self.scheme = header.split(" ", 1)[0]
                out = self.acceptor.step(token)
                out_header = {"WWW-Authenticate": f"{self.scheme} {base64.b64encode(out).decode()}"} if out else {}
                if not self.acceptor.complete:
                    self._send(401, b"", out_header)
                    return None
                assert self.acceptor.user is not None
                return self.acceptor.user, out_header
            if not header and self.acceptor is not None and self.acceptor.complete:
                assert self.acceptor.user is not None
                return self.acceptor.user, {}
        except AuthFailed as exc:
            log.info("authentication failed: %s", exc)
            self.acceptor = None
        self._unauthorized()
        return None

    def _machine(self, to: str) -> str:
        return soap.machine_name(to, self.headers.get("Host", ""), self.core.knobs.computer_name)

    def _wsman(self, raw: bytes, user: User, extra_headers: dict[str, str]) -> None:
        core = self.core
        content_type = self.headers.get("Content-Type", "")
        encrypted = content_type.lower().startswith("multipart/encrypted")
        params = encryption.content_type_params(content_type)
        if encrypted:
            if self.acceptor is None or not self.acceptor.complete:
                self._unauthorized()
                return
            try:
                plain = encryption.unwrap(self.acceptor, raw, params.get("boundary", encryption.BOUNDARY))
            except encryption.EncryptionError as exc:
                log.info("could not decrypt request: %s", exc)
                self._send(400)
                return
        else:
            tls = isinstance(self.connection, ssl.SSLSocket)
            if not tls and core.config.get("Service\\AllowUnencrypted") != "true":
                self._unauthorized()  # WinRM refuses clear-text bodies over HTTP unless AllowUnencrypted
                return
            plain = raw
        relates_to = ""
        to = ""
        action = "Unknown"
        status = 200
        answer: robust.Answer | None = None
        chunks: list[bytes] | None = None  # an answer sent as these HTTP chunks (a retransmission's, by the spec)
        try:
            req = soap.parse_request(plain)
            relates_to, action, to = req.message_id, req.action, req.to
            latency = core.knobs.latency_for(action)
            if latency > 0:
                time.sleep(latency)
            shell_id, command_id = req.selectors.get("ShellId"), req.command_id
            fired = core.knobs.take_failure(action, shell_id, command_id)
            failure = fired[0] if fired else None
            if action == "Receive" and command_id:
                core.stats.record("receive", shell=(shell_id or "").upper(), command=command_id.upper(),
                                  nth=core.knobs.seen(action, command_id))
            if failure in ("drop", "reset"):
                core.stats.fault(action, failure, shell_id, command_id, fired[1])
                core.stats.event(f"connections_{failure}")
                core.stats.request(action, len(raw), 0, True)
                self._abort(reset=failure == "reset")
                return
            answer = core.operations.begin(req, user.name, self, core.knobs.robust_connections)
            if answer.resend:
                # A retransmission (MS-WSMV 3.1.4.1.39): the kept answer, not new output.
                status, body = answer.kept(req.operation_timeout + 60)
                if core.knobs.robust_resend_acknowledge:
                    chunks = [soap.acknowledge_envelope(req.operation_id, 1), body]
                core.stats.event("receives_resent")
                core.stats.record("receive_resent", shell=(shell_id or "").upper(), command=(command_id or "").upper())
            else:
                ctx = operations.Context(
                    registry=core.registry, knobs=core.knobs, config=core.config, stats=core.stats,
                    stopping=core.stopping, user=user,
                    client_ip=self.client_address[0], address=core.url,
                )
                try:
                    action_uri, children = operations.handle(ctx, req)
                except faults.WSManFault as fault:
                    status = fault.http_status
                    body = soap.fault_envelope(fault, relates_to, self._machine(to), answer.headers)
                else:
                    body = soap.envelope(action_uri, relates_to, children, answer.headers)
                answer.keep(status, body)
            if failure == "drop_after" and status == 200:
                # Recorded once handled: the answer, with whatever output it took, is what is lost.
                core.stats.fault(action, failure, shell_id, command_id, fired[1])
                core.stats.event("connections_drop_after")
                core.stats.request(action, len(raw), 0, True)
                self._abort(reset=False)
                return
        except faults.WSManFault as fault:
            # A request refused before it was handled (unparseable, or robust headers that cannot be taken).
            status = fault.http_status
            body = soap.fault_envelope(fault, relates_to, self._machine(to), answer.headers if answer is not None else None)
        headers = dict(extra_headers)
        if chunks is not None:
            body = b"".join(chunks)
        if encrypted:
            assert self.acceptor is not None
            headers["Content-Type"], body = encryption.wrap(self.acceptor, body, params.get("protocol", encryption.SPNEGO_PROTOCOL))
            chunks = None if chunks is None else [body]  # one encrypted message: how Windows splits one is unknown
        else:
            headers["Content-Type"] = "application/soap+xml;charset=UTF-8"
        core.stats.request(action, len(raw), len(body), status != 200)  # before answering (see _send)
        try:
            if chunks is None:
                self._send(status, body, headers)
            else:
                self._send_chunked(status, chunks, headers)
        except OSError:
            self.close_connection = True
