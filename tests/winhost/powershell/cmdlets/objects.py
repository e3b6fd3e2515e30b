"""Object cmdlets: ForEach-Object, Where-Object, Select-Object, Sort-Object, Measure-Object, Group-Object."""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import functools
import typing

from psrpcore.types import PSCustomObject, PSObject

from .. import values as V
from ..binding import Param
from ..errors import PSError
from ..ast_eval import compare_op
from ..evaluator import NO_INPUT
from ..members import add_note, get_property, has_property, invoke_method, is_void, property_items
from . import Cmdlet, cmdlet


def _no_input() -> typing.Any:
    return NO_INPUT


class _DollarUnder:
    """Save/restore $_ around script blocks that ForEach/Where run in the caller's scope."""

    def __init__(self, cmd: Cmdlet) -> None:
        self.scope = cmd.ctx.scope
        var = self.scope.variables.get("_")
        self.had = var is not None
        self.value = var.value if var is not None else None

    def restore(self) -> None:
        if self.had:
            self.scope.set_local("_", self.value)
        else:
            self.scope.variables.pop("_", None)
            self.scope.variables.pop("psitem", None)


def run_block(cmd: Cmdlet, block: typing.Any, item: typing.Any, sink: typing.Callable[[typing.Any], None]) -> None:
    if not isinstance(block, V.ScriptBlock):
        raise cmd.terminating(PSError(
            f"Cannot bind parameter 'Process'. Cannot convert the \"{V.to_string(block)}\" value of type "
            f"\"{V.ps_type_name(block)}\" to type \"System.Management.Automation.ScriptBlock\".",
            exception_type="System.Management.Automation.ParameterBindingException",
            fqid="CannotConvertArgumentNoMessage", category="InvalidArgument", reason="ParameterBindingException"))
    cmd.engine.invoke_script_block(block, [], sink, new_scope=False, dollar_under=item)


@cmdlet("ForEach-Object", "Microsoft.PowerShell.Commands.ForEachObjectCommand", aliases=("%", "foreach"))
class ForEachObject(Cmdlet):
    parameters = [Param("Process", 0, remaining=True), Param("Begin"), Param("End"), Param("MemberName"),
                  Param("ArgumentList", aliases=("Args",)), Param("InputObject", pipeline=True), Param("RemainingScripts")]

    def begin_processing(self) -> None:
        self.saved = _DollarUnder(self)
        process = self.get("Process")
        blocks = process if isinstance(process, list) else ([process] if process is not None else [])
        self.member = self.get("MemberName")
        if blocks and isinstance(blocks[0], str) and self.member is None:
            self.member = blocks[0]
            self.args = blocks[1:] + V.as_list(self.get("ArgumentList"))
            blocks = []
        else:
            self.args = V.as_list(self.get("ArgumentList"))
        begin = self.get("Begin")
        end = self.get("End")
        if len(blocks) >= 2 and begin is None:
            begin = blocks[0]
            blocks = blocks[1:]
        if len(blocks) >= 2 and end is None:
            end = blocks[-1]
            blocks = blocks[:-1]
        self.process_blocks = blocks
        self.end_block = end
        if begin is not None:
            run_block(self, begin, None, self.emit)

    def process_record(self, item: typing.Any) -> None:
        value = self.bound.get("InputObject") if item is _no_input() else item
        if item is _no_input() and "InputObject" not in self.bound:
            value = None
        try:
            if self.member is not None:
                name = V.to_string(self.member)
                if value is None:
                    return
                if has_property(value, name) and not self.args:
                    for out in V.enumerate_value(get_property(value, name)):
                        self.emit(out)
                    return
                try:
                    result = invoke_method(value, name, list(self.args), self.engine.invoke_script_block_value)
                except PSError:
                    if self.args:
                        raise
                    result = None
                    self.write_error(PSError(
                        f"Cannot find a property or method named \"{name}\" on the input object.",
                        exception_type="System.Management.Automation.PSArgumentException",
                        fqid="PropertyOrMethodNotFound", category="InvalidArgument",
                        reason="PSArgumentException", target=value))
                    return
                if not is_void(result):
                    for out in V.enumerate_value(result):
                        self.emit(out)
                return
            for block in self.process_blocks:
                run_block(self, block, value, self.emit)
        finally:
            self.saved.restore()

    def end_processing(self) -> None:
        if self.end_block is not None:
            run_block(self, self.end_block, None, self.emit)
        self.saved.restore()


