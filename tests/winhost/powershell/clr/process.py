"""Process-wide state: System.Environment's variables and System.Console's output writer.

In Windows PowerShell these belong to the process (wsmprovhost.exe), not to a runspace: a nested
`[PowerShell]::Create()` in the same process shares them with its parent (clr/automation.py). The
test host keeps the environment on the session's `Runspace.env` (handed to nested runspaces) and the
console writer on `HostServices` (one per process).
"""

from __future__ import annotations

import re
import typing

from psrpcore.types import PSInt64, PSVersion

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, _overload, current_runspace, void
from ..errors import PSError, make_exception, method_exception
from ..shouldprocess import not_modelled
from ..standins.runtime import record_process_stdout
from ..typeregistry import net_method, net_property
from .enums import declare_enum
from .reflection import HostKeptStaticField

_TARGETS = ("process", "user", "machine")


def _target(method: str, args: list, index: int) -> str:
    if len(args) <= index:
        return "process"
    text = V.to_string(args[index]).strip().lower()
    if text in ("0",):
        text = "process"
    if text not in _TARGETS:
        raise method_exception(method, len(args), f'Cannot convert argument "target", with value: "{V.to_string(args[index])}", '
                               'for "{method}" to type "System.EnvironmentVariableTarget"', "System.ArgumentException")
    if text != "process":
        # The User/Machine targets write the registry and broadcast WM_SETTINGCHANGE: not modelled.
        raise not_modelled(f"[Environment]::{method} with the target '{text.capitalize()}'")
    return text


def _set_variable(args: list) -> typing.Any:
    """Environment.SetEnvironmentVariable(name, value[, target]): $null or '' removes the variable (.NET docs)."""
    if len(args) not in (2, 3):
        raise _overload("SetEnvironmentVariable", len(args))
    _target("SetEnvironmentVariable", args, 2)
    name = V.to_string(args[0]) if args[0] is not None else ""
    if not name or "=" in name or "\0" in name:
        detail = "String cannot be of zero length.\r\nParameter name: variable" if not name else \
            "Environment variable name or value is too long.\r\nParameter name: variable" if "\0" in name else \
            "Environment variable name cannot contain equal character.\r\nParameter name: variable"
        raise method_exception("SetEnvironmentVariable", len(args), detail,
                               "System.ArgumentNullException" if args[0] is None else "System.ArgumentException")
    current_runspace().env.set(name, None if args[1] is None else V.to_string(args[1]))
    return void()


def _get_variable(args: list) -> typing.Any:
    if len(args) not in (1, 2):
        raise _overload("GetEnvironmentVariable", len(args))
    _target("GetEnvironmentVariable", args, 1)
    if args[0] is None:
        raise method_exception("GetEnvironmentVariable", len(args), "Value cannot be null.\r\nParameter name: variable",
                               "System.ArgumentNullException")
    return current_runspace().env.get(V.to_string(args[0]))


def _expand(args: list) -> typing.Any:
    """Environment.ExpandEnvironmentVariables: %NAME% of a defined variable is replaced, anything else stays."""
    if len(args) != 1:
        raise _overload("ExpandEnvironmentVariables", len(args))
    if args[0] is None:
        raise method_exception("ExpandEnvironmentVariables", 1, "Value cannot be null.\r\nParameter name: name",
                               "System.ArgumentNullException")
    env = current_runspace().env

    def replace(match: re.Match) -> str:
        value = env.get(match.group(1))
        return match.group(0) if value is None else value
    return re.sub(r"%([^%]+)%", replace, V.to_string(args[0]))


def _get_variables(args: list) -> typing.Any:
    """Environment.GetEnvironmentVariables([target]): "Retrieves all environment variable names and their values
    from the current process" (.NET docs), as a new Hashtable (the module hygiene's snapshot, issue 11)."""
    if len(args) > 1:
        raise _overload("GetEnvironmentVariables", len(args))
    _target("GetEnvironmentVariables", args, 0)
    env = current_runspace().env
    table = V.PSHashtable()
    for name in env.names():
        table[name] = env.get(name)
    return table


