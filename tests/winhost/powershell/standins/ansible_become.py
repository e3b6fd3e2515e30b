"""Stand-ins for ansible-core's Ansible.Become.cs and Ansible.AccessToken.cs, which become_wrapper.ps1 compiles (2.16 to
2.18 with the payload's sources, 2.19+ through Import-CSharpUtil; both compile Ansible.Process.cs with them,
standins/process.py).

What the wrappers call: `[Ansible.Become.BecomeUtil]::CreateProcessAsUser(user, password, logonFlags, logonType,
application, commandLine, directory, environment, stdin)` (and 2.16's `[Ansible.AccessToken.LogonType]::Interactive`,
`[Ansible.Become.LogonFlags]::WithProfile`). What the C# does on Windows (read at test time; learn.microsoft.com
LogonUserW, CreateProcessWithTokenW, "Well-known SIDs"), as the test host models it:

- The user name, a ".\\" prefix dropped, is translated to a SID (NTAccount.Translate): a name the machine does not have
  fails with IdentityNotMappedException "Some or all identity references could not be translated.". The machine's
  accounts are HostServices.accounts (machine/accounts.py); a domain account other than the computer's trips.
- The C# impersonates SYSTEM first (a token of a SYSTEM process with SeTcbPrivilege): possible for a session whose user
  is an administrator (the test host's default). A session that is not one trips (the C#'s "Failed to get token for NT
  AUTHORITY\\SYSTEM ..." path and CreateProcessWithTokenW's privilege needs are not modelled).
- SYSTEM (S-1-5-18) needs no password: the process runs as NT AUTHORITY\\SYSTEM. LocalService/NetworkService (a
  Service logon) and a local account without a password (null: [NullString]::Value; the C#'s existing-token or S4U
  logon) are not modelled: they trip.
- Otherwise LogonUserW(user, domain, password, logonType): domain "." for a plain name (the local account database),
  the part before "\\" for DOMAIN\\user, none for user@domain. A wrong password, an empty one or an unknown name fails
  as TokenUtil.LogonUser throws it: Ansible.AccessToken.Win32Exception "Failed to logon <domain>\\<user> (The user name
  or password is incorrect, Win32ErrorCode 1326 - 0x0000052E)" (ERROR_LOGON_FAILURE, System Error Codes 1300-1699).
  Only the Interactive logon type and the WithProfile logon flag (the defaults; become_flags changes them) are
  modelled; any other trips.
- The process: CreateProcessWithTokenW runs the application (or the command line's first token, searched as
  CreateProcessW does) in the directory given, with "an environment created from the profile of the user" when the
  environment is null (USERNAME, USERPROFILE, TEMP, ... of that user; for SYSTEM its profile under
  C:\\Windows\\system32\\config\\systemprofile, TEMP C:\\Windows\\TEMP and USERNAME <COMPUTER>$ as a LocalSystem process has
  them: not checked against a recording), standard input the string + a newline as UTF-8; WaitProcess reads its output
  as UTF-8. The program is one of the test host's applications (standins/applications.py: powershell.exe in a new
  process's runspace) running as that account, so `whoami` and WindowsIdentity.GetCurrent() inside report it.
  Result: Ansible.Process.Result (StandardOut, StandardError, ExitCode).
"""

from __future__ import annotations

import types
import typing

from .. import typeregistry
from .. import values as V
from ..clr.enums import declare_enum
from ..clr.principal import account_sid
from ..clr.security import is_null_string
from ..dotnet import add_note, current_runspace
from ..errors import PSError, make_exception
from ..scopes import default_environment
from ..tripwire import trip
from . import register_standin
from .ansible_utils import _require
from .applications import Account, ProcessCall, run
from .process import Result, _decode, command_line_to_argv, find_image

BECOME = "Ansible.Become"
ACCESS_TOKEN = "Ansible.AccessToken"
_LOGON_FAILURE = 1326
_WIN32_MESSAGES = {2: "The system cannot find the file specified", 267: "The directory name is invalid",
                   _LOGON_FAILURE: "The user name or password is incorrect"}
_SERVICE_SIDS = ("S-1-5-18", "S-1-5-19", "S-1-5-20")

