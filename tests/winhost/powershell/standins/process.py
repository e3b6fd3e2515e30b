"""Stand-ins for the C# that starts processes: ansible-core's Ansible.Process.cs (namespace `Ansible.Process`, which
Ansible.ModuleUtils.CommandUtil requires: win_shell) and ansible.windows' Process.cs (namespace
`ansible_collections.ansible.windows.plugins.module_utils.Process`, reached as `[Ansible.Windows.Process.*]` through
its //TypeAccelerator lines: win_command). What those modules call:

- `ParseCommandLine` / `CommandLineToArgv`: shell32's CommandLineToArgvW (learn.microsoft.com/windows/win32/api/
  shellapi/nf-shellapi-commandlinetoargvw, "Remarks"): the first argument, the program name, ends at the next
  whitespace, or is everything between a leading quotation mark and the next one (no escapes); in the others
  whitespace separates arguments outside quotation marks, "2n backslashes followed by a quotation mark produce n
  backslashes followed by a begin/end quote", "(2n) + 1 backslashes followed by a quotation mark again produce n
  backslashes followed by a quotation mark literal", "n backslashes not followed by a quotation mark simply produce
  n backslashes"; an empty string gives the path of the current executable. Two quotation marks in a row inside a
  quoted argument are not covered by those rules: not modelled (an error naming it).
- `SearchPath` (Ansible.Process): SearchPathW with no path (learn.microsoft.com .../processenv/nf-processenv-
  searchpathw; "Dynamic-Link Library Search Order" with SafeProcessSearchMode): the process's image directory
  (wsmprovhost.exe's, System32), System32, the 16-bit system directory, the Windows directory, the current
  directory, then %PATH%; not found: FileNotFoundException "Could not find file '<name>'." as the C# throws.
- `CreateProcess(application, commandLine, directory, environment, stdin, outputEncoding[, waitChildren])`:
  CreateProcessW's rules (learn.microsoft.com .../processthreadsapi/nf-processthreadsapi-createprocessw): an
  application name is used as given (relative: to the current directory, no search); without one the first
  whitespace-delimited (or quoted) token of the command line is the module, ".exe" appended when it has no
  extension, searched in the image's directory, the current directory, System32, the 16-bit system directory, the
  Windows directory and %PATH% (an unquoted first token is taken up to the first whitespace: CreateProcessW's probing
  of "C:\\Program Files\\x.exe"-like paths at each space is not modelled). A missing file fails as the C# does: Win32Exception "CreateProcessW() failed (The
  system cannot find the file specified, Win32ErrorCode 2[ - 0x00000002])"; a working directory that is no directory
  with error 267 "The directory name is invalid". An empty environment dictionary (or $null) inherits the caller's
  process environment, else the block is exactly the dictionary (CreateEnvironmentPointer). The string stdin of
  Ansible.Process gets a newline appended when it lacks one and is UTF-8 encoded. The program is one of the test
  host's applications (standins/applications.py); the output is read as the console's UTF-8 and decoded with the
  outputEncoding (default utf-8; a BOM is honoured, detectEncodingFromByteOrderMarks). Result: StandardOut,
  StandardError, ExitCode (UInt32). waitChildren changes nothing: the test host's programs start no children.
"""

from __future__ import annotations

import codecs
import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject, add_note, current_runspace, to_byte_array
from ..errors import PSError, make_exception
from . import register_standin
from .applications import ProcessCall, run

_IMAGE_DIRECTORY = "C:\\Windows\\System32"  # wsmprovhost.exe's


def command_line_to_argv(line: str) -> list[str]:
    """CommandLineToArgvW (see the module docstring)."""
    if line == "":
        return [_IMAGE_DIRECTORY + "\\wsmprovhost.exe"]
    args: list[str] = []
    i = 0
    n = len(line)
    # argv[0]: to the next quotation mark when it starts with one, else to whitespace.
    if line[0] == '"':
        end = line.find('"', 1)
        args.append(line[1:] if end < 0 else line[1:end])
        i = n if end < 0 else end + 1
    else:
        while i < n and line[i] not in " \t":
            i += 1
        args.append(line[:i])
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return args
        current: list[str] = []
        quoted = False
        while i < n and (quoted or line[i] not in " \t"):
            if line[i] == "\\":
                start = i
                while i < n and line[i] == "\\":
                    i += 1
                count = i - start
                if i < n and line[i] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        i += 1
                    continue
                current.append("\\" * count)
                continue
            if line[i] == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    raise _not_modelled(f'CommandLineToArgvW of two quotation marks in a row inside a quoted argument ({line})')
                quoted = not quoted
                i += 1
                continue
            current.append(line[i])
            i += 1
        args.append("".join(current))


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model {what}.", fqid="NotModelledOnTestHost", category="NotImplemented",
                   exception_type="System.NotImplementedException", terminating=True)


