"""Tree-walking evaluator over the tree-sitter CST: statements, expressions, pipelines, functions."""

from __future__ import annotations

import re
import typing

from psrpcore.types import ErrorRecord, PSObject
from tree_sitter import Node

from . import ast_eval, tripwire
from . import values as V
from .binding import Arg, CmdletBindingInfo, Param, apply_default_values, bind, bound_parameters_table
from .context import ExecutionContext, normalize_action
from .errors import (
    ParseError,
    PSError,
    ReturnSignal,
    error_from_record,
)
from .members import get_property, is_void
from . import parametersets
from .parser import node_text, parse, using_namespaces
from .scopes import Scope, Variable

Sink = typing.Callable[[typing.Any], None]
NO_INPUT = object()

# Grammar wrapper nodes that just pass a single child through.
_PASS_THROUGH = {
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression",
    "unary_expression", "argument_expression", "logical_argument_expression", "bitwise_argument_expression",
    "comparison_argument_expression", "additive_argument_expression", "multiplicative_argument_expression",
    "format_argument_expression", "range_argument_expression", "left_assignment_expression", "key_expression",
    "string_literal", "integer_literal", "member_name", "command_name_expr", "path_command_name", "while_condition",
    "switch_clause_condition", "redirected_file_name", "for_initializer", "for_condition", "for_iterator",
}

# The grammar node kinds eval_expr runs on the AST (ast_eval/): every expression (literals, operators, casts, variables,
# type literals, ( ), $( ), @( ), expandable strings, members, method calls, indexing, script block literals).
_ON_THE_AST = frozenset({
    "integer_literal", "decimal_integer_literal", "hexadecimal_integer_literal", "real_literal", "string_literal",
    "verbatim_string_characters", "verbatim_here_string_characters", "array_literal_expression",
    "hash_literal_expression",
    "additive_expression", "multiplicative_expression", "format_expression", "logical_expression",
    "bitwise_expression", "comparison_expression", "range_expression", "additive_argument_expression",
    "multiplicative_argument_expression", "format_argument_expression", "logical_argument_expression",
    "bitwise_argument_expression", "comparison_argument_expression", "range_argument_expression",
    "expression_with_unary_operator", "cast_expression", "pre_increment_expression", "pre_decrement_expression",
    "post_increment_expression", "post_decrement_expression",
    "variable", "type_literal", "parenthesized_expression", "sub_expression", "array_expression",
    "expandable_string_literal", "expandable_here_string_literal",
    "member_access", "invokation_expression", "element_access", "script_block_expression",
})

# The statement kinds exec_statement runs on the AST (ast_eval/): conditionals, loops, switch, try and flow control
# (break, continue, return, exit, throw).
_STATEMENTS_ON_THE_AST = frozenset({"if_statement", "foreach_statement", "for_statement", "while_statement", "do_statement",
                                    "switch_statement", "try_statement", "flow_control_statement"})

_UNSUPPORTED_STATEMENTS = {
    "class_statement": "class definitions", "enum_statement": "enum definitions", "trap_statement": "trap statements",
    "data_statement": "data sections", "parallel_statement": "parallel blocks", "sequence_statement": "sequence blocks",
    "inlinescript_statement": "inlinescript blocks",
}


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type not in ("comment", "command_argument_sep")]


class FunctionInfo:
    def __init__(self, name: str, params: list, param_node: Node | None, body: Node, source: bytes,
                 advanced: bool, is_filter: bool = False) -> None:
        self.name = name
        self.params = params
        self.param_node = param_node
        self.body = body
        self.source = source
        self.advanced = advanced
        self.is_filter = is_filter
        self.module: typing.Any = None  # the ModuleInfo whose scope the function runs in


