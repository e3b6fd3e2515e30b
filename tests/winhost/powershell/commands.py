"""Command resolution and the per-command pipeline processors (cmdlets, functions, script blocks)."""

from __future__ import annotations

import typing

from tree_sitter import Node

from . import values as V
from .binding import Arg, Param, apply_default_values, bind, splat
from .cmdlets import CMDLETS, Cmdlet
from .context import normalize_action
from .dotnet import Enumerator
from .errors import ParseError, PSError, ReturnSignal, command_not_found
from .evaluator import FunctionInfo, NO_INPUT
from .members import get_property, has_property
from .native import NativeProcessor, find_application, script_file
from .scopes import Scope, Variable
from .shouldprocess import CommandRuntime, guard_cmdlet
from .syntax.literals import unescape as _unescape
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

    def begin(self) -> None:
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
    """A function or script block in a pipeline, with begin/process/end and $_/$input."""

    def __init__(self, engine: "Evaluator", block_node: Node, source: bytes, params: list[Param], advanced: bool,
                 args: list[Arg], name: str, dot_source: bool = False, is_filter: bool = False,
                 module_scope: Scope | None = None) -> None:
        self.engine = engine
        self.block_node = block_node
        self.source = source
        self.params = params
        self.advanced = advanced
        self.args = args
        self.name = name
        self.dot_source = dot_source
        self.is_filter = is_filter
        self.module_scope = module_scope  # a module function's scopes hang off its module's scope
        self.scope: Scope | None = None
        self.blocks: dict[str, Node] = {}
        self.inputs: list = []
        self.got_input = False
        self.bound: dict = {}
        # Dot-sourced: automatic/preference variables the binding set over the caller's scope, with what they hid.
        self.overlay: dict | None = {} if dot_source else None
        self.expects_input = False  # $MyInvocation.ExpectingInput: whether the pipeline feeds this command

    def _enter(self) -> tuple[bytes, Scope]:
        saved = (self.engine.source, self.engine.ctx.scope)
        self.engine.source = self.source
        if self.scope is not None:
            self.engine.ctx.scope = self.scope
        return saved

    def _leave(self, saved: tuple[bytes, Scope]) -> None:
        self.engine.source, self.engine.ctx.scope = saved

    def begin(self) -> None:
        engine = self.engine
        saved = (engine.source, engine.ctx.scope)
        engine.source = self.source
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
            self.blocks = engine.named_blocks(self.block_node)
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
        self.scope.set_local("MyInvocation", info)

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
            engine.exec_statements(block, self.emit)
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
            self.engine.ctx.scope.set_local("input", Enumerator(self.inputs))
            if "process" not in self.blocks and self.got_input:
                self.engine.ctx.scope.set_local("_", self.inputs[-1] if self.inputs else None)
            self._run("end")
        finally:
            self._leave(saved)


def command_arguments(engine: "Evaluator", node: Node) -> list[Arg]:
    elements = node.child_by_field_name("command_elements")
    args: list[Arg] = []
    if elements is None:
        return args
    pending: Arg | None = None  # a `-Name:` parameter whose value is the next element
    for child in elements.named_children:
        kind = child.type
        if kind in ("command_argument_sep", "comment", "redirection"):
            continue
        if kind == "command_parameter":
            text = engine.text(child)
            colon = engine.source[child.end_byte:child.end_byte + 1] == b":" or text.endswith(":")
            arg = Arg(text[1:].rstrip(":"), None, colon=colon, text=text)
            args.append(arg)
            pending = arg if colon else None
            continue
        if kind == "stop_parsing":
            raise ParseError("The stop-parsing token is not supported by this host.", "UnexpectedToken")
        inner = engine._unwrap(child)  # pylint: disable=protected-access
        if inner.type == "variable" and engine.text(inner).startswith("@") and pending is None:
            args.extend(splat(engine.get_variable("$" + engine.text(inner)[1:])))
            continue
        value = _bare_word(engine, child) if kind == "generic_token" else engine.eval_expr(child)
        if pending is not None:
            pending.value = value
            pending.text = None
            pending = None
            continue
        args.append(Arg(None, value, text=engine.text(child)))
    return args


def _bare_word(engine: "Evaluator", node: Node) -> typing.Any:
    text = engine.text(node)
    if "$" in text or "`" in text:
        return _unescape(text, False)
    number = V.parse_number(text) if text[:1].isdigit() else None
    return number if number is not None and not text.lower().endswith(("kb", "mb", "gb", "tb", "pb")) else text


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