_WHERE_OPS = ["EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains", "NotContains",
              "In", "NotIn", "Is", "IsNot"]


@cmdlet("Where-Object", "Microsoft.PowerShell.Commands.WhereObjectCommand", aliases=("?", "where"))
class WhereObject(Cmdlet):
    parameters = [Param("FilterScript", 0), Param("Value", 1), Param("InputObject", pipeline=True)] + [
        Param(op, switch=True) for op in _WHERE_OPS] + [Param("C" + op, switch=True) for op in _WHERE_OPS[:10]]

    def begin_processing(self) -> None:
        self.saved = _DollarUnder(self)

    def process_record(self, item: typing.Any) -> None:
        value = self.bound.get("InputObject") if item is _no_input() else item
        flt = self.get("FilterScript")
        try:
            if isinstance(flt, V.ScriptBlock):
                out: list = []
                run_block(self, flt, value, out.append)
                keep = V.to_bool(out if len(out) != 1 else out[0])
            else:
                keep = self._simple(value, V.to_string(flt))
        finally:
            self.saved.restore()
        if keep:
            self.emit(value)

    def _simple(self, value: typing.Any, prop: str) -> bool:
        actual = get_property(value, prop)
        ops = [op for op in list(_WHERE_OPS) + ["C" + o for o in _WHERE_OPS[:10]] if self.switch(op)]
        if not ops:
            return V.to_bool(actual)
        op = "-" + ops[0].lower()
        return V.to_bool(compare_op(self.engine, op, actual, self.get("Value")))

    def end_processing(self) -> None:
        self.saved.restore()


def _calculated(cmd: Cmdlet, spec: dict) -> tuple[str, typing.Any]:
    name = None
    expr = None
    for key, value in spec.items():
        low = V.to_string(key).lower()
        if low in ("n", "name", "l", "label") or "name".startswith(low) or "label".startswith(low):
            name = V.to_string(value)
        elif low in ("e", "expression") or "expression".startswith(low):
            expr = value
        else:
            raise cmd.terminating(PSError(f'The "{key}" key is not valid.', fqid="DictionaryKeyUnknownKey",
                                          category="InvalidArgument", reason="NotSupportedException",
                                          exception_type="System.NotSupportedException"))
    if expr is None:
        raise cmd.terminating(PSError("Missing key \"Expression\".", fqid="DictionaryKeyMandatoryEntry",
                                      category="InvalidArgument", reason="NotSupportedException"))
    if name is None:
        name = expr.text.strip() if isinstance(expr, V.ScriptBlock) else V.to_string(expr)
    return name, expr


def evaluate_property(cmd: Cmdlet, obj: typing.Any, expr: typing.Any) -> typing.Any:
    if isinstance(expr, V.ScriptBlock):
        out: list = []
        saved = _DollarUnder(cmd)
        try:
            run_block(cmd, expr, obj, out.append)
        finally:
            saved.restore()
        return None if not out else (out[0] if len(out) == 1 else out)
    return get_property(obj, V.to_string(expr))


def _type_of_selected(obj: typing.Any) -> str:
    return V.ps_type_name(obj)


