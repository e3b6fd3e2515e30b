"""The session's runspace: the interpreter's Runspace and the threads that run the shell's pipelines on it.

One pipeline at a time, like a pool of one: a pipeline queued behind a running one waits for it. The
PSRP bridge (psrp.py) hands each CreatePipeline here with the writer its output goes to and is told when
the interpreter returned (``done``); the interpreter runs without the shell's lock, re-entering it for each
write through the writer.
"""

from __future__ import annotations

import logging
import queue
import threading
import typing

from ..powershell import Command, Runspace

log = logging.getLogger(__name__)

END_OF_INPUT = object()  # queued after a pipeline's last input object (EndOfPipelineInput)


class PipelineTerminated(BaseException):
    """Unwinds an interpreter thread whose command was terminated or whose shell is gone.

    A BaseException so that the interpreter's try/catch emulation (which catches Exception)
    cannot swallow it.
    """


class SessionRunspace:
    """The shell's Runspace, made on open from the machine's host services, and its pipeline threads."""

    def __init__(self, host_services: typing.Any) -> None:
        self.host_services = host_services
        self.runspace: typing.Any = None
        self.exec_lock = threading.Lock()  # one pipeline at a time per runspace, like a pool of one
        self.closed = False  # the shell is gone: every pipeline thread unwinds

    def open(self) -> None:
        self.runspace = Runspace(host=self.host_services)

    def reset(self) -> bool:
        """ResetRunspaceState: whether the runspace's state could be reset."""
        reset = getattr(self.runspace, "reset_state", None)
        ok = False
        if callable(reset):
            try:
                reset()
                ok = True
            except Exception:  # pylint: disable=broad-except  # reported to the client as a failed reset
                log.exception("runspace reset failed")
        return ok

    def start(self, rec: typing.Any, metadata: typing.Any, writer: typing.Any,
              done: typing.Callable[[typing.Any, typing.Any, BaseException | None], None]) -> None:
        """Run a CreatePipeline's commands in a thread of their own; ``done(rec, result, crash)`` when it returns."""
        rec.thread = threading.Thread(target=self._run_pipeline, args=(rec, metadata, writer, done), daemon=True,
                                      name=f"winhost-pipeline-{rec.pid}")
        rec.thread.start()

    @staticmethod
    def make_commands(metadata: typing.Any) -> list:
        out = []
        for c in metadata.commands:
            cmd = Command(
                c.command_text, is_script=c.is_script, use_local_scope=c.use_local_scope, parameters=list(c.parameters),
            )
            if getattr(c, "end_of_statement", False):
                try:
                    setattr(cmd, "end_of_statement", True)
                except AttributeError:
                    pass
            out.append(cmd)
        return out

    def input_iter(self, rec: typing.Any) -> typing.Iterator:
        while True:
            try:
                item = rec.input.get(timeout=0.2)
            except queue.Empty:
                if rec.terminated or self.closed:
                    raise PipelineTerminated() from None
                if rec.stop_event.is_set():
                    return
                continue
            if item is END_OF_INPUT:
                return
            yield item

    def _run_pipeline(self, rec: typing.Any, metadata: typing.Any, writer: typing.Any,
                      done: typing.Callable[[typing.Any, typing.Any, BaseException | None], None]) -> None:
        result = None
        crash: BaseException | None = None
        try:
            while not self.exec_lock.acquire(timeout=0.2):  # queued behind a running pipeline
                if rec.terminated or self.closed:
                    raise PipelineTerminated()
            try:
                if not rec.stop_event.is_set():
                    result = self.runspace.invoke(
                        commands=self.make_commands(metadata),
                        input=None if metadata.no_input else self.input_iter(rec),
                        writer=writer,
                        stop_event=rec.stop_event,
                    )
            finally:
                self.exec_lock.release()
        except PipelineTerminated:
            pass
        except Exception as exc:  # pylint: disable=broad-except  # an interpreter bug must fail the pipeline, not hang it
            log.exception("interpreter crashed")
            crash = exc
        done(rec, result, crash)
