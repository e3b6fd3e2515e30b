"""Secrets as scripts hold them: System.Security.SecureString, System.Net.NetworkCredential, PSCredential, NullString.

What ansible-core's wrappers use (2.19+: exec_wrapper.ps1 turns each secure parameter into a SecureString with
`ConvertTo-SecureString -AsPlainText -Force`, cmdlets/security.py, and become_wrapper.ps1 reads it back with
`[NetworkCredential]::new("", $BecomePassword).Password`; 2.16 to 2.18 pass `[NullString]::Value` for "no password"):

- SecureString (learn.microsoft.com dotnet/api/system.security.securestring): the text is kept but never shown; its
  ToString() is the type name, "System.Security.SecureString" (Object.ToString), so `"$ss"` shows no secret. Length,
  AppendChar, Clear, Copy, MakeReadOnly/IsReadOnly and Dispose are modelled; InsertAt, RemoveAt, SetAt trip. Sending
  one to the client (PSRP's <SS>, encrypted with the session key, MS-PSRP 2.2.5.1.24) is not modelled: a trip.
- NetworkCredential (dotnet/api/system.net.networkcredential): constructors (), (user, password) and (user, password,
  domain) with a string or SecureString password; UserName, Password (the plain text, also of a SecureString: .NET
  Framework 4.x unprotects it), SecurePassword, Domain, all settable.
- PSCredential (System.Management.Automation.PSCredential, PowerShell's source: PSCredential.cs): (user,
  SecureString); UserName, Password (the SecureString), GetNetworkCredential() with "DOMAIN\\user" split at the
  backslash (any other name is the user with an empty domain, SplitUserDomain). A string password is a conversion
  error, as PowerShell's method binder gives it.
- NullString (System.Management.Automation.Language.NullString, `[NullString]::Value`): passed to a .NET string
  parameter it is null, not ""; stand-ins read it with `is_null_string`.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, void
from ..errors import PSError, make_exception, method_exception
from ..tripwire import trip
from ..typeregistry import net_method, net_property, net_setter

SECURE_STRING = "System.Security.SecureString"
NETWORK_CREDENTIAL = "System.Net.NetworkCredential"
PS_CREDENTIAL = "System.Management.Automation.PSCredential"
NULL_STRING = "System.Management.Automation.Language.NullString"


class SecureString(NetObject):
    type_names = [SECURE_STRING, "System.Object"]
    net_not_modelled_methods = ("InsertAt", "RemoveAt", "SetAt")

    def __init__(self, text: str = "") -> None:
        self._text = text  # never shown: only reveal() (NetworkCredential.Password, a logon) reads it
        self._read_only = False

    def reveal(self) -> str:
        return self._text

    @net_property("Length")
    def _length(self) -> int:
        return len(self._text)

    @net_method("AppendChar")
    def _append_char(self, char: typing.Any) -> typing.Any:
        if self._read_only:
            raise method_exception("AppendChar", 1, "Instance is read-only.", "System.InvalidOperationException")
        self._text += V.to_string(char)[:1]
        return void()

    @net_method("Clear")
    def _clear(self) -> typing.Any:
        if self._read_only:
            raise method_exception("Clear", 0, "Instance is read-only.", "System.InvalidOperationException")
        self._text = ""
        return void()

    @net_method("Copy")
    def _copy(self) -> "SecureString":
        return SecureString(self._text)  # a copy is writable again (SecureString.Copy)

    @net_method("MakeReadOnly")
    def _make_read_only(self) -> typing.Any:
        self._read_only = True
        return void()

    @net_method("IsReadOnly")
    def _is_read_only(self) -> bool:
        return self._read_only

    def to_string(self) -> str:
        return SECURE_STRING

    def to_wire(self) -> typing.Any:
        raise trip("Sending a System.Security.SecureString to the client (PSRP encrypts it with the session key)")


def is_null_string(value: typing.Any) -> bool:
    return isinstance(value, NullString)


class NullString(NetObject):
    type_names = [NULL_STRING, "System.Object"]

    def to_string(self) -> str:
        return ""  # NullString.ToString() returns null; as text that is empty


NULL_STRING_VALUE = NullString()


def _plain(value: typing.Any) -> str | None:
    """A password argument: a SecureString's text, a string, or $null/[NullString]::Value (null)."""
    if value is None or is_null_string(value):
        return None
    if isinstance(value, SecureString):
        return value.reveal()
    return V.to_string(value)