_NOT_MEMBER = object()


def _member_command_name(engine: "Evaluator", node: Node) -> typing.Any:
    """`& $info.ScriptBlock`: the grammar reads the variable and `.ScriptBlock` as a path; PowerShell reads a member
    access (a command name after & or . is an expression). Simple member names only; anything else is left to eval."""
    inner = node
    while inner.type in ("command_name_expr",) and inner.named_child_count == 1:
        inner = inner.named_children[0]
    parts = list(inner.named_children) if inner.type == "path_command_name" else []
    if len(parts) != 2 or parts[0].type != "variable" or parts[1].type != "path_command_name_token":
        return _NOT_MEMBER
    names = engine.text(parts[1]).split(".")
    if names[0] != "" or not all(n.replace("_", "a").isalnum() for n in names[1:]):
        return _NOT_MEMBER
    value = engine.read_variable(engine.text(parts[0]))
    for name in names[1:]:
        value = get_property(value, name)
    return value


def build_processor(engine: "Evaluator", node: Node, expects_input: bool) -> Processor:
    operator = next((c for c in node.children if c.type == "command_invokation_operator"), None)
    dot_source = operator is not None and engine.text(operator).strip() == "."
    name_node = node.child_by_field_name("command_name")
    if name_node is None:
        raise ParseError("Unexpected token in expression or statement.", "UnexpectedToken")
    if name_node.type == "command_name":
        target: typing.Any = engine.text(name_node)
    elif name_node.type == "command_name_expr" and [c.type for c in name_node.named_children] == ["command_name"]:
        target = engine.text(name_node)  # `&chcp.com`: the call operator before a bare command name
    else:
        target = _member_command_name(engine, name_node)
        if target is _NOT_MEMBER:
            target = engine.eval_expr(name_node)
    args = command_arguments(engine, node)
    if isinstance(target, str) and resolve_command(engine, target) is None:
        target = script_file(engine, target) or target  # a .ps1 file given by its path runs as a script
    if isinstance(target, V.ScriptBlock):
        params_node = engine._find_param_block(target.node)  # pylint: disable=protected-access
        if params_node is None and target.node.type == "script_block_expression":
            inner = next((c for c in target.node.named_children if c.type == "script_block"), None)
            params_node = engine._find_param_block(inner)  # pylint: disable=protected-access
        saved = engine.source
        engine.source = target.source
        try:
            params, advanced = engine.build_params(params_node)
        finally:
            engine.source = saved
        body = next((c for c in target.node.named_children if c.type == "script_block"), target.node) \
            if target.node.type == "script_block_expression" else target.node
        proc = ScriptProcessor(engine, body, target.source, params, advanced, args, "", dot_source)
        proc.expects_input = expects_input
        return proc
    if isinstance(target, (FunctionInfo,)):
        return _function_processor(engine, target, args, dot_source)
    name = V.to_string(target)
    resolved = resolve_command(engine, name)
    if resolved is None:

        application = find_application(engine, name)
        if application is not None:
            return NativeProcessor(engine, application, args)  # type: ignore[return-value]
        raise command_not_found(name)
    if isinstance(resolved, FunctionInfo):
        function_proc = _function_processor(engine, resolved, args, dot_source)
        function_proc.expects_input = expects_input
        return function_proc
    return CmdletProcessor(engine, resolved, args, expects_input)


def _function_processor(engine: "Evaluator", fn: "FunctionInfo", args: list[Arg], dot_source: bool) -> ScriptProcessor:
    body = fn.body
    module_scope = fn.module.scope if fn.module is not None else None
    return ScriptProcessor(engine, body, fn.source, fn.params, fn.advanced, args, fn.name, dot_source, fn.is_filter,
                           module_scope)


def invoke_command_by_name(engine: "Evaluator", name: str, args: list[Arg], input_items: list | None,
                           sink: typing.Callable[[typing.Any], None], dot_source: bool = False) -> list[Processor]:
    """Build a processor for a non-script Command (name + parameters from the PSRP message). A function run with
    useLocalScope false runs in the caller's scope (CommandDiscovery.LookupCommandProcessor: useNewScope is
    `useLocalScope ?? true`)."""

    resolved = resolve_command(engine, name)
    if resolved is None:
        raise command_not_found(name)
    if isinstance(resolved, FunctionInfo):
        proc: Processor = _function_processor(engine, resolved, args, dot_source)
    else:
        proc = CmdletProcessor(engine, resolved, args, input_items is not None)
    proc.emit = sink
    return [proc]
