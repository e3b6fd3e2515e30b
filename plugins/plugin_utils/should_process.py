# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a script declares ``[CmdletBinding(SupportsShouldProcess)]`` on its own param block.

ansible.windows.win_powershell decides this on the host with PowerShell's parser: it looks at the
script's ``ParamBlock.Attributes``, takes the first attribute whose ``TypeName.Name`` is
``CmdletBinding`` and checks for a named argument ``SupportsShouldProcess`` that is either
omitted (``[CmdletBinding(SupportsShouldProcess)]``) or written as ``$true`` (any case, any
spacing around ``=``). invoke makes the same decision first on the controller, with the small
reader below, because in check mode a script that does not qualify must cost no request to the
host at all; the host then confirms it with its own parser before anything runs (see
``HOST_CHECK`` in the invoke action).

The reader only walks what PowerShell allows before a script's param block: whitespace, line
continuations, comments (``#...``, ``<# ... #>``, ``#requires``), ``using`` statements and the
attribute list. Anything it does not understand means "no": a script is then skipped in check
mode (never run), which is the safe side.
"""

from __future__ import annotations

import re

# PowerShell's tokenizer accepts these as quotes (CharExtensions.IsSingleQuote / IsDoubleQuote).
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_IDENT = re.compile(r'[A-Za-z_][A-Za-z0-9_.]*')
_USING = re.compile(r'using[ \t]+(namespace|module|assembly)[ \t]', re.I)


class _NotUnderstood(Exception):
    """Text the reader does not follow: the answer is "no"."""


def _skip_blank(text: str, pos: int) -> int:
    """Past whitespace, line continuations and comments."""
    length = len(text)
    while pos < length:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char == '`' and pos + 1 < length and text[pos + 1] in '\r\n':
            pos += 2
        elif text.startswith('<#', pos):
            end = text.find('#>', pos + 2)
            if end < 0:
                raise _NotUnderstood('unterminated block comment')
            pos = end + 2
        elif char == '#':
            end = text.find('\n', pos)
            pos = length if end < 0 else end + 1
        else:
            break
    return pos


def _skip_string(text: str, pos: int) -> int:
    """Past a quoted string starting at pos; returns the index after its closing quote."""
    quote = text[pos]
    single = quote in SINGLE_QUOTES
    closing = SINGLE_QUOTES if single else DOUBLE_QUOTES
    pos += 1
    while pos < len(text):
        char = text[pos]
        if not single and char == '`':
            pos += 2
            continue
        if not single and text.startswith('$(', pos):
            raise _NotUnderstood('subexpression in a string')
        if char in closing:
            if pos + 1 < len(text) and text[pos + 1] in closing:
                pos += 2  # '' or "" inside the string
                continue
            return pos + 1
        pos += 1
    raise _NotUnderstood('unterminated string')


def _balanced(text: str, pos: int, opening: str, closing: str) -> int:
    """The index of the ``closing`` that matches the ``opening`` at pos (strings and nesting followed)."""
    pairs = {'(': ')', '[': ']', '{': '}'}
    stack = [closing]
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            if text.startswith(('@"', "@'"), pos - 1):
                raise _NotUnderstood('here-string')
            pos = _skip_string(text, pos)
            continue
        if char == '#' or text.startswith('<#', pos):
            if char == '#' and pos > 0 and not text[pos - 1].isspace() and text[pos - 1] not in '([{,;=':
                pos += 1  # a '#' inside a word is not a comment
                continue
            pos = _skip_blank(text, pos)
            continue
        if char in pairs:
            stack.append(pairs[char])
        elif char in ')]}':
            if char != stack[-1]:
                raise _NotUnderstood('unbalanced %s' % char)
            stack.pop()
            if not stack:
                return pos
        pos += 1
    raise _NotUnderstood('unterminated %s' % opening)


def _without_comments(text: str) -> str:
    """Text with its comments replaced by a space (strings are kept as they are)."""
    out, pos = [], 0
    while pos < len(text):
        char = text[pos]
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            end = _skip_string(text, pos)
            out.append(text[pos:end])
            pos = end
        elif text.startswith('<#', pos) or char == '#':
            pos = _skip_blank(text, pos)
            out.append(' ')
        else:
            out.append(char)
            pos += 1
    return ''.join(out)


def _split_arguments(text: str) -> list[str]:
    """The top-level, comma-separated arguments of an attribute, without comments or surrounding blanks."""
    text = _without_comments(text)
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        char = text[pos]
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            pos = _skip_string(text, pos)
            continue
        if char in '([{':
            depth += 1
        elif char in ')]}':
            depth -= 1
        elif char == ',' and depth == 0:
            parts.append(text[start:pos].strip())
            start = pos + 1
        pos += 1
    parts.append(text[start:].strip())
    return parts


def _attributes(text: str, pos: int) -> tuple[list[tuple[str, str | None]], int]:
    """The attribute list at pos: (type name, text inside the parentheses or None) each, and where it ends."""
    found: list[tuple[str, str | None]] = []
    while pos < len(text) and text[pos] == '[':
        end = _balanced(text, pos, '[', ']')
        inner = text[pos + 1:end].strip()
        match = _IDENT.match(inner)
        if not match:
            raise _NotUnderstood('attribute without a type name')
        name = match.group(0)
        rest = inner[match.end():].lstrip()
        arguments = None
        if rest:
            if not rest.startswith('('):
                raise _NotUnderstood('unexpected text in an attribute')
            close = _balanced(rest, 0, '(', ')')
            if rest[close + 1:].strip():
                raise _NotUnderstood('unexpected text after an attribute')
            arguments = rest[1:close]
        found.append((name, arguments))
        pos = _skip_blank(text, end + 1)
    return found, pos


def _param_follows(text: str, pos: int) -> bool:
    if text[pos:pos + 5].lower() != 'param':
        return False
    after = text[pos + 5:pos + 6]
    if after and (after.isalnum() or after in '_-'):
        return False
    pos = _skip_blank(text, pos + 5)
    return text[pos:pos + 1] == '('


def _named_true(arguments: str, wanted: str) -> bool:
    for argument in _split_arguments(arguments):
        name, equals, value = argument.partition('=')
        if name.strip().lower() != wanted.lower():
            continue
        if not equals:
            return True  # ExpressionOmitted: [CmdletBinding(SupportsShouldProcess)]
        if value.strip().lower() == '$true':
            return True
    return False


def supports_should_process(script: str) -> bool:
    """True when the script's param block has ``[CmdletBinding(SupportsShouldProcess)]`` (or ``= $true``)."""
    text = script.lstrip('\ufeff')
    try:
        pos = _skip_blank(text, 0)
        while _USING.match(text, pos):
            end = min((i for i in (text.find('\n', pos), text.find(';', pos)) if i >= 0), default=len(text))
            if '@' in text[pos:end]:
                raise _NotUnderstood('using module with a module specification')
            pos = _skip_blank(text, end + 1)
        attributes, pos = _attributes(text, pos)
        if not attributes or not _param_follows(text, pos):
            return False
        binding = next((args for name, args in attributes if name.lower() == 'cmdletbinding'), None)
        return binding is not None and _named_true(binding, 'SupportsShouldProcess')
    except _NotUnderstood:
        return False
