"""Command resolution and the per-command pipeline processors (cmdlets, functions, script blocks)."""

from __future__ import annotations

import ntpath
import typing

from . import ast_eval
from . import values as V
from .binding import Arg, Param, apply_default_values, bind, splat
from .cmdlets import CMDLETS, Cmdlet
from .context import normalize_action
from .dotnet import Enumerator
from .clr.invocation import ast_position, cmdlet_invocation, script_block_invocation
from .errors import ParseError, PSError, ReturnSignal, command_not_found, set_invocation
from .evaluator import FunctionInfo, NO_INPUT
from .members import get_property, has_property
from .native import NativeProcessor, find_application, script_file
from .scopes import Scope, Variable
from .shouldprocess import CommandRuntime, guard_cmdlet
from .syntax import nodes as N
from .tripwire import unmodelled_command
from .values import PSHashtable

if typing.TYPE_CHECKING:  # pragma: no cover
    from .evaluator import Evaluator


MAX_CALL_DEPTH = 100


def _no_input() -> typing.Any:
    return NO_INPUT


class Processor:
    """One command in a pipeline: begin once, process per input object, end once."""

    emit: typing.Callable[[typing.Any], None]

    def begin(self) -> None:
        pass

    def process(self, item: typing.Any) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass

    def dispose(self) -> None:
        """After the pipeline, however it ended."""


class CmdletProcessor(Processor):
    def __init__(self, engine: "Evaluator", cls: type[Cmdlet], args: list[Arg], expects_input: bool) -> None:
        self.engine = engine
        self.cls = cls
        self.args = args
        self.expects_input = expects_input
        self.cmdlet: Cmdlet | None = None
        self.invocation: typing.Any = None  # its records' InvocationInfo (clr/invocation.py), when run from a script

    def begin(self) -> None:
        try:
            self._begin()
        except PSError as err:
            set_invocation(err, self.invocation)
            raise

    def _begin(self) -> None:
        cls = self.cls
        result = bind(cls.parameters, self.args, cls.fqid_suffix(), should_process=cls.supports_should_process)
        defaults = self.engine.ctx.scope.lookup("PSDefaultParameterValues")
        if defaults is not None:
            apply_default_values(defaults.value, cls.name, cls.parameters, result, cls.fqid_suffix(), common=True)
        common = result.common
        if cls.supports_should_process and not cls.knows_should_process:
            guard_cmdlet(self.engine.ctx, cls.name, common)
        cmdlet = cls(self.engine, result.bound, self._emit)
        if cls.supports_should_process and cls.knows_should_process:
            cmdlet.runtime = CommandRuntime(self.engine.ctx, cls.name, None, common)
        if "ErrorAction" in common:
            cmdlet.error_action = normalize_action(common["ErrorAction"], "ErrorAction")
        if "WarningAction" in common:
            cmdlet.warning_action = normalize_action(common["WarningAction"], "WarningAction")
        if "InformationAction" in common:
            cmdlet.information_action = normalize_action(common["InformationAction"], "InformationAction")
        if "Verbose" in common:
            cmdlet.verbose_action = "Continue" if V.to_bool(common["Verbose"]) else "SilentlyContinue"
        if "Debug" in common:
            cmdlet.debug_action = "Continue" if V.to_bool(common["Debug"]) else "SilentlyContinue"
        cmdlet.error_variable = common.get("ErrorVariable")
        if cmdlet.error_variable:
            self.engine.assign_variable("$" + V.to_string(cmdlet.error_variable).lstrip("+"), [])
        cmdlet.invocation = self.invocation
        self.cmdlet = cmdlet
        self._guard(cmdlet.begin_processing)

    def _emit(self, item: typing.Any) -> None:
        self.emit(item)

    def _guard(self, func: typing.Callable, *args: typing.Any) -> None:
        try:
            func(*args)
        except PSError as err:
            assert self.cmdlet is not None
            if self.cmdlet.error_action == "Stop" and not err.terminating:
                err.terminating = True
            set_invocation(err, self.invocation)
            raise

    def process(self, item: typing.Any) -> None:
        assert self.cmdlet is not None
        self.engine.ctx.check_stop()
        if item is not _no_input():
            self.cmdlet.bind_pipeline(item)
        self._guard(self.cmdlet.process_record, item)

    def end(self) -> None:
        assert self.cmdlet is not None
        self._guard(self.cmdlet.end_processing)


