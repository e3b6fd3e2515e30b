"""The evaluator's statement level, on the front end's AST: statement lists (lowered statement by statement as they
first run, with the per-statement error handling), pipelines, function definitions, param blocks and script block
invocation. Expressions and the other statements are ast_eval/'s."""

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord, PSObject
from tree_sitter import Node

from . import ast_eval, providers, tripwire
from . import values as V
from .clr.invocation import ScriptPosition, ast_position, set_position
from .binding import Arg, CmdletBindingInfo, Param, apply_default_values, bind, bound_parameters_table
from .context import ExecutionContext, normalize_action
from .errors import (
    BreakSignal,
    ContinueSignal,
    ParseError,
    PSError,
    ReturnSignal,
    error_from_record,
)
from .members import get_property, is_void
from . import parametersets
from .parser import node_text, parse
from .scopes import Scope, Variable
from .shouldprocess import CommandRuntime, PSScriptCmdlet, confirm_impact, preference_values
from .syntax import nodes as N

Sink = typing.Callable[[typing.Any], None]
NO_INPUT = object()

# `++$x`, `$x++` and the like as a statement write nothing (their value is only an expression's).
_SILENT = frozenset({"PlusPlus", "MinusMinus", "PostfixPlusPlus", "PostfixMinusMinus"})

# The grammar's statement kinds the lowering knows (each runs on its AST); any other is a parse error.
_STATEMENT_KINDS = frozenset({"pipeline", "function_statement", "if_statement", "foreach_statement", "for_statement",
                              "while_statement", "do_statement", "switch_statement", "try_statement",
                              "flow_control_statement"})

_UNSUPPORTED_STATEMENTS = {
    "class_statement": "class definitions", "enum_statement": "enum definitions",
    "data_statement": "data sections", "parallel_statement": "parallel blocks", "sequence_statement": "sequence blocks",
    "inlinescript_statement": "inlinescript blocks",
}


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type not in ("comment", "command_argument_sep")]


class FunctionInfo:  # pylint: disable=too-many-instance-attributes
    def __init__(self, name: str, params: list, ast: N.ScriptBlockAst, body: Node, source: bytes,  # pylint: disable=too-many-arguments
                 advanced: typing.Any, is_filter: bool = False, params_after_name: bool = False) -> None:
        self.name = name
        self.params = params
        self.ast = ast  # the body the function runs
        self.body = body  # the concrete node and text of the body (`${function:f}`, its ScriptBlock)
        self.source = source
        self.advanced = advanced
        self.is_filter = is_filter
        self.params_after_name = params_after_name  # `function f($a) { }`
        self.module: typing.Any = None  # the ModuleInfo whose scope the function runs in


