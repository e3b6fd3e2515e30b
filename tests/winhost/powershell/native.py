"""Native applications (external programs) run as commands: `chcp.com 65001`, `& chcp.com 65001 > $null`.

Windows PowerShell runs a command name that is no alias, function or cmdlet as an application when a file of that
name (with a $env:PATHEXT extension) is on $env:Path (about_Command_Precedence; CommandSearcher): its standard output
comes back as lines of text, and its exit code becomes $LASTEXITCODE (about_Automatic_Variables). The test host runs
no program: only the applications modelled here, each a Python function of its arguments, and each with its file on
the host's disk (machine/disk.py DEFAULT_FILES). An application on the path without a model here is a tripwire
error, as is any use of a modelled one that its function does not cover. What a process started through
CreateProcess runs (win_command, win_shell) is standins/applications.py; whoami.exe here is the same model.

- chcp.com (ansible-core 2.16 to 2.18's bootstrap_wrapper.ps1 starts with `&chcp.com 65001 > $null`): "Active code
  page: N" for a code page given (chcp docs, learn.microsoft.com windows-server/administration/windows-commands/chcp),
  exit code 0. The code page it sets is that of the console chcp itself gets; a PSRP session has none, so nothing of
  the session changes (its output encoding is the wire's).
- whoami.exe with no argument: the account as domain\\user in lower case (standins/applications.py).
"""

from __future__ import annotations

import typing

from . import dotnet, tripwire
from . import values as V
from .evaluator import NO_INPUT
from .parser import parse
from .syntax.lower import script_root
from .standins import applications

# Code pages chcp accepts that scripts set (UTF-8, US OEM, Western European OEM/ANSI); another is not modelled.
_CODE_PAGES = {65001, 437, 850, 1252}


def _chcp(args: list[str]) -> tuple[list[str], int]:
    if len(args) == 1 and args[0].isdigit() and int(args[0]) in _CODE_PAGES:
        return [f"Active code page: {int(args[0])}"], 0
    raise tripwire.not_modelled(f"chcp.com {' '.join(args)}".rstrip())


def _whoami(args: list[str]) -> tuple[list[str], int]:
    # The same program as CreateProcess runs (standins/applications.py whoami).
    runspace = dotnet.current_runspace()
    call = applications.ProcessCall(image="C:\\Windows\\System32\\whoami.exe", command_line="whoami " + " ".join(args),
                                    argv=["whoami", *args], directory=runspace.native_cwd(), environment={}, stdin=b"",
                                    parent=runspace)
    stdout, _stderr, code = applications.whoami(call)
    return stdout.splitlines(), code


APPLICATIONS: dict[str, typing.Callable[[list[str]], tuple[list[str], int]]] = {"chcp.com": _chcp, "whoami.exe": _whoami}


def find_application(engine: typing.Any, name: str) -> str | None:
    """The file a command name runs as an application: NAME, or NAME plus a $env:PATHEXT extension, in a
    $env:Path directory; None when there is none. A name with a path in it is not modelled."""
    if "\\" in name or "/" in name:
        return None
    env = engine.ctx.session.env
    fs = engine.ctx.host.filesystem
    extensions = [e.lower() for e in (env.get("PATHEXT") or "").split(";") if e]
    leaves = [name] if any(name.lower().endswith(e) for e in extensions) else [name + e for e in extensions]
    for directory in (env.get("Path") or "").split(";"):
        for leaf in leaves if directory else ():
            candidate = directory.rstrip("\\") + "\\" + leaf
            if fs.is_file(candidate):
                return fs.full_name(candidate)
    return None


def script_file(engine: typing.Any, name: str) -> V.ScriptBlock | None:
    """A command name that is the path of a .ps1 file on the disk (`& 'C:\\facts\\x.ps1'`, `.\\x.ps1`): Windows runs the
    script (about_Scripts; the machine's execution policy, RemoteSigned on Windows Server, lets a local script run),
    as a script block of the file's text, with the arguments given. None when the name has no path or the file does not
    exist (then it is not found, as before). A script that does not parse throws its parse error. Not modelled: a
    script found on $env:Path by its bare name (it trips as an application) and the file's own $script: scope (it runs
    as a script block does)."""
    if not name.lower().endswith(".ps1") or ("\\" not in name and "/" not in name):
        return None
    fs = engine.ctx.host.filesystem
    path = name if ":" in name else engine.ctx.session.native_cwd().rstrip("\\") + "\\" + name.lstrip(".\\/")
    if not fs.is_file(path):
        return None
    data = fs.read_bytes(path)
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8", errors="replace")
    parsed, root = script_root(text, parse(text))
    return V.ScriptBlock(root, parsed.source, file=fs.full_name(path))


class NativeProcessor:
    """An application in a pipeline: its arguments as strings, its output lines emitted at the end (input is not
    modelled), then $global:LASTEXITCODE set to its exit code."""

    emit: typing.Callable[[typing.Any], None]

    def __init__(self, engine: typing.Any, path: str, args: list) -> None:
        leaf = path.rsplit("\\", 1)[-1].lower()
        self.model = APPLICATIONS.get(leaf)
        if self.model is None:
            raise tripwire.not_modelled(f"Running the application {path}")
        if any(a.name is not None for a in args):
            raise tripwire.not_modelled(f"{leaf} with an argument written as a parameter")
        self.engine = engine
        self.args = [V.to_string(a.value) for a in args]

    def begin(self) -> None:
        pass

    def process(self, item: typing.Any) -> None:

        if item is not NO_INPUT:
            raise tripwire.not_modelled("Input piped to an application")

    def end(self) -> None:
        lines, code = self.model(self.args)
        for line in lines:
            self.emit(line)
        self.engine.ctx.scope.global_scope().set_local("LASTEXITCODE", code)

    def dispose(self) -> None:
        pass
