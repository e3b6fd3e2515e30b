"""Tree-walking evaluator over the tree-sitter CST: statements, expressions, pipelines, functions."""

from __future__ import annotations

import re
import typing

from psrpcore.types import ErrorRecord, PSChar, PSInt64, PSObject
from tree_sitter import Node

from . import ast_eval, tripwire, typeregistry
from . import values as V
from .binding import Arg, CmdletBindingInfo, Param, apply_default_values, bind, bound_parameters_table
from .context import ExecutionContext, normalize_action
from .dotnet import Enumerator
from .errors import (
    BreakSignal,
    ContinueSignal,
    ExitSignal,
    ParseError,
    PSError,
    ReturnSignal,
    error_from_record,
    null_index,
)
from .formatting import format_operator
from .members import get_property, get_static, has_property, invoke_method, is_void, set_property, void_value
from . import parametersets
from .dotnet import NetObject
from .parser import node_text, parse, using_namespaces
from .scopes import Scope, Variable
from .standins.runtime import set_current_engine
from .syntax.literals import unescape as _unescape

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

_UNSUPPORTED_STATEMENTS = {
    "class_statement": "class definitions", "enum_statement": "enum definitions", "trap_statement": "trap statements",
    "data_statement": "data sections", "parallel_statement": "parallel blocks", "sequence_statement": "sequence blocks",
    "inlinescript_statement": "inlinescript blocks",
}


