"""Runspace.invoke: the interpreter's public entry point (see tests/winhost/CONTRACT.md)."""

from __future__ import annotations

import sys
import threading
import traceback
import typing

from psrpcore.types import ErrorRecord

from . import values as V
from .binding import Arg
from . import clr, dotnet  # noqa: F401  # pylint: disable=unused-import  # clr: registers the .NET types
from .cmdlets import _load
from .cmdlets.session import builtin_aliases
from .commands import Processor, ScriptProcessor, invoke_command_by_name
from .context import ExecutionContext
from .errors import BreakSignal, ContinueSignal, ExitSignal, PipelineStopped, PSError, ReturnSignal
from .evaluator import NO_INPUT, Evaluator
from ..machine.services import HostServices
from .parser import parse
from .scopes import Environment, Scope, default_environment, seed_globals
from .syntax.lower import script_root

_load()

# A PowerShell call is a few dozen Python frames deep; PowerShell allows 100 nested calls.
_RECURSION_LIMIT = 20000


class Command:
    """One command of a pipeline, mirroring psrpcore's Command (text, is_script, use_local_scope, parameters)."""

    def __init__(self, command_text: str, is_script: bool = False, use_local_scope: bool | None = None,
                 parameters: list[tuple[str | None, typing.Any]] | None = None) -> None:
        self.command_text = command_text
        self.is_script = is_script
        self.use_local_scope = use_local_scope
        self.parameters = list(parameters or [])

    def __repr__(self) -> str:
        return f"Command({self.command_text!r}, is_script={self.is_script!r}, parameters={self.parameters!r})"


class InvocationResult:
    def __init__(self, state: str, error: ErrorRecord | None = None, exit_code: int | None = None) -> None:
        self.state = state
        self.error = error
        self.exit_code = exit_code

    def __repr__(self) -> str:
        message = None if self.error is None else str(self.error)
        return f"InvocationResult(state={self.state!r}, error={message!r})"


