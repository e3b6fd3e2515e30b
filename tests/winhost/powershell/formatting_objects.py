"""A small approximation of PowerShell's default formatter, for Out-String."""

from __future__ import annotations

import typing

from psrpcore.types import PSObject

from .members import property_items
from .values import to_string


def _is_scalar(value: typing.Any) -> bool:
    return not isinstance(value, (dict, PSObject)) or isinstance(value, (int, float, str))


def format_for_display(items: list) -> list[str]:
    lines: list[str] = []
    objects: list = []

    def flush() -> None:
        if objects:
            lines.extend(_table(objects))
            objects.clear()

    for item in items:
        if item is None:
            continue
        if isinstance(item, dict):
            flush()
            lines.extend(_hashtable(item))
        elif _is_scalar(item):
            flush()
            lines.append(to_string(item))
        else:
            objects.append(item)
    flush()
    return lines


def _hashtable(table: dict) -> list[str]:
    keys = [to_string(k) for k in table.keys()]
    width = max([4] + [len(k) for k in keys])
    out = ["", f"{'Name'.ljust(width)} Value", f"{'----'.ljust(width)} -----"]
    for key, value in zip(keys, table.values()):
        out.append(f"{key.ljust(width)} {to_string(value)}".rstrip())
    out.append("")
    return out


def _table(objects: list) -> list[str]:
    columns: list[str] = []
    rows = []
    for obj in objects:
        props = property_items(obj) if isinstance(obj, PSObject) else []
        row = {}
        for name, value in props:
            if name not in columns:
                columns.append(name)
            row[name] = to_string(value)
        rows.append(row)
    if len(columns) > 4:
        out = [""]
        width = max(len(c) for c in columns)
        for row in rows:
            for col in columns:
                out.append(f"{col.ljust(width)} : {row.get(col, '')}".rstrip())
            out.append("")
        return out
    widths = {c: max([len(c)] + [len(r.get(c, "")) for r in rows]) for c in columns}
    out = ["", " ".join(c.ljust(widths[c]) for c in columns).rstrip(),
           " ".join(("-" * len(c)).ljust(widths[c]) for c in columns).rstrip()]
    for row in rows:
        out.append(" ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip())
    out.append("")
    return out
