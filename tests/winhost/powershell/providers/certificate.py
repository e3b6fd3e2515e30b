"""The Certificate provider (Cert:, about_Certificate_Provider): the drive exists in every Windows PowerShell 5.1
session, but the test host models no certificate store, so every operation on it trips (naming the path) rather than
answer "no such drive" or "no such certificate". ansible.windows' winrm facts reach it for an HTTPS listener's
certificate (`Get-Item -LiteralPath Cert:\\LocalMachine\\My\\<thumbprint>`)."""

from __future__ import annotations

import typing

from ..tripwire import trip
from .base import Provider, ProviderPath, register


class CertificateProvider(Provider):
    name = "Certificate"
    module = "Microsoft.PowerShell.Security"
    drives = ("Cert",)

    def _trip(self, p: ProviderPath) -> typing.Any:
        raise trip(f"The certificate store (Cert:\\{p.path})")

    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        self._trip(p)

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        return self._trip(p)

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        self._trip(p)

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        self._trip(p)

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        self._trip(p)

    def new_item(self, cmd: typing.Any, p: ProviderPath, item_type: str | None, value: typing.Any) -> None:
        self._trip(p)


CERTIFICATE = register(CertificateProvider())
