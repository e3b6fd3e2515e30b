"""Command arguments the grammar misreads, found in the tree and respelled for parser.py (about_Parsing, argument mode).

- An expression followed at once by a member call, `-End (Get-Date).ToUniversalTime()` or `$a.Trim().Length`: one
  argument to PowerShell (its parser takes `.member` and `(arguments)` right after a primary expression, no blank
  between, as part of the argument), an expression, then a stray `()` to the grammar. The whole chain is put in
  parentheses; the front end drops them again (syntax/lower.py: a ParenExpressionAst parser.py made).
- A bare word holding a variable or a subexpression, `Cert:\\LocalMachine\\My\\$($_.Value)`, `C:\\$name\\x`: an
  expandable string to PowerShell (its tokenizer scans `$var` and `$(...)` into the word, which becomes an
  ExpandableStringExpressionAst of StringConstantType BareWord); the grammar keeps `$var` as literal text or splits the
  word at `$(`. The word is put in double quotes (the escapes and expansions of a bare word are a double-quoted
  string's); the front end gives the string back its BareWord kind. A word with a quote of its own is left alone.

Each rewrite is (start, end, replacement bytes) in the parsed source; parser.py applies them and parses again.
"""

from __future__ import annotations

import re
import typing

# What ends an argument-mode word: CharTraits.ForceStartNewToken (PowerShell's CharTraits.cs: blanks, line breaks,
# `&`, `(`, `)`, `,`, `;`, `{`, `|`, `}`); `New-Object T(1, 2)` is two arguments.
_WORD_END = frozenset(b" \t\r\n\x0b\x0c\x00&(),;{|}")
# `$` then what starts a variable or a subexpression in an expandable string (about_Variables: `${...}`, `$name`,
# `$env:name`, `$_`, `$$`, `$?`, `$^`).
_EXPANSION = re.compile(rb"\$(?:\(|\{|[A-Za-z0-9_?^$:])")
_MEMBER = re.compile(rb"\.[A-Za-z_][A-Za-z0-9_]*")


def _balanced(source: bytes, pos: int) -> int:
    """The end of the bracketed run that starts at pos (`(` or `[`), quotes and escapes respected; -1 if unclosed."""
    closing = {ord("("): ord(")"), ord("["): ord("]"), ord("{"): ord("}")}
    stack: list[int] = []
    quote = None
    i = pos
    while i < len(source):
        ch = source[i]
        if ch == ord("`"):
            i += 2
            continue
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in (ord("'"), ord('"')):
            quote = ch
        elif ch in closing:
            stack.append(closing[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i + 1
        i += 1
    return -1


def _word_end(source: bytes, start: int) -> int | None:
    """Where the argument-mode word starting at `start` ends, with `$(...)` inside it; None if it holds a quote (not a
    word this rewrite understands)."""
    i = start
    while i < len(source) and source[i] not in _WORD_END:
        ch = source[i]
        if ch == ord("`"):
            i += 2
            continue
        if ch in (ord("'"), ord('"')):
            return None
        if ch == ord("$") and source[i + 1:i + 2] in (b"(", b"{"):
            end = _balanced(source, i + 1)
            if end < 0:
                return None
            i = end
            continue
        i += 1
    return min(i, len(source))


def _chain_end(source: bytes, pos: int) -> int:
    """The end of `.name`, `.name(...)` and `[...]` links right after pos."""
    while True:
        if source[pos:pos + 1] == b"[":
            end = _balanced(source, pos)
        elif (member := _MEMBER.match(source, pos)) is not None:
            end = member.end()
            if source[end:end + 1] == b"(":
                end = _balanced(source, end)
        else:
            return pos
        if end < 0:
            return pos
        pos = end


def _unescaped_expansion(word: bytes) -> bool:
    i = 0
    while i < len(word):
        if word[i] == ord("`"):
            i += 2
            continue
        if _EXPANSION.match(word, i):
            return True
        i += 1
    return False


_ENDS_WITH_MEMBER = re.compile(rb"\.[A-Za-z_][A-Za-z0-9_]*$")


def rewrites(root: typing.Any, source: bytes, walk: typing.Callable) -> list[tuple[int, int, bytes]]:
    """Insertions (start == end) for the arguments above, in the order found."""
    edits: list[tuple[int, int, bytes]] = []
    for node in walk(root):
        if node.type not in ("command_elements", "ERROR"):
            continue  # (the grammar may give up on a command whose arguments it misread: an ERROR node holds them)
        children = list(node.children)
        taken = -1
        for index, child in enumerate(children):
            if child.start_byte < taken:
                continue
            # The grammar may start a word at the comma or blank before it (`a$n,b$n`).
            start = child.start_byte + len(source[child.start_byte:child.end_byte]) - \
                len(source[child.start_byte:child.end_byte].lstrip(b" \t,"))
            if child.type == "generic_token" and source[start:start + 1] not in (b"$", b"-", b""):
                end = _word_end(source, start)
                if end is not None and _unescaped_expansion(source[start:end]):
                    edits.extend([(start, start, b'"'), (end, end, b'"')])
                    taken = end
            elif child.type == "argument_list" and index > 0:
                before = children[index - 1]
                if before.end_byte == child.start_byte and before.type not in ("generic_token", "argument_list") and \
                        _ENDS_WITH_MEMBER.search(source[before.start_byte:before.end_byte]):
                    end = _balanced(source, child.start_byte)
                    if end > 0:
                        end = _chain_end(source, end)
                        edits.extend([(before.start_byte, before.start_byte, b"("), (end, end, b")")])
                        taken = end
    return edits
