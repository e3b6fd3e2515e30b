"""A process started by Ansible._Async's CreateAsyncProcess (standins/ansible_async.py) or by WMI's Win32_Process.Create
(cmdlets/processes.py: 2.16 to 2.18's async_wrapper.ps1), run in a background thread.

On Windows the new powershell.exe is a process of its own that outlives the WSMan command that started it: it reads
its standard input from the anonymous pipe async_wrapper.ps1 writes (ConsoleHost reads redirected stdin as lines; the
bootstrap wrapper reads all of it before it runs anything), runs, writes its standard output and error to its pipes,
and ends, which closes its handles (its pipe ends with them) and signals its process object.

The test host runs the program (standins/applications.py: powershell.exe in a new process's runspace on the same
machine) in a daemon thread once the process's thread is resumed. The thread is bounded: it waits at most
kernelobjects.PIPE_WAIT_BOUND for its standard input to end, and the program runs to its end (async_watchdog.ps1's
nested pipeline runs to completion, clr/automation.py BeginInvoke); so it ends by itself and never keeps the test
host from stopping. A test-host error in it (a tripwire) is reported on the process's standard error with exit code
1, as the trip itself is recorded in the host's stats (HostServices.note_unmodelled).

A process Win32_Process.Create makes without CREATE_SUSPENDED runs at once, in the same kind of thread. It has a new
console of its own that nobody reads: its standard input is empty and what it writes there is lost. 2.16 to 2.18's
async process reads its job from a named pipe instead (clr/pipes.py), whose waits are bounded the same way.
"""

from __future__ import annotations

import threading
import typing

from ..clr.kernelobjects import PIPE_WAIT_BOUND
from ..dotnet import set_current_runspace
from ..errors import PSError
from .applications import ProcessCall, run
from .process import command_line_to_argv

# The directory a process made through WMI's Win32_Process.Create starts in when none is given (the WMI provider
# host's, System32), which the async process inherits from it (CreateProcessW with lpCurrentDirectory NULL).
_DIRECTORY = "C:\\Windows\\System32"


def _pipe_end(process: typing.Any, value: int, write: bool) -> typing.Any:
    end = process.handles.get(value)
    if getattr(end, "kind", None) != "PipeEnd" or end.write != write:
        return None
    return end


def start_async_process(parent: typing.Any, process: typing.Any, image: str, command_line: str, stdin: int,
                        stdout: int, stderr: int) -> typing.Callable[[], None]:
    """What resuming the process's thread does: start the daemon thread that runs it."""

    def read_input() -> tuple[bytes | None, str]:
        source = _pipe_end(process, stdin, write=False)
        data = b"" if source is None else source.pipe.read_to_end(PIPE_WAIT_BOUND)
        if data is None:
            return None, f"the test host's bound: standard input stayed open for {PIPE_WAIT_BOUND:.0f} s\r\n"
        return data, ""

    def write_output(out: str, err: str) -> None:
        for value, text in ((stdout, out), (stderr, err)):
            end = _pipe_end(process, value, write=True)
            if end is not None and text:
                end.pipe.write(text.encode("utf-8"))

    return _runner(parent, process, image, command_line, read_input, write_output)


def start_console_process(parent: typing.Any, process: typing.Any, image: str,
                          command_line: str) -> typing.Callable[[], None]:
    """A process Win32_Process.Create started (cmdlets/processes.py): it gets a console of its own, which nobody reads
    (its standard input is that console's, empty here; what it writes there is lost, as on a hidden console)."""
    return _runner(parent, process, image, command_line, lambda: (b"", ""), lambda out, err: None)


def _runner(parent: typing.Any, process: typing.Any, image: str, command_line: str,
            read_input: typing.Callable[[], tuple[bytes | None, str]],
            write_output: typing.Callable[[str, str], None]) -> typing.Callable[[], None]:
    environment = {name: parent.env.get(name) or "" for name in parent.env.names()}

    def body() -> None:
        set_current_runspace(parent)  # until the program's own runspace runs: a trip names the parent's host
        out, err, code = "", "", 1
        try:
            data, err = read_input()
            if data is not None:
                out, err, code = run(ProcessCall(image=image, command_line=command_line,
                                                 argv=command_line_to_argv(command_line), directory=_DIRECTORY,
                                                 environment=environment, stdin=data, parent=parent, process=process))
        except PSError as exc:
            err = f"{exc.message}\r\n"
        except Exception as exc:  # pylint: disable=broad-except  # an interpreter bug: the process dies with it
            err = f"test host error in the async process: {type(exc).__name__}: {exc}\r\n"
        finally:
            write_output(out, err)
            set_current_runspace(None)
            process.exit(code)  # last: a waiter on the process sees a thread with nothing left to do

    def start() -> None:
        threading.Thread(target=body, name=f"winhost-process-{process.pid}", daemon=True).start()
    return start