class ScriptProcessor(Processor):
    invocation: typing.Any = None  # a function's MyInvocation for its records (clr/invocation.py), when called by name
    """A function or script block in a pipeline, with begin/process/end and $_/$input."""

    def __init__(self, engine: "Evaluator", ast: N.ScriptBlockAst, params: list[Param], advanced: typing.Any,
                 args: list[Arg], name: str, dot_source: bool = False, is_filter: bool = False,
                 module_scope: Scope | None = None, file: str | None = None) -> None:
        self.engine = engine
        self.ast = ast
        self.file = file  # the script block's File, when known (values.ScriptBlock.file)
        self.params = params
        self.advanced = advanced
        self.args = args
        self.name = name
        self.dot_source = dot_source
        self.is_filter = is_filter
        self.module_scope = module_scope  # a module function's scopes hang off its module's scope
        self.scope: Scope | None = None
        self.blocks: dict[str, N.NamedBlockAst] = {}
        self.inputs: list = []
        self.got_input = False
        self.bound: dict = {}
        # Dot-sourced: automatic/preference variables the binding set over the caller's scope, with what they hid.
        self.overlay: dict | None = {} if dot_source else None
        self.expects_input = False  # $MyInvocation.ExpectingInput: whether the pipeline feeds this command

    def _enter(self) -> Scope:
        saved = self.engine.ctx.scope
        if self.scope is not None:
            self.engine.ctx.scope = self.scope
        return saved

    def _leave(self, saved: Scope) -> None:
        self.engine.ctx.scope = saved

    def begin(self) -> None:
        engine = self.engine
        saved = engine.ctx.scope
        if self.dot_source:
            self.scope = engine.ctx.scope
        else:
            self.scope = Scope(self.module_scope if self.module_scope is not None else engine.ctx.scope)
        engine.ctx.scope = self.scope
        try:
            if self.params or self.advanced:
                self.bound = engine.bind_into_scope(self.params, self.advanced, self.args, self.name, overlay=self.overlay,
                                                    expects_input=self.expects_input)
            else:
                self.scope.set_local("args", [a.value if a.name is None else (a.text or f"-{a.name}") for a in self.args])
            self._set_invocation()
            self._set_script_path()
            script_cmdlet = self.scope.variables.get("pscmdlet")
            if self.invocation is not None and script_cmdlet is not None and hasattr(script_cmdlet.value, "invocation"):
                script_cmdlet.value.invocation = self.invocation  # what ThrowTerminatingError/WriteError give a record
            self.blocks = engine.named_blocks(self.ast)
            if self.is_filter and "process" not in self.blocks and "end" in self.blocks:
                self.blocks = {"process": self.blocks["end"]}
            self._run("begin")
        finally:
            self._leave(saved)

    def _set_invocation(self) -> None:
        """$MyInvocation of the command (a dot-sourced one lays it over the caller's scope until it ends)."""
        from .clr.engine import InvocationInfo  # pylint: disable=import-outside-toplevel  # clr imports commands' deps

        assert self.scope is not None
        bound = self.scope.variables.get("psboundparameters") if (self.params or self.advanced) else None
        unbound = self.scope.variables.get("args")
        info = InvocationInfo(self.name, self.expects_input, bound.value if bound is not None else PSHashtable(),
                              list(unbound.value) if unbound is not None and isinstance(unbound.value, list) else [])
        if self.overlay is not None and "myinvocation" not in self.overlay:
            hidden = self.scope.variables.get("myinvocation")
            self.overlay["myinvocation"] = None if hidden is None else Variable(hidden.name, hidden.value, hidden.options)
        info.error_info = self.invocation  # what Write-Error in it gives its records (clr/invocation.caller_invocation)
        self.scope.set_local("MyInvocation", info)

    def _set_script_path(self) -> None:
        """$PSScriptRoot and $PSCommandPath, which every script block invocation sets in its own variables
        (CompiledScriptBlock.cs, SetPSScriptRootAndPSCommandPath): the block's File and Path.GetDirectoryName of it,
        "" for a block without a file (a pipeline's script, [ScriptBlock]::Create). A block whose file the test host
        does not track (a literal or a function defined inside a script file) keeps what it sees from its caller: the
        defining script's values when it is called from there, as it usually is."""
        assert self.scope is not None
        if self.file is None and self.scope.lookup("PSCommandPath") is not None:
            return
        path = self.file or ""
        for name, value in (("PSScriptRoot", ntpath.dirname(path)), ("PSCommandPath", path)):
            if self.overlay is not None and name.lower() not in self.overlay:
                hidden = self.scope.variables.get(name.lower())
                self.overlay[name.lower()] = None if hidden is None else Variable(hidden.name, hidden.value, hidden.options)
            self.scope.set_local(name, value)

    def _run(self, block_name: str, item: typing.Any = None) -> None:
        block = self.blocks.get(block_name)
        if block is None:
            return
        engine = self.engine
        if block_name == "process":
            engine.ctx.scope.set_local("_", item)
            engine.ctx.scope.set_local("PSItem", item)
        if len(engine.ctx.command_stack) >= MAX_CALL_DEPTH:
            raise PSError("The script failed due to call depth overflow.", terminating=True,
                          exception_type="System.Management.Automation.ScriptCallDepthException",
                          fqid="CallDepthOverflow", category="InvalidOperation", reason="ScriptCallDepthException")
        engine.ctx.command_stack.append(self.name)
        try:
            engine.exec_block(block, self.emit)
        except ReturnSignal:
            pass
        finally:
            engine.ctx.command_stack.pop()

    def process(self, item: typing.Any) -> None:
        no_input = _no_input()
        if item is not no_input:
            self.inputs.append(item)
            self.got_input = True
            self._bind_pipeline_param(item)
        if "process" not in self.blocks:
            return
        saved = self._enter()
        try:
            # about_Automatic_Variables, $input: in a process block it enumerates the current object only.
            self.engine.ctx.scope.set_local("input", Enumerator([] if item is no_input else [item]))
            self._run("process", None if item is no_input else item)
        finally:
            self._leave(saved)

    def _bind_pipeline_param(self, item: typing.Any) -> None:
        assert self.scope is not None
        for p in self.params:
            if p.pipeline:
                self.scope.set_local(p.name, item)
                self.bound[p.name] = item
            elif p.by_property and has_property(item, p.name):
                self.scope.set_local(p.name, get_property(item, p.name))

    def dispose(self) -> None:
        """A dot-sourced command's $PSCmdlet and the preferences its common parameters set end with it."""
        if not self.overlay or self.scope is None:
            return
        for key, previous in self.overlay.items():
            if previous is None:
                self.scope.variables.pop(key, None)
            else:
                self.scope.variables[key] = previous
        self.overlay.clear()

    def end(self) -> None:
        saved = self._enter()
        try:
            # ... and once the process block has run there is nothing left: the end block's $input is empty then.
            self.engine.ctx.scope.set_local("input", Enumerator([] if "process" in self.blocks else self.inputs))
            if "process" not in self.blocks and self.got_input:
                self.engine.ctx.scope.set_local("_", self.inputs[-1] if self.inputs else None)
            self._run("end")
        finally:
            self._leave(saved)


