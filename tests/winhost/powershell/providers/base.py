"""The provider interface (System.Management.Automation.Provider) and path resolution.

A provider (CmdletProvider) has a name, the module that declares it (PSProvider reads
`Microsoft.PowerShell.Core\\FileSystem`), its drives, and the item operations of ItemCmdletProvider /
ContainerCmdletProvider: GetItem, ItemExists, GetChildItems, SetItem, RemoveItem, NewItem, plus the content
interface IContentCmdletProvider (Get-Content, `${drive:path}`). Each item a provider writes carries the notes
PSPath (`<provider>::<path>`), PSParentPath, PSChildName, PSDrive, PSProvider, PSIsContainer
(CmdletProvider.WriteItemObject); each provider module adds them as its items need.

An operation the Windows provider does not implement is PowerShell's own error, written by the cmdlet as a
non-terminating error (ContentCommandBase / GetChildrenCommand: `catch (PSNotSupportedException e) {
WriteError(new ErrorRecord(e.ErrorRecord, e)) }`): CmdletProvider's default methods throw
PSNotSupportedException(SessionStateStrings.CmdletProvider_NotSupported), "Provider operation stopped because
the provider does not support this operation." (ErrorId NotSupported, category NotImplemented:
MshNotSupportedException.cs); a provider without IContentCmdletProvider gives IContentCmdletProvider_NotSupported.
An operation Windows' provider has but the test host does not model is a NotModelledByTestHost error
(tripwire.not_modelled), never a silent success.

Paths (about_Providers, about_Locations; LocationGlobber): `Drive:\\rest` (a drive the session has: C, Env,
Variable, Function, Alias, WSMan; any other -> DriveNotFoundException), provider-qualified
`[Module\\]Provider::rest` (an unknown provider -> ProviderNotFoundException), and a path with neither, which is
relative to the current location (the FileSystem's: the session's Documents directory, `runspace.native_cwd`).
"""

from __future__ import annotations

import dataclasses
import typing

from .. import values as V
from ..errors import PSError
from ..tripwire import not_modelled

_WILDCARDS = "*?["


def has_wildcard(text: str) -> bool:
    return any(ch in text for ch in _WILDCARDS)


@dataclasses.dataclass
class ProviderPath:
    """A path resolved once: the provider, the drive it was reached through and the provider's own path
    (FileSystem: an absolute native path, `C:\\x`; the others: the path below the drive root, `localhost\\Shell`)."""

    provider: "Provider"
    drive: str | None
    path: str
    given: str


def not_supported(message: str = "Provider operation stopped because the provider does not support this operation.") -> PSError:
    """PSNotSupportedException as a provider throws it (SessionStateStrings.CmdletProvider_NotSupported)."""
    return PSError(message, exception_type="System.Management.Automation.PSNotSupportedException", fqid="NotSupported",
                   category="NotImplemented", reason="PSNotSupportedException")


def content_not_supported() -> PSError:
    """SessionStateStrings.IContentCmdletProvider_NotSupported (a provider without a content interface)."""
    return not_supported("Cannot use interface. The IContentCmdletProvider interface is not implemented by this provider.")


def path_not_found(path: str, dotnet: str) -> PSError:
    """ItemNotFoundException (SessionStateStrings.PathNotFound) as the item and content cmdlets write it."""
    return PSError(f"Cannot find path '{path}' because it does not exist.",
                   exception_type="System.Management.Automation.ItemNotFoundException", fqid=f"PathNotFound,{dotnet}",
                   category="ObjectNotFound", reason="ItemNotFoundException", target=path)


def drive_not_found(drive: str) -> PSError:
    """DriveNotFoundException (SessionStateStrings.DriveNotFound); the cmdlet adds its class to the FQID."""
    return PSError(f"Cannot find drive. A drive with the name '{drive}' does not exist.",
                   exception_type="System.Management.Automation.DriveNotFoundException", fqid="DriveNotFound",
                   category="ObjectNotFound", reason="DriveNotFoundException", target=drive)


def provider_not_found(name: str) -> PSError:
    """ProviderNotFoundException (SessionStateStrings.ProviderNotFound)."""
    return PSError(f"Cannot find a provider with the name '{name}'.",
                   exception_type="System.Management.Automation.ProviderNotFoundException", fqid="ProviderNotFound",
                   category="ObjectNotFound", reason="ProviderNotFoundException", target=name)