class OperatingSystem(NetObject):
    """System.OperatingSystem, [Environment]::OSVersion (.NET Framework 4.8, learn.microsoft.com "OperatingSystem
    Class"): Platform (PlatformID Win32NT), Version (major.minor.build.0: Framework reports no update revision),
    ServicePack ("" without one), VersionString "Microsoft Windows NT <Version>", which is also its ToString()."""

    type_names = ["System.OperatingSystem", "System.Object"]

    def __init__(self, version: str) -> None:
        self.version = version

    @net_property("Platform")
    def _platform(self) -> typing.Any:
        return _PLATFORM_ID.convert("Win32NT")

    @net_property("Version")
    def _version(self) -> PSVersion:
        return PSVersion(self.version)

    @net_property("ServicePack")
    def _service_pack(self) -> str:
        return ""

    @net_property("VersionString")
    def _version_string(self) -> str:
        return self.to_string()

    def to_string(self) -> str:
        return f"Microsoft Windows NT {self.version}"


# System.PlatformID (learn.microsoft.com "PlatformID Enum").
_PLATFORM_ID = declare_enum("System.PlatformID", {
    "Win32S": 0, "Win32Windows": 1, "Win32NT": 2, "WinCE": 3, "Unix": 4, "Xbox": 5, "MacOSX": 6})


typeregistry.register(typeregistry.NetType(
    "System.Environment",
    static_properties={"OSVersion": lambda: OperatingSystem(current_runspace().host.system.version_text)},
    static_methods={"SetEnvironmentVariable": _set_variable, "GetEnvironmentVariable": _get_variable,
                    "GetEnvironmentVariables": _get_variables, "ExpandEnvironmentVariables": _expand},
))


class TextWriter(NetObject):
    """The console's own writer: what [Console]::Out is before anything replaces it. What is written to it goes to
    the process' standard output, which nobody reads in a remote session (kept: standins.runtime.process_stdout)."""

    type_names = ["System.IO.TextWriter+SyncTextWriter", "System.IO.TextWriter", "System.MarshalByRefObject", "System.Object"]

    def _write_text(self, method: str, args: tuple, newline: str) -> typing.Any:
        if len(args) > 1:
            raise not_modelled(f"TextWriter.{method} with {len(args)} arguments (a format string)")
        record_process_stdout((V.to_string(args[0]) if args else "") + newline)
        return void()

    @net_method("Write")
    def _write(self, *args: typing.Any) -> typing.Any:
        return self._write_text("Write", args, "")

    @net_method("WriteLine")
    def _write_line(self, *args: typing.Any) -> typing.Any:
        return self._write_text("WriteLine", args, "\r\n")


def _console_state() -> dict:
    host = current_runspace().host
    state = getattr(host, "console_state", None)
    if state is None:
        state = {"out": TextWriter()}
        host.console_state = state
    return state


def give_console(host: typing.Any, stdin: str | None = None) -> None:
    """A process with a console (powershell.exe started by the Process stand-ins, which allocate one for it: Ansible.Process.cs
    AllocConsole): setting its encodings works (SetConsoleCP succeeds); `stdin`: its redirected standard input, which
    `[Console]::In` reads."""
    host.console_state = {"out": TextWriter(), "console": True}
    if stdin is not None:
        host.console_state["in"] = ConsoleIn(stdin)


def _set_out(args: list) -> typing.Any:
    if len(args) != 1:
        raise _overload("SetOut", len(args))
    if args[0] is None:
        raise method_exception("SetOut", 1, "Value cannot be null.\r\nParameter name: newOut", "System.ArgumentNullException")
    if not isinstance(args[0], NetObject) or not any(n == "System.IO.TextWriter" for n in args[0].type_names):
        raise method_exception("SetOut", 1, f'Cannot convert argument "newOut", with value: "{V.to_string(args[0])}", '
                               'for "SetOut" to type "System.IO.TextWriter"', "System.Management.Automation.PSInvalidCastException")
    _console_state()["out"] = args[0]
    return void()


def _console_get_field(args: list) -> typing.Any:
    """`[Console].GetField(name, flags)` (System.Type.GetField on the type object): only the field 2.21's exec wrapper sets."""
    if len(args) != 2:
        raise _overload("GetField", len(args))
    name = V.to_string(args[0])
    flags = [n.strip() for n in V.to_string(V.cast(args[1], V.TypeValue("System.Reflection.BindingFlags"))).split(",")]
    if name != "_outputEncoding" or "NonPublic" not in flags or "Static" not in flags:
        raise not_modelled(f"The field '{name}' of System.Console")
    # Console._outputEncoding: 2.21's exec_wrapper.ps1 sets it where setting Console.OutputEncoding fails (no
    # console in PSRP), so that output of processes it starts is decoded as UTF-8. The test host starts no
    # processes: the value is only kept; its initial value on Windows is not modelled.
    return HostKeptStaticField("_outputEncoding", "console_output_encoding",
                               unset_gap="Console._outputEncoding before anything set it")


