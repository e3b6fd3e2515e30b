"""Runtime .NET types: the one place a type is declared with what PowerShell sees of it.

A type is declared once, as a `NetType`: its full name, its type accelerators (the short names
PowerShell 5.1 resolves, `[Version]`), its base types (for `-is` and typed `catch`), its static
properties and methods, its constructor (`[T]::new()`, `New-Object`), how a value is converted
to it (`[T]$x`, typed parameters) and how a value is recognised as one (`-is`). Instances are
`dotnet.NetObject` subclasses (their members live with them) or plain Python values.

Name resolution follows PowerShell's TypeResolver (System.Management.Automation/engine/parser/
TypeResolver.cs): the name as written (case-insensitive), then each `using namespace` prefix in
effect, then `System.` in front; a type accelerator wins over a namespace lookup. Generic
arguments (`List[string]`, ``HashSet`1[[System.String]]``, `Dictionary[string, object]`) are
resolved one by one and handed to the open type's `close` factory, which declares the closed
type (cached). Nested types use `+` (`[Outer+Inner]`), as .NET names them.

This module imports nothing from the interpreter: types are registered by the modules that
implement them (dotnet.py, the stand-ins of compiled C#, ...), which import this one.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

Factory = typing.Callable[[list], typing.Any]


@dataclasses.dataclass
class NetType:
    """What PowerShell sees of one .NET type. Member names are matched case-insensitively."""

    full_name: str
    accelerators: tuple[str, ...] = ()
    base_types: tuple[str, ...] = ("System.Object",)
    static_properties: dict[str, typing.Callable[[], typing.Any]] = dataclasses.field(default_factory=dict)
    static_methods: dict[str, Factory] = dataclasses.field(default_factory=dict)
    # Settable static properties and fields (`[T]::Name = value`); a static property without a setter is ReadOnly.
    static_setters: dict[str, typing.Callable[[typing.Any], None]] = dataclasses.field(default_factory=dict)
    constructor: Factory | None = None
    convert: typing.Callable[[typing.Any], typing.Any] | None = None
    instance_check: typing.Callable[[typing.Any], bool] | None = None
    # -eq / -lt with a value of this type on the left (IEquatable, IComparable), the right operand as given.
    equals: typing.Callable[[typing.Any, typing.Any], bool] | None = None
    compare: typing.Callable[[typing.Any, typing.Any], int] | None = None
    # Open generic types (List`1): given the closed type's full argument names, declare the closed type.
    close: typing.Callable[[list[str]], "NetType"] | None = None

    def __post_init__(self) -> None:
        self.static_properties = {k.lower(): v for k, v in self.static_properties.items()}
        self.static_methods = {k.lower(): v for k, v in self.static_methods.items()}
        self.static_setters = {k.lower(): v for k, v in self.static_setters.items()}

    @property
    def name(self) -> str:
        return self.full_name.rsplit(".", 1)[-1].rsplit("+", 1)[-1]

    def static_property(self, name: str) -> typing.Any:
        getter = self.static_properties.get(name.lower())
        if getter is None:
            getter = self._inherited("static_properties", name)
        return getter() if getter is not None else MISSING

    def set_static_property(self, name: str, value: typing.Any) -> bool:
        setter = self.static_setters.get(name.lower())
        if setter is None:
            return False
        setter(value)
        return True

    def static_method(self, name: str) -> Factory | None:
        if name.lower() == "new":
            return self.constructor  # constructors are not inherited
        return self.static_methods.get(name.lower()) or self._inherited("static_methods", name)

    def _inherited(self, table: str, name: str) -> typing.Any:
        """A base type's public static member: PowerShell's .NET adapter binds static members with
        BindingFlags.FlattenHierarchy (DotNetAdapter.GetStaticPropertyReflectionTable / GetStaticMethodReflectionTable
        in PowerShell's source), so `[SHA1CryptoServiceProvider]::Create()` is SHA1.Create()."""
        for base in self.base_types:
            base_type = _TYPES.get(base.lower())
            if base_type is not None and base_type is not self:
                member = getattr(base_type, table).get(name.lower())
                if member is not None:
                    return member
        return None


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


# The interpreter's one "not there" value: no such member, static member, property or hashtable key. A lookup
# returns it where $null would be a real answer (a property whose value is $null); never a PowerShell value.
MISSING: typing.Any = _Missing()


_TYPES: dict[str, NetType] = {}
_ACCELERATORS: dict[str, str] = {}


# Static members that Windows PowerShell 5.1's .NET Framework 4.x type does NOT have, which scripts probe for (a newer
# .NET's API read as a property to choose a code path): reading one is $null, or PropertyNotFoundStrict under
# Set-StrictMode 2+, as for any missing member. Only what is declared here: any other member the test host does not
# know stays an error, since Windows may well have it.
_ABSENT_STATIC: dict[str, set[str]] = {}


def declare_absent_static(full_name: str, *members: str) -> None:
    _ABSENT_STATIC.setdefault(full_name.lower(), set()).update(m.lower() for m in members)


def absent_static(full_name: str, member: str) -> bool:
    return member.lower() in _ABSENT_STATIC.get(full_name.lower(), ())


def register(net_type: NetType) -> NetType:
    """Declare a type (again: the later declaration wins, as a later Add-Type in a new assembly does not)."""
    _TYPES[net_type.full_name.lower()] = net_type
    for short in net_type.accelerators:
        _ACCELERATORS[short.lower()] = net_type.full_name.lower()
    return net_type


def add_accelerator(short: str, net_type: NetType) -> None:
    """A type accelerator added at run time (System.Management.Automation.TypeAccelerators.Add)."""
    _ACCELERATORS[short.lower()] = net_type.full_name.lower()


def types_in_namespace(namespace: str) -> list[NetType]:
    """The registered types declared directly in `namespace` (what a compiled assembly's GetTypes() lists)."""
    prefix = namespace.lower() + "."
    return [t for key, t in _TYPES.items() if key.startswith(prefix) and "." not in key[len(prefix):].split("+")[0]
            and "`" not in key[len(prefix):]]


def registered(full_name: str) -> NetType | None:
    return _TYPES.get(full_name.lower())


def _split_generic(text: str) -> tuple[str, list[str]] | None:
    """'List[string]' -> ('List', ['string']); 'Dictionary[string, List[int]]' keeps the inner brackets;
    'HashSet`1[[System.String]]' -> ('HashSet`1', ['System.String']); 'string[]' is not generic (None)."""
    if not text.endswith("]") or "[" not in text or text.endswith("[]"):
        return None
    head, inner = text[:text.index("[")], text[text.index("[") + 1:-1]
    args, depth, current = [], 0, ""
    for char in inner:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "," and depth == 0:
            args.append(current)
            current = ""
        else:
            current += char
    args.append(current)
    args = [a.strip() for a in args]
    args = [a[1:-1].split(",", 1)[0].strip() if a.startswith("[") and a.endswith("]") else a for a in args]
    return head, args


def find(name: str, namespaces: typing.Sequence[str] = (),
         resolve_argument: typing.Callable[[str], str] | None = None) -> NetType | None:
    """The registered type `name` denotes (None when there is none), as PowerShell's TypeResolver looks it up.

    `resolve_argument` turns a generic argument's name into its full name (the caller's resolver, which
    also knows the types that are not registered here, such as [string])."""
    text = name.strip().replace(" ", "")
    generic = _split_generic(text)
    if generic is not None:
        head, args = generic
        base = head.split("`", 1)[0]
        open_type = _lookup(f"{base}`{len(args)}", namespaces)
        if open_type is None or open_type.close is None:
            return None
        full_args = [resolve_argument(a) if resolve_argument else a for a in args]
        closed_name = f"{open_type.full_name}[{','.join('[' + a + ']' for a in full_args)}]"
        closed = _TYPES.get(closed_name.lower())
        if closed is None:
            closed = open_type.close(full_args)
            closed.full_name = closed_name
            _TYPES[closed_name.lower()] = closed
        return closed
    return _lookup(text, namespaces)


def _lookup(text: str, namespaces: typing.Sequence[str]) -> NetType | None:
    key = text.lower()
    full = _ACCELERATORS.get(key, key)
    if full in _TYPES:
        return _TYPES[full]
    for namespace in list(namespaces) + ["System"]:
        candidate = f"{namespace.lower()}.{key}"
        if candidate in _TYPES:
            return _TYPES[candidate]
    return None


# --------------------------------------------------------------------------- instance members, declared per class
#
# A NetObject subclass declares its .NET instance members once, on the class, instead of an if-chain in
# get_member/set_member/call:
#
#     class ServiceController(NetObject):
#         @net_property("Name", "ServiceName")        # the .NET name, then aliases; matched case-insensitively
#         def _name(self): return self.record.name
#
#         @net_setter("DisplayName")                  # `$x.DisplayName = v` (a property without a setter is read-only)
#         def _set_display_name(self, value): ...
#
#         @net_method("Refresh")                      # `$x.Refresh()`: the overload's argument count is the Python
#         def _refresh(self): ...                     # signature's (defaults: optional arguments, *args: any count)
#
#         net_not_modelled = ("Site", "Container")    # members Windows has that the test host does not model:
#         net_not_modelled_methods = ("Pause",)       # reading or calling one trips the tripwire (tripwire.trip)
#
# NetObject.__init_subclass__ builds the class's MemberTable once, from its bases' tables (inherited, a subclass's
# declaration of the same name wins, as a .NET override or `new` member does) and its own declarations.


@dataclasses.dataclass(frozen=True)
class NetProperty:
    """One declared instance property: its .NET name, aliases (other names that read it, e.g. ServiceController's
    ServiceName), getter(obj) and setter(obj, value) (None: read-only)."""

    name: str
    getter: typing.Callable[[typing.Any], typing.Any] | None = None
    setter: typing.Callable[[typing.Any, typing.Any], None] | None = None
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class NetMethod:
    """One declared instance method overload: its .NET name, how many arguments it takes (min_args..max_args,
    max_args None: any number) and func(obj, *args)."""

    name: str
    func: typing.Callable[..., typing.Any]
    min_args: int = 0
    max_args: int | None = 0

    def accepts(self, argc: int) -> bool:
        return argc >= self.min_args and (self.max_args is None or argc <= self.max_args)


@dataclasses.dataclass
class MemberTable:
    """A class's instance members by lower-case name (aliases included): properties, method overloads, and the
    names of members Windows has that the class does not model (each with its .NET spelling)."""

    properties: dict[str, NetProperty] = dataclasses.field(default_factory=dict)
    methods: dict[str, list[NetMethod]] = dataclasses.field(default_factory=dict)
    not_modelled: dict[str, str] = dataclasses.field(default_factory=dict)
    not_modelled_methods: dict[str, str] = dataclasses.field(default_factory=dict)

    def merged(self, other: "MemberTable") -> "MemberTable":
        """This table with `other`'s declarations over it (other is the derived class)."""
        table = MemberTable(dict(self.properties), {k: list(v) for k, v in self.methods.items()},
                            dict(self.not_modelled), dict(self.not_modelled_methods))
        for low, prop in other.properties.items():
            table.properties[low] = prop
            table.not_modelled.pop(low, None)
        for low, overloads in other.methods.items():
            kept = [m for m in table.methods.get(low, [])
                    if not any(o.min_args == m.min_args and o.max_args == m.max_args for o in overloads)]
            table.methods[low] = overloads + kept
            table.not_modelled_methods.pop(low, None)
        table.not_modelled.update(other.not_modelled)
        table.not_modelled_methods.update(other.not_modelled_methods)
        return table

    def property_names(self) -> list[str]:
        """The declared properties' .NET names, in declaration order, once each (aliases that are other .NET
        properties, such as ServiceController's ServiceName, are listed by the caller as it needs)."""
        seen: dict[int, str] = {}
        for prop in self.properties.values():
            seen.setdefault(id(prop), prop.name)
        return list(seen.values())

    def method_names(self) -> list[str]:
        return [overloads[0].name for overloads in self.methods.values()]


_MEMBER_ATTR = "_net_member_declarations"


def _declare(func: typing.Callable, declaration: tuple) -> typing.Callable:
    declarations = getattr(func, _MEMBER_ATTR, ())
    setattr(func, _MEMBER_ATTR, declarations + (declaration,))
    return func


def net_property(name: str, *aliases: str) -> typing.Callable[[typing.Callable], typing.Callable]:
    """Declare the decorated `def getter(self)` as the instance property `name` (and its aliases)."""
    return lambda func: _declare(func, ("property", name, aliases))


def net_setter(name: str) -> typing.Callable[[typing.Callable], typing.Callable]:
    """Declare the decorated `def setter(self, value)` as the setter of the property `name` (declared with
    net_property, on this class or a base)."""
    return lambda func: _declare(func, ("setter", name, ()))


def net_method(name: str, *aliases: str) -> typing.Callable[[typing.Callable], typing.Callable]:
    """Declare the decorated `def method(self, ...)` as an overload of the instance method `name`; the overload's
    argument count is the signature's. Several functions may declare overloads of one name."""
    return lambda func: _declare(func, ("method", name, aliases))


def _arity(func: typing.Callable) -> tuple[int, int | None]:
    params = list(inspect.signature(func).parameters.values())[1:]  # not self
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return sum(1 for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                   and p.default is inspect.Parameter.empty), None
    positional = [p for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    return sum(1 for p in positional if p.default is inspect.Parameter.empty), len(positional)


def build_member_table(cls: type, bases: typing.Sequence[MemberTable]) -> MemberTable:
    """The MemberTable of `cls`: its bases' tables (first base last, so the first wins, as Python's MRO), then the
    declarations in its own body and its `net_not_modelled` / `net_not_modelled_methods` names."""
    table = MemberTable()
    for base in reversed(list(bases)):
        table = table.merged(base)
    own = MemberTable()
    setters: list[tuple[str, typing.Callable]] = []
    for func in vars(cls).values():
        for kind, name, aliases in getattr(func, _MEMBER_ATTR, ()):
            if kind == "property":
                prop = NetProperty(name, func, None, aliases)
                for key in (name,) + aliases:
                    own.properties[key.lower()] = prop
            elif kind == "setter":
                setters.append((name, func))
            else:
                low_args, high_args = _arity(func)
                method = NetMethod(name, func, low_args, high_args)
                for key in (name,) + aliases:
                    own.methods.setdefault(key.lower(), []).append(method)
    for name in vars(cls).get("net_not_modelled", ()):
        own.not_modelled[name.lower()] = name
    for name in vars(cls).get("net_not_modelled_methods", ()):
        own.not_modelled_methods[name.lower()] = name
    table = table.merged(own)
    for name, func in setters:
        prop = table.properties.get(name.lower())
        if prop is None:
            raise TypeError(f"{cls.__name__}: net_setter('{name}') without a net_property('{name}')")
        with_setter = dataclasses.replace(prop, setter=func)
        for key in [k for k, v in table.properties.items() if v is prop]:
            table.properties[key] = with_setter
    return table
