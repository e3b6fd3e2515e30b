"""pypsrp clients for the test host, shared by the conformance tests.

A module of its own (not conftest.py): pytest imports every directory's conftest.py as the
same top-level name, so tests cannot import helpers from one reliably.
"""

from __future__ import annotations

import time
import typing
import xml.etree.ElementTree as ET

from pypsrp.wsman import NAMESPACES, WSMan, SelectorSet

from winhost import WinHost

USERS = {"user": "Passw0rd!", "CORP\\other": "0ther!Pass"}

# transport name -> (auth offered by the host, tls, client auth, client encryption)
TRANSPORTS = {
    "basic": ("basic", False, "basic", "never"),
    "ntlm": ("negotiate", False, "ntlm", "auto"),          # NTLM + WinRM message encryption over HTTP
    "https": ("both", True, "negotiate", "auto"),         # Negotiate(NTLM) over TLS, no message encryption
}


def client_for(host: WinHost, transport: str = "basic", username: str = "user", password: str = "Passw0rd!",
               **kwargs: typing.Any) -> WSMan:
    _auth, tls, client_auth, encryption = TRANSPORTS[transport]
    if transport == "basic" and tls:
        encryption = "never"
    return WSMan("127.0.0.1", port=host.port, ssl=host.tls, auth=client_auth, username=username, password=password,
                 encryption=encryption, cert_validation=False, operation_timeout=kwargs.pop("operation_timeout", 5),
                 read_timeout=kwargs.pop("read_timeout", 30), **kwargs)


def disconnect_with(pool, idle_timeout: float | None = None, buffer_mode: str | None = None) -> None:
    """Disconnect sending IdleTimeOut/BufferMode, which pypsrp 0.9.1's disconnect() omits."""
    from pypsrp.complex_objects import PSInvocationState, RunspacePoolState  # pylint: disable=import-outside-toplevel

    rsp = NAMESPACES["rsp"]
    body = ET.Element(f"{{{rsp}}}Disconnect")
    if idle_timeout is not None:
        ET.SubElement(body, f"{{{rsp}}}IdleTimeOut").text = f"PT{idle_timeout:g}S"
    if buffer_mode is not None:
        ET.SubElement(body, f"{{{rsp}}}BufferMode").text = buffer_mode
    selectors = SelectorSet()
    selectors.add_option("ShellId", pool.shell.id)
    pool.connection.disconnect(pool.shell.resource_uri, body, selector_set=selectors)
    pool.state = RunspacePoolState.DISCONNECTED
    for pipeline in pool.pipelines.values():
        pipeline.state = PSInvocationState.DISCONNECTED


def connect_new_client(pool) -> None:
    """pool.connect() as a new client (WSMan Connect), then mark the pool Opened as our collection does:
    Windows sends no RunspacePoolState after a Connect, so pypsrp leaves the pool Disconnected."""
    from pypsrp.complex_objects import RunspacePoolState  # pylint: disable=import-outside-toplevel

    pool.connect()
    if pool.state != RunspacePoolState.OPENED:
        pool.state = RunspacePoolState.OPENED


def wait_for(predicate: typing.Callable[[], typing.Any], timeout: float = 120.0, interval: float = 0.05) -> bool:
    """Wait for observable state of the host. The timeout only ends a test that would hang: it is far
    beyond what a state change takes on a loaded 2-core machine."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
