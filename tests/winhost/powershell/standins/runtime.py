"""What a stand-in needs of the running session: the evaluator of the calling script, running a
script block as C#'s `ScriptBlock.Create(text).Invoke(args)` does, and the process's Console.Out.

The C# that Ansible compiles calls back into PowerShell (Ansible.Basic's ToJson, GetParams and
ExitModule run `ScriptBlock.Create(...).Invoke(...)` in the current runspace); a stand-in does the
same through the interpreter, so those steps behave as the script they are.
"""

from __future__ import annotations

import threading
import typing

from .. import typeregistry
from ..dotnet import current_runspace

_LOCAL = threading.local()


def set_current_engine(engine: typing.Any) -> typing.Any:
    """Set by the evaluator around a method call (stand-ins' static and instance methods run inside it)."""
    previous = getattr(_LOCAL, "engine", None)
    _LOCAL.engine = engine
    return previous


def current_engine() -> typing.Any:
    engine = getattr(_LOCAL, "engine", None)
    if engine is None:
        raise RuntimeError("A C# stand-in was called outside a method call of a running script.")
    return engine


def invoke_script(text: str, args: list | None = None) -> list:
    """`ScriptBlock.Create(text).Invoke(args)`: a new scope under the caller's, the output as a list.
    Flow control (`exit`) propagates out of it, as PowerShell's ExitException does out of a .NET call."""
    return current_engine().run_script_text(text, args=list(args or []))


def console_write_line(line: str) -> None:
    """`Console.WriteLine(line)`: through a declared [System.Console] (its Out may be redirected with
    SetOut, as module_wrapper.ps1 does), else recorded as the host process's standard output."""
    console = typeregistry.registered("System.Console")
    write_line = console.static_method("WriteLine") if console is not None else None
    if write_line is not None:
        write_line([line])
        return
    record_process_stdout(line + "\r\n")


def record_process_stdout(text: str) -> None:
    """What the process writes to its own standard output (wsmprovhost.exe's: nobody reads it over PSRP)."""

    current_runspace().host.stdout.append(text)


def process_stdout(host: typing.Any) -> str:
    """What the process wrote to its standard output through System.Console while no [Console] type is
    declared (Console.Out of a wsmprovhost process: written nowhere a client sees), kept in HostServices.stdout."""
    return "".join(host.stdout)
