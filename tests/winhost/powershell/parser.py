"""tree-sitter-powershell wrapper: parse, work around grammar gaps, report PowerShell parse errors."""

from __future__ import annotations

import functools
import re
import threading
import typing

import tree_sitter_powershell
from tree_sitter import Language, Node, Parser, Tree

from . import argmode
from .errors import ParseError

_LANGUAGE = Language(tree_sitter_powershell.language())
_LOCAL = threading.local()


def _parser() -> Parser:
    # tree-sitter parsers are not thread-safe; pipelines and jobs parse from many threads.
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = Parser(_LANGUAGE)
        _LOCAL.parser = parser
    return parser


class Source(bytes):
    """A script's text as parsed, with the `using namespace` prefixes its type names resolve through (the
    text travels with every node taken from it: functions, script blocks, the evaluator's current source), and
    the text as written (`original`: the work-arounds below rewrite bytes; extents are in the text as written)."""

    using_namespaces: tuple[str, ...] = ()
    original: str | None = None


def using_namespaces(source: bytes) -> tuple[str, ...]:
    return getattr(source, "using_namespaces", ())


# about_Using: `using` statements must come before any other statement of a script (comments and blank lines
# may precede them). `function __winhost_script {` is the wrapper runspace.py/language.py put around a script
# with top-level begin/process/end blocks, so the script's own first lines follow it.
_USING = re.compile(rb"[ \t]*using[ \t]+(namespace|module|assembly)[ \t]+([^\r\n;#]+?)[ \t]*(?:;|(?=\r?\n|#|$))", re.I)
_LEADING = re.compile(rb"(?:\s+|#[^\n]*|<#.*?#>|function __winhost_script \{\n)", re.S)


def _strip_using(source: bytes) -> tuple[bytes, tuple[str, ...]]:
    """Blank out a script's leading `using namespace X` statements (the grammar reads them as a command), keeping
    every other byte where it was so positions hold; the namespaces are returned (the front end's
    UsingStatementAst). `using module` and `using assembly` are not modelled: a parse error names them."""
    namespaces: list[str] = []
    pos = 0
    out = bytearray(source)
    while True:
        leading = _LEADING.match(source, pos)
        if leading is not None and leading.end() > pos:
            pos = leading.end()
            continue
        match = _USING.match(source, pos)
        if match is None:
            break
        kind = match.group(1).decode().lower()
        if kind != "namespace":
            raise ParseError(f"The fake Windows host does not support 'using {kind}'.", "UsingStatementNotSupported")
        namespaces.append(match.group(2).decode("utf-8", "replace").strip())
        out[match.start():match.end()] = b" " * (match.end() - match.start())
        pos = match.end()
    return bytes(out), tuple(namespaces)


class ParsedScript:
    def __init__(self, tree: Tree, source: bytes) -> None:
        self.tree = tree
        self.source = source
        self.namespaces = using_namespaces(source)

    @property
    def root(self) -> Node:
        return self.tree.root_node


_NUMERIC_COMMAND = re.compile(rb"^[0-9]")
_LONG_LITERAL = re.compile(rb"(?<![\w$.'\"\\-])(0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[lL]\b")
_GENERIC_ARITY = re.compile(rb"(\[[\w.]+)`\d+(\[)")
_FOREACH_METHOD = re.compile(rb"\.(\s*)foreach\(", re.I)
# A generic type name with bracketed arguments, `Func[[Object], [Int32]]` (.NET's form, which PowerShell accepts): the
# grammar takes only `Func[Object, Int32]`. Not after `$`, `.` or a word character (`$a[[int]0]` is an index).
_GENERIC_ARGS = re.compile(rb"(?<![$\w.`])([A-Za-z_][\w.`]*)\[(\[[^\[\]]+\](?:\s*,\s*\[[^\[\]]+\])*)\]")
_GENERIC_ARG = re.compile(rb"\[([^\[\],]+)(?:,[^\[\]]*)?\]")
# An argument-mode word that starts with a variable and goes on as a path (`$env:SystemRoot\System32\x.dll`) is one
# expandable string to PowerShell; the grammar stops at the variable.
# In a double-quoted string, an escape such as `n right before '#' makes the grammar take the rest for a comment;
# "`#" is the same character to PowerShell (an unknown escape is the character itself: about_Special_Characters).
_ESCAPE_HASH = re.compile(rb"(`[nrt0abfve])#")
_VARIABLE_PATH_WORD = re.compile(rb"(?<=[ \t])(\$[A-Za-z_][\w]*(?::[A-Za-z_][\w]*)?\\[^\s;|)}'\"]*)")


