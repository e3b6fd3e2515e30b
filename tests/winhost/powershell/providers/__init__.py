"""PowerShell's providers behind one interface (base.py): FileSystem (drive C:), Environment (Env:), Variable,
Function, Alias and WSMan. The item cmdlets (cmdlets/items.py) and the content cmdlets (cmdlets/content.py)
resolve a path once (`resolve`) and call its provider; the evaluator reads a drive-qualified variable
(`${env:X}`, `${function:f}`, `${C:\\x}`) through `read_variable`."""

from __future__ import annotations

import typing

from .base import (Provider, ProviderPath, content_not_supported, drive_not_found, not_supported, path_not_found, providers,
                   resolve, split_drive)
from . import filesystem  # noqa: F401  (registration order: the FileSystem first)
from . import environment, variable, function, alias, wsman, registry, certificate  # noqa: F401
from ..errors import PSError
from ..tripwire import not_modelled

_SCOPE_QUALIFIERS = ("global", "script", "local", "private", "using")


def variable_drive(name: str) -> bool:
    """Whether a variable name (`env:X`, `C:\\x`, without `$`/`${}`) is a drive-qualified path rather than a
    variable (a scope qualifier or none: VariablePath.IsDriveQualified)."""
    drive = split_drive(name)
    return drive is not None and drive[0].lower() not in _SCOPE_QUALIFIERS


def read_variable(ctx: typing.Any, name: str) -> typing.Any:
    """`${drive:path}` (SessionStateInternal.GetVariableValueFromProvider): the provider's content reader read to
    the end; no item or no drive is $null; one object is itself, several a list. A provider without a content
    interface is a ProviderInvocationException (ProviderCannotBeUsedAsVariable)."""
    try:
        p = resolve(ctx, name)
    except PSError:
        return None  # DriveNotFound / ProviderNotFound: $null, as for an unset variable
    if not p.provider.has_content:
        raise _not_a_variable(p.provider, name)
    content = p.provider.read_content(ctx, p)
    if not content:
        return None
    return content[0] if len(content) == 1 else content


__all__ = ["Provider", "ProviderPath", "content_not_supported", "drive_not_found", "not_supported", "path_not_found",
           "providers", "read_variable", "resolve", "variable_drive", "write_variable"]


def write_variable(ctx: typing.Any, name: str, value: typing.Any) -> None:
    """`${drive:path} = value` for the drives the evaluator does not set itself (it sets `env:`, `function:` and
    `variable:`): an unknown drive is DriveNotFound (SessionStateInternal.SetVariable); a provider without content
    cannot be used as a variable; the content writers of Alias: and the FileSystem are not modelled."""
    p = resolve(ctx, name)
    if not p.provider.has_content:
        raise _not_a_variable(p.provider, name)
    del value
    raise not_modelled(f"Setting ${{{name}}} (the {p.provider.name} provider's content writer)")


def _not_a_variable(provider: Provider, name: str) -> PSError:
    """ProviderInvocationException (SessionStateStrings.ProviderCannotBeUsedAsVariable) around the provider's
    PSNotSupportedException, whose record (NotSupported, NotImplemented) it carries."""
    return PSError(f"The provider '{provider.name}' cannot be used to get or set data using the variable syntax. "
                   f"{content_not_supported().message}", exception_type="System.Management.Automation.ProviderInvocationException",
                   fqid="NotSupported", category="NotImplemented", reason="ProviderInvocationException", target=name)