# The sources' enums, their values as they declare them (declared when the source is compiled).
_LOGON_TYPES = {"Interactive": 2, "Network": 3, "Batch": 4, "Service": 5, "Unlock": 7, "NetworkCleartext": 8,
                "NewCredentials": 9}
_LOGON_FLAGS = {"None": 0, "WithProfile": 1, "NetcredentialsOnly": 2}


def _method_error(argc: int, message: str, inner_type: str, native_code: int | None = None) -> PSError:
    inner = make_exception(inner_type, message)
    if native_code is not None:
        add_note(inner, "NativeErrorCode", native_code)
    return PSError(f'Exception calling "CreateProcessAsUser" with "{argc}" argument(s): "{message}"',
                   exception_type="System.Management.Automation.MethodInvocationException",
                   fqid=inner_type.rsplit(".", 1)[-1], category="NotSpecified", reason="MethodInvocationException",
                   inner=inner)


def _win32(argc: int, namespace: str, what: str, code: int) -> PSError:
    message = f"{what} ({_WIN32_MESSAGES[code]}, Win32ErrorCode {code}"
    message += f" - 0x{code:08X})" if namespace == ACCESS_TOKEN else ")"  # Ansible.Process's Win32Exception has no hex
    return _method_error(argc, message, f"{namespace}.Win32Exception", code)


def _string(value: typing.Any) -> str | None:
    """A .NET string parameter: PowerShell passes $null as "" and [NullString]::Value as null."""
    if is_null_string(value):
        return None
    return "" if value is None else V.to_string(value)


def _enum(full_name: str, value: typing.Any) -> str:
    net_type = typeregistry.registered(full_name)
    converted = net_type.convert(value) if net_type is not None and net_type.convert else None
    if converted is None:
        raise trip(f"[{full_name}] from {V.to_string(value)!r}")
    return V.to_string(converted)


def _profile_environment(account: Account, computer: str) -> dict[str, str]:
    env = default_environment(types.SimpleNamespace(user_name=account.name, computer_name=computer))
    if account.domain.upper() == "NT AUTHORITY":
        profile = "C:\\Windows\\system32\\config\\systemprofile"
        env.update({"USERNAME": f"{computer}$", "USERDOMAIN": "WORKGROUP", "USERPROFILE": profile,
                    "APPDATA": profile + "\\AppData\\Roaming", "LOCALAPPDATA": profile + "\\AppData\\Local",
                    "TEMP": "C:\\Windows\\TEMP", "TMP": "C:\\Windows\\TEMP"})
        env["PSModulePath"] = env["PSModulePath"].replace(f"C:\\Users\\{account.name}", profile)
    return env


def _logon(argc: int, username: str, password: str | None, logon_type: str) -> Account:  # noqa: C901
    """GetUserTokens: whom the new process runs as, or the error the C# throws."""
    host = current_runspace().host
    if username.startswith(".\\"):
        username = username[2:]
    domain_part = username.partition("\\")[0] if "\\" in username else ""
    if domain_part and domain_part.lower() not in (host.computer_name.lower(), "nt authority", "builtin"):
        raise trip(f"become as the domain account '{username}'")
    sid = account_sid(username)
    if sid is None:
        raise _method_error(argc, "Some or all identity references could not be translated.",
                            "System.Security.Principal.IdentityNotMappedException")
    if not host.administrator:
        raise trip("become from a session whose user is not an administrator (impersonating SYSTEM fails)")
    if logon_type != "Interactive":
        raise trip(f"become with the logon type {logon_type} (become_flags logon_type)")
    if sid == "S-1-5-18":
        return Account("SYSTEM", "NT AUTHORITY", True)
    if sid in _SERVICE_SIDS:
        raise trip(f"become as the service account '{username}' (a Service logon)")
    if password is None:
        raise trip(f"become as '{username}' without a password (an existing token of the user or an S4U logon)")
    if "\\" in username:
        domain, _sep, name = username.partition("\\")
    elif "@" in username:
        domain, name = None, username
    else:
        domain, name = ".", username
    user = host.accounts.logon(name, domain, password)
    if user is None:
        shown = name if not domain else f"{domain}\\{name}"
        raise _win32(argc, ACCESS_TOKEN, f"Failed to logon {shown}", _LOGON_FAILURE)
    return Account(user.name, user.domain, user.administrator)


