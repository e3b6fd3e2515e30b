"""Get-CimInstance (Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand) for a local query.

learn.microsoft.com, Get-CimInstance (5.1): the default set ClassNameComputerSet is `[-ClassName] <String>
[-Namespace <String>] [-Filter <String>]` (plus -ComputerName, -KeyOnly, -OperationTimeoutSec, -Property,
-QueryDialect, -Shallow); other sets take -InputObject, -Query, -CimSession or -ResourceUri. -Namespace defaults to
root/cimv2; -Filter is the WHERE clause of a WQL query (`SELECT * FROM <ClassName> WHERE <Filter>`); the
instances come out one by one, and a filter no instance matches gives nothing.

Modelled: the classes clr/cim.py answers for (Win32_Share, Win32_OperatingSystem, Win32_ComputerSystem in
root/cimv2), -Property (the other properties NULL, the key kept), all instances or those a -Filter of the
form `<string property> = '<literal>'` (or `"<literal>"`) keeps. WQL string literals take `\\\\`, `\\'` and `\\"` as
escapes (learn.microsoft.com, "WHERE Clause (WMI)"; KB 242507: the backslash is WMI's escape character, so a path is
written `'C:\\\\chain\\\\dir'`, as win_stat writes it); the comparison ignores case, as WMI compares strings (an
assumption from the CIM string semantics, not checked against a recording). Every other parameter, namespace, class,
filter form (AND/OR, other operators, numbers, NULL, LIKE) and escape is a NotImplemented error naming it: the
test host cannot evaluate it, and an empty answer would look like "no such instance".
"""

from __future__ import annotations

import re
import typing

from .. import values as V
from ..binding import Param
from ..clr import cim
from ..errors import PSError
from . import Cmdlet, cmdlet

# `Property = 'literal'` / `Property = "literal"`, whitespace around the parts; the literal's escapes are checked apart.
_EQUALS = re.compile(r"""^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$""", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Parameters of the other parameter sets, and the ones that change what a local class query returns.
_NOT_MODELLED_PARAMETERS = ("InputObject", "Query", "CimSession", "ResourceUri", "ComputerName", "KeyOnly", "Shallow",
                            "OperationTimeoutSec")


def _not_modelled(what: str) -> PSError:
    return PSError(f"The test host does not model Get-CimInstance {what}.", fqid="NotModelledOnTestHost",
                   category="NotImplemented", exception_type="System.NotImplementedException", terminating=True)


def parse_filter(cim_class: cim.CimClass, text: str) -> tuple[str, str]:
    """The (property, value) of a `Property = 'value'` filter on one of the class's string properties."""
    match = _EQUALS.match(text)
    if match is None:
        raise _not_modelled(f"-Filter \"{text}\" (only `<string property> = '<value>'` is evaluated)")
    prop = cim_class.property_name(match.group(1))
    if prop is None or prop not in cim_class.string_properties:
        raise _not_modelled(f"-Filter \"{text}\" on '{match.group(1)}' (not a string property of {cim_class.name})")
    raw = match.group(3) if match.group(3) is not None else match.group(4)

    def unescape(escape: re.Match) -> str:
        if escape.group(1) not in ("\\", "'", '"'):
            raise _not_modelled(f"-Filter \"{text}\": the escape '\\{escape.group(1)}'")
        return escape.group(1)

    return prop, _ESCAPE.sub(unescape, raw)


@cmdlet("Get-CimInstance", "Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand")
class GetCimInstance(Cmdlet):
    parameters = [Param("ClassName", 0), Param("Namespace"), Param("Filter"), Param("QueryDialect"),
                  Param("InputObject", pipeline=True, aliases=("CimInstance",)), Param("Query"), Param("CimSession"),
                  Param("ResourceUri"), Param("ComputerName", aliases=("CN", "ServerName")), Param("KeyOnly", switch=True),
                  Param("Property", aliases=("SelectProperties",)), Param("Shallow", switch=True),
                  Param("OperationTimeoutSec", aliases=("OT",))]

    def process_record(self, item: typing.Any) -> None:
        del item
        for name in _NOT_MODELLED_PARAMETERS:
            if self.has(name):
                raise self.terminating(_not_modelled(f"-{name}"))
        dialect = self.get("QueryDialect")
        if dialect is not None and V.to_string(dialect).lower() != "wql":
            raise self.terminating(_not_modelled(f"-QueryDialect {V.to_string(dialect)}"))
        if self.get("ClassName") is None:
            raise self.terminating(_not_modelled("without -ClassName"))
        namespace = V.to_string(self.get("Namespace")) if self.has("Namespace") else cim.DEFAULT_NAMESPACE
        classes = cim.CLASSES.get(cim.normalize_namespace(namespace))
        if classes is None:
            raise self.terminating(_not_modelled(f"the namespace '{namespace}'"))
        name = V.to_string(self.get("ClassName"))
        cim_class = classes.get(name.lower())
        if cim_class is None:
            raise self.terminating(_not_modelled(f"the class '{name}' (namespace {cim.normalize_namespace(namespace)})"))
        wanted: tuple[str, str] | None = None
        if self.get("Filter") is not None:
            try:
                wanted = parse_filter(cim_class, V.to_string(self.get("Filter")))
            except PSError as err:
                raise self.terminating(err) from None
        selected = None
        if self.get("Property") is not None:
            selected = set()
            for prop in V.as_list(self.get("Property")):
                known = cim_class.property_name(V.to_string(prop))
                if known is None:
                    raise self.terminating(_not_modelled(f"-Property '{V.to_string(prop)}' of {cim_class.name}"))
                selected.add(known)
        for values in cim_class.instances(self.ctx.host):
            if wanted is not None:
                value = values[wanted[0]]
                if value is None or V.to_string(value).lower() != wanted[1].lower():
                    continue
            if selected is not None:
                # -Property: `SELECT <properties> FROM <class>`; the instance has the others unset (NULL), but the
                # key (Name, for the classes modelled), which identifies it.
                values = {k: (v if k in selected or k == "Name" else None) for k, v in values.items()}
            self.emit(cim.CimInstance(cim_class, values))
