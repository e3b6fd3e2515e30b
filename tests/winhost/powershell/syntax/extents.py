"""Extents in the text a script was given, though the parser may have rewritten it.

parser.parse works around grammar gaps by rewriting bytes (quoting bareword lists, `+` before a leading number,
spelling `1L` as `([long]1)`, blanking `using` lines, wrapping top-level named blocks in a function, ...). The
tree's positions are in that rewritten text; a node's Extent must be in the script as written (PowerShell's
IScriptExtent: character offsets, 1-based lines and columns). The two texts are aligned once, line by line and
then character by character inside the lines that differ, and tree positions are mapped through that alignment.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import typing

from .nodes import Extent

Opcode = tuple[str, int, int, int, int]


def _align(rewritten: str, original: str) -> list[Opcode]:
    """difflib opcodes from the rewritten text to the original one, in characters (a two-level diff: exact on
    lines, then per character inside the changed runs of lines, which stay short)."""
    a_lines = rewritten.splitlines(keepends=True)
    b_lines = original.splitlines(keepends=True)
    a_starts = [0]
    for line in a_lines:
        a_starts.append(a_starts[-1] + len(line))
    b_starts = [0]
    for line in b_lines:
        b_starts.append(b_starts[-1] + len(line))
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False).get_opcodes():
        ca1, ca2, cb1, cb2 = a_starts[i1], a_starts[i2], b_starts[j1], b_starts[j2]
        if tag == "equal":
            out.append(("equal", ca1, ca2, cb1, cb2))
            continue
        chunk = difflib.SequenceMatcher(None, rewritten[ca1:ca2], original[cb1:cb2], autojunk=False)
        for ctag, x1, x2, y1, y2 in chunk.get_opcodes():
            out.append((ctag, ca1 + x1, ca1 + x2, cb1 + y1, cb1 + y2))
    return out


class SourceText:
    """The rewritten source (bytes, as the tree's positions count) and the original text, with the mapping."""

    def __init__(self, source: bytes, original: str | None) -> None:
        self.source = source
        rewritten = source.decode("utf-8", "replace")
        self.original = rewritten if original is None else original
        self._char_of_byte: list[int] | None = None
        if len(rewritten) != len(source):
            # The character a byte belongs to: the count of UTF-8 lead bytes (not 10xxxxxx) before it, for the lead byte
            # of a character; tree positions are always on one.
            self._char_of_byte = list(itertools.accumulate(((b & 0xC0) != 0x80 for b in source), initial=0))
        self._opcodes: list[Opcode] | None = None
        self._starts: list[int] = []
        self.rewritten = rewritten != self.original  # whether parser.py's rewrites are aligned back
        if self.rewritten:
            self._opcodes = [op for op in _align(rewritten, self.original) if op[1] != op[2]]
            self._starts = [op[1] for op in self._opcodes]
        self._rewritten_length = len(rewritten)
        self._newlines = [i for i, c in enumerate(self.original) if c == "\n"]

    def _char(self, byte_offset: int) -> int:
        table = self._char_of_byte
        return byte_offset if table is None else table[min(byte_offset, len(table) - 1)]

    def _map(self, pos: int, end: bool) -> int:
        if self._opcodes is None:
            return pos
        if end:
            if pos == 0:
                return 0
            tag, i1, _i2, j1, j2 = self._opcodes[bisect.bisect_right(self._starts, pos - 1) - 1]
            if tag == "equal":
                return j1 + (pos - 1 - i1) + 1
            if tag == "delete":
                return j1
            return j1 + min(pos - i1, j2 - j1)
        if pos >= self._rewritten_length:
            return len(self.original)
        tag, i1, _i2, j1, j2 = self._opcodes[bisect.bisect_right(self._starts, pos) - 1]
        if tag == "equal":
            return j1 + (pos - i1)
        if tag == "delete":
            return j1
        return j1 + min(pos - i1, j2 - j1)

    def span(self, start_byte: int, end_byte: int) -> tuple[int, int]:
        start = self._map(self._char(start_byte), False)
        end = self._map(self._char(end_byte), True)
        return start, max(start, end)

    def rewritten_text(self, start_byte: int, end_byte: int) -> str:
        return self.source[start_byte:end_byte].decode("utf-8", "replace")

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1

    def extent(self, start_byte: int, end_byte: int) -> Extent:
        """The extent of a tree span; the grammar lets some nodes take the blanks around them (a command's trailing
        space), PowerShell's extents start and end on a token."""
        start, end = self.span(start_byte, end_byte)
        while start < end and self.original[start].isspace():
            start += 1
        while end > start and self.original[end - 1].isspace():
            end -= 1
        return self.extent_of_offsets(start, end)

    def extent_of_offsets(self, start: int, end: int) -> Extent:
        start_line, start_col = self.position(start)
        end_line, end_col = self.position(end)
        return Extent(self.original[start:end], start, end, start_line, start_col, end_line, end_col)


def node_extent(text: SourceText, node: typing.Any) -> Extent:
    return text.extent(node.start_byte, node.end_byte)
