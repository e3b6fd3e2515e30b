"""A process started by Ansible._Async's CreateAsyncProcess (standins/ansible_async.py), run in a background thread.

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
    environment = {name: parent.env.get(name) or "" for name in parent.env.names()}

    def body() -> None:
        set_current_runspace(parent)  # until the program's own runspace runs: a trip names the parent's host
        out, err, code = "", "", 1
        try:
            source = _pipe_end(process, stdin, write=False)
            data = b"" if source is None else source.pipe.read_to_end(PIPE_WAIT_BOUND)
            if data is None:
                err = f"the test host's bound: standard input stayed open for {PIPE_WAIT_BOUND:.0f} s\r\n"
            else:
                out, err, code = run(ProcessCall(image=image, command_line=command_line,
                                                 argv=command_line_to_argv(command_line), directory=_DIRECTORY,
                                                 environment=environment, stdin=data, parent=parent, process=process))
        except PSError as exc:
            err = f"{exc.message}\r\n"
        except Exception as exc:  # pylint: disable=broad-except  # an interpreter bug: the process dies with it
            err = f"test host error in the async process: {type(exc).__name__}: {exc}\r\n"
        finally:
            for value, text in ((stdout, out), (stderr, err)):
                end = _pipe_end(process, value, write=True)
                if end is not None and text:
                    end.pipe.write(text.encode("utf-8"))
            set_current_runspace(None)
            process.exit(code)  # last: a waiter on the process sees a thread with nothing left to do

    def start() -> None:
        threading.Thread(target=body, name=f"winhost-process-{process.pid}", daemon=True).start()
    return start