def _create_process_as_user(args: list) -> Result:
    argc = len(args)
    if argc == 3:
        username, password, command_line = args
        flags, logon_type, application, directory, environment, stdin = "WithProfile", "Interactive", None, None, None, ""
    elif argc == 9:
        username, password, flags, logon_type, application, command_line, directory, environment, stdin = args
        flags, logon_type = _enum(f"{BECOME}.LogonFlags", flags), _enum(f"{ACCESS_TOKEN}.LogonType", logon_type)
    else:
        raise trip(f"[Ansible.Become.BecomeUtil]::CreateProcessAsUser with {argc} arguments")
    if flags != "WithProfile":
        raise trip(f"become with the logon flags {flags} (become_flags logon_flags)")
    if environment is not None:
        raise trip("[Ansible.Become.BecomeUtil]::CreateProcessAsUser with an environment block")
    if stdin is not None and not isinstance(stdin, str):
        raise trip("[Ansible.Become.BecomeUtil]::CreateProcessAsUser with stdin bytes")
    account = _logon(argc, _string(username) or "", _string(password), logon_type)
    runspace = current_runspace()
    fs = runspace.host.filesystem
    application, directory = _string(application) or None, _string(directory) or None
    command_line = _string(command_line) or ""
    cwd = runspace.native_cwd() if directory is None else fs.normalize(directory)
    if directory is not None and not fs.is_dir(cwd):
        raise _win32(argc, "Ansible.Process", "CreateProcessWithTokenW() failed", 267)
    image = find_image(application, command_line, cwd)
    if image is None:
        raise _win32(argc, "Ansible.Process", "CreateProcessWithTokenW() failed", 2)
    text = stdin or ""
    if text and not text.endswith("\r\n"):
        text += "\r\n"  # Environment.NewLine appended
    out, err, code = run(ProcessCall(
        image=image, command_line=command_line, argv=command_line_to_argv(command_line), directory=fs.full_name(cwd),
        environment=_profile_environment(account, runspace.host.computer_name), stdin=text.encode("utf-8"),
        parent=runspace, account=account))
    return Result("Ansible.Process.Result", _decode(out.encode("utf-8"), None), _decode(err.encode("utf-8"), None),
                  code)


def _not_modelled_static(owner: str, name: str) -> typing.Callable[[list], typing.Any]:
    def call(args: list) -> typing.Any:
        raise trip(f"[{owner}]::{name} with {len(args)} arguments")
    return call


def _load_become(source: str) -> list[str]:
    _require(source, r"public static Result CreateProcessAsUser\(", BECOME)
    owner = f"{BECOME}.BecomeUtil"
    typeregistry.register(typeregistry.NetType(owner, static_methods={
        "CreateProcessAsUser": _create_process_as_user}))
    declare_enum(f"{BECOME}.LogonFlags", _LOGON_FLAGS, flags=True)
    return [f"{BECOME}.LogonFlags", owner]


def _load_access_token(source: str) -> list[str]:
    _require(source, r"public static SafeNativeHandle LogonUser\(", ACCESS_TOKEN)
    owner = f"{ACCESS_TOKEN}.TokenUtil"
    # The token utilities nobody but the C# itself calls: declared so the type resolves, every method trips.
    typeregistry.register(typeregistry.NetType(owner, static_methods={
        name: _not_modelled_static(owner, name) for name in (
            "DuplicateToken", "EnumerateUserTokens", "GetTokenElevationType", "GetTokenLinkedToken",
            "GetTokenPrivileges", "GetTokenStatistics", "GetTokenUser", "ImpersonateToken", "LogonUser", "OpenProcess",
            "OpenProcessToken", "RevertToSelf")}))
    typeregistry.register(typeregistry.NetType(f"{ACCESS_TOKEN}.Win32Exception"))
    declare_enum(f"{ACCESS_TOKEN}.LogonType", _LOGON_TYPES)
    declare_enum(f"{ACCESS_TOKEN}.LogonProvider", {"Default": 0, "WinNT35": 1, "WinNT40": 2, "WinNT50": 3})
    return [f"{ACCESS_TOKEN}.LogonType", f"{ACCESS_TOKEN}.LogonProvider", f"{ACCESS_TOKEN}.Win32Exception", owner]


register_standin(BECOME, _load_become)
register_standin(ACCESS_TOKEN, _load_access_token)