def _no_console(name: str) -> typing.Callable[[typing.Any], None]:
    """wsmprovhost.exe, which runs a PSRP session, has no console: setting Console.InputEncoding/OutputEncoding
    fails in SetConsoleCP with ERROR_INVALID_HANDLE, "The handle is invalid." (__Error.WinIOError), which
    PowerShell reports as SetValueInvocationException (ansible-core's exec_wrapper.ps1 relies on it failing)."""
    def setter(value: typing.Any) -> None:
        if _console_state().get("console"):
            _console_state()[name] = value  # kept: the test host's processes exchange text, not code pages
            return
        raise PSError(f'Exception setting "{name}": "The handle is invalid."',
                      exception_type="System.Management.Automation.SetValueInvocationException",
                      fqid="ExceptionWhenSetting", category="NotSpecified", reason="SetValueInvocationException",
                      inner=make_exception("System.IO.IOException", "The handle is invalid."))
    return setter


class ConsoleIn(NetObject):
    """`[Console]::In` of a process started with its standard input redirected (powershell.exe through the Process and
    Become stand-ins): a TextReader over that input (Console.In: a SyncTextReader over a StreamReader of stdin), read
    as the console's code page, 65001. 2.16 to 2.18's become bootstrap reads it with ReadToEnd(). The same text also
    feeds the process's `$input` (standins/applications.py); one reader consuming what the other would see is not
    modelled (no script uses both)."""

    type_names = ["System.IO.SyncTextReader", "System.IO.TextReader", "System.MarshalByRefObject", "System.Object"]
    net_type_name = "System.IO.TextReader"
    net_not_modelled_methods = ("Read", "ReadBlock", "ReadAsync", "ReadLineAsync", "ReadToEndAsync", "ReadBlockAsync")

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    @net_method("ReadToEnd")
    def _read_to_end(self) -> str:
        rest, self.position = self.text[self.position:], len(self.text)
        return rest

    @net_method("ReadLine")
    def _read_line(self) -> str | None:
        if self.position >= len(self.text):
            return None
        end = self.text.find("\n", self.position)
        end = len(self.text) if end < 0 else end
        line, self.position = self.text[self.position:end], end + 1
        return line[:-1] if line.endswith("\r") else line

    @net_method("Peek")
    def _peek(self) -> int:
        return ord(self.text[self.position]) if self.position < len(self.text) else -1


def _console_in() -> typing.Any:
    reader = _console_state().get("in")
    if reader is None:
        raise not_modelled("[Console]::In")  # wsmprovhost.exe has no console, and no standard input a script reads
    return reader


def _console_unmodelled(member: str) -> typing.Callable[[], typing.Any]:
    def read() -> typing.Any:
        raise not_modelled(f"[Console]::{member}")
    return read


typeregistry.register(typeregistry.NetType(
    "System.Console",
    static_properties={"Out": lambda: _console_state()["out"], "In": _console_in,
                       **{m: _console_unmodelled(m) for m in ("Error", "InputEncoding", "OutputEncoding")}},
    # Console.Write/WriteLine(value) write to Console.Out, whatever SetOut made it (module_wrapper.ps1 sets a
    # StringWriter there while a module runs; Ansible.Basic's ExitJson writes its result line this way).
    static_methods={"SetOut": _set_out, "GetField": _console_get_field,
                    "Write": lambda args: _console_state()["out"].call("Write", args),
                    "WriteLine": lambda args: _console_state()["out"].call("WriteLine", args)},
    static_setters={name: _no_console(name) for name in ("InputEncoding", "OutputEncoding")},
))


# The process' pointer size: the test host models a 64-bit wsmprovhost.exe (Ansible's AddType.psm1 defines AMD64 so).
# An IntPtr's value is its number as a 64-bit integer (tests/winhost/README.md: `[IntPtr]$n` gives an Int64 here).
typeregistry.register(typeregistry.NetType("System.IntPtr", static_properties={"Size": lambda: 4 * 2},
                                           convert=lambda value: PSInt64(int(V.to_number(value, "System.Int64")))))