_WIN32_MESSAGES = {2: "The system cannot find the file specified", 267: "The directory name is invalid"}


def _method_error(method: str, argc: int, message: str, inner_type: str, native_code: int | None = None) -> PSError:
    inner = make_exception(inner_type, message)
    if native_code is not None:
        add_note(inner, "NativeErrorCode", native_code)  # System.ComponentModel.Win32Exception.NativeErrorCode
    return PSError(f'Exception calling "{method}" with "{argc}" argument(s): "{message}"',
                   exception_type="System.Management.Automation.MethodInvocationException",
                   fqid=inner_type.rsplit(".", 1)[-1], category="NotSpecified", reason="MethodInvocationException",
                   inner=inner)


def _fs() -> typing.Any:
    return current_runspace().host.filesystem


def _search(name: str, directories: list[str]) -> str | None:
    fs = _fs()
    if "\\" in name or "/" in name or (len(name) > 1 and name[1] == ":"):
        full = fs.normalize(name if (len(name) > 1 and name[1] == ":") else current_runspace().native_cwd() + "\\" + name)
        return fs.full_name(full) if fs.is_file(full) else None
    for directory in directories:
        if directory:
            candidate = directory.rstrip("\\") + "\\" + name
            if fs.is_file(candidate):
                return fs.full_name(candidate)
    return None


def _search_order(env_path: str | None) -> list[str]:
    return [_IMAGE_DIRECTORY, "C:\\Windows\\System32", "C:\\Windows\\System", "C:\\Windows",
            current_runspace().native_cwd()] + (env_path or "").split(";")


def _search_path(args: list) -> str:
    if len(args) != 1:
        raise _not_modelled(f"[Ansible.Process.ProcessUtil]::SearchPath with {len(args)} arguments")
    name = V.to_string(args[0])
    found = _search(name, _search_order(current_runspace().env.get("Path")))
    if found is None:
        raise _method_error("SearchPath", 1, f"Could not find file '{name}'.", "System.IO.FileNotFoundException")
    return found


class Result(NetObject):
    """Ansible.Process.Result / ansible.windows' Result: StandardOut, StandardError, ExitCode."""

    def __init__(self, full_name: str, stdout: str, stderr: str, code: int) -> None:
        self.type_names = [full_name, "System.Object"]
        self.values = {"standardout": stdout, "standarderror": stderr, "exitcode": code}

    def get_member(self, name: str) -> typing.Any:
        return self.values.get(name.lower(), typeregistry.MISSING)

    def to_string(self) -> str:
        return self.type_names[0]


def _decode(data: bytes, encoding: str | None) -> str:
    name = (encoding or "").strip() or "utf-8"
    try:
        codec = codecs.lookup(name)
    except LookupError as exc:
        raise _not_modelled(f"the output encoding '{name}' (Encoding.GetEncoding)") from exc
    for bom, bom_codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(bom_codec, errors="replace")
    return data.decode(codec.name, errors="replace")


def find_image(application: str | None, command_line: str, cwd: str) -> str | None:
    """The file CreateProcessW runs (see the module docstring), or None when there is none."""
    runspace = current_runspace()
    if application is not None:
        # lpApplicationName: "If the file name does not contain a directory path, the system uses the current drive
        # and current directory to complete the specification. The function will not use the search path."
        return _search(application if ("\\" in application or ":" in application) else cwd + "\\" + application, [])
    module = command_line_to_argv(command_line)[0] if command_line else ""
    leaf = module.rsplit("\\", 1)[-1]
    if "." not in leaf:
        module += ".exe"
    return _search(module, [_IMAGE_DIRECTORY, cwd, "C:\\Windows\\System32", "C:\\Windows\\System", "C:\\Windows"]
                   + (runspace.env.get("Path") or "").split(";"))