class _WriterFailure(Exception):
    """Carries an exception raised by the host's writer through the interpreter unchanged."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(original)
        self.original = original


class _GuardedWriter:
    """Wraps the host's writer so its own exceptions (e.g. the server terminating the pipeline)
    are re-raised from invoke() as they are, instead of being reported as interpreter errors."""

    def __init__(self, writer: typing.Any) -> None:
        self._writer = writer

    def __getattr__(self, name: str) -> typing.Any:
        target = getattr(self._writer, name)
        if not callable(target):
            return target

        def call(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
            try:
                return target(*args, **kwargs)
            except Exception as exc:  # pylint: disable=broad-except  # re-raised unchanged by invoke()
                raise _WriterFailure(exc) from exc
        return call


class Runspace:
    """One PSSession's state: global scope, functions, $env:, $Error and jobs, for the session's life."""

    def __init__(self, host: HostServices | None = None, env: Environment | None = None) -> None:
        self.host = host or HostServices()
        self.global_scope = Scope()
        self.error_list: list = []
        self.env = env or Environment(default_environment(self.host))
        self.jobs: list = []
        self.job_counter = [0]
        self.modules: list = []  # imported modules (cmdlets/modules.py ModuleInfo), in import order
        self._lock = threading.RLock()
        self.writer: typing.Any = None  # the writer of the pipeline running now (for host calls)
        seed_globals(self.global_scope, self.host, self.error_list)
        self.global_scope.aliases.update(builtin_aliases())
        host_var = self.global_scope.set_local("Host", dotnet.PSHostObject(self))
        host_var.options = "ReadOnly"
        for name, value in clr.engine.engine_variables(self).items():
            self.global_scope.set_local(name, value).options = "ReadOnly"
        fs = getattr(self.host, "filesystem", None)
        if fs is not None:
            for directory in (self.home_dir() + "\\Documents", self.temp_dir()):
                try:
                    fs.create_directory(directory)
                except Exception:  # pylint: disable=broad-except  # a user profile that cannot be made is left out
                    pass

    def home_dir(self) -> str:
        return f"C:\\Users\\{self.host.user_name.rsplit(chr(92), 1)[-1]}"

    def temp_dir(self) -> str:
        return self.home_dir() + "\\AppData\\Local\\Temp"

    def native_cwd(self) -> str:
        """The process' current directory, against which .NET resolves relative paths."""
        return self.home_dir() + "\\Documents"

    def host_call(self, method: str, parameters: list) -> None:
        """A PSRP host method call ($host.SetShouldExit, $host.UI.WriteLine, Write-Host, exit), if the
        writer takes them (the server's does, and sends them only when the client supplied a host)."""
        call = getattr(self.writer, "host_call", None) if self.writer is not None else None
        if call is not None:
            call(method, parameters)

    def invoke(self, commands: typing.Sequence[typing.Any], input: typing.Iterable[typing.Any] | None = None,  # pylint: disable=redefined-builtin
               writer: typing.Any = None, stop_event: threading.Event | None = None,
               raw_output: bool = False) -> InvocationResult:
        """Run one pipeline; never raises for script errors (see InvocationResult). Exceptions raised
        by `writer` itself (the host aborting the pipeline) propagate unchanged. `raw_output`: the writer gets
        the objects themselves, not their wire form (a nested [PowerShell] in the same process)."""
        if sys.getrecursionlimit() < _RECURSION_LIMIT:
            sys.setrecursionlimit(_RECURSION_LIMIT)
        guarded = _GuardedWriter(writer)
        with self._lock:
            previous = dotnet.set_current_runspace(self)
            self.writer = guarded
            try:
                # What the pipeline creates on the disk is its account's (HostServices.item_owner, machine/disk.py).
                with self.host.filesystem.creating_as(self.host.item_owner):
                    return self._invoke(commands, input, guarded, stop_event, raw_output)
            finally:
                self.writer = None
                dotnet.set_current_runspace(previous)

    def _invoke(self, commands: typing.Sequence[typing.Any], input_items: typing.Iterable[typing.Any] | None,
                guarded: typing.Any, stop_event: threading.Event | None, raw_output: bool = False) -> InvocationResult:
        ctx = ExecutionContext(self, guarded, stop_event)
        engine = Evaluator(ctx)
        try:
            self._run(engine, list(commands), input_items,
                      guarded.write_output if raw_output else lambda value: guarded.write_output(V.to_wire(value)))
        except _WriterFailure as failure:
            raise failure.original from None
        except ExitSignal as sig:
            # At a pipeline's top level PowerShell (LocalPipeline) only tells the host: a remote client's PSHost
            # gets SetShouldExit(code); $LASTEXITCODE is set only for nested pipelines, so it is left alone here.
            try:
                self.host_call("SetShouldExit", [sig.code])
            except _WriterFailure as failure:
                raise failure.original from None
            return InvocationResult("Completed", exit_code=sig.code)
        except PipelineStopped:
            return InvocationResult("Stopped", _stopped_record())
        except PSError as err:
            record = err.to_record()
            ctx.add_to_error_list(record)
            return InvocationResult("Failed", record)
        except (BreakSignal, ContinueSignal, ReturnSignal):
            return InvocationResult("Completed")
        except RecursionError:
            err = PSError("The script failed due to call depth overflow.", fqid="CallDepthOverflow",
                          category="InvalidOperation", reason="ScriptCallDepthException",
                          exception_type="System.Management.Automation.ScriptCallDepthException")
            return InvocationResult("Failed", err.to_record())
        except Exception as exc:  # pylint: disable=broad-except  # invoke() must never leak a Python exception
            err = PSError(f"Internal interpreter error: {exc!r}\n{traceback.format_exc()}",
                          fqid="InternalInterpreterError", category="NotSpecified", reason="RuntimeException")
            return InvocationResult("Failed", err.to_record())
        return InvocationResult("Completed")

    def _run(self, engine: Evaluator, commands: list, input_items: typing.Iterable[typing.Any] | None,
             sink: typing.Callable[[typing.Any], None]) -> None:
        processors: list[Processor] = []
        for command in commands:
            text = getattr(command, "command_text", None)
            if text is None:
                text = getattr(command, "name", "")
            args = [Arg(None, V.from_wire(value)) if name is None else Arg(str(name).lstrip("-"), V.from_wire(value), colon=True)
                    for name, value in getattr(command, "parameters", [])]
            if getattr(command, "is_script", False):
                # The grammar knows begin/process/end only inside a script block: a script with them at its top level
                # runs as a function's body (script_root; error positions then refer to the wrapped text).
                parsed, root = script_root(text, parse(text))
                body = engine.script_ast(V.ScriptBlock(root, parsed.source))
                params, advanced = engine.build_params(body.param_block)
                local = bool(getattr(command, "use_local_scope", False))
                proc: Processor = _ScriptCommand(engine, body, params, advanced, args, local)
                proc.expects_input = input_items is not None
                processors.append(proc)
            else:
                processors.extend(invoke_command_by_name(engine, text, args, None, sink,
                                                         dot_source=getattr(command, "use_local_scope", None) is False))
        if not processors:
            return
        for i, proc in enumerate(processors):
            proc.emit = processors[i + 1].process if i + 1 < len(processors) else sink
        try:
            for proc in processors:
                proc.begin()
            if input_items is not None:
                for item in input_items:
                    engine.ctx.check_stop()
                    processors[0].process(V.from_wire(item))
            else:
                processors[0].process(NO_INPUT)
            for proc in processors:
                proc.end()
        finally:
            for proc in processors:
                proc.dispose()


class _ScriptCommand(ScriptProcessor):
    """A script command: runs in the global scope unless use_local_scope asked for a child scope."""

    def __init__(self, engine: Evaluator, body: typing.Any, params: list, advanced: typing.Any,
                 args: list[Arg], local: bool) -> None:
        super().__init__(engine, body, params, advanced, args, "", dot_source=not local)

    def begin(self) -> None:
        engine = self.engine
        engine.ctx.scope = engine.ctx.session.global_scope
        super().begin()
        # A top-level script is not a function: Write-Error inside it has no command suffix.

    def _run(self, block_name: str, item: typing.Any = None) -> None:
        block = self.blocks.get(block_name)
        if block is None:
            return
        engine = self.engine
        if block_name == "process":
            engine.ctx.scope.set_local("_", item)
            engine.ctx.scope.set_local("PSItem", item)
        try:
            engine.exec_block(block, self.emit)
        except ReturnSignal:
            pass


def _stopped_record() -> ErrorRecord:
    err = PSError("The pipeline has been stopped.", exception_type="System.Management.Automation.PipelineStoppedException",
                  fqid="PipelineStopped", category="OperationStopped", reason="PipelineStoppedException")
    return err.to_record()