def _record_with_exception(record: ErrorRecord, exception: typing.Any) -> ErrorRecord:
    """`new ErrorRecord(record, exception)`: the same record around another exception (what a typed catch that matched
    an inner exception sees as `$_`)."""
    copy = ErrorRecord(Exception=exception, CategoryInfo=record.CategoryInfo, TargetObject=record.TargetObject,
                       FullyQualifiedErrorId=record.FullyQualifiedErrorId, InvocationInfo=record.InvocationInfo)
    copy.PSObject.to_string = str(getattr(exception, "Message", "") or "")
    return copy


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
        elif kind == "if_statement":
            self.exec_if(node, sink)
        elif kind == "foreach_statement":
            self.exec_foreach(node, sink)
        elif kind == "for_statement":
            self.exec_for(node, sink)
        elif kind == "while_statement":
            self.exec_while(node, sink)
        elif kind == "do_statement":
            self.exec_do(node, sink)
        elif kind == "switch_statement":
            self.exec_switch(node, sink)
        elif kind == "try_statement":
            self.exec_try(node, sink)
        elif kind == "function_statement":
            self.define_function(node)
        elif kind == "flow_control_statement":
            self.exec_flow(node, sink)
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
    def exec_if(self, node: Node, sink: Sink) -> None:
        cond = node.child_by_field_name("condition")
        blocks = [c for c in node.children if c.type == "statement_block"]
        if V.to_bool(self.eval_pipeline_value(cond)):
            self.exec_statements(blocks[0], sink)
            return
        elseifs = node.child_by_field_name("elseif_clauses")
        if elseifs is not None:
            for clause in _named(elseifs):
                if V.to_bool(self.eval_pipeline_value(clause.child_by_field_name("condition"))):
                    self.exec_statements(next(c for c in clause.children if c.type == "statement_block"), sink)
                    return
        else_clause = node.child_by_field_name("else_clause")
        if else_clause is not None:
            self.exec_statements(next(c for c in else_clause.children if c.type == "statement_block"), sink)

    def _loop_body(self, body: Node, sink: Sink) -> bool:
        """Run one loop iteration; False means `break`."""
        self.ctx.check_stop()
        try:
            self.exec_statements(body, sink)
        except BreakSignal:
            return False
        except ContinueSignal:
            return True
        return True

    def exec_foreach(self, node: Node, sink: Sink) -> None:
        var = next(c for c in node.named_children if c.type == "variable")
        source_node = next(c for c in node.named_children if c.type == "pipeline")
        body = next(c for c in node.children if c.type == "statement_block")
        collection = self.eval_pipeline_value(source_node)
        items: typing.Iterable
        if isinstance(collection, Enumerator):
            items = collection.iterate()  # consumed one by one: a `break` leaves the rest of $input unread
        else:
            items = V.as_list(collection) if not isinstance(collection, dict) else [collection]
        name = self.text(var)
        for item in items:
            self.assign_variable(name, item)
            if not self._loop_body(body, sink):
                break

    def exec_for(self, node: Node, sink: Sink) -> None:
        init = node.child_by_field_name("for_initializer")
        cond = node.child_by_field_name("for_condition")
        step = node.child_by_field_name("for_iterator")
        body = next(c for c in node.children if c.type == "statement_block")
        if init is not None:
            self.exec_statement(_named(init)[0], lambda _v: None)
        while True:
            if cond is not None and not V.to_bool(self.eval_pipeline_value(_named(cond)[0])):
                break
            if not self._loop_body(body, sink):
                break
            if step is not None:
                self.exec_statement(_named(step)[0], lambda _v: None)

    def exec_while(self, node: Node, sink: Sink) -> None:
        cond = node.child_by_field_name("condition")
        body = next(c for c in node.children if c.type == "statement_block")
        while V.to_bool(self.eval_pipeline_value(cond)):
            if not self._loop_body(body, sink):
                break

    def exec_do(self, node: Node, sink: Sink) -> None:
        cond = node.child_by_field_name("condition")
        body = next(c for c in node.children if c.type == "statement_block")
        until = any(c.type == "until" for c in node.children)
        while True:
            if not self._loop_body(body, sink):
                break
            result = V.to_bool(self.eval_pipeline_value(cond))
            if result == until:
                break

    def exec_switch(self, node: Node, sink: Sink) -> None:  # pylint: disable=too-many-branches,too-many-locals
        flags = set()
        params = next((c for c in node.named_children if c.type == "switch_parameters"), None)
        if params is not None:
            for p in params.named_children:
                flags.add(self.text(p).lower().lstrip("-"))
        if "file" in flags:
            raise ParseError("switch -file is not supported by this host.", "UnexpectedToken")
        cond_node = next(c for c in node.named_children if c.type == "switch_condition")
        value = self.eval_pipeline_value(_named(cond_node)[0])
        items = V.as_list(value) if isinstance(value, (list, tuple)) else [value]
        body = next(c for c in node.named_children if c.type == "switch_body")
        clauses_node = next((c for c in body.named_children if c.type == "switch_clauses"), None)
        clauses = [c for c in clauses_node.named_children if c.type == "switch_clause"] if clauses_node else []
        case_sensitive = "casesensitive" in flags
        saved = self.ctx.scope.lookup("_")
        saved_value = saved.value if saved else None
        try:
            for item in items:
                self.ctx.check_stop()
                self.ctx.scope.set_local("_", item)
                matched = False
                default_clause = None
                stop = False
                for clause in clauses:
                    cond = next(c for c in clause.named_children if c.type == "switch_clause_condition")
                    block = next(c for c in clause.named_children if c.type == "statement_block")
                    cond_text = self.text(cond)
                    if cond_text.lower() == "default":
                        default_clause = block
                        continue
                    if self._switch_matches(cond, item, flags, case_sensitive):
                        matched = True
                        try:
                            self.exec_statements(block, sink)
                        except BreakSignal:
                            stop = True
                            break
                        except ContinueSignal:
                            break
                if stop:
                    break
                if not matched and default_clause is not None:
                    try:
                        self.exec_statements(default_clause, sink)
                    except BreakSignal:
                        break
                    except ContinueSignal:
                        continue
        finally:
            if saved is not None:
                self.ctx.scope.set_local("_", saved_value)

    def _switch_matches(self, cond: Node, item: typing.Any, flags: set, case_sensitive: bool) -> bool:
        inner = _named(cond)
        if inner and inner[0].type == "script_block_expression":
            block = self.eval_expr(inner[0])
            return V.to_bool(self.invoke_script_block_value(block, [], dollar_under=item))
        if inner:
            pattern = self.eval_expr(inner[0])
        else:
            pattern = self.eval_fragment(self.text(cond))
        if "regex" in flags:
            match = V.compile_regex(V.to_string(pattern), case_sensitive).search(V.to_string(item))
            if match:
                self.ctx.scope.set_local("Matches", _matches_table(match))
            return match is not None
        if "wildcard" in flags:
            return V.like(item, pattern, case_sensitive)
        return V.equals(item, pattern, case_sensitive)

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

    def exec_try(self, node: Node, sink: Sink) -> None:  # pylint: disable=too-many-branches
        body = next(c for c in node.children if c.type == "statement_block")
        catches_node = next((c for c in node.named_children if c.type == "catch_clauses"), None)
        catches = [c for c in catches_node.named_children if c.type == "catch_clause"] if catches_node else []
        finally_node = next((c for c in node.named_children if c.type == "finally_clause"), None)
        try:
            self.ctx.try_depth += 1
            try:
                self.exec_statements(body, sink)
            finally:
                self.ctx.try_depth -= 1
        except PSError as err:
            record = err.to_record()
            handler, caught = self._find_catch(catches, record)
            if handler is None:
                raise
            err.terminating = False
            self.ctx.add_to_error_list(record)
            if caught is not record.Exception:
                record = _record_with_exception(record, caught)
            saved = self.ctx.scope.lookup("_")
            saved_value = saved.value if saved else None
            self.ctx.scope.set_local("_", record)
            self.ctx.scope.set_local("PSItem", record)
            self.ctx.catch_depth += 1
            try:
                self.exec_statements(next(c for c in handler.children if c.type == "statement_block"), sink)
            finally:
                self.ctx.catch_depth -= 1
                self.ctx.scope.set_local("_", saved_value)
                self.ctx.scope.set_local("PSItem", saved_value)
        finally:
            if finally_node is not None:
                self.exec_statements(next(c for c in finally_node.children if c.type == "statement_block"), sink)

    def _find_catch(self, catches: list[Node], record: ErrorRecord) -> tuple[Node | None, typing.Any]:
        """The catch clause for an error and the exception it catches, as 5.1's ExceptionHandlingOps.FindMatchingHandler
        chooses them: the inner exception first (so `catch [System.IO.IOException]` catches a .NET method's exception
        wrapped in a MethodInvocationException, and `$_.Exception` is then that inner exception), unless only a
        catch-all takes it; then the exception itself. Among the clauses: the exact type, then a base type, then a
        catch-all (FindMatchingHandlerByType)."""
        exception = record.Exception
        inner = getattr(exception, "InnerException", None)
        if inner is not None and getattr(inner, "PSObject", None) is not None:
            clause, catch_all = self._match_catch(catches, inner)
            if clause is not None and not catch_all:
                return clause, inner
        clause, _catch_all = self._match_catch(catches, exception)
        return clause, exception

    def _match_catch(self, catches: list[Node], exception: typing.Any) -> tuple[Node | None, bool]:
        exc_types = [n.lower() for n in exception.PSObject.type_names] if exception is not None else []
        typed: list[tuple[Node, list[str]]] = []
        catch_all = None
        for clause in catches:
            type_list = next((c for c in clause.named_children if c.type == "catch_type_list"), None)
            if type_list is None:
                catch_all = catch_all or clause
                continue
            typed.append((clause, [self.resolve_type_literal(lit).full_name.lower()
                                   for lit in type_list.named_children if lit.type == "type_literal"]))
        for clause, wanted in typed:
            if exc_types and exc_types[0] in wanted:
                return clause, False
        for clause, wanted in typed:
            if any(w in exc_types or w == "system.object" for w in wanted):
                return clause, False
        return catch_all, catch_all is not None

    def exec_flow(self, node: Node, sink: Sink) -> None:
        keyword = node.children[0].type.lower()
        operand = next((c for c in node.named_children if c.type == "pipeline"), None)
        label = next((c for c in node.named_children if c.type in ("label_expression", "simple_name")), None)
        if keyword == "break":
            raise BreakSignal(self.text(label) if label is not None else None)
        if keyword == "continue":
            raise ContinueSignal(self.text(label) if label is not None else None)
        if keyword == "return":
            if operand is not None:
                self.exec_pipeline(operand, sink)
            raise ReturnSignal()
        if keyword == "exit":
            code = 0
            if operand is not None:
                value = self.eval_pipeline_value(operand)
                try:
                    code = V.cast(value, V.TypeValue("System.Int32"))
                except PSError:
                    code = 0
            raise ExitSignal(code)
        if keyword == "throw":
            if operand is None:
                current = self.ctx.scope.lookup("_")
                if self.ctx.catch_depth and current is not None and isinstance(current.value, ErrorRecord):
                    # A bare `throw` inside catch rethrows the error being handled.
                    raise error_from_record(current.value, terminating=True)
            value = self.eval_pipeline_value(operand) if operand is not None else None
            raise self.throw_error(value)
        raise ParseError(f"Unexpected token '{keyword}' in expression or statement.", "UnexpectedToken")

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
        from .commands import build_processor, command_redirections  # pylint: disable=import-outside-toplevel

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
            downstream = processors[i + 1].process if i + 1 < len(processors) else final
            # A command's own redirections (`cmd args > $null`: the grammar puts them in its elements) apply to it.
            proc.emit = self._redirect_sink(command_redirections(self, stages[i]), downstream)
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
        left = node.children[0]
        op = self.text(next(c for c in node.children if c.type == "assignement_operator")).strip()
        value_node = node.child_by_field_name("value")
        value = self.assignment_value(value_node)
        target = self._unwrap(left)
        if op != "=":
            current = self.eval_expr(target)
            func = {"+=": V.add, "-=": V.subtract, "*=": V.multiply, "/=": V.divide, "%=": V.modulo}.get(op)
            if func is None:
                raise ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")
            value = func(current, value)
        self.assign_to(target, value)
        return value if want_value else None

    def assignment_value(self, value_node: Node | None) -> typing.Any:
        if value_node is None:
            return None
        if value_node.type == "pipeline":
            named = _named(value_node)
            if len(named) == 1 and named[0].type == "assignment_expression":
                return self.eval_assignment(named[0], want_value=True)
            return self.eval_pipeline_value(value_node)
        if value_node.type == "assignment_expression":
            return self.eval_assignment(value_node, want_value=True)
        out = self.collect(value_node)
        return _collapse(out)

    def _unwrap(self, node: Node) -> Node:
        while node.type in _PASS_THROUGH and len(_named(node)) == 1:
            node = _named(node)[0]
        return node

    def assign_to(self, target: Node, value: typing.Any) -> None:  # pylint: disable=too-many-branches
        kind = target.type
        if kind == "variable":
            self.assign_variable(self.text(target), value)
        elif kind == "member_access":
            obj = self.eval_expr(target.children[0])
            name = self.member_name(target)
            if isinstance(obj, V.TypeValue):
                net_type = typeregistry.registered(obj.full_name)
                if net_type is not None and net_type.set_static_property(name, value):
                    return
                raise PSError(f"'{name}' is a ReadOnly property.", fqid="PropertyAssignmentException",
                              category="InvalidOperation")
            if obj is None:
                raise PSError(f"The property '{name}' cannot be found on this object. Verify that the property exists and "
                              "can be set.", fqid="PropertyNotFound", category="InvalidOperation")
            set_property(obj, name, value)
        elif kind == "element_access":
            obj = self.eval_expr(target.children[0])
            index = self.eval_expr(_named(target)[1])
            self.set_index(obj, index, value)
        elif kind == "expression_with_unary_operator" and _named(target) and _named(target)[0].type == "cast_expression":
            self.assign_to(_named(target)[0], value)
        elif kind == "cast_expression":
            type_value = self.resolve_type_literal(_named(target)[0])
            inner = self._unwrap(_named(target)[1])
            self.assign_to(inner, V.cast(value, type_value))
        elif kind == "array_literal_expression":
            targets = [self._unwrap(c) for c in _named(target)]
            items = V.as_list(value)
            for i, t in enumerate(targets):
                if i == len(targets) - 1:
                    rest = items[i:]
                    self.assign_to(t, _collapse(rest) if len(rest) != 1 else rest[0])
                else:
                    self.assign_to(t, items[i] if i < len(items) else None)
        elif kind == "parenthesized_expression":
            self.assign_to(self._unwrap(_named(target)[0]), value)
        else:
            raise PSError("The assignment expression is not valid. The input to an assignment operator must be an object "
                          "that is able to accept assignments, such as a variable or a property.",
                          exception_type="System.Management.Automation.ParseException", fqid="InvalidLeftHandSide",
                          category="ParserError", reason="ParseException", terminating=True)

    def set_index(self, obj: typing.Any, index: typing.Any, value: typing.Any) -> None:
        if obj is None:
            raise null_index()
        if isinstance(obj, dict):
            obj[index] = value
            return
        if isinstance(obj, list):
            i = V.cast(index, V.TypeValue("System.Int32"))
            if i < 0:
                i += len(obj)
            if not 0 <= i < len(obj):
                raise PSError("Index was outside the bounds of the array.", exception_type="System.IndexOutOfRangeException",
                              fqid="System.IndexOutOfRangeException", category="OperationStopped",
                              reason="IndexOutOfRangeException")
            obj[i] = value
            return
        raise PSError(f"Unable to index into an object of type {V.ps_type_name(obj)}.", fqid="CannotIndex",
                      category="InvalidOperation")

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
    def _e_integer_literal(self, node: Node) -> typing.Any:
        return ast_eval.run_lowered(self, node)  # runs on the AST (ast_eval.py)

    _e_decimal_integer_literal = _e_integer_literal
    _e_hexadecimal_integer_literal = _e_integer_literal
    _e_real_literal = _e_integer_literal
    _e_verbatim_string_characters = _e_integer_literal
    _e_verbatim_here_string_characters = _e_integer_literal

    def _e_expandable_string_literal(self, node: Node) -> str:
        return self.expand_string(node, 1, 1, here=False)

    def _e_expandable_here_string_literal(self, node: Node) -> str:
        raw = self.text(node)
        start = raw.find("\n") + 1
        end = max(raw.rfind("\n"), start)
        trail = len(raw) - end
        return self.expand_string(node, start, trail, here=True)

    def _e_string_literal(self, node: Node) -> str:
        return self._e_verbatim_string_characters(node)

    def expand_string(self, node: Node, head: int, tail: int, here: bool) -> str:
        body_start = node.start_byte + head
        body_end = node.end_byte - tail
        pieces: list[str] = []
        pos = body_start
        for child in node.named_children:
            if child.type not in ("variable", "sub_expression"):
                continue
            if child.start_byte < body_start or child.end_byte > body_end:
                continue
            literal = self.source[pos:child.start_byte].decode("utf-8", "replace")
            if _escaped_dollar(literal):
                continue
            pieces.append(_unescape(literal, here))
            if child.type == "variable":
                pieces.append(V.to_string(self.read_variable(self.text(child), in_string=True), self._ofs()))
            else:
                stmts = child.child_by_field_name("statements")
                out = self.collect(stmts) if stmts is not None else []
                pieces.append(V.to_string(_collapse(out) if len(out) != 1 else out[0], self._ofs()))
            pos = child.end_byte
        pieces.append(_unescape(self.source[pos:body_end].decode("utf-8", "replace"), here))
        return "".join(pieces)

    def _ofs(self) -> str:
        value = self.get_variable("$OFS")
        return " " if value is None else V.to_string(value)

    def _e_variable(self, node: Node) -> typing.Any:
        text = self.text(node)
        if text.startswith("@"):
            raise ParseError("Splatted variables like '@" + text[1:] + "' cannot be part of a comma-separated list of "
                             "arguments.", "SplattingNotPermitted")
        return self.read_variable(text)

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

    def _e_type_literal(self, node: Node) -> V.TypeValue:
        return self.resolve_type_literal(node)

    def resolve_type_literal(self, node: Node) -> V.TypeValue:
        spec = next((c for c in node.named_children if c.type == "type_spec"), node)
        return V.resolve_type(self.text(spec), using_namespaces(self.source))

    def _e_parenthesized_expression(self, node: Node) -> typing.Any:
        inner = _named(node)
        if not inner:
            return None
        return self.eval_pipeline_value(inner[0])

    def _e_sub_expression(self, node: Node) -> typing.Any:
        stmts = node.child_by_field_name("statements")
        out = self.collect(stmts) if stmts is not None else []
        return _collapse(out)

    def _e_array_expression(self, node: Node) -> list:
        stmts = node.child_by_field_name("statements")
        return self.collect(stmts) if stmts is not None else []

    def _e_hash_literal_expression(self, node: Node) -> V.PSHashtable:
        return ast_eval.run_lowered(self, node)  # runs on the AST (ast_eval.py)

    def _e_script_block_expression(self, node: Node) -> V.ScriptBlock:
        return V.ScriptBlock(node, self.source)

    def _e_array_literal_expression(self, node: Node) -> list:
        return ast_eval.run_lowered(self, node)  # runs on the AST (ast_eval.py)

    def _e_range_expression(self, node: Node) -> list:
        parts = _named(node)
        start = V.cast(self.eval_expr(parts[0]), V.TypeValue("System.Int32"))
        end = V.cast(self.eval_expr(parts[1]), V.TypeValue("System.Int32"))
        step = 1 if end >= start else -1
        if abs(end - start) > 50_000_000:
            raise PSError("The range is too large for the fake Windows host.", fqid="RangeTooLarge", category="InvalidOperation")
        return list(range(start, end + step, step))

    def _binary_parts(self, node: Node) -> tuple[Node, str, Node]:
        children = [c for c in node.children if c.type not in ("comment",)]
        left, op, right = children[0], children[1], children[-1]
        return left, self.text(op).strip().lower(), right

    def _e_additive_expression(self, node: Node) -> typing.Any:
        left, op, right = self._binary_parts(node)
        lv, rv = self.eval_expr(left), self.eval_expr(right)
        return V.add(lv, rv) if op == "+" else V.subtract(lv, rv)

    def _e_multiplicative_expression(self, node: Node) -> typing.Any:
        left, op, right = self._binary_parts(node)
        lv, rv = self.eval_expr(left), self.eval_expr(right)
        if op == "*":
            return V.multiply(lv, rv)
        if op == "/":
            return V.divide(lv, rv)
        return V.modulo(lv, rv)

    def _e_format_expression(self, node: Node) -> str:
        left, _unused, right = self._binary_parts(node)
        fmt = V.to_string(self.eval_expr(left))
        args = self.eval_expr(right)
        return format_operator(fmt, V.as_list(args) if isinstance(args, (list, tuple)) else [args])

    def _e_logical_expression(self, node: Node) -> bool:
        left, op, right = self._binary_parts(node)
        lv = V.to_bool(self.eval_expr(left))
        if op == "-and":
            return lv and V.to_bool(self.eval_expr(right))
        if op == "-or":
            return lv or V.to_bool(self.eval_expr(right))
        if op == "-xor":
            return lv != V.to_bool(self.eval_expr(right))
        raise ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")

    def _e_bitwise_expression(self, node: Node) -> typing.Any:
        left, op, right = self._binary_parts(node)
        lv = V.to_number(self.eval_expr(left))
        rv = V.to_number(self.eval_expr(right))
        if isinstance(lv, float) or isinstance(rv, float):
            lv, rv = V.cast(lv, V.TypeValue("System.Int64")), V.cast(rv, V.TypeValue("System.Int64"))
        ops = {"-band": lambda a, b: a & b, "-bor": lambda a, b: a | b, "-bxor": lambda a, b: a ^ b}
        if op not in ops:
            raise ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")
        result = ops[op](int(lv), int(rv))
        return PSInt64(result) if isinstance(lv, PSInt64) or isinstance(rv, PSInt64) else V.make_int(result)

    def _e_comparison_expression(self, node: Node) -> typing.Any:
        left, op, right = self._binary_parts(node)
        lv = self.eval_expr(left)
        rv = self.eval_expr(right)
        return self.compare_op(op, lv, rv)

    def compare_op(self, op: str, lv: typing.Any, rv: typing.Any) -> typing.Any:  # pylint: disable=too-many-return-statements,too-many-branches
        case = op.startswith("-c")
        base = op[2:] if op[1:2] in ("c", "i") and op[2:] in _COMPARISON_BASES else op[1:]
        if base in ("is", "isnot"):
            type_value = rv if isinstance(rv, V.TypeValue) else V.resolve_type(V.to_string(rv))
            result = V.is_instance(lv, type_value)
            return result if base == "is" else not result
        if base == "as":
            type_value = rv if isinstance(rv, V.TypeValue) else V.resolve_type(V.to_string(rv))
            try:
                return V.cast(lv, type_value)
            except PSError:
                return None
        if base in ("contains", "notcontains"):
            found = any(V.equals(item, rv, case) for item in V.as_list(lv)) if lv is not None else False
            return found if base == "contains" else not found
        if base in ("in", "notin"):
            found = any(V.equals(item, lv, case) for item in V.as_list(rv)) if rv is not None else False
            return found if base == "in" else not found
        if base == "replace":
            pattern, replacement = (rv, "") if not isinstance(rv, (list, tuple)) else (rv[0], rv[1] if len(rv) > 1 else "")
            regex = V.compile_regex(V.to_string(pattern), case)
            repl = V.dotnet_replacement(V.to_string(replacement))
            if isinstance(lv, (list, tuple)):
                return [regex.sub(repl, V.to_string(x)) for x in lv]
            return regex.sub(repl, V.to_string(lv))
        if base == "split":
            items = V.as_list(lv) if isinstance(lv, (list, tuple)) else [lv]
            pattern = rv[0] if isinstance(rv, (list, tuple)) else rv
            regex = V.compile_regex(V.to_string(pattern), case)
            out: list = []
            for item in items:
                out.extend(regex.split(V.to_string(item)))
            return out
        if base == "join":
            return V.to_string(rv).join(V.to_string(x) for x in V.as_list(lv))
        if base not in _COMPARISON_BASES:
            raise ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")
        if isinstance(lv, (list, tuple)):
            return [item for item in lv if self._scalar_compare(base, item, rv, case, set_matches=False)]
        return self._scalar_compare(base, lv, rv, case, set_matches=True)

    def _scalar_compare(self, base: str, lv: typing.Any, rv: typing.Any, case: bool, set_matches: bool) -> bool:  # pylint: disable=too-many-return-statements
        if base == "eq":
            return V.equals(lv, rv, case)
        if base == "ne":
            return not V.equals(lv, rv, case)
        if base in ("gt", "ge", "lt", "le"):
            result = V.compare(lv, rv, case)
            return {"gt": result > 0, "ge": result >= 0, "lt": result < 0, "le": result <= 0}[base]
        if base in ("like", "notlike"):
            result_like = V.like(lv, rv, case)
            return result_like if base == "like" else not result_like
        if base in ("match", "notmatch"):
            match = V.compile_regex(V.to_string(rv), case).search(V.to_string(lv))
            if match and set_matches:
                self.ctx.scope.set_local("Matches", _matches_table(match))
            return (match is not None) if base == "match" else match is None
        raise ParseError(f"Unexpected token '-{base}' in expression or statement.", "UnexpectedToken")

    def _e_expression_with_unary_operator(self, node: Node) -> typing.Any:  # pylint: disable=too-many-return-statements
        named = _named(node)
        if len(named) == 1 and named[0].type in ("cast_expression", "pre_increment_expression", "pre_decrement_expression"):
            return self.eval_expr(named[0], allow_void=True)
        op = self.text(node.children[0]).strip().lower()
        operand = node.children[-1]
        if op == ",":
            return [self.eval_expr(operand)]
        value = self.eval_expr(operand)
        if op in ("-not", "!"):
            return not V.to_bool(value)
        if op == "-":
            return V.negate(value)
        if op == "+":
            return V.to_number(value) if not isinstance(value, (list, tuple)) else value
        if op == "-bnot":
            num = V.to_number(value)
            return V.make_int(~int(num))
        if op == "-join":
            return "".join(V.to_string(x) for x in V.as_list(value))
        if op == "-split":
            return re.split(r"\s+", V.to_string(value).strip())
        raise ParseError(f"Unexpected token '{op}' in expression or statement.", "UnexpectedToken")

    def _e_cast_expression(self, node: Node) -> typing.Any:
        named = _named(node)
        type_value = self.resolve_type_literal(named[0])
        inner = self._unwrap(named[1])
        if type_value.full_name == "System.Collections.Specialized.OrderedDictionary" and inner.type == "hash_literal_expression":
            return V.PSOrderedDict(self.eval_expr(inner))
        if type_value.full_name == "System.Management.Automation.PSReference":
            return self.reference(inner)
        value = self.eval_expr(inner)
        if type_value.full_name == "System.Void":
            return void_value()
        return V.cast(value, type_value)

    def reference(self, inner: Node) -> typing.Any:
        """[ref]$var refers to the variable itself (a method's out parameter writes it); [ref](expr) to a value."""
        from .dotnet import PSReference  # pylint: disable=import-outside-toplevel

        if inner.type == "variable":
            raw = self.text(inner)
            name, qualifier = self.split_variable(raw)
            if name.lower() == "null" and qualifier is None:
                return PSReference(discard=True)
            if qualifier is None:
                var = self.ctx.scope.lookup(name)
            elif qualifier in ("global", "script", "local", "private"):
                var = self.scope_for(qualifier).variables.get(name.lower())
            else:
                var = None
            if var is None:
                raise PSError("[ref] cannot be applied to a variable that does not exist.", fqid="NonExistingVariableReference",
                              category="InvalidOperation", reason="RuntimeException")
            return PSReference(variable=var)
        value = self.eval_expr(inner)
        return value if isinstance(value, PSReference) else PSReference(value)

    def _increment(self, target: Node, delta: int, prefix: bool) -> typing.Any:
        target = self._unwrap(target)
        old = self.eval_expr(target)
        new = V.add(old if old is not None else 0, delta)
        self.assign_to(target, new)
        return new if prefix else (old if old is not None else 0)

    def _e_post_increment_expression(self, node: Node) -> typing.Any:
        return self._increment(node.children[0], 1, False)

    def _e_post_decrement_expression(self, node: Node) -> typing.Any:
        return self._increment(node.children[0], -1, False)

    def _e_pre_increment_expression(self, node: Node) -> typing.Any:
        return self._increment(node.children[-1], 1, True)

    def _e_pre_decrement_expression(self, node: Node) -> typing.Any:
        return self._increment(node.children[-1], -1, True)

    def member_name(self, node: Node) -> str:
        name_node = next(c for c in node.children if c.type == "member_name")
        inner = _named(name_node)
        if inner and inner[0].type != "simple_name":
            return V.to_string(self.eval_expr(inner[0]))
        return self.text(name_node)

    def _e_member_access(self, node: Node) -> typing.Any:
        obj = self.eval_expr(node.children[0])
        name = self.member_name(node)
        static = any(c.type == "::" for c in node.children)
        if static:
            if not isinstance(obj, V.TypeValue):
                raise PSError("Unable to find type.", fqid="TypeNotFound", category="InvalidOperation")
            return get_static(obj, name, strict=self.ctx.scope.strict_version() >= 2)
        value = get_property(obj, name)
        if self.ctx.scope.strict_version() >= 2 and not _member_exists(obj, name):
            # Set-StrictMode 2+: a property that does not exist is an error; so are the intrinsic Count and Length of a
            # scalar or $null in 5.1 (PowerShell/PowerShell#2798). A dictionary's missing key is not a property.
            raise PSError(f"The property '{name}' cannot be found on this object. Verify that the property exists.",
                          exception_type="System.Management.Automation.PropertyNotFoundException",
                          fqid="PropertyNotFoundStrict", category="NotSpecified", reason="PropertyNotFoundException")
        return value

    def _e_invokation_expression(self, node: Node) -> typing.Any:
        obj = self.eval_expr(node.children[0])
        name = self.member_name(node)
        arg_list = next((c for c in node.children if c.type == "argument_list"), None)
        args: list = []
        if arg_list is not None:
            expr_list = arg_list.child_by_field_name("argument_expression_list")
            if expr_list is not None:
                args = [self.eval_expr(c) for c in _named(expr_list)]
        if any(c.type == "::" for c in node.children):
            if not isinstance(obj, V.TypeValue):
                raise PSError("Unable to find type.", fqid="TypeNotFound", category="InvalidOperation")
        # C# stand-ins call back into the calling script's session (standins/runtime.py).
        previous = set_current_engine(self)
        try:
            return self._call_member(obj, name, args)
        finally:
            set_current_engine(previous)

    def _call_member(self, obj: typing.Any, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "getsteppablepipeline" and isinstance(obj, V.ScriptBlock) and not args:
            from .clr.engine import SteppablePipeline  # pylint: disable=import-outside-toplevel

            return SteppablePipeline(self, obj)
        if low in ("where", "_foreachmethod", "foreach") and args and isinstance(args[0], V.ScriptBlock):
            return self._magic_method(obj, low, args)
        if isinstance(obj, (list, tuple)) and name.lower() not in _LIST_METHODS:
            # Method calls enumerate over arrays (PowerShell 3+ member enumeration).
            results = [invoke_method(item, name, args, self._invoke_block_method) for item in obj]
            results = [r for r in results if not is_void(r)]
            return _collapse(results)
        return invoke_method(obj, name, args, self._invoke_block_method)

    def _magic_method(self, obj: typing.Any, name: str, args: list) -> list:
        """The intrinsic .Where({}) / .ForEach({}) methods every collection (and scalar) has."""
        items = V.as_list(obj) if not isinstance(obj, dict) else [obj]
        block = args[0]
        results: list = []
        for item in items:
            out: list = []
            self.invoke_script_block(block, list(args[1:]), out.append, new_scope=False, dollar_under=item)
            if name == "where":
                if V.to_bool(_collapse(out)):
                    results.append(item)
            else:
                results.extend(out)
        return results

    def _invoke_block_method(self, block: V.ScriptBlock, args: list) -> typing.Any:
        return self.invoke_script_block_value(block, args)

    def _e_element_access(self, node: Node) -> typing.Any:
        obj = self.eval_expr(node.children[0])
        index = self.eval_expr(_named(node)[1])
        return self.get_index(obj, index)

    def get_index(self, obj: typing.Any, index: typing.Any) -> typing.Any:  # pylint: disable=too-many-return-statements
        if obj is None:
            raise null_index()
        indexer = getattr(obj, "item", None)
        if indexer is not None and isinstance(obj, NetObject) and not isinstance(obj, list):
            # A .NET object with an indexer (its Item property: GroupCollection["name"], ...).
            return indexer(index)
        if isinstance(obj, dict):
            if isinstance(index, (list, tuple)):
                return [obj.get(i) for i in index]
            return obj.get(index)
        if isinstance(obj, (list, tuple, str)):
            if isinstance(index, (list, tuple)):
                results = [self.get_index(obj, i) for i in index]
                return [r for r in results if r is not None] if isinstance(obj, (list, tuple)) else results
            i = V.cast(index, V.TypeValue("System.Int32"))
            if i < 0:
                i += len(obj)
            if not 0 <= i < len(obj):
                if isinstance(obj, str) or self.ctx.scope.strict_version() >= 3:
                    # Strict mode 3 (5.1's Latest) makes an index outside an array an error, as it always is for a string.
                    raise PSError("Index was outside the bounds of the array.", exception_type="System.IndexOutOfRangeException",
                                  fqid="System.IndexOutOfRangeException", category="NotSpecified",
                                  reason="IndexOutOfRangeException")
                return None
            item = obj[i]
            return PSChar(item) if isinstance(obj, str) else item
        if isinstance(obj, PSObject):
            if isinstance(index, int) and index in (0, -1):
                return obj
            return get_property(obj, V.to_string(index))
        if isinstance(index, int) and index in (0, -1):
            return obj
        raise PSError(f"Unable to index into an object of type {V.ps_type_name(obj)}.", fqid="CannotIndex",
                      category="InvalidOperation")

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


_COMPARISON_BASES = {"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                     "notcontains", "in", "notin", "replace", "split", "is", "isnot", "as", "join"}
_LIST_METHODS = {"add", "contains", "indexof", "toarray", "gettype", "tostring", "clear", "remove", "removeat",
                 "insert", "addrange", "clone", "equals", "gethashcode", "getenumerator", "count"}


def _member_exists(obj: typing.Any, name: str) -> bool:
    """Whether a property read found a member (for strict mode): own members, or any element's for an array."""
    if obj is None:
        return False
    if isinstance(obj, dict) or has_property(obj, name):
        return True
    from .clr.automation import method_as_property, psobject_of  # pylint: disable=import-outside-toplevel
    from .dotnet import missing  # pylint: disable=import-outside-toplevel
    if (name.lower() == "psobject" and psobject_of(obj) is not missing()) or method_as_property(obj, name) is not missing():
        return True  # the intrinsic PSObject member, or a method read as a property (PSMethod), exist under strict mode
    if isinstance(obj, (list, tuple)):
        return any(_member_exists(item, name) for item in obj)
    return False


def _collapse(out: list) -> typing.Any:
    if not out:
        return None
    if len(out) == 1:
        return out[0]
    return out


def _escaped_dollar(literal: str) -> bool:
    """True if the text before a $var ends with an unescaped backtick (so `$x is literal)."""
    count = 0
    for ch in reversed(literal):
        if ch != "`":
            break
        count += 1
    return count % 2 == 1


def _matches_table(match: re.Match) -> V.PSHashtable:
    table = V.PSHashtable()
    names = {v: k for k, v in match.re.groupindex.items()}
    for i in range(match.re.groups, -1, -1):
        group = match.group(i)
        if group is None:
            continue
        key: typing.Any = names.get(i, i)
        table[key] = group
    return table


# A method argument holding an operator (`$list.Add("/define:" + $x)`) parses as the `*_argument_expression`
# forms of the same binary expressions: evaluate them the same way.
for _kind in ("additive", "multiplicative", "format", "logical", "bitwise", "comparison", "range"):
    if not hasattr(Evaluator, f"_e_{_kind}_argument_expression"):
        setattr(Evaluator, f"_e_{_kind}_argument_expression", getattr(Evaluator, f"_e_{_kind}_expression"))