class Provider:
    """CmdletProvider: every operation is PowerShell's "does not support" until a provider overrides it.

    `cmd` is the calling cmdlet (its parameters, `emit`, `write_error`, `dotnet`); `literal` is -LiteralPath
    (no wildcard expansion)."""

    name = ""
    module = "Microsoft.PowerShell.Core"
    drives: tuple[str, ...] = ()
    has_content = False  # IContentCmdletProvider
    # Whether New-Item / Remove-Item on it know the provider's own ShouldProcess texts (else they are guarded:
    # refused where PowerShell would ask or under WhatIf, shouldprocess.guard_cmdlet).
    knows_should_process = False
    supports_filter = False  # ProviderCapabilities.Filter (-Filter of Get-ChildItem)

    @property
    def qualified_name(self) -> str:
        """PSProvider as PowerShell shows it, and the PSPath prefix (`<this>::`)."""
        return f"{self.module}\\{self.name}"

    def native_path(self, ctx: typing.Any, drive: str | None, rest: str) -> str:
        """The provider's own path for `rest` below `drive` (a drive-less path when `drive` is None)."""
        del ctx, drive
        return rest.replace("/", "\\").strip("\\")

    # ItemCmdletProvider / ContainerCmdletProvider
    def get_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        raise not_supported()

    def item_exists(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> bool:
        raise not_supported()

    def child_items(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        raise not_supported()

    def set_item(self, cmd: typing.Any, p: ProviderPath, value: typing.Any) -> None:
        raise not_supported()

    def remove_item(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        raise not_supported()

    def new_item(self, cmd: typing.Any, p: ProviderPath, item_type: str | None, value: typing.Any) -> None:
        raise not_supported()

    def copy_item(self, cmd: typing.Any, p: ProviderPath, literal: bool, destination: ProviderPath, move: bool) -> None:
        """Copy-Item (ContainerCmdletProvider.CopyItem) or, with `move`, Move-Item (NavigationCmdletProvider.MoveItem)."""
        raise not_modelled(f"{'Move' if move else 'Copy'}-Item on the {self.name} provider")

    # IContentCmdletProvider
    def read_content(self, ctx: typing.Any, p: ProviderPath) -> list | None:
        """IContentReader.Read(-1) of one item: its content, or None when the item does not exist."""
        raise content_not_supported()

    def get_content(self, cmd: typing.Any, p: ProviderPath, literal: bool) -> None:
        """Get-Content: the reader's items, one by one."""
        content = self.read_content(cmd.ctx, p)
        if content is None:
            cmd.write_error(path_not_found(p.given, cmd.dotnet))
            return
        for item in content:
            cmd.emit(item)

    def write_content(self, cmd: typing.Any, p: ProviderPath, literal: bool, values: list, append: bool) -> None:
        """Set-Content / Add-Content."""
        if not self.has_content:
            raise content_not_supported()
        raise not_modelled(f"{'Add' if append else 'Set'}-Content on the {self.name} provider")


# --------------------------------------------------------------------------- the session's providers and drives

_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    _PROVIDERS.append(provider)
    return provider


def providers() -> list[Provider]:
    return list(_PROVIDERS)


def by_name(name: str) -> Provider | None:
    """`FileSystem` or `Microsoft.PowerShell.Core\\FileSystem` (the module part must match when given)."""
    module, _sep, bare = name.rpartition("\\")
    for provider in _PROVIDERS:
        if provider.name.lower() == bare.lower() and (not module or module.lower() == provider.module.lower()):
            return provider
    return None


def by_drive(drive: str) -> Provider | None:
    for provider in _PROVIDERS:
        if any(d.lower() == drive.lower() for d in provider.drives):
            return provider
    return None


def _drive_name(provider: Provider, drive: str) -> str:
    return next(d for d in provider.drives if d.lower() == drive.lower())


def split_drive(text: str) -> tuple[str, str] | None:
    """'Env:PATH' -> ('Env', 'PATH'); None when `text` names no drive (a relative or provider-qualified path)."""
    if "::" in text:
        return None
    drive, sep, rest = text.partition(":")
    if not sep or not drive or any(ch in drive for ch in "\\/"):
        return None
    return drive, rest


def resolve(ctx: typing.Any, given: str) -> ProviderPath:
    """A cmdlet's path -> the provider and its own path (raises DriveNotFound / ProviderNotFound)."""
    text = given.strip()
    qualifier, sep, rest = text.partition("::")
    if sep and ":" not in qualifier:
        provider = by_name(qualifier)
        if provider is None:
            raise provider_not_found(qualifier)
        return ProviderPath(provider, None, provider.native_path(ctx, None, rest), given)
    drive = split_drive(text)
    if drive is None:
        # The current location's provider: always the FileSystem (Set-Location is not modelled).
        provider = typing.cast(Provider, by_name("FileSystem"))
        return ProviderPath(provider, "C", provider.native_path(ctx, None, text), given)
    provider = by_drive(drive[0])
    if provider is None:
        raise drive_not_found(drive[0])
    # The drive as written goes to the provider (the FileSystem keeps `c:\x` as given, as before the providers).
    return ProviderPath(provider, _drive_name(provider, drive[0]), provider.native_path(ctx, drive[0], drive[1]), given)


def match_names(names: typing.Iterable[str], pattern: str, literal: bool) -> list[str]:
    """The names a provider path selects: wildcards for -Path, the name itself for -LiteralPath."""
    if literal or not has_wildcard(pattern):
        return [n for n in names if n.lower() == pattern.lower()]
    return [n for n in names if V.like(n, pattern)]