@cmdlet("Select-Object", "Microsoft.PowerShell.Commands.SelectObjectCommand", aliases=("select",))
class SelectObject(Cmdlet):
    parameters = [Param("Property", 0), Param("ExpandProperty", type_name="string"), Param("First", type_name="int"),
                  Param("Last", type_name="int"), Param("Skip", type_name="int"), Param("Unique", switch=True),
                  Param("ExcludeProperty"), Param("Index"), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.items: list = []
        self.emitted = 0
        self.skipped = 0

    def _project(self, obj: typing.Any) -> list:
        expand = self.get("ExpandProperty")
        props = self.get("Property")
        if props is None and expand is None:
            return [obj]
        if expand is not None:
            if obj is None or not has_property(obj, expand):
                self.write_error(PSError(f'Property "{expand}" cannot be found.',
                                         exception_type="System.Management.Automation.PSArgumentException",
                                         fqid="ExpandPropertyNotFound", category="InvalidArgument",
                                         reason="PSArgumentException", target=obj))
                return []
            return V.enumerate_value(get_property(obj, expand))
        result = PSCustomObject()
        result.PSObject.type_names = [f"Selected.{_type_of_selected(obj)}", "System.Management.Automation.PSCustomObject",
                                      "System.Object"]
        exclude = [V.to_string(x).lower() for x in V.as_list(self.get("ExcludeProperty"))]
        for spec in V.as_list(props):
            if isinstance(spec, dict):
                name, expr = _calculated(self, spec)
                add_note(result, name, evaluate_property(self, obj, expr))
                continue
            pattern = V.to_string(spec)
            if "*" in pattern or "?" in pattern:
                names = [n for n, _unused in _all_properties(obj) if V.like(n, pattern)]
            else:
                names = [pattern]
            for name in names:
                if name.lower() in exclude:
                    continue
                actual = next((n for n, _unused in _all_properties(obj) if n.lower() == name.lower()), name)
                add_note(result, actual, get_property(obj, name) if obj is not None else None)
        return [result]

    def process_record(self, item: typing.Any) -> None:
        obj = self.bound.get("InputObject") if item is _no_input() else item
        if item is _no_input() and "InputObject" not in self.bound:
            return
        if self.has("Last") or self.switch("Unique"):
            self.items.append(obj)
            return
        if self.has("Skip") and self.skipped < self.get("Skip"):
            self.skipped += 1
            return
        if self.has("First") and self.emitted >= self.get("First"):
            return
        self.emitted += 1
        for out in self._project(obj):
            self.emit(out)

    def end_processing(self) -> None:
        if not (self.has("Last") or self.switch("Unique")):
            return
        items = self.items
        if self.switch("Unique"):
            unique: list = []
            for obj in items:
                if not any(V.equals(obj, u, True) if not isinstance(obj, PSObject) else obj is u for u in unique):
                    unique.append(obj)
            items = unique
        if self.has("Skip"):
            items = items[self.get("Skip"):]
        if self.has("First"):
            items = items[:self.get("First")]
        if self.has("Last"):
            count = self.get("Last")
            items = items[-count:] if count else []
        for obj in items:
            for out in self._project(obj):
                self.emit(out)


def _all_properties(obj: typing.Any) -> list[tuple[str, typing.Any]]:
    if isinstance(obj, dict):
        return [("IsReadOnly", False), ("IsFixedSize", False), ("IsSynchronized", False), ("Keys", list(obj.keys())),
                ("Values", list(obj.values())), ("SyncRoot", obj), ("Count", len(obj))]
    if isinstance(obj, PSObject) and not isinstance(obj, (int, float, str)):
        return property_items(obj)
    if isinstance(obj, str):
        return [("Length", len(obj))]
    return []


@cmdlet("Sort-Object", "Microsoft.PowerShell.Commands.SortObjectCommand", aliases=("sort",))
class SortObject(Cmdlet):
    parameters = [Param("Property", 0), Param("Descending", switch=True), Param("Unique", switch=True),
                  Param("CaseSensitive", switch=True), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.items: list = []

    def process_record(self, item: typing.Any) -> None:
        if item is _no_input():
            if "InputObject" in self.bound:
                self.items.append(self.bound["InputObject"])
            return
        self.items.append(item)

    def end_processing(self) -> None:
        specs = []
        for spec in V.as_list(self.get("Property")):
            descending = self.switch("Descending")
            expr = spec
            if isinstance(spec, dict):
                expr = next((v for k, v in spec.items() if V.to_string(k).lower() in ("e", "expression")), None)
                for k, v in spec.items():
                    if V.to_string(k).lower() in ("descending", "desc"):
                        descending = V.to_bool(v)
                    if V.to_string(k).lower() in ("ascending", "asc"):
                        descending = not V.to_bool(v)
            specs.append((expr, descending))
        if not specs:
            specs = [(None, self.switch("Descending"))]
        case = self.switch("CaseSensitive")
        keyed = [(obj, [obj if expr is None else evaluate_property(self, obj, expr) for expr, _unused in specs]) for obj in self.items]

        def cmp(a: tuple, b: tuple) -> int:
            for i, (_unused, descending) in enumerate(specs):
                try:
                    result = _sort_compare(a[1][i], b[1][i], case)
                except PSError:
                    result = _sort_compare(V.to_string(a[1][i]), V.to_string(b[1][i]), case)
                if result:
                    return -result if descending else result
            return 0

        ordered = sorted(keyed, key=functools.cmp_to_key(cmp))
        previous: typing.Any = _SENTINEL
        for obj, keys in ordered:
            if self.switch("Unique"):
                if previous is not _SENTINEL and all(V.equals(x, y, case) for x, y in zip(previous, keys)):
                    continue
                previous = keys
            self.emit(obj)


_SENTINEL = object()


def _sort_compare(a: typing.Any, b: typing.Any, case: bool) -> int:
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    if V.is_number(a) and isinstance(b, str) or isinstance(a, str) and V.is_number(b):
        return V.compare(V.to_string(a), V.to_string(b), case)
    return V.compare(a, b, case)


@cmdlet("Measure-Object", "Microsoft.PowerShell.Commands.MeasureObjectCommand", aliases=("measure",))
class MeasureObject(Cmdlet):
    parameters = [Param("Property", 0), Param("Sum", switch=True), Param("Average", switch=True),
                  Param("Maximum", switch=True), Param("Minimum", switch=True), Param("Line", switch=True),
                  Param("Word", switch=True), Param("Character", switch=True), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.values: list = []
        self.count = 0

    def process_record(self, item: typing.Any) -> None:
        if item is _no_input():
            if "InputObject" not in self.bound:
                return
            item = self.bound["InputObject"]
        prop = self.get("Property")
        if prop is not None:
            if not has_property(item, V.to_string(prop)):
                self.write_error(PSError(
                    f'The property "{V.to_string(prop)}" cannot be found in the input for any objects.',
                    exception_type="System.Management.Automation.PSArgumentException",
                    fqid="GenericMeasurePropertyNotFound", category="InvalidArgument", reason="PSArgumentException"))
                return
            item = get_property(item, V.to_string(prop))
        self.count += 1
        self.values.append(item)

    def end_processing(self) -> None:
        result = PSObject()
        result.PSObject.type_names = ["Microsoft.PowerShell.Commands.GenericMeasureInfo",
                                      "Microsoft.PowerShell.Commands.MeasureInfo", "System.Object"]
        numbers: list[float] = []
        if any(self.switch(s) for s in ("Sum", "Average", "Maximum", "Minimum")):
            for value in self.values:
                try:
                    numbers.append(V.to_double(value))
                except PSError:
                    self.write_error(PSError(
                        f'Input object "{V.to_string(value)}" is not numeric.',
                        exception_type="System.Management.Automation.PSInvalidOperationException",
                        fqid="NonNumericInputObject", category="InvalidType", reason="PSInvalidOperationException",
                        target=value))
        add_note(result, "Count", self.count)
        add_note(result, "Average", (sum(numbers) / len(numbers) if numbers else None) if self.switch("Average") else None)
        add_note(result, "Sum", float(sum(numbers)) if self.switch("Sum") else None)
        add_note(result, "Maximum", (max(numbers) if numbers else None) if self.switch("Maximum") else None)
        add_note(result, "Minimum", (min(numbers) if numbers else None) if self.switch("Minimum") else None)
        add_note(result, "Property", None if self.get("Property") is None else V.to_string(self.get("Property")))
        result.PSObject.to_string = "Microsoft.PowerShell.Commands.GenericMeasureInfo"
        self.emit(result)


@cmdlet("Group-Object", "Microsoft.PowerShell.Commands.GroupObjectCommand", aliases=("group",))
class GroupObject(Cmdlet):
    parameters = [Param("Property", 0), Param("NoElement", switch=True), Param("AsHashTable", switch=True),
                  Param("AsString", switch=True), Param("InputObject", pipeline=True)]

    def begin_processing(self) -> None:
        self.groups: list[tuple[list, str, list]] = []

    def process_record(self, item: typing.Any) -> None:
        if item is _no_input():
            return
        keys = [evaluate_property(self, item, p) for p in V.as_list(self.get("Property"))] or [item]
        name = ", ".join(V.to_string(k) for k in keys)
        for group in self.groups:
            if group[1].lower() == name.lower():
                group[2].append(item)
                return
        self.groups.append((keys, name, [item]))

    def end_processing(self) -> None:
        if self.switch("AsHashTable"):
            table = V.PSHashtable()
            for keys, name, items in self.groups:
                table[name if self.switch("AsString") or len(keys) != 1 else keys[0]] = items
            self.emit(table)
            return
        for keys, name, items in self.groups:
            info = PSObject()
            info.PSObject.type_names = ["Microsoft.PowerShell.Commands.GroupInfo", "System.Object"]
            add_note(info, "Count", len(items))
            add_note(info, "Name", name)
            add_note(info, "Values", keys)
            if not self.switch("NoElement"):
                add_note(info, "Group", items)
            info.PSObject.to_string = "Microsoft.PowerShell.Commands.GroupInfo"
            self.emit(info)


@cmdlet("Add-Member", "Microsoft.PowerShell.Commands.AddMemberCommand")
class AddMember(Cmdlet):
    parameters = [Param("MemberType", 0, aliases=("Type",)), Param("Name", 1), Param("Value", 2), Param("SecondValue", 3),
                  Param("InputObject", pipeline=True), Param("NotePropertyName"), Param("NotePropertyValue"),
                  Param("NotePropertyMembers"), Param("PassThru", switch=True), Param("Force", switch=True),
                  Param("TypeName")]

    def process_record(self, item: typing.Any) -> None:
        target = self.get("InputObject")
        members: list[tuple[str, typing.Any]] = []
        if self.has("NotePropertyMembers"):
            table = self.get("NotePropertyMembers")
            members = [(V.to_string(k), v) for k, v in table.items()] if isinstance(table, dict) else []
        elif self.has("NotePropertyName"):
            members = [(V.to_string(self.get("NotePropertyName")), self.get("NotePropertyValue"))]
        elif self.has("MemberType"):
            kind = V.to_string(self.get("MemberType")).lower()
            if kind != "noteproperty":
                raise self.terminating(PSError(
                    f"Add-Member in the fake Windows host supports only NoteProperty members, not {self.get('MemberType')}.",
                    exception_type="System.NotSupportedException", fqid="NotSupported", category="NotImplemented",
                    reason="NotSupportedException"))
            members = [(V.to_string(self.get("Name")), self.get("Value"))]
        if not isinstance(target, PSObject) or isinstance(target, (int, float, str, list, dict)):
            raise self.terminating(PSError(
                "Add-Member in the fake Windows host can only extend PSCustomObject/PSObject values.",
                exception_type="System.NotSupportedException", fqid="NotSupported", category="NotImplemented",
                reason="NotSupportedException"))
        for name, value in members:
            existing = [p for p in target.PSObject.extended_properties if p.name.lower() == name.lower()]
            if existing:
                if not self.switch("Force"):
                    self.write_error(PSError(
                        f'Cannot add a member with the name "{name}" because a member with that name already exists. To '
                        "overwrite the member anyway, add the Force parameter to your command.",
                        exception_type="System.InvalidOperationException", fqid="MemberAlreadyExists",
                        category="InvalidOperation", reason="InvalidOperationException", target=target))
                    continue
                for prop in existing:
                    target.PSObject.extended_properties.remove(prop)
            add_note(target, name, value)
        if self.has("TypeName"):
            target.PSObject.type_names.insert(0, V.to_string(self.get("TypeName")))
        if self.switch("PassThru"):
            self.emit(target)
