"""Authentication of the accounts (machine/accounts.py): HTTP Basic, and NTLM/Negotiate through
pyspnego's acceptor.

pyspnego's NTLM acceptor finds passwords only through the file named by the process-wide
``NTLM_USER_FILE`` environment variable, read when a client authenticates.  Several
servers may live in one pytest process with different users, so a process-wide registry
writes the union of every running server's users to one temporary file, and each server
then checks that the authenticated principal is one of *its* users.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import os
import tempfile
import threading

import spnego
import spnego.exceptions

from ..machine.accounts import User, UserDB


class _NtlmUserFileRegistry:
    """Keeps NTLM_USER_FILE pointing at one file holding every running server's users."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dbs: dict[int, UserDB] = {}
        self._path: str | None = None

    def register(self, db: UserDB) -> None:
        with self._lock:
            self._dbs[id(db)] = db
            self._write()

    def unregister(self, db: UserDB) -> None:
        with self._lock:
            self._dbs.pop(id(db), None)
            self._write()

    def _write(self) -> None:
        if self._path is None:
            fd, self._path = tempfile.mkstemp(prefix="winhost-ntlm-", suffix=".users")
            os.close(fd)
            atexit.register(self._cleanup)
        lines = []
        for db in self._dbs.values():
            for user in db.users:
                # Heimdal format DOMAIN:USER:PASSWORD.  pyspnego matches the domain exactly, so a
                # domain account is listed with its domain and without one (clients send either).
                if user.domain:
                    lines.append(f"{user.domain}:{user.name}:{user.password}")
                lines.append(f":{user.name}:{user.password}")
        tmp = self._path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fd:
            fd.write("\n".join(lines) + "\n")
        os.replace(tmp, self._path)  # atomic: a handshake in progress never reads half a file
        os.environ["NTLM_USER_FILE"] = self._path

    def _cleanup(self) -> None:
        if self._path:
            with contextlib.suppress(OSError):
                os.unlink(self._path)


NTLM_USERS = _NtlmUserFileRegistry()


class AuthFailed(Exception):
    """Credentials were wrong or the handshake broke: answer 401."""


def check_basic(db: UserDB, header_value: str) -> User:
    try:
        decoded = base64.b64decode(header_value.split(" ", 1)[1]).decode("utf-8")
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise AuthFailed("malformed Basic header") from exc
    principal, _unused, password = decoded.partition(":")
    user = db.check_password(principal, password)
    if user is None:
        raise AuthFailed(f"wrong user name or password for {principal!r}")
    return user


class NegotiateAcceptor:
    """The server side of one connection's NTLM/Negotiate handshake (connection-bound, as in WinRM)."""

    def __init__(self, db: UserDB) -> None:
        self.db = db
        self.ctx = spnego.server(protocol="negotiate", options=spnego.NegotiateOptions.wrapping_winrm)
        self.user: User | None = None

    @property
    def complete(self) -> bool:
        return self.ctx.complete and self.user is not None

    def step(self, token: bytes) -> bytes | None:
        try:
            out = self.ctx.step(token)
        except (spnego.exceptions.SpnegoError, ValueError, KeyError) as exc:
            raise AuthFailed(str(exc)) from exc
        if self.ctx.complete:
            principal = self.ctx.client_principal or ""
            user = self.db.find(principal)
            if user is None:
                # Known to another server in this process, not to this one.
                raise AuthFailed(f"{principal} is not a user of this host")
            self.user = user
        return out

    def wrap_winrm(self, data: bytes) -> tuple[bytes, bytes, int]:
        res = self.ctx.wrap_winrm(data)
        return res.header, res.data, res.padding_length

    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes:
        return self.ctx.unwrap_winrm(header, data)