def _error_count(tree: Tree) -> int:
    return sum(1 for n in _walk(tree.root_node) if n.type == "ERROR" or n.is_missing)


def _walk(node: Node) -> typing.Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _fixups(root: Node, source: bytes) -> list[tuple[int, int, bytes]]:
    """Insertions that make the grammar accept valid PowerShell it otherwise misreads.

    - a pipeline starting with a number (`1..3 | ...`) is read as a command named '1..3';
      a leading unary '+' (a no-op on numbers) makes it an expression;
    - a param() block followed by statements on the same line is flagged as an error;
    - switch clauses on one line need a separator the grammar insists on;
    - an empty statement list (`{ }`, a script that is only `param()`) needs a ';';
    - bareword lists in command arguments (`select a, b`) are not understood, so the words are quoted.
    """
    inserts: list[tuple[int, int, bytes]] = []
    for node in _walk(root):
        if node.type in ("generic_token", "simple_name") and (node.type == "generic_token" or _inside_error(node)):
            edit = _quote_bareword_list(node, source)
            if edit is not None:
                inserts.append(edit)
                continue
        if node.type == "command":
            name = node.child_by_field_name("command_name")
            if name is not None and name.type == "command_name" and _NUMERIC_COMMAND.match(source[name.start_byte:name.end_byte]):
                if not any(c.type == "command_invokation_operator" for c in node.children):
                    inserts.append((name.start_byte, name.start_byte, b"+"))
        elif node.type == "ERROR" and node.named_child_count >= 1 and node.named_children[0].type == "param_block":
            inserts.append((node.named_children[0].end_byte, node.named_children[0].end_byte, b"\n"))
        elif node.type == "switch_body" and node.has_error:
            inserts.extend(_switch_separators(node, source))
        elif node.is_missing and node.type == ";" and node.parent is not None and node.parent.type == "empty_statement":
            # An empty script block (`{ }`, `begin { }`) or a script that is only a param block: the grammar
            # wants an empty statement to end with ';'.
            inserts.append((node.start_byte, node.start_byte, b";"))
    return inserts


# A quick test before the tree is walked for _invoked_method_call: `&` or `.`, `$name`, `.member`s, `(`.
_INVOKED_CALL = re.compile(rb"[&.]\s*\$[\w:]+(?:\.\w+)+\(")


def _invoked_method_call(node: Node, source: bytes) -> list[tuple[int, int, bytes]] | None:
    """`& $x.a.M(...)`: parentheses around the method call (see _fixups)."""
    if not any(c.type == "command_invokation_operator" for c in node.children):
        return None
    name = node.child_by_field_name("command_name")
    elements = node.child_by_field_name("command_elements")
    if name is None or elements is None or name.type != "command_name_expr" or not elements.named_children:
        return None
    path = name.named_children[0] if name.named_children else None
    first = elements.named_children[0]
    if (path is None or path.type != "path_command_name" or not path.named_children
            or path.named_children[0].type != "variable" or b"." not in source[path.start_byte:path.end_byte]
            or first.type != "parenthesized_expression" or first.start_byte != name.end_byte):
        return None
    return [(name.start_byte, name.start_byte, b"("), (first.end_byte, first.end_byte, b")")]


