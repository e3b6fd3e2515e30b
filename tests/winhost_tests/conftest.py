"""Fixtures: test hosts (in process) for the conformance tests."""

from __future__ import annotations

import typing

import pytest

from winhost import WinHost
from wsman_clients import TRANSPORTS, USERS


@pytest.fixture
def make_host():
    """make_host(auth="basic", tls=False, **knobs) -> started WinHost, stopped at teardown."""
    hosts: list[WinHost] = []

    def factory(auth: str = "both", tls: bool = False, users: typing.Any = None, **knobs: typing.Any) -> WinHost:
        host = WinHost(users=users or USERS, auth=auth, tls=tls, stop_after=300)
        for name, value in knobs.items():
            host.knobs.set(name, value)
        hosts.append(host.start())
        return host

    yield factory
    for host in hosts:
        host.stop()


@pytest.fixture(params=list(TRANSPORTS))
def transport_host(request, make_host):
    """(transport name, host) for each of Basic/HTTP, NTLM+encryption/HTTP and HTTPS."""
    auth, tls, _client_auth, _enc = TRANSPORTS[request.param]
    return request.param, make_host(auth=auth, tls=tls)
