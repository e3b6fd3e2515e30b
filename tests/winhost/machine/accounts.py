"""The accounts the test host knows: local (``user``) and domain (``DOMAIN\\user``) users and their passwords."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class User:
    """One account: ``domain`` may be empty (a local account)."""

    name: str
    password: str
    domain: str = ""
    # A member of the Administrators group: WinRM's default root SDDL lets in only Administrators (and Remote Management
    # Users, about_Remote_Requirements), so the test host's accounts are administrators unless a test says otherwise.
    # It decides who owns what the account's sessions create (HostServices.item_owner).
    administrator: bool = True

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