class NetworkCredential(NetObject):
    type_names = [NETWORK_CREDENTIAL, "System.Object"]

    def __init__(self, user: str, password: typing.Any, domain: str) -> None:
        self.user = user
        self.secure = password if isinstance(password, SecureString) else SecureString(_plain(password) or "")
        self.domain = domain

    @net_property("UserName")
    def _user_name(self) -> str:
        return self.user

    @net_setter("UserName")
    def _set_user_name(self, value: typing.Any) -> None:
        self.user = "" if value is None else V.to_string(value)

    @net_property("Password")
    def _password(self) -> str:
        return self.secure.reveal()

    @net_setter("Password")
    def _set_password(self, value: typing.Any) -> None:
        self.secure = SecureString(_plain(value) or "")

    @net_property("SecurePassword")
    def _secure_password(self) -> SecureString:
        return self.secure._copy()  # pylint: disable=protected-access  # the getter hands out a copy (.NET 4.x)

    @net_setter("SecurePassword")
    def _set_secure_password(self, value: typing.Any) -> None:
        self.secure = value if isinstance(value, SecureString) else SecureString()

    @net_property("Domain")
    def _domain(self) -> str:
        return self.domain

    @net_setter("Domain")
    def _set_domain(self, value: typing.Any) -> None:
        self.domain = "" if value is None else V.to_string(value)

    net_not_modelled_methods = ("GetCredential",)


def _new_network_credential(args: list) -> NetworkCredential:
    if len(args) == 0:
        return NetworkCredential("", None, "")
    if len(args) in (2, 3):
        user = "" if args[0] is None else V.to_string(args[0])
        domain = "" if len(args) == 2 or args[2] is None else V.to_string(args[2])
        return NetworkCredential(user, args[1], domain)
    raise method_exception("new", len(args),
                           f'Cannot find an overload for "NetworkCredential" and the argument count: "{len(args)}".')


class PSCredential(NetObject):
    type_names = [PS_CREDENTIAL, "System.Object"]

    def __init__(self, user: str, password: SecureString) -> None:
        self.user = user
        self.password = password

    @net_property("UserName")
    def _user_name(self) -> str:
        return self.user

    @net_property("Password")
    def _password(self) -> SecureString:
        return self.password

    @net_method("GetNetworkCredential")
    def _get_network_credential(self) -> NetworkCredential:
        domain, sep, user = self.user.partition("\\")
        if not sep:
            domain, user = "", self.user
        return NetworkCredential(user, self.password, domain)

    def to_wire(self) -> typing.Any:
        raise trip("Sending a PSCredential to the client (its password is a SecureString)")


def _new_ps_credential(args: list) -> PSCredential:
    if len(args) != 2:
        raise trip(f"[PSCredential]::new with {len(args)} arguments (only (userName, SecureString) is modelled)")
    user, password = args
    if password is None:
        raise PSError('Cannot process argument because the value of argument "password" is null. Change the value '
                      'of argument "password" to a non-null value.', exception_type="System.Management.Automation."
                      "PSArgumentNullException", fqid="ArgumentNull", category="InvalidArgument")
    if not isinstance(password, SecureString):
        shown, src = V.to_string(password), V.ps_type_name(password)
        detail = f'Cannot convert the "{shown}" value of type "{src}" to type "{SECURE_STRING}".'
        message = (f'Cannot convert argument "password", with value: "{shown}", for "PSCredential" to type '
                   f'"{SECURE_STRING}": "{detail}"')
        raise PSError(message, exception_type="System.Management.Automation.MethodException",
                      fqid="MethodArgumentConversionInvalidCastArgument", category="NotSpecified",
                      reason="MethodException",
                      inner=make_exception("System.Management.Automation.PSInvalidCastException", detail))
    return PSCredential("" if user is None else V.to_string(user), password)


def _new_secure_string(args: list) -> SecureString:
    if args:
        raise trip("[SecureString]::new(char*, int) (a pointer constructor)")
    return SecureString()


typeregistry.register(typeregistry.NetType(
    SECURE_STRING, accelerators=("securestring",), constructor=_new_secure_string,
    instance_check=lambda value: isinstance(value, SecureString)))
typeregistry.register(typeregistry.NetType(
    NETWORK_CREDENTIAL, constructor=_new_network_credential,
    instance_check=lambda value: isinstance(value, NetworkCredential)))
typeregistry.register(typeregistry.NetType(
    PS_CREDENTIAL, accelerators=("pscredential",), constructor=_new_ps_credential,
    instance_check=lambda value: isinstance(value, PSCredential)))
typeregistry.register(typeregistry.NetType(
    NULL_STRING, accelerators=("nullstring",), static_properties={"Value": lambda: NULL_STRING_VALUE},
    instance_check=lambda value: isinstance(value, NullString)))
