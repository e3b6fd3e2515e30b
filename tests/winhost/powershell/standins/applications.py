"""The programs a process started on the test host runs (what CreateProcess reaches through the Process stand-ins).

The test host runs no program: each application it models is a Python function of the new process's command line,
environment, directory and standard input, returning what it writes to its standard output and error (text, which
the caller encodes as the console's UTF-8 code page: the Process utils allocate a console set to 65001 before
CreateProcess, Ansible.Process.cs / Process.cs) and its exit code. Each has its file on the host's disk
(machine/disk.py DEFAULT_FILES). A file on the disk without a model here is a tripwire error naming it, as is any
use of a modelled one its function does not cover (never a silent success).

- whoami.exe with no argument: the account as DOMAIN\\user in lower case (learn.microsoft.com windows-server/
  administration/windows-commands/whoami: "displays the user name and domain ... of the user who is currently logged
  on"); a local account's domain is the computer name. Its switches (/all, /priv, /groups, ...) are not modelled.
- powershell.exe (Windows PowerShell 5.1's console host, about_PowerShell_exe): `-Command`/`-EncodedCommand` (UTF-16LE
  base64), `-NoProfile`, `-NonInteractive`, `-NoLogo`, `-ExecutionPolicy <policy>`, `-InputFormat Text`,
  `-OutputFormat Text`; parameter names may be abbreviated as the console host's parser allows (a unique prefix,
  case-insensitive). The command runs in a new process: a fresh runspace (its own session state) on the same disk,
  whose environment is the call's environment block (or the caller's process environment when the block is empty,
  as CreateProcess inherits it), whose location is the process's directory, with a console (the one the Process utils
  allocate), and whose `$input` is the lines of its standard input (ConsoleHost reads redirected stdin as lines). Its
  output objects are written to stdout as lines ending "\\r\\n" (strings and numbers; objects the console host would
  format are not modelled), Write-Host's text too (the console host's UI writes to stdout). The exit code is `exit N`'s
  N, else 0. An error record, warning, verbose, debug or progress record in it is not modelled: the console host
  writes them to stderr (as CLIXML when the command was encoded, -NonInteractive and stderr redirected:
  CommandLineParameterParser.ErrorFormat) or to the console in forms the test host does not produce.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import typing

from .. import tripwire
from .. import values as V
from ..clr.process import give_console
from ..dotnet import NetObject
from ..errors import PSError, value_type_name
from ..formatting_objects import format_for_display
from ..scopes import Environment


@dataclasses.dataclass
class ProcessCall:
    """What a new process gets: its image, its command line (and argv as CommandLineToArgvW splits it), directory,
    environment block, standard input, and the runspace of the process that created it (for its machine)."""

    image: str
    command_line: str
    argv: list[str]
    directory: str
    environment: dict[str, str]
    stdin: bytes
    parent: typing.Any
    process: typing.Any = None  # its record in the machine's kernel (HostServices.kernel), when it has one
    # The account its token is of, when not its creator's (Ansible.Become's CreateProcessWithTokenW).
    account: typing.Optional["Account"] = None


@dataclasses.dataclass(frozen=True)
class Account:
    """Whom a process runs as: the user's name, domain ("" for a local account: the computer's) and whether its token
    holds the Administrators group."""

    name: str
    domain: str
    administrator: bool


Application = typing.Callable[[ProcessCall], typing.Tuple[str, str, int]]


def whoami(call: ProcessCall) -> tuple[str, str, int]:
    if len(call.argv) > 1:
        raise tripwire.trip(f"whoami.exe {' '.join(call.argv[1:])}")
    host = call.parent.host
    account = call.account or Account(host.user_name, host.user_domain, host.administrator)
    domain = account.domain or host.computer_name  # a local account's domain is the computer
    return f"{domain.lower()}\\{account.name.lower()}\r\n", "", 0


# powershell.exe's parameters (about_PowerShell_exe for 5.1): those modelled, and those it has but the test host does
# not model (named in the error when used).
_PS_MODELLED = ("Command", "EncodedCommand", "NoProfile", "NonInteractive", "NoLogo", "ExecutionPolicy", "InputFormat",
                "OutputFormat")
_PS_OTHERS = ("PSConsoleFile", "Version", "NoExit", "Sta", "Mta", "WindowStyle", "ConfigurationName", "File", "Help")


def _ps_parameter(word: str) -> str | None:
    if not word or word[0] not in "-/":
        return None
    key = word[1:].lower()
    # ConsoleHost's CommandLineParameterParser (MatchSwitch with a minimum prefix): "-e"/"-ec" are -EncodedCommand,
    # "-c" is -Command; otherwise any unique prefix of a parameter's name.
    if key in ("e", "ec"):
        return "EncodedCommand"
    if key == "c":
        return "Command"
    matches = [p for p in _PS_MODELLED + _PS_OTHERS if p.lower().startswith(key)] if key else []
    exact = [p for p in matches if p.lower() == key]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def _parse_powershell_args(args: list[str]) -> tuple[str, set[str]]:
    """The script text of `-Command`/`-EncodedCommand` and the switches given; anything else is not modelled."""
    switches: set[str] = set()
    index = 0
    while index < len(args):
        word = args[index]
        name = _ps_parameter(word)
        if name is None or name in _PS_OTHERS:
            raise tripwire.trip(f"powershell.exe with the argument '{word}'")
        if name == "Command":
            text = " ".join(args[index + 1:])
            if text == "-":
                raise tripwire.trip("powershell.exe -Command - (commands read from standard input)")
            return text, switches
        if name == "EncodedCommand":
            if index + 1 >= len(args):
                raise tripwire.trip("powershell.exe -EncodedCommand without its value")
            try:
                text = base64.b64decode(args[index + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise tripwire.trip(f"powershell.exe -EncodedCommand with a value that is not UTF-16LE base64 ({exc})")
            if index + 2 < len(args):
                raise tripwire.trip(f"powershell.exe arguments after -EncodedCommand ({' '.join(args[index + 2:])})")
            return text, switches
        if name in ("ExecutionPolicy", "InputFormat", "OutputFormat"):
            if index + 1 >= len(args):
                raise tripwire.trip(f"powershell.exe -{name} without its value")
            value = args[index + 1]
            if name != "ExecutionPolicy" and value.lower() != "text":
                raise tripwire.trip(f"powershell.exe -{name} {value}")
            index += 2
            continue
        switches.add(name)
        index += 1
    raise tripwire.trip("powershell.exe without -Command or -EncodedCommand (an interactive console)")


def powershell(call: ProcessCall) -> tuple[str, str, int]:
    text, _switches = _parse_powershell_args(call.argv[1:])
    return _run_console_powershell(call, text)


class _StdoutSink(list):
    """The new process's standard output as HostServices.stdout: what [Console]::Out writes lands in the call's stdout."""

    def __init__(self, parts: list[str]) -> None:
        super().__init__()
        self.parts = parts

    def append(self, text: typing.Any) -> None:
        self.parts.append(str(text))


class _ConsoleHostWriter:
    """powershell.exe's console host as the child runspace's writer: output objects and the UI's text to stdout."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write_output(self, value: typing.Any) -> None:
        if value is None:
            return  # Out-Default writes nothing for $null
        if isinstance(value, (str, bool, int, float)) and not isinstance(value, NetObject):
            self.parts.extend(line + "\r\n" for line in format_for_display([value]))
            return
        raise tripwire.trip(f"powershell.exe formatting a [{value_type_name(value)}] for its console (Out-Default)")

    def write_error(self, exception: typing.Any, *args: typing.Any, **kwargs: typing.Any) -> None:
        del args, kwargs
        raise tripwire.trip(f"powershell.exe writing an error record to its standard error ('{exception.Message}')")

    def _stream(self, name: str) -> typing.Callable[..., None]:
        def write(*args: typing.Any, **kwargs: typing.Any) -> None:
            del args, kwargs
            raise tripwire.trip(f"powershell.exe writing a {name} record to its console")
        return write

    def __getattr__(self, name: str) -> typing.Any:
        if name in ("write_warning", "write_verbose", "write_debug", "write_progress"):
            return self._stream(name[len("write_"):])
        raise AttributeError(name)

    def write_information(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        # Write-Host's record: its text reaches the console through the host's UI (host_call below); the console
        # host does not show the information stream itself (InformationAction SilentlyContinue).
        del args, kwargs

    def host_call(self, method: str, parameters: list) -> None:
        if method == "SetShouldExit":
            return  # the exit code comes back with the invocation's result
        if method in ("Write1", "WriteLine2"):
            self.parts.append(V.to_string(parameters[-1]) + ("\r\n" if method == "WriteLine2" else ""))
            return
        if method in ("Write2", "WriteLine3"):  # colours: a redirected stdout carries none
            self.parts.append(V.to_string(parameters[-1]) + ("\r\n" if method == "WriteLine3" else ""))
            return
        if method == "WriteLine1":
            self.parts.append("\r\n")
            return
        raise tripwire.trip(f"The host method '{method}' of powershell.exe's console host")


_PROCESS_IDS = [0]


def _run_console_powershell(call: ProcessCall, text: str) -> tuple[str, str, int]:
    # pylint: disable-next=import-outside-toplevel  # runspace is the top layer: a new process opens a Runspace
    from ..runspace import Command, Runspace

    parent_host = call.parent.host
    _PROCESS_IDS[0] += 1
    account = call.account or Account(parent_host.user_name, parent_host.user_domain, parent_host.administrator)
    host = type(parent_host)(
        computer_name=parent_host.computer_name, user_name=account.name,
        process_id=call.process.pid if call.process is not None else parent_host.process_id + 100 + _PROCESS_IDS[0],
        filesystem=parent_host.filesystem,
        tripwire=parent_host._tripwire, wsman_settings=parent_host.wsman_settings,  # pylint: disable=protected-access
        administrator=account.administrator, user_domain=account.domain,
        service_database=parent_host.service_database, accounts=parent_host.accounts)  # the same machine
    host.shares = parent_host.shares
    host.kernel = parent_host.kernel  # the same machine's processes, handles and pipes
    host.note_unmodelled = parent_host.note_unmodelled
    parts: list[str] = []
    host.stdout = _StdoutSink(parts)
    stdin = call.stdin.decode("utf-8-sig", errors="replace")  # the console's input code page: 65001
    give_console(host, stdin)
    directory = call.directory

    class ConsoleRunspace(Runspace):
        """A powershell.exe process: its location is the directory it was started in."""

        def native_cwd(self) -> str:
            return directory

    child = ConsoleRunspace(host=host, env=Environment(call.environment))
    lines = stdin.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    result = child.invoke([Command(text, is_script=True)], input=lines, writer=_ConsoleHostWriter(parts),
                          raw_output=True)
    if result.state == "Failed":
        raise tripwire.trip("powershell.exe writing a terminating error to its standard error "
                            f"('{result.error.Exception.Message}')")
    if result.state != "Completed":
        raise PSError(f"powershell.exe ended {result.state}", fqid="NotModelledOnTestHost", category="NotImplemented",
                      terminating=True)
    code = (result.exit_code or 0) & 0xFFFFFFFF
    return "".join(parts), "", code


APPLICATIONS: dict[str, Application] = {"whoami.exe": whoami, "powershell.exe": powershell}


def run(call: ProcessCall) -> tuple[str, str, int]:
    model = APPLICATIONS.get(call.image.rsplit("\\", 1)[-1].lower())
    if model is None:
        raise tripwire.trip(f"Running the application {call.image}")
    return model(call)
