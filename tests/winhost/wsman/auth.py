"""Authentication: the users the test host knows, HTTP Basic, and NTLM/Negotiate through
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
import dataclasses
import os
import tempfile
import threading

import spnego
import spnego.exceptions


@dataclasses.dataclass(frozen=True)
class User:
    """One account: ``domain`` may be empty (a local account)."""

    name: str
    password: str
    domain: str = ""

    @property
    def key(self) -> str:
        # Sessions belong to the account whatever spelling the client used (user, DOMAIN\user).
        return self.name.lower()

    @property
    def display(self) -> str:
        # What WinRM reports as the shell Owner.
        return f"{self.domain}\\{self.name}" if self.domain else self.name


def split_principal(principal: str) -> tuple[str, str]:
    """'DOMAIN\\user' or 'user@DOMAIN' or 'user' -> (domain, user)."""
    if "\\" in principal:
        domain, _unused, name = principal.partition("\\")
        return domain, name
    if "@" in principal:
        name, _unused, domain = principal.partition("@")
        return domain, name
    return "", principal


class UserDB:
    """The accounts a server accepts."""

    def __init__(self, users: dict[str, str] | list[User] | None = None) -> None:
        self.users: list[User] = []
        if isinstance(users, dict):
            for principal, password in users.items():
                domain, name = split_principal(principal)
                self.users.append(User(name, password, domain))
        elif users:
            self.users = list(users)

    @classmethod
    def from_file(cls, path: str) -> "UserDB":
        """One ``user:password`` or ``DOMAIN\\user:password`` per line; '#' starts a comment."""
        users = []
        with open(path, encoding="utf-8") as fd:
            for line in fd:
                line = line.rstrip("\r\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                principal, sep, password = line.partition(":")
                if not sep:
                    raise ValueError(f"{path}: expected user:password, got {line!r}")
                domain, name = split_principal(principal.strip())
                users.append(User(name, password, domain))
        return cls(users)

    def find(self, principal: str) -> User | None:
        domain, name = split_principal(principal)
        for user in self.users:
            if user.name.lower() == name.lower() and (not domain or not user.domain or user.domain.lower() == domain.lower()):
                return user
        return None

    def check_password(self, principal: str, password: str) -> User | None:
        user = self.find(principal)
        return user if user is not None and user.password == password else None


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