def _inside_error(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "ERROR"


_BAREWORD = re.compile(rb"^[A-Za-z_][A-Za-z0-9_.\-*?]*$")


# The rest of a dashed bareword the grammar cut off as a parameter (`Test-Path, Get-AnsibleItem`: 'Get' then
# `-AnsibleItem`): in argument mode PowerShell reads the whole word as one string (about_Parsing).
_DASHED_REST = re.compile(rb"(?:-[A-Za-z0-9_.*?]+)+")


def _quote_bareword_list(node: Node, source: bytes) -> tuple[int, int, bytes] | None:
    raw = source[node.start_byte:node.end_byte]
    lead = len(raw) - len(raw.lstrip(b" \t,"))
    word = raw[lead:]
    if not _BAREWORD.match(word):
        return None
    end = node.end_byte
    rest = _DASHED_REST.match(source, end)
    if rest is not None:
        end = rest.end()
        word = source[node.start_byte + lead:end]
    before = source[:node.start_byte + lead].rstrip(b" \t")
    after = source[end:].lstrip(b" \t")
    if not (before.endswith(b",") or after.startswith(b",")):
        return None
    return (node.start_byte + lead, end, b"'" + word + b"'")


def _switch_separators(body: Node, source: bytes) -> list[tuple[int, int, bytes]]:
    inserts = []
    depth = 0
    text = source[body.start_byte:body.end_byte]
    quote = None
    i = 0
    while i < len(text):
        ch = text[i:i + 1]
        if quote:
            if ch == quote:
                quote = None
        elif ch in (b"'", b'"'):
            quote = ch
        elif ch == b"{":
            depth += 1
        elif ch == b"}":
            depth -= 1
            if depth == 1:
                rest = text[i + 1:].lstrip(b" \t")
                if rest and rest[:1] not in (b"\n", b"\r", b";", b"}"):
                    inserts.append((body.start_byte + i + 1, body.start_byte + i + 1, b";"))
        i += 1
    return inserts


def _long_digits(number: bytes) -> bytes:
    """The digits of an `L` literal for `[long]...`: hex as Int64.TryParse reads it (AllowHexSpecifier: 16 digits are the
    bits of a signed Int64, so 0xFFFFFFFFL is 4294967295 and 0xFFFFFFFFFFFFFFFFL is -1), not as an Int32 first."""
    if number[:2].lower() != b"0x" or len(number.lstrip(b"0xX")) > 16:
        return number  # decimal or real digits; too many hex digits stay a bad numeric constant
    value = int(number[2:], 16)
    if value >> 63:
        value -= 1 << 64
    # Int64.MinValue's digits alone are too large for Int64 (a Decimal literal): spelled as an expression.
    return b"(-9223372036854775807-1)" if value == -(1 << 63) else str(value).encode()


# A text parsed once serves every later run of the same text: PowerShell caches script blocks by their text
# (CompiledScriptBlock.cs, s_cachedScripts: ScriptBlock.Create and script files reuse the parse of a text seen
# before), and every module task sends the same exec, module and wrapper scripts. Parse trees are never changed after
# parsing, the AST lowered from them is cached per parse (ast_eval.core.lowered), and a ParseError is not cached.
# A cached tree is read by every runspace thread that runs its text: tree-sitter's trees are not thread-safe (some
# node reads update a cache on the tree: tree-sitter issue 359), but py-tree-sitter holds the GIL through its node and
# tree reads (releasing it there is an open request: py-tree-sitter issue 111), so those reads never overlap on this
# interpreter (not a free-threaded build); each thread parses with a parser of its own (_parser).
@functools.lru_cache(maxsize=256)
def parse(text: str) -> ParsedScript:
    source, namespaces = _strip_using(text.encode("utf-8"))
    parser = _parser()
    tree = parser.parse(source)
    # `& $x.Member.Method(...)` (the invocation operator on a method call's result, async_watchdog.ps1's
    # `& $ScriptBlock.Ast.GetScriptBlock() @Param`) is read as a command path `$x.Member.Method` with a
    # parenthesized argument (a parse error when the parentheses are empty, a wrong command otherwise); PowerShell
    # parses an expression after `&` when the command name starts with `$` (Parser.cs, CommandRule), so the call is
    # parenthesized before any other repair reads the words. Only `&`/`.` followed by `$`, a member path and `(`
    # right after it match (a space before `(` makes it an argument, as in PowerShell).
    calls = [edit for node in _walk(tree.root_node) if node.type == "command"
             for edit in (_invoked_method_call(node, source) or [])] if _INVOKED_CALL.search(source) else []
    for start, end, data in sorted(calls, reverse=True):
        source = source[:start] + data + source[end:]
    if calls:
        tree = parser.parse(source)
    if _LONG_LITERAL.search(source):
        # The grammar has no `L` (Int64) literal suffix; spell it as a cast it understands.
        strings = [(n.start_byte, n.end_byte) for n in _walk(tree.root_node) if n.type == "string_literal"]
        candidate = _LONG_LITERAL.sub(
            lambda m: m.group(0) if any(a <= m.start() < b for a, b in strings)
            else b"([long]" + _long_digits(m.group(1)) + b")", source)
        candidate_tree = parser.parse(candidate)
        if tree.root_node.has_error and not candidate_tree.root_node.has_error or _has_numeric_command(tree.root_node, source):
            source, tree = candidate, candidate_tree
    detached = _detached_else(tree.root_node, source)
    if detached != source:
        source, tree = detached, parser.parse(detached)
    if tree.root_node.has_error and _ESCAPE_HASH.search(source):
        verbatim = [(n.start_byte, n.end_byte) for n in _walk(tree.root_node)
                    if n.type in ("verbatim_string_characters", "verbatim_here_string_characters", "comment")]
        source = _ESCAPE_HASH.sub(
            lambda m: m.group(0) if any(a <= m.start() < b for a, b in verbatim) else m.group(1) + b"`#", source)
        tree = parser.parse(source)
    if tree.root_node.has_error and _VARIABLE_PATH_WORD.search(source):
        strings = [(n.start_byte, n.end_byte) for n in _walk(tree.root_node)
                   if n.type in ("string_literal", "expandable_string_literal", "verbatim_string_characters",
                                 "expandable_here_string_literal", "verbatim_here_string_characters", "comment")]
        source = _VARIABLE_PATH_WORD.sub(
            lambda m: m.group(0) if any(a <= m.start() < b for a, b in strings) else b'"' + m.group(1) + b'"', source)
        tree = parser.parse(source)
    if tree.root_node.has_error and _ESCAPE_HASH.search(source):
        # Still an error: the `#` after the escape started a comment the grammar swallowed (so it was skipped
        # above); "`#" everywhere, kept only if that parses.
        candidate = _ESCAPE_HASH.sub(rb"\1`#", source)
        candidate_tree = parser.parse(candidate)
        if not candidate_tree.root_node.has_error:
            source, tree = candidate, candidate_tree
    if tree.root_node.has_error and _GENERIC_ARITY.search(source):
        # `[List`1[Hashtable]]`: the grammar has no backtick in a type name; `[List[Hashtable]]` names the same type
        # (the arity is implied by the arguments: TypeResolver). Strings are left alone.
        strings = [(n.start_byte, n.end_byte) for n in _walk(tree.root_node) if n.type == "string_literal"]
        candidate = _GENERIC_ARITY.sub(
            lambda m: m.group(0) if any(a <= m.start() < b for a, b in strings) else m.group(1) + m.group(2), source)
        candidate_tree = parser.parse(candidate)
        if not candidate_tree.root_node.has_error or _error_count(candidate_tree) < _error_count(tree):
            source, tree = candidate, candidate_tree
    if tree.root_node.has_error and _GENERIC_ARGS.search(source):
        candidate = _GENERIC_ARGS.sub(lambda m: m.group(1) + b"[" + _GENERIC_ARG.sub(lambda a: a.group(1).strip(), m.group(2)) + b"]",
                                      source)
        candidate_tree = parser.parse(candidate)
        if not candidate_tree.root_node.has_error:
            source, tree = candidate, candidate_tree
    if tree.root_node.has_error and _FOREACH_METHOD.search(source):
        # `.ForEach(` collides with the foreach keyword in the grammar.
        source = _FOREACH_METHOD.sub(rb".\1_ForEachMethod(", source)
        tree = parser.parse(source)
    for _unused in range(3):
        # Arguments the grammar misreads (argmode.py): a member call right after an expression, a bare word with `$`.
        edits = argmode.rewrites(tree.root_node, source, _walk)
        if not edits:
            break
        for position, _end, data in sorted(edits, key=lambda e: e[0], reverse=True):
            source = source[:position] + data + source[position:]
        tree = parser.parse(source)
    for _unused in range(5):
        if not tree.root_node.has_error and not _has_numeric_command(tree.root_node, source):
            break
        inserts = _fixups(tree.root_node, source)
        if not inserts:
            break
        last = len(source) + 1
        for start, end, data in sorted(set(inserts), reverse=True):
            if end > last:
                continue
            source = source[:start] + data + source[end:]
            last = start
        tree = parser.parse(source)
    if tree.root_node.has_error:
        raise _parse_error(tree.root_node, source)
    typed = Source(source)
    typed.using_namespaces = namespaces
    typed.original = text
    return ParsedScript(tree, typed)


def first_statements(root: Node) -> list:
    statements = next((c for c in root.named_children if c.type == "statement_list"), None)
    return list(statements.named_children) if statements is not None else []


def has_top_level_named_blocks(root: Node) -> bool:
    """Whether a script's top level reads `begin { } process { } end { }` (parsed as commands by the grammar)."""
    for statement in first_statements(root):
        node = statement
        for _depth in range(3):
            if node.type == "command" or not node.named_children:
                break
            node = node.named_children[0]
        if node.type != "command":
            continue
        name = next((c for c in node.named_children if c.type == "command_name"), None)
        elements = next((c for c in node.named_children if c.type == "command_elements"), None)
        if name is None or elements is None or name.text is None:
            continue
        if name.text.decode("utf-8", "replace").lower() in ("begin", "process", "end", "dynamicparam") and \
                b"{" in (elements.text or b"")[:4]:
            return True
    return False


def _detached_else(root: Node, source: bytes) -> bytes:
    """`$x = if (...) { }` with `else {` on the next line is one if statement to PowerShell (the parser looks past
    newlines for else/elseif); the grammar ends the statement at the newline and reads `else` as a command. The line
    break before such an `else` becomes spaces (byte offsets stay; line numbers after it shift)."""
    out = bytearray(source)
    for node in _walk(root):
        if node.type != "command":
            continue
        name = node.child_by_field_name("command_name")
        if name is None or source[name.start_byte:name.end_byte].lower() not in (b"else", b"elseif"):
            continue
        j = node.start_byte - 1
        while j >= 0 and source[j:j + 1] in (b" ", b"\t", b"\r", b"\n"):
            j -= 1
        if j >= 0 and source[j:j + 1] == b"}":
            out[j + 1:node.start_byte] = b" " * (node.start_byte - j - 1)
    return bytes(out)


def _has_numeric_command(root: Node, source: bytes) -> bool:
    for node in _walk(root):
        if node.type == "command":
            name = node.child_by_field_name("command_name")
            if name is not None and name.type == "command_name" and _NUMERIC_COMMAND.match(source[name.start_byte:name.end_byte]):
                return True
    return False


def _first_error(root: Node) -> Node | None:
    for node in _walk(root):
        if node.is_missing or node.type == "ERROR":
            return node
    return None


def _parse_error(root: Node, source: bytes) -> ParseError:  # pylint: disable=too-many-return-statements
    text = source.decode("utf-8", "replace")
    # Unbalanced delimiters are what PowerShell reports first, and they are the common case.
    balance = _delimiter_balance(text)
    if balance == "{":
        return ParseError("Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace")
    if balance == "(":
        return ParseError("Missing closing ')' in expression.", "MissingEndParenthesisInExpression")
    if balance == "[":
        return ParseError("Missing ']' at end of attribute or type literal.", "EndSquareBracketExpectedAtEndOfAttribute")
    if balance == "}":
        return ParseError("Unexpected token '}' in expression or statement.", "UnexpectedToken")
    if balance == ")":
        return ParseError("Unexpected token ')' in expression or statement.", "UnexpectedToken")
    if balance == "string":
        return ParseError("The string is missing the terminator: \".", "TerminatorExpectedAtEndOfString")
    node = _first_error(root)
    if node is None:
        return ParseError("Unexpected token in expression or statement.", "UnexpectedToken")
    line, col = node.start_point.row + 1, node.start_point.column + 1
    parent = node.parent
    if node.is_missing:
        if parent is not None and parent.type == "if_statement":
            return ParseError("Missing statement block after if ( condition ).", "MissingEndCurlyBrace", line, col)
        if node.type == "}":
            return ParseError("Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace", line, col)
        if node.type == ")":
            return ParseError("Missing closing ')' in expression.", "MissingEndParenthesisInExpression", line, col)
        return ParseError(f"Missing '{node.type}' in statement.", "MissingToken", line, col)
    token = source[node.start_byte:node.end_byte].decode("utf-8", "replace").strip().split()
    shown = token[0] if token else ""
    if shown in ("if", "while", "for", "foreach", "switch") or text.rstrip().endswith(("+", "-", "*", "/", "=")):
        if text.rstrip().endswith(("+", "-", "*", "/", "=")):
            op = text.rstrip()[-1]
            return ParseError(f"You must provide a value expression following the '{op}' operator.", "ExpectedValueExpression",
                              line, col)
    if not shown:
        return ParseError("Unexpected token in expression or statement.", "UnexpectedToken", line, col)
    return ParseError(f"Unexpected token '{shown}' in expression or statement.", "UnexpectedToken", line, col)


def _delimiter_balance(text: str) -> str | None:
    stack: list[str] = []
    i = 0
    n = len(text)
    pairs = {")": "(", "}": "{", "]": "["}
    while i < n:
        ch = text[i]
        if ch == "#":
            if i > 0 and text[i - 1] == "<":
                pass
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        if ch == "<" and text.startswith("<#", i):
            end = text.find("#>", i + 2)
            i = n if end == -1 else end + 2
            continue
        if ch == "@" and text.startswith(("@'", '@"'), i) and text[i + 2:i + 3] in ("\n", "\r"):
            quote = text[i + 1]
            end = text.find("\n" + quote + "@", i + 2)
            if end == -1:
                return "string"
            i = end + 3
            continue
        if ch == "'":
            end = i + 1
            while True:
                end = text.find("'", end)
                if end == -1:
                    return "string"
                if text[end + 1:end + 2] == "'":
                    end += 2
                    continue
                break
            i = end + 1
            continue
        if ch == '"':
            j = i + 1
            depth = 0
            while j < n:
                c = text[j]
                if c == "`":
                    j += 2
                    continue
                if c == "$" and text[j + 1:j + 2] == "(":
                    depth += 1
                    j += 2
                    continue
                if c == ")" and depth:
                    depth -= 1
                elif c == '"' and not depth:
                    if text[j + 1:j + 2] == '"':
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                return "string"
            i = j + 1
            continue
        if ch == "`":
            i += 2
            continue
        if ch in "({[":
            stack.append(ch)
        elif ch in ")}]":
            if not stack or stack[-1] != pairs[ch]:
                return ch
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def node_text(node: Node, source: bytes) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")