class Evaluator:  # pylint: disable=too-many-public-methods
    def __init__(self, ctx: ExecutionContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------------ scripts
    def run_script_text(self, text: str, scope: Scope | None = None, input_items: list | None = None,
                        sink: Sink | None = None, args: list | None = None) -> list:
        parsed = parse(text)
        out: list = []
        target = sink or out.append
        block = V.ScriptBlock(parsed.root, parsed.source)
        self.invoke_script_block(block, args or [], target, new_scope=scope is None, input_items=input_items,
                                 scope=scope)
        return out

    @staticmethod
    def script_ast(block: V.ScriptBlock) -> N.ScriptBlockAst:
        """The ScriptBlockAst a script block value runs (lowered from its concrete node on first use)."""
        ast = block.ast
        if ast is None:
            ast = block.ast = ast_eval.script_body(block.node, block.source)
        return ast

    # ------------------------------------------------------------------ statements
    def exec_block(self, block: typing.Any, sink: Sink) -> None:
        """A statement block's or named block's statements, each guarded (exec_statement_guarded)."""
        unlowered = block._unlowered  # pylint: disable=protected-access
        if unlowered is None:
            if block.traps:
                # Traps are run over concrete statements (run_trapped); a block lowered whole is not run with them.
                raise tripwire.trip("A trap in a block the front end lowered whole")
            for stmt in block.statements:
                self.exec_ast_guarded(stmt, sink, block._source)  # pylint: disable=protected-access
            return
        self.exec_statement_list(unlowered, sink, block._source)  # pylint: disable=protected-access

    def exec_statement_list(self, nodes: list[Node], sink: Sink, source: bytes) -> None:
        """A block's concrete statements, each guarded; a `trap` among them handles the others' errors (run_trapped)."""
        traps = [node for node in nodes if node.type == "trap_statement"]
        if not traps:
            for node in nodes:
                self.exec_statement_guarded(node, sink, source)
            return
        self.run_trapped(traps, [node for node in nodes if node.type != "trap_statement"], sink, source)

    def run_trapped(self, traps: list[Node], nodes: list[Node], sink: Sink, source: bytes) -> None:
        """Statements under an untyped `trap { }` of their block (about_Trap; 5.1's StatementBlockAst.Traps, wherever
        the trap is written in the block): a terminating or statement-terminating error of a statement (a called
        command's too, as a `try` would see it) runs the trap's body in a child scope with `$_` the error record;
        `break` there rethrows the error (the block ends), `continue` goes on with the next statement silently, and
        neither writes the error to the error stream and goes on. A typed trap (`trap [T] { }`) or several traps in
        one block are not modelled. Parse errors are never trapped (PowerShell reports them before running)."""
        if len(traps) > 1 or any(child.type == "type_literal" for child in traps[0].named_children):
            raise tripwire.trip("A typed trap, or several traps in one block (only one `trap { }` is modelled)")
        body = next(child for child in traps[0].named_children if child.type == "statement_block")
        ctx = self.ctx
        for node in nodes:
            error: PSError | None = None
            ctx.try_depth += 1  # a statement-terminating error comes up here, as it would to a try
            try:
                self.exec_statement_guarded(node, sink, source)
            except ParseError:
                raise
            except PSError as err:
                error = err
            finally:
                ctx.try_depth -= 1
            if error is None:
                continue
            record = error.to_record()
            ctx.add_to_error_list(record)
            saved = ctx.scope
            ctx.scope = Scope(saved)
            ctx.scope.set_local("_", record)
            ctx.scope.set_local("PSItem", record)
            try:
                self.exec_statement(body, sink, source)
            except BreakSignal:
                error.terminating = True
                raise error from None
            except ContinueSignal:
                continue
            finally:
                ctx.scope = saved
            if ctx.preference("ErrorActionPreference", "Continue") not in ("SilentlyContinue", "Ignore"):
                ctx.write_error_record(record)

    def exec_statement_guarded(self, stmt: Node, sink: Sink, source: bytes) -> None:
        """A concrete statement of the parsed text ``source``, lowered as it runs, with the per-statement error handling."""
        self._guarded(self.exec_statement, stmt, sink, source)

    def exec_ast_guarded(self, ast: N.Ast, sink: Sink, source: bytes = b"") -> None:
        """A lowered statement (of the parsed text ``source``, when known: its errors' position) with the same handling."""
        self._guarded(self.run_statement, ast, sink, source)

    def _guarded(self, run: typing.Callable, stmt: typing.Any, sink: Sink, source: bytes) -> None:
        ctx = self.ctx
        ctx.check_stop()
        outer_source = ctx.position_source
        ctx.position_source = source or outer_source
        try:
            self._guarded_in(run, stmt, sink, source)
        finally:
            ctx.position_source = outer_source

    def _guarded_in(self, run: typing.Callable, stmt: typing.Any, sink: Sink, source: bytes) -> None:
        ctx = self.ctx
        seq = ctx.error_seq
        try:
            if isinstance(stmt, Node):
                run(stmt, sink, source)
                if stmt.type != "empty_statement":
                    ctx.last_ok = ctx.error_seq == seq
            else:
                run(stmt, sink)
                ctx.last_ok = ctx.error_seq == seq
        except PSError as err:
            ctx.last_ok = False
            set_position(err, ScriptPosition(source, stmt.start_byte, stmt.end_byte) if isinstance(stmt, Node)
                         else ast_position(ctx.position_source, stmt))
            if err.terminating:
                raise
            # Statement-terminating error: $ErrorActionPreference Stop where it happened makes it terminating, even
            # when a caller's try is active (a finally then runs and the error goes on up); else a try catches it,
            # and outside one it is reported and the script continues.
            pref = ctx.preference("ErrorActionPreference", "Continue")
            if pref == "Stop":
                err.terminating = True
                raise
            if ctx.try_depth > 0:
                raise
            record = err.to_record()
            ctx.add_to_error_list(record)
            if pref not in ("SilentlyContinue", "Ignore"):
                ctx.write_error_record(record)

    def exec_statement(self, node: Node, sink: Sink, source: bytes) -> None:
        """A concrete statement: what the lowering does not know is a parse error here; the rest runs on its AST."""
        kind = node.type
        if kind in ("empty_statement", "comment", "param_block"):
            return
        if kind in ("statement_list", "statement_block"):
            self.exec_statement_list(_named(node), sink, source)
            return
        if kind == "label":
            raise ParseError("Loop labels are not supported by this host.", "UnexpectedToken")
        if kind in _UNSUPPORTED_STATEMENTS:
            raise ParseError(f"The fake Windows host does not support {_UNSUPPORTED_STATEMENTS[kind]}.", "UnexpectedToken")
        if kind not in _STATEMENT_KINDS:
            raise _unexpected(node_text(node, source), kind)
        if kind == "pipeline" and any(c.type in ("&&", "||", "pipeline_chain_tail") for c in node.children):
            token = "&&" if any(c.type == "&&" for c in node.children) else "||"
            raise ParseError(f"The token '{token}' is not a valid statement separator in this version.", "InvalidEndOfLine")
        self.run_statement(ast_eval.lowered(node, source), sink)

    def run_statement(self, ast: N.Ast, sink: Sink) -> None:
        """A statement's AST writing to ``sink``."""
        if isinstance(ast, (N.PipelineAst, N.AssignmentStatementAst)):
            self.exec_pipeline(ast, sink)
            return
        if isinstance(ast, N.FunctionDefinitionAst):
            self.define_function(ast)
            return
        handler = ast_eval.STATEMENT_HANDLERS.get(ast.__class__)
        if handler is None:
            raise self.unexpected_token(ast)
        handler(self, ast, sink)

    @staticmethod
    def unexpected_token(ast: N.Ast) -> ParseError:
        return _unexpected(ast.extent.text, ast.__class__.__name__)

    # -- control flow --------------------------------------------------------------
    def eval_fragment(self, text: str) -> typing.Any:
        """Evaluate a token the grammar left unparsed (switch clause conditions): strings, numbers, barewords."""
        stripped = text.strip()
        if stripped[:1] in ("'", '"', "$", "(", "@", "[") or V.parse_number(stripped) is not None:
            parsed = parse(stripped)
            statements = next((c for c in parsed.root.named_children if c.type == "statement_list"), None)
            first = _named(statements)[0] if statements is not None and _named(statements) else None
            return ast_eval.pipeline_value(self, ast_eval.lowered(first, parsed.source)) if first is not None else None
        return stripped

    def throw_error(self, value: typing.Any) -> PSError:
        if isinstance(value, ErrorRecord):
            return error_from_record(value, terminating=True)
        if isinstance(value, PSObject) and "System.Exception" in [n.replace("Deserialized.", "") for n in value.PSObject.type_names]:
            message = V.to_string(get_property(value, "Message"))
            err = PSError(message, exception_type=value.PSObject.type_names[0], fqid=message, category="OperationStopped",
                          terminating=True)
            return err
        if value is None:
            message = "ScriptHalted"
            return PSError(message, fqid="ScriptHalted", category="OperationStopped", reason="RuntimeException",
                           terminating=True)
        message = V.to_string(value)
        return PSError(message, fqid=message, category="OperationStopped", reason="RuntimeException", target=value,
                       terminating=True)

    # -- functions -----------------------------------------------------------------
    def define_function(self, ast: N.FunctionDefinitionAst) -> None:
        name = ast.name
        body = ast.body
        # `function f($a) { }`: the parameters after the name, unless the body has a param block of its own.
        params, advanced = self.build_params(body.param_block, ast.parameters)
        # `function global:f` / `script:f` define f in that scope (about_Scopes); `local:`/`private:` in this one.
        qualifier, _sep, bare = name.partition(":")
        scope = self.ctx.scope
        if bare and qualifier.lower() in ("global", "script", "local", "private"):
            name = bare
            scope = self.scope_for(qualifier.lower())
        info = FunctionInfo(name, params, body, body._cst, body._source, advanced, ast.is_filter,  # pylint: disable=protected-access
                            params_after_name=body.param_block is None and ast.parameters is not None)
        info.module = self.ctx.scope.module_of()
        scope.functions[name.lower()] = info

    def assign_function(self, name: str, value: typing.Any) -> None:
        """`${function:name} = <script block or text>` (the Function provider's SetItem): defines `name` in the current
        scope, whatever characters the name holds (module_wrapper.ps1 runs `<AnsibleModule>` so); $null removes it."""
        scope = self.ctx.scope
        qualifier, _sep, bare = name.partition(":")
        if bare and qualifier.lower() in ("global", "script", "local", "private"):
            name, scope = bare, self.scope_for(qualifier.lower())
        if value is None:
            scope.functions.pop(name.lower(), None)
            return
        if isinstance(value, str):
            parsed = parse(value)
            value = V.ScriptBlock(parsed.root, parsed.source)
        if not isinstance(value, V.ScriptBlock):
            raise PSError(f'Cannot convert the "{V.to_string(value)}" value of type "{V.ps_type_name(value)}" to type '
                          '"System.Management.Automation.ScriptBlock".', fqid="ArgumentTypeMismatch,"
                          "Microsoft.PowerShell.Commands.SetItemCommand", category="InvalidArgument",
                          reason="ArgumentException", exception_type="System.ArgumentException")
        ast = self.script_ast(value)
        params, advanced = self.build_params(ast.param_block)
        # The text kept as the function's body (`${function:f}` gives it back): the inside of `{ }`, a script's statements.
        body = value.node
        if body.type == "script_block_expression":
            body = next((c for c in body.named_children if c.type == "script_block"), body)
        elif body.type == "program":
            body = next((c for c in body.named_children if c.type in ("statement_list", "script_block_body",
                                                                      "named_block_list")), body)
        info = FunctionInfo(name, params, ast, body, value.source, advanced)
        info.module = self.ctx.scope.module_of()
        scope.functions[name.lower()] = info

    def build_params(self, block: N.ParamBlockAst | None,  # pylint: disable=too-many-branches,too-many-locals
                     parameters: list[N.ParameterAst] | None = None) -> tuple[list[Param], typing.Any]:
        """The parameters of a param block (or of `function f($a, $b)`), and whether the command is advanced: a
        [CmdletBinding()] (its CmdletBindingInfo) or a [Parameter()] on any parameter."""
        advanced: typing.Any = False
        if block is not None:
            for attr in block.attributes:
                if isinstance(attr, N.AttributeAst) and "cmdletbinding" in attr.type_name_.name.lower() and not advanced:
                    advanced = self.cmdlet_binding(attr)
            parameters = block.parameters
        params: list[Param] = []
        explicit: list[bool] = []
        for i, parameter in enumerate(parameters or []):
            type_name = None
            switch = mandatory = pipeline = by_prop = has_position = False
            position: int | None = i
            aliases: tuple[str, ...] = ()
            parameter_set = None
            for attr in parameter.attributes:
                if isinstance(attr, N.TypeConstraintAst):
                    written = attr.type_name_
                    tname = written.parsed_name or written.name
                    if tname.lower() in ("switch", "system.management.automation.switchparameter"):
                        switch = True
                    else:
                        type_name = V.resolve_type(tname, written.using_namespaces)
                    continue
                attr_name = attr.type_name_.name.lower()
                if attr_name in ("parameter", "system.management.automation.parameterattribute"):
                    advanced = advanced or CmdletBindingInfo()
                    for argument in attr.named_arguments:
                        arg_name = argument.argument_name.lower()
                        if arg_name == "mandatory":
                            mandatory = V.to_bool(ast_eval.value(self, argument.argument))
                        elif arg_name == "position":
                            position = int(ast_eval.value(self, argument.argument))
                            has_position = True
                        elif arg_name == "valuefrompipeline":
                            pipeline = V.to_bool(ast_eval.value(self, argument.argument))
                        elif arg_name == "valuefrompipelinebypropertyname":
                            by_prop = V.to_bool(ast_eval.value(self, argument.argument))
                        elif arg_name == "parametersetname" and parameter_set is None:
                            parameter_set = V.to_string(ast_eval.value(self, argument.argument))
                elif attr_name in ("alias", "system.management.automation.aliasattribute"):
                    aliases = tuple(V.to_string(name) for argument in attr.positional_arguments
                                    for name in V.enumerate_value(ast_eval.value(self, argument)))
            params.append(Param(parameter.name.extent.text[1:], position, switch=switch, pipeline=pipeline,
                                by_property=by_prop, aliases=aliases, mandatory=mandatory, type_name=type_name,
                                default=parameter.default_value))
            params[-1].parameter_set = parameter_set
            params[-1].parameter_sets = parametersets.memberships(
                [attr.extent.text for attr in parameter.attributes if not isinstance(attr, N.TypeConstraintAst)
                 and attr.type_name_.name.lower() in ("parameter", "system.management.automation.parameterattribute")])
            explicit.append(has_position)
        if any(explicit):
            # With any explicit Position, parameters without one are named-only (PowerShell's rule).
            for p, has_position in zip(params, explicit):
                if not has_position:
                    p.position = None
        return params, advanced

    def cmdlet_binding(self, attr: N.AttributeAst) -> CmdletBindingInfo:
        """[CmdletBinding(...)]: SupportsShouldProcess (an omitted value is $true) and ConfirmImpact; other
        arguments (DefaultParameterSetName, PositionalBinding, HelpUri, ...) are accepted and not modelled."""
        info = CmdletBindingInfo()
        for argument in attr.named_arguments:
            name = argument.argument_name.lower()
            value = ast_eval.value(self, argument.argument)
            if name == "supportsshouldprocess":
                info.should_process = V.to_bool(value)
            elif name == "confirmimpact":
                info.confirm_impact = confirm_impact(value)
        return info

    # ------------------------------------------------------------------ pipelines
    def exec_pipeline(self, ast: N.Ast, sink: Sink, input_items: list | None = None) -> None:
        """A PipelineAst (or the AssignmentStatementAst a pipeline position may hold) writing to ``sink``."""
        if isinstance(ast, N.AssignmentStatementAst):
            ast_eval.assignment(self, ast, False)
            return
        elements = ast.pipeline_elements
        redirects: list[str] = []
        last = len(elements) - 1
        for i, element in enumerate(elements):
            own = [r.extent.text for r in element.redirections]
            if not own:
                continue
            if i == last:
                redirects.extend(own)  # the last command's output is the pipeline's (about_Redirection)
            elif self._redirect_sink(own, sink) is not sink:
                raise PSError("Discarding the output of a command in the middle of a pipeline is not modelled by the fake "
                              "Windows host.", fqid="RedirectionNotSupported", category="NotImplemented",
                              reason="NotSupportedException")
        if len(elements) == 1 and isinstance(elements[0], N.CommandExpressionAst):
            expression = elements[0].expression
            value = ast_eval.evaluate(self, expression)
            target = self._redirect_sink(redirects, sink)
            if is_void(value) or (isinstance(expression, N.UnaryExpressionAst) and expression.token_kind in _SILENT):
                return
            for item in V.enumerate_value(value):
                target(item)
            return
        self.run_pipeline(elements, sink, input_items, redirects)

    def _redirect_sink(self, redirects: list[str], sink: Sink) -> Sink:
        for redirect in redirects:
            compact = redirect.replace(" ", "").lower()
            if compact in (">$null", "1>$null", "*>$null", ">>$null"):
                return lambda _v: None
            if compact.startswith(("2>&1", "3>&1", "4>&1", "5>&1", "6>&1", "*>&1", "2>$null", "3>$null", "4>$null")):
                continue
            raise PSError("File redirection is not supported by the fake Windows host.", fqid="RedirectionNotSupported",
                          category="NotImplemented", reason="NotSupportedException")
        return sink

    def run_pipeline(self, elements: list[N.Ast], sink: Sink, input_items: list | None,
                     redirects: list[str] | None = None) -> None:
        from .commands import build_processor  # pylint: disable=import-outside-toplevel  # commands needs Evaluator

        first_value: typing.Any = NO_INPUT
        stages = elements
        if elements and isinstance(elements[0], N.CommandExpressionAst):
            first_value = ast_eval.value(self, elements[0].expression)
            stages = elements[1:]
        processors = []
        for i, stage in enumerate(stages):
            if not isinstance(stage, N.CommandAst):
                raise ParseError("Expressions are only allowed as the first element of a pipeline.",
                                 "ExpressionsMustBeFirstInPipeline")
            processors.append(build_processor(self, stage, i > 0 or first_value is not NO_INPUT or input_items is not None))
        final = self._redirect_sink(redirects or [], sink)
        for i, proc in enumerate(processors):
            proc.emit = processors[i + 1].process if i + 1 < len(processors) else final
        try:
            for proc in processors:
                proc.begin()
            head = processors[0]
            if first_value is not NO_INPUT:
                for item in V.enumerate_value(first_value):
                    self.ctx.check_stop()
                    head.process(item)
            elif input_items is not None:
                for item in input_items:
                    self.ctx.check_stop()
                    head.process(item)
            else:
                head.process(NO_INPUT)
            for proc in processors:
                proc.end()
        finally:
            for proc in processors:
                proc.dispose()

    def pipeline_output(self, ast: N.Ast) -> typing.Any:
        """A pipeline of commands (or an assignment) used as a value: its output collected ($null, one object, an
        array); an assignment gives the value assigned."""
        if isinstance(ast, N.AssignmentStatementAst):
            return ast_eval.assignment(self, ast, True)
        out: list = []
        self.exec_pipeline(ast, out.append)
        return _collapse(out)

    # ------------------------------------------------------------------ script blocks & functions
    def invoke_script_block(self, block: V.ScriptBlock, args: list, sink: Sink, *, new_scope: bool = True,
                            input_items: list | None = None, scope: Scope | None = None,
                            dollar_under: typing.Any = NO_INPUT, bound: dict | None = None) -> None:
        saved_scope = self.ctx.scope
        if scope is not None:
            self.ctx.scope = scope
        elif new_scope:
            self.ctx.scope = Scope(saved_scope)
        try:
            ast = self.script_ast(block)
            params, advanced = self.build_params(ast.param_block)
            if params or bound:
                self.bind_into_scope(params, advanced, [a if isinstance(a, Arg) else Arg(None, a) for a in args],
                                     "", bound)
            elif new_scope or scope is not None or args:
                self.ctx.scope.set_local("args", list(args))
            if input_items is not None:
                self.ctx.scope.set_local("input", list(input_items))
            if dollar_under is not NO_INPUT:
                self.ctx.scope.set_local("_", dollar_under)
                self.ctx.scope.set_local("PSItem", dollar_under)
            try:
                # A script block invoked once runs its named blocks in the order written (begin, process once, end).
                for named in sorted((b for b in (ast.dynamic_param_block, ast.begin_block, ast.process_block,
                                                 ast.end_block) if b is not None), key=lambda b: b.extent.start_offset):
                    self.exec_block(named, sink)
            except ReturnSignal:
                pass
        finally:
            self.ctx.scope = saved_scope

    @staticmethod
    def named_blocks(ast: N.ScriptBlockAst) -> dict[str, N.NamedBlockAst]:
        """begin/process/end (and dynamicparam) blocks of a function or script block body; a plain body is `end`."""
        return {block.block_kind.lower(): block for block in (ast.dynamic_param_block, ast.begin_block,
                                                              ast.process_block, ast.end_block) if block is not None}

    def bind_into_scope(self, params: list[Param], advanced: typing.Any, args: list[Arg], command: str,  # pylint: disable=too-many-arguments
                        prebound: dict | None = None, overlay: dict | None = None, expects_input: bool = False) -> dict:
        """Bind arguments into the current scope. ``overlay`` (dot-sourced commands): records the previous value of each
        automatic or preference variable set here, so that the command's end puts it back (PowerShell keeps them in
        a locals tuple pushed over the caller's scope)."""
        should_process = bool(getattr(advanced, "should_process", False))
        result = bind(params, args, command, advanced=bool(advanced), common=bool(advanced), should_process=should_process)
        defaults = self.ctx.scope.lookup("PSDefaultParameterValues")
        if advanced and defaults is not None:
            apply_default_values(defaults.value, command, params, result, command, common=True)
        bound = dict(prebound or {})
        bound.update(result.bound)
        scope = self.ctx.scope

        def set_automatic(name: str, value: typing.Any) -> None:
            if overlay is not None and name.lower() not in overlay:
                hidden = scope.variables.get(name.lower())
                overlay[name.lower()] = None if hidden is None else Variable(hidden.name, hidden.value, hidden.options)
            scope.set_local(name, value)

        for p in params:
            if p.name in bound:
                scope.set_local(p.name, bound[p.name])
            elif p.switch:
                scope.set_local(p.name, V.SwitchValue(False))
            elif p.default is not None:
                value = ast_eval.value(self, p.default)
                scope.set_local(p.name, V.cast(value, p.type_name) if p.type_name else value)
            else:
                scope.set_local(p.name, V.cast(None, p.type_name) if p.type_name and
                                p.type_name.full_name in ("System.Int32", "System.Int64", "System.Double",
                                                          "System.String", "System.Boolean") else None)
            if p.type_name is not None and not p.switch:  # a typed parameter keeps converting (about_Functions_Advanced_Parameters)
                scope.variables[p.name.lower()].type_constraint = p.type_name
        scope.set_local("args", list(result.unbound))
        scope.set_local("PSBoundParameters", bound_parameters_table(bound))
        common = result.common
        if "Verbose" in common:
            set_automatic("VerbosePreference", "Continue" if V.to_bool(common["Verbose"]) else "SilentlyContinue")
        if "Debug" in common:
            set_automatic("DebugPreference", "Continue" if V.to_bool(common["Debug"]) else "SilentlyContinue")
        for cname, var in (("ErrorAction", "ErrorActionPreference"), ("WarningAction", "WarningPreference"),
                           ("InformationAction", "InformationPreference")):
            if cname in common:
                set_automatic(var, normalize_action(common[cname], cname))
        for var, value in preference_values(common).items():
            set_automatic(var, value)
        parameter_set = parametersets.choose(params, bound) if advanced else parametersets.ALL_SETS
        if advanced:
            cmdlet = PSScriptCmdlet(CommandRuntime(self.ctx, command, advanced, common))
            cmdlet.parameter_set_name = parameter_set
            set_automatic("PSCmdlet", cmdlet)
        # A mandatory parameter the pipeline will fill is checked per input object, not at the start (ParameterBinderController).
        missing = [p.name for p in parametersets.required(params, parameter_set) if p.name not in bound
                   and not (expects_input and (p.pipeline or p.by_property))]
        if missing:
            raise PSError(
                f"Cannot process command because of one or more missing mandatory parameters: {' '.join(missing)}.",
                exception_type="System.Management.Automation.ParameterBindingException",
                fqid="MissingMandatoryParameter" + (f",{command}" if command else ""),
                category="InvalidArgument",
                reason="ParameterBindingException",
            )
        return bound

    def invoke_script_block_value(self, block: typing.Any, args: list, dollar_under: typing.Any = NO_INPUT,
                                  new_scope: bool = True) -> typing.Any:
        out: list = []
        if not isinstance(block, V.ScriptBlock):
            raise PSError("The expression is not a script block.", fqid="NotAScriptBlock", category="InvalidOperation")
        self.invoke_script_block(block, args, out.append, new_scope=new_scope, dollar_under=dollar_under)
        return _collapse(out)

    # ------------------------------------------------------------------ variables
    @staticmethod
    def split_variable(raw: str) -> tuple[str, str | None]:
        """'$global:x' -> ('x', 'global'); '${a b}' -> ('a b', None)."""
        text = raw
        if text.startswith(("$", "@")):
            text = text[1:]
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]
        if ":" in text:
            prefix, _unused, rest = text.partition(":")
            low = prefix.lower()
            if low in ("global", "script", "local", "private", "env", "variable", "using", "function"):
                return rest, low
            return text, None
        return text, None

    def assign_variable(self, raw: str, value: typing.Any) -> None:
        name, qualifier = self.split_variable(raw)
        if qualifier == "env":
            self.ctx.session.env.set(name, None if value is None else V.to_string(value))
            return
        if qualifier == "function":
            self.assign_function(name, value)
            return
        if qualifier is None and ":" in name:
            if providers.variable_drive(name):
                providers.write_variable(self.ctx, name, value)
                return
        if name.lower() in ("true", "false", "null"):
            if name.lower() == "null":
                return
            raise PSError(f"Cannot overwrite variable {name} because it is read-only or constant.",
                          exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                          fqid="VariableNotWritable", category="WriteError", reason="SessionStateUnauthorizedAccessException",
                          target=name)
        scope = self.scope_for(qualifier)
        if qualifier is None:
            var = scope.lookup(name)
            # Assignment creates/updates the variable in the *current* scope (copy-on-write semantics).
            if var is not None and name.lower() in scope.variables:
                scope.set_local(name, value)
                return
        scope.set_local(name, value)

    def scope_for(self, qualifier: str | None) -> Scope:
        if qualifier == "global":
            return self.ctx.scope.global_scope()
        if qualifier == "script":
            return self.ctx.scope.script_scope()
        return self.ctx.scope

    def get_variable(self, raw: str) -> typing.Any:
        name, qualifier = self.split_variable(raw)
        if qualifier in ("env", "function", "variable") or (qualifier is None and ":" in name):
            if qualifier is not None or providers.variable_drive(name):  # `${drive:path}`: the provider's content
                return providers.read_variable(self.ctx, name if qualifier is None else f"{qualifier}:{name}")
        if qualifier == "using":
            return self._using_value(name)
        low = name.lower()
        if low == "?":
            return self.ctx.last_ok
        if low in ("$", "^"):
            return None
        if qualifier in ("global", "script"):
            var = self.scope_for(qualifier).variables.get(low)
        elif qualifier in ("local", "private"):
            var = self.ctx.scope.variables.get(low)
        else:
            var = self.ctx.scope.lookup(name)
        if var is None:
            return None
        return var.value

    def _using_value(self, name: str) -> typing.Any:
        values = self.ctx.scope.lookup("__using")
        if values is not None and isinstance(values.value, dict):
            return values.value.get(name.lower())
        return self.get_variable("$" + name)

    def read_variable(self, raw: str, in_string: bool = False) -> typing.Any:
        """A variable read by a script: get_variable, plus what an unset variable means here (strict mode, tripwire)."""
        value = self.get_variable(raw)
        if value is None and not self._variable_defined(raw):
            name = self.split_variable(raw)[0]
            tripwire.check_variable(name)
            # Set-StrictMode: 1 forbids unset variables outside strings, 2 and later in strings too (Set-StrictMode docs).
            strict = self.ctx.scope.strict_version()
            if strict >= 2 or (strict == 1 and not in_string):
                raise PSError(f"The variable '${name}' cannot be retrieved because it has not been set.",
                              fqid="VariableIsUndefined", category="InvalidOperation", reason="RuntimeException", target=name)
        return value

    def _variable_defined(self, raw: str) -> bool:
        name, qualifier = self.split_variable(raw)
        if qualifier in ("env", "using", "function", "variable") or name.lower() in ("?", "$", "^", "null") or \
                (qualifier is None and ":" in name):
            return True  # provider reads and the parser's own variables are never "unset" reads
        if qualifier in ("global", "script"):
            return name.lower() in self.scope_for(qualifier).variables
        if qualifier in ("local", "private"):
            return name.lower() in self.ctx.scope.variables
        return self.ctx.scope.lookup(name) is not None


def _unexpected(text: str, kind: str) -> ParseError:
    words = text.split()
    return ParseError(f"Unexpected token '{words[0] if words else kind}' in expression or statement.", "UnexpectedToken")


def _collapse(out: list) -> typing.Any:
    if not out:
        return None
    if len(out) == 1:
        return out[0]
    return out
