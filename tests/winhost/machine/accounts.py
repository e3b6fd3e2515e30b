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

    def logon(self, name: str, domain: str | None, password: str | None) -> User | None:
        """LogonUserW(name, domain, password): the account when the password is its own, else None (the caller's
        ERROR_LOGON_FAILURE, 1326: LogonUser gives it for an unknown name and a wrong password alike). A domain of
        "." or None (a UPN name) means any account of that name, as find() does."""
        user = self.find(name if domain in (None, ".", "") else f"{domain}\\{name}")
        return user if user is not None and password is not None and user.password == password else None

    def rid(self, user: User) -> int:
        """The account's relative id (the last part of its SID): 500 for the built-in Administrator, then 1000, 1001...
        for the others in the order the machine has them (the first account created gets 1000, learn.microsoft.com
        "Security identifiers")."""
        if user.name.lower() == "administrator":
            return 500
        others = [u for u in self.users if u.name.lower() != "administrator" and not u.domain]
        return 1000 + next((i for i, u in enumerate(others) if u.key == user.key), 0)