def command_arguments(engine: "Evaluator", ast: N.CommandAst) -> list[Arg]:
    """The arguments of a command as the binder takes them: `-Name`, `-Name:value`, values, splatted `@x`."""
    args: list[Arg] = []
    for element in ast.command_elements[1:]:
        if isinstance(element, N.CommandParameterAst):
            text = element.extent.text
            if element.argument is not None:
                args.append(Arg(element.parameter_name, ast_eval.value(engine, element.argument), colon=True))
            else:
                # `-Name:` with nothing after it: a colon form whose value is missing.
                args.append(Arg(element.parameter_name, None, colon=text.endswith(":"), text=text))
            continue
        if isinstance(element, N.VariableExpressionAst) and element.splatted:
            args.extend(splat(engine.get_variable("$" + element.extent.text[1:])))
            continue
        args.append(Arg(None, ast_eval.value(engine, element)))
    return args


def resolve_command(engine: "Evaluator", name: str) -> typing.Any:
    """about_Command_Precedence: an alias first (its definition resolved in turn), then a function, then a cmdlet."""
    target = name
    for _depth in range(32):  # an alias may name another alias; a loop of them resolves to nothing
        alias = engine.ctx.scope.lookup_alias(target)
        if alias is None:
            break
        target = alias.definition
    else:
        return None
    fn = engine.ctx.scope.lookup_function(target)
    if fn is not None:
        return fn
    target = target.lower()
    cls = CMDLETS.get(target)
    if cls is None and "\\" in target:
        module_less = target.rsplit("\\", 1)[-1]
        cls = CMDLETS.get(module_less)
    return cls