def _create_process(method_owner: str, result_type: str, args: list, message_format: str) -> Result:
    argc = len(args)
    if argc not in (6, 7):
        raise _not_modelled(f"[{method_owner}]::CreateProcess with {argc} arguments")
    application, command_line, directory, environment, stdin, encoding = args[:6]
    runspace = current_runspace()
    fs = runspace.host.filesystem
    application = None if application is None or not V.to_string(application).strip() else V.to_string(application)
    command_line = "" if command_line is None else V.to_string(command_line)
    directory = None if directory is None or not V.to_string(directory).strip() else V.to_string(directory)
    if isinstance(stdin, str) or stdin is None:
        text = stdin or ""
        if text and not text.endswith("\r\n"):
            text += "\r\n"  # Ansible.Process: Environment.NewLine appended
        stdin_bytes = text.encode("utf-8")
    else:
        stdin_bytes = bytes(to_byte_array(stdin))
    if environment is not None and not isinstance(environment, dict):
        raise _not_modelled(f"[{method_owner}]::CreateProcess with an environment of type {type(environment).__name__}")
    env = {V.to_string(k): V.to_string(v) for k, v in (environment or {}).items()}
    if not env:
        env = {name: runspace.env.get(name) or "" for name in runspace.env.names()}

    def fail(code: int) -> PSError:
        message = message_format.format(_WIN32_MESSAGES[code], code)
        return _method_error("CreateProcess", argc, message, f"{method_owner.rsplit('.', 1)[0]}.Win32Exception", code)

    cwd = runspace.native_cwd() if directory is None else fs.normalize(directory)
    if directory is not None and not fs.is_dir(cwd):
        raise fail(267)
    image = find_image(application, command_line, cwd)
    if image is None:
        raise fail(2)
    stdout, stderr, code = run(ProcessCall(image=image, command_line=command_line,
                                           argv=command_line_to_argv(command_line), directory=fs.full_name(cwd),
                                           environment=env, stdin=stdin_bytes, parent=runspace))
    return Result(result_type, _decode(stdout.encode("utf-8"), encoding), _decode(stderr.encode("utf-8"), encoding),
                  code)


def _argv(method: str) -> typing.Callable[[list], list]:
    def call(args: list) -> list:
        if len(args) != 1:
            raise _not_modelled(f"{method} with {len(args)} arguments")
        return command_line_to_argv("" if args[0] is None else V.to_string(args[0]))
    return call


def _require(source: str, pattern: str, namespace: str) -> None:
    if pattern not in source:
        raise PSError(f"The test host's stand-in for namespace '{namespace}' models a different source (it looks for "
                      f"{pattern!r}).", fqid="NoStandIn", category="NotImplemented", terminating=True)


def _load_ansible_process(source: str) -> list[str]:
    _require(source, "public static Result CreateProcess(", "Ansible.Process")
    owner = "Ansible.Process.ProcessUtil"
    typeregistry.register(typeregistry.NetType(owner, static_methods={
        "ParseCommandLine": _argv("ParseCommandLine"), "SearchPath": _search_path,
        "CreateProcess": lambda args: _create_process(owner, "Ansible.Process.Result", args,
                                                      "CreateProcessW() failed ({0}, Win32ErrorCode {1})")}))
    typeregistry.register(typeregistry.NetType("Ansible.Process.Result"))
    return ["Ansible.Process.Win32Exception", "Ansible.Process.Result", owner]


_WINDOWS_NS = "ansible_collections.ansible.windows.plugins.module_utils.Process"


def _load_windows_process(source: str) -> list[str]:
    _require(source, "public static string[] CommandLineToArgv(", _WINDOWS_NS)
    owner = _WINDOWS_NS + ".ProcessUtil"
    typeregistry.register(typeregistry.NetType(owner, static_methods={
        "CommandLineToArgv": _argv("CommandLineToArgv"),
        "CreateProcess": lambda args: _create_process(owner, _WINDOWS_NS + ".Result", args,
                                                      "CreateProcessW() failed ({0}, Win32ErrorCode {1} - 0x{1:08X})")}))
    # The other types its //TypeAccelerator lines name: declared (so the accelerators resolve), no member modelled.
    names = [_WINDOWS_NS + "." + n for n in ("Result", "ProcessInformation", "SecurityAttributes", "StartupInfo")]
    for name in names:
        typeregistry.register(typeregistry.NetType(name))
    return [_WINDOWS_NS + ".Win32Exception", owner] + names


register_standin("Ansible.Process", _load_ansible_process)
register_standin(_WINDOWS_NS, _load_windows_process)