class Evaluator:  # pylint: disable=too-many-public-methods
    def __init__(self, ctx: ExecutionContext) -> None:
        self.ctx = ctx
        self.source = b""

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

    def text(self, node: Node) -> str:
        return node_text(node, self.source)

    # ------------------------------------------------------------------ statements
    def exec_statements(self, node: Node | None, sink: Sink) -> None:
        if node is None:
            return
        if node.type in ("statement_block", "script_block_body", "script_block"):
            inner = node.child_by_field_name("statement_list")
            if inner is None:
                inner = next((c for c in node.named_children if c.type in ("statement_list", "script_block_body")), None)
            if inner is None:
                return
            node = inner
            if node.type == "script_block_body":
                self.exec_statements(node, sink)
                return
        for stmt in _named(node):
            self.exec_statement_guarded(stmt, sink)

    def exec_statement_guarded(self, stmt: Node, sink: Sink) -> None:
        self.ctx.check_stop()
        seq = self.ctx.error_seq
        try:
            self.exec_statement(stmt, sink)
            if stmt.type != "empty_statement":
                self.ctx.last_ok = self.ctx.error_seq == seq
        except PSError as err:
            self.ctx.last_ok = False
            if err.terminating:
                raise
            # Statement-terminating error: $ErrorActionPreference Stop where it happened makes it terminating, even
            # when a caller's try is active (a finally then runs and the error goes on up); else a try catches it,
            # and outside one it is reported and the script continues.
            pref = self.ctx.preference("ErrorActionPreference", "Continue")
            if pref == "Stop":
                err.terminating = True
                raise
            if self.ctx.try_depth > 0:
                raise
            record = err.to_record()
            self.ctx.add_to_error_list(record)
            if pref not in ("SilentlyContinue", "Ignore"):
                self.ctx.write_error_record(record)

    def exec_statement(self, node: Node, sink: Sink) -> None:  # pylint: disable=too-many-branches
        kind = node.type
        if kind in ("empty_statement", "comment"):
            return
        if kind == "pipeline":
            self.exec_pipeline(node, sink)
        elif kind in _STATEMENTS_ON_THE_AST:
            ast_eval.run_statement(self, node, sink)
        elif kind == "function_statement":
            self.define_function(node)
        elif kind in ("statement_list", "statement_block"):
            self.exec_statements(node, sink)
        elif kind == "label":
            raise ParseError("Loop labels are not supported by this host.", "UnexpectedToken")
        elif kind in _UNSUPPORTED_STATEMENTS:
            raise ParseError(f"The fake Windows host does not support {_UNSUPPORTED_STATEMENTS[kind]}.", "UnexpectedToken")
        elif kind == "param_block":
            return
        else:
            raise ParseError(f"Unexpected token '{self.text(node).split()[0] if self.text(node).split() else kind}' in "
                             "expression or statement.", "UnexpectedToken")

    # -- control flow --------------------------------------------------------------
    def eval_fragment(self, text: str) -> typing.Any:
        """Evaluate a token the grammar left unparsed (switch clause conditions): strings, numbers, barewords."""
        stripped = text.strip()
        if stripped[:1] in ("'", '"', "$", "(", "@", "[") or V.parse_number(stripped) is not None:
            parsed = parse(stripped)
            saved = self.source
            self.source = parsed.source
            try:
                statements = next((c for c in parsed.root.named_children if c.type == "statement_list"), None)
                first = _named(statements)[0] if statements is not None and _named(statements) else None
                return self.eval_pipeline_value(first) if first is not None else None
            finally:
                self.source = saved
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
    def define_function(self, node: Node) -> None:
        name = self.text(next(c for c in node.named_children if c.type == "function_name"))
        is_filter = any(c.type == "filter" for c in node.children)
        decl = next((c for c in node.named_children if c.type == "function_parameter_declaration"), None)
        block = next((c for c in node.named_children if c.type == "script_block"), None)
        param_node = None
        if decl is not None:
            param_node = next((c for c in decl.named_children if c.type == "parameter_list"), None)
        pb = self._find_param_block(node) or (self._find_param_block(block) if block is not None else None)
        if pb is not None:
            param_node = pb
        params, advanced = self.build_params(param_node)
        # `function global:f` / `script:f` define f in that scope (about_Scopes); `local:`/`private:` in this one.
        qualifier, _sep, bare = name.partition(":")
        scope = self.ctx.scope
        if bare and qualifier.lower() in ("global", "script", "local", "private"):
            name = bare
            scope = self.scope_for(qualifier.lower())
        info = FunctionInfo(name, params, param_node, block if block is not None else node, self.source, advanced, is_filter)
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
        node = value.node
        param_node = self._find_param_block(node)
        if node.type == "script_block_expression":
            node = next((c for c in node.named_children if c.type == "script_block"), node)
            param_node = param_node or self._find_param_block(node)
        saved = self.source
        self.source = value.source
        try:
            params, advanced = self.build_params(param_node)
        finally:
            self.source = saved
        body = node
        if node.type == "program":
            body = next((c for c in node.named_children if c.type in ("statement_list", "script_block_body", "named_block_list")),
                        node)
        info = FunctionInfo(name, params, param_node, body, value.source, advanced)
        info.module = self.ctx.scope.module_of()
        scope.functions[name.lower()] = info

    @staticmethod
    def _find_param_block(node: Node | None) -> Node | None:
        if node is None:
            return None
        for child in node.named_children:
            if child.type == "param_block":
                return child
            if child.type == "ERROR":
                found = next((c for c in child.named_children if c.type == "param_block"), None)
                if found is not None:
                    return found
        return None

    def build_params(self, node: Node | None) -> tuple[list[Param], bool]:  # pylint: disable=too-many-branches,too-many-locals
        if node is None:
            return [], False
        advanced: typing.Any = False
        attr_list = next((c for c in node.named_children if c.type == "attribute_list"), None)
        if attr_list is not None:
            for attr in attr_list.named_children:
                if attr.type == "attribute" and "cmdletbinding" in self.text(attr).lower() and not advanced:
                    advanced = self.cmdlet_binding(attr)
        plist = node if node.type == "parameter_list" else next((c for c in node.named_children if c.type == "parameter_list"), None)
        params: list[Param] = []
        if plist is None:
            return params, advanced
        explicit_positions = False
        for i, sp in enumerate(c for c in plist.named_children if c.type == "script_parameter"):
            var = next(c for c in sp.named_children if c.type == "variable")
            pname = self.text(var)[1:]
            default_node = next((c for c in sp.named_children if c.type == "script_parameter_default"), None)
            type_name = None
            switch = False
            mandatory = False
            position: int | None = i
            pipeline = False
            by_prop = False
            aliases: tuple[str, ...] = ()
            attrs = next((c for c in sp.named_children if c.type == "attribute_list"), None)
            if attrs is not None:
                for attr in attrs.named_children:
                    lit = next((c for c in attr.named_children if c.type == "type_literal"), None)
                    if lit is not None:
                        tname = self.text(next(c for c in lit.named_children if c.type == "type_spec"))
                        if tname.lower() in ("switch", "system.management.automation.switchparameter"):
                            switch = True
                        else:
                            type_name = V.resolve_type(tname, using_namespaces(self.source))
                        continue
                    text = self.text(attr)
                    low = text.lower().replace(" ", "")
                    if low.startswith("[parameter"):
                        advanced = advanced or CmdletBindingInfo()
                        if re.search(r"mandatory(\s*=\s*\$true)?(?=[,)])", low):
                            mandatory = True
                        m = re.search(r"position\s*=\s*(\d+)", low)
                        if m:
                            position = int(m.group(1))
                            explicit_positions = True
                        if "valuefrompipelinebypropertyname" in low:
                            by_prop = True
                        if re.search(r"valuefrompipeline(?!bypropertyname)", low):
                            pipeline = True
                    elif low.startswith("[alias("):
                        aliases = tuple(re.findall(r"['\"]([^'\"]+)['\"]", text))
            params.append(Param(pname, position, switch=switch, pipeline=pipeline, by_property=by_prop, aliases=aliases,
                                mandatory=mandatory, type_name=type_name, default=default_node))
            if attrs is not None:
                params[-1].parameter_set = next((parametersets.declared_set(self.text(a)) for a in attrs.named_children
                                                 if self.text(a).lower().replace(" ", "").startswith("[parameter(")
                                                 and parametersets.declared_set(self.text(a))), None)
                params[-1].parameter_sets = parametersets.memberships(
                    [self.text(a) for a in attrs.named_children if self.text(a).lower().replace(" ", "").startswith("[parameter(")])
        if explicit_positions:
            # With any explicit Position, parameters without one are named-only (PowerShell's rule).
            for p, sp in zip(params, (c for c in plist.named_children if c.type == "script_parameter")):
                if not re.search(r"position\s*=", self.text(sp).lower()):
                    p.position = None
        return params, advanced

    def cmdlet_binding(self, attr: Node) -> CmdletBindingInfo:
        """[CmdletBinding(...)]: SupportsShouldProcess (an omitted value is $true) and ConfirmImpact; other
        arguments (DefaultParameterSetName, PositionalBinding, HelpUri, ...) are accepted and not modelled."""
        from .shouldprocess import confirm_impact  # pylint: disable=import-outside-toplevel

        info = CmdletBindingInfo()
        arguments = next((c for c in attr.named_children if c.type == "attribute_arguments"), None)
        for argument in _named(arguments) if arguments is not None else []:
            if argument.type != "attribute_argument":
                continue
            parts = _named(argument)
            if not parts or parts[0].type != "simple_name":
                continue
            name = self.text(parts[0]).lower()
            value = self.eval_expr(parts[1]) if len(parts) > 1 else True
            if name == "supportsshouldprocess":
                info.should_process = V.to_bool(value)
            elif name == "confirmimpact":
                info.confirm_impact = confirm_impact(value)
        return info

    # ------------------------------------------------------------------ pipelines
    def exec_pipeline(self, node: Node, sink: Sink, input_items: list | None = None) -> None:  # pylint: disable=too-many-branches
        named = _named(node)
        if len(named) == 1 and named[0].type == "assignment_expression":
            self.eval_assignment(named[0])
            return
        chain = named[0] if len(named) == 1 and named[0].type == "pipeline_chain" else node
        elements = []
        redirects: list[str] = []
        for child in chain.children:
            if child.type in ("|", "command_argument_sep", "comment"):
                continue
            if child.type == "redirections":
                redirects.extend(self.text(r) for r in child.named_children)
                continue
            if child.type in ("&&", "||", "pipeline_chain_tail"):
                raise ParseError(f"The token '{child.type}' is not a valid statement separator in this version.",
                                 "InvalidEndOfLine")
            if not child.is_named:
                continue
            elements.append(child)
        for i, element in enumerate(elements):
            # A command's own redirections (`Write-Output 1 > $null`) sit among its elements in the grammar.
            own = [self.text(r) for part in element.named_children if part.type == "command_elements"
                   for r in part.named_children if r.type == "redirection"] if element.type == "command" else []
            if not own:
                continue
            if i == len(elements) - 1:
                redirects.extend(own)  # the last command's output is the pipeline's (about_Redirection)
            elif self._redirect_sink(own, sink) is not sink:
                raise PSError("Discarding the output of a command in the middle of a pipeline is not modelled by the fake "
                              "Windows host.", fqid="RedirectionNotSupported", category="NotImplemented",
                              reason="NotSupportedException")
        if len(elements) == 1 and elements[0].type != "command":
            value = self.eval_expr(elements[0], allow_void=True)
            target = self._redirect_sink(redirects, sink)
            if is_void(value) or self._is_silent_expression(elements[0]):
                return
            for item in V.enumerate_value(value):
                target(item)
            return
        self.run_pipeline(elements, sink, input_items, redirects)

    def _is_silent_expression(self, node: Node) -> bool:
        while node.type in _PASS_THROUGH and len(_named(node)) == 1:
            node = _named(node)[0]
        if node.type == "expression_with_unary_operator" and _named(node) and _named(node)[0].type in (
                "pre_increment_expression", "pre_decrement_expression"):
            return True
        return node.type in ("post_increment_expression", "post_decrement_expression", "pre_increment_expression",
                             "pre_decrement_expression")

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

    def run_pipeline(self, elements: list[Node], sink: Sink, input_items: list | None,
                     redirects: list[str] | None = None) -> None:
        from .commands import build_processor  # pylint: disable=import-outside-toplevel  # commands needs Evaluator

        first_value: typing.Any = NO_INPUT
        stages = elements
        if elements and elements[0].type != "command":
            first_value = self.eval_expr(elements[0])
            stages = elements[1:]
        processors = []
        for i, stage in enumerate(stages):
            if stage.type != "command":
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

    def eval_pipeline_value(self, node: Node | None) -> typing.Any:
        """Evaluate a pipeline used as a value ($x = ..., conditions): expressions keep their value."""
        if node is None:
            return None
        named = _named(node) if node.type == "pipeline" else [node]
        if node.type == "pipeline" and len(named) == 1 and named[0].type == "assignment_expression":
            return self.eval_assignment(named[0], want_value=True)
        if node.type == "pipeline":
            chain = named[0] if len(named) == 1 and named[0].type == "pipeline_chain" else node
            parts = [c for c in chain.children if c.is_named and c.type not in ("command_argument_sep", "comment")]
            if len(parts) == 1 and parts[0].type != "command":
                return self.eval_expr(parts[0])
        elif node.type not in ("command", "pipeline_chain"):
            return self.eval_expr(node)
        out: list = []
        self.exec_pipeline(node, out.append)
        return _collapse(out)

    def collect(self, node: Node) -> list:
        out: list = []
        if node.type in ("statement_list", "statement_block"):
            self.exec_statements(node, out.append)
        else:
            self.exec_statement_guarded(node, out.append)
        return out

    # ------------------------------------------------------------------ script blocks & functions
    def invoke_script_block(self, block: V.ScriptBlock, args: list, sink: Sink, *, new_scope: bool = True,
                            input_items: list | None = None, scope: Scope | None = None,
                            dollar_under: typing.Any = NO_INPUT, bound: dict | None = None) -> None:
        saved_source, saved_scope = self.source, self.ctx.scope
        self.source = block.source
        if scope is not None:
            self.ctx.scope = scope
        elif new_scope:
            self.ctx.scope = Scope(saved_scope)
        try:
            node = block.node
            params_node = self._find_param_block(node)
            if params_node is None and node.type == "script_block_expression":
                inner = next((c for c in node.named_children if c.type == "script_block"), None)
                params_node = self._find_param_block(inner)
            params, advanced = self.build_params(params_node)
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
            body = self._block_body(node)
            try:
                self.exec_body(body, sink, dollar_under)
            except ReturnSignal:
                pass
        finally:
            self.source, self.ctx.scope = saved_source, saved_scope

    def _block_body(self, node: Node) -> Node | None:
        if node.type == "program":
            return next((c for c in node.named_children if c.type in ("statement_list", "script_block_body", "named_block_list")),
                        None)
        if node.type in ("script_block_expression", "function_statement"):
            return next((c for c in node.named_children if c.type == "script_block"), None)
        return node

    def exec_body(self, body: Node | None, sink: Sink, dollar_under: typing.Any = NO_INPUT) -> None:
        if body is None:
            return
        if body.type == "script_block":
            inner = body.child_by_field_name("script_block_body")
            if inner is None:
                inner = next((c for c in body.named_children if c.type in ("script_block_body", "statement_list")), None)
            body = inner
            if body is None:
                return
        if body.type == "script_block_body":
            nbl = next((c for c in body.named_children if c.type == "named_block_list"), None)
            if nbl is not None:
                body = nbl
            else:
                sl = next((c for c in body.named_children if c.type == "statement_list"), None)
                if sl is None:
                    return
                body = sl
        if body.type == "named_block_list":
            # A plain script block invoked once: begin, process (once, with $_), end.
            for block in _named(body):
                self.exec_statements(next(c for c in block.named_children if c.type == "statement_block"), sink)
            del dollar_under
            return
        self.exec_statements(body, sink)

    def named_blocks(self, body: Node | None) -> dict[str, Node]:
        """begin/process/end blocks of a function or script block body; a plain body is `end`."""
        if body is None:
            return {}
        node = body
        if node.type == "script_block":
            node = node.child_by_field_name("script_block_body") or next(
                (c for c in node.named_children if c.type in ("script_block_body", "statement_list")), None)
            if node is None:
                return {}
        if node.type == "script_block_body":
            nbl = next((c for c in node.named_children if c.type == "named_block_list"), None)
            if nbl is None:
                sl = next((c for c in node.named_children if c.type == "statement_list"), None)
                return {"end": sl} if sl is not None else {}
            node = nbl
        if node.type == "named_block_list":
            out = {}
            for block in _named(node):
                name = self.text(next(c for c in block.named_children if c.type == "block_name")).lower()
                out[name] = next(c for c in block.named_children if c.type == "statement_block")
            return out
        return {"end": node}

    def bind_into_scope(self, params: list[Param], advanced: typing.Any, args: list[Arg], command: str,  # pylint: disable=too-many-arguments
                        prebound: dict | None = None, overlay: dict | None = None, expects_input: bool = False) -> dict:
        """Bind arguments into the current scope. ``overlay`` (dot-sourced commands): records the previous value of each
        automatic or preference variable set here, so that the command's end puts it back (PowerShell keeps them in
        a locals tuple pushed over the caller's scope)."""
        from .shouldprocess import CommandRuntime, PSScriptCmdlet, preference_values  # pylint: disable=import-outside-toplevel

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
                default_expr = _named(p.default)[0]
                value = self.eval_expr(default_expr)
                scope.set_local(p.name, V.cast(value, p.type_name) if p.type_name else value)
            else:
                scope.set_local(p.name, V.cast(None, p.type_name) if p.type_name and
                                p.type_name.full_name in ("System.Int32", "System.Int64", "System.Double",
                                                          "System.String", "System.Boolean") else None)
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

    # ------------------------------------------------------------------ assignment
    def eval_assignment(self, node: Node, want_value: bool = False) -> typing.Any:
        return ast_eval.assignment(self, ast_eval.lowered(node, self.source), want_value)  # runs on the AST (ast_eval/)

    def _unwrap(self, node: Node) -> Node:
        while node.type in _PASS_THROUGH and len(_named(node)) == 1:
            node = _named(node)[0]
        return node

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
            from . import providers  # pylint: disable=import-outside-toplevel

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
            from . import providers  # pylint: disable=import-outside-toplevel

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

    # ------------------------------------------------------------------ expressions
    def eval_expr(self, node: Node, allow_void: bool = False) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
        while node.type in _PASS_THROUGH:
            named = _named(node)
            if len(named) == 1 and not (node.type in ("string_literal", "integer_literal") and node.named_child_count == 0):
                node = named[0]
                continue
            break
        kind = node.type
        if kind in _ON_THE_AST:
            value = ast_eval.run_lowered(self, node)
            return None if is_void(value) and not allow_void else value
        handler = getattr(self, "_e_" + kind, None)
        if handler is None:
            if kind == "ERROR":
                raise ParseError(f"Unexpected token '{self.text(node)}' in expression or statement.", "UnexpectedToken")
            raise ParseError(f"Unexpected token '{self.text(node)}' in expression or statement.", "UnexpectedToken")
        value = handler(node)
        if is_void(value) and not allow_void:
            return None
        return value

    # literals

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

    def _e_command(self, node: Node) -> typing.Any:
        out: list = []
        self.run_pipeline([node], out.append, None)
        return _collapse(out)

    def _e_pipeline(self, node: Node) -> typing.Any:
        return self.eval_pipeline_value(node)

    def _e_pipeline_chain(self, node: Node) -> typing.Any:
        out: list = []
        self.exec_pipeline(node, out.append)
        return _collapse(out)

    def _e_assignment_expression(self, node: Node) -> typing.Any:
        return self.eval_assignment(node, want_value=True)

    def _e_simple_name(self, node: Node) -> str:
        return self.text(node)

    def _e_generic_token(self, node: Node) -> str:
        return self.text(node)


def _collapse(out: list) -> typing.Any:
    if not out:
        return None
    if len(out) == 1:
        return out[0]
    return out