def build_processor(engine: "Evaluator", ast: N.CommandAst, expects_input: bool) -> Processor:
    dot_source = ast.invocation_operator == "Dot"
    if not ast.command_elements:
        raise ParseError("Unexpected token in expression or statement.", "UnexpectedToken")
    name_ast = ast.command_elements[0]
    # A bare or quoted name is the command's name; anything else (`& $sb`, `& $info.ScriptBlock`) is a value.
    target: typing.Any = name_ast.value if isinstance(name_ast, N.StringConstantExpressionAst) \
        else ast_eval.value(engine, name_ast)
    args = command_arguments(engine, ast)
    if isinstance(target, str) and resolve_command(engine, target) is None:
        target = script_file(engine, target) or target  # a .ps1 file given by its path runs as a script
    if isinstance(target, V.ScriptBlock):
        body = engine.script_ast(target)
        params, advanced = engine.build_params(body.param_block)
        proc = ScriptProcessor(engine, body, params, advanced, args, "", dot_source, file=target.file)
        proc.expects_input = expects_input
        proc.invocation = script_block_invocation(ast_position(engine.ctx.position_source, ast),
                                                  expects_input)
        return proc
    if isinstance(target, (FunctionInfo,)):
        return _function_processor(engine, target, args, dot_source)
    name = V.to_string(target)
    resolved = resolve_command(engine, name)
    if resolved is None:

        application = find_application(engine, name)
        if application is not None:
            return NativeProcessor(engine, application, args)  # type: ignore[return-value]
        raise unmodelled_command(name) or command_not_found(name)
    if isinstance(resolved, FunctionInfo):
        function_proc = _function_processor(engine, resolved, args, dot_source)
        function_proc.expects_input = expects_input
        function_proc.invocation = cmdlet_invocation(ast_position(engine.ctx.position_source, ast),
                                                     resolved.name, name, expects_input, "FunctionInfo")
        return function_proc
    proc = CmdletProcessor(engine, resolved, args, expects_input)
    proc.invocation = cmdlet_invocation(ast_position(engine.ctx.position_source, ast), resolved.name,
                                        name, expects_input, "CmdletInfo")
    return proc


def _function_processor(engine: "Evaluator", fn: "FunctionInfo", args: list[Arg], dot_source: bool) -> ScriptProcessor:
    module_scope = fn.module.scope if fn.module is not None else None
    return ScriptProcessor(engine, fn.ast, fn.params, fn.advanced, args, fn.name, dot_source, fn.is_filter,
                           module_scope)


def invoke_command_by_name(engine: "Evaluator", name: str, args: list[Arg], input_items: list | None,
                           sink: typing.Callable[[typing.Any], None], dot_source: bool = False) -> list[Processor]:
    """Build a processor for a non-script Command (name + parameters from the PSRP message). A function run with
    useLocalScope false runs in the caller's scope (CommandDiscovery.LookupCommandProcessor: useNewScope is
    `useLocalScope ?? true`)."""

    resolved = resolve_command(engine, name)
    if resolved is None:
        raise unmodelled_command(name) or command_not_found(name)
    if isinstance(resolved, FunctionInfo):
        proc: Processor = _function_processor(engine, resolved, args, dot_source)
    else:
        proc = CmdletProcessor(engine, resolved, args, input_items is not None)
    proc.emit = sink
    return [proc]
