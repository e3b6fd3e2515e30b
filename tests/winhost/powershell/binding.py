"""Parameter binding shared by cmdlets and script functions (named, positional, switches, common)."""

from __future__ import annotations

import typing

from .errors import PSError, ambiguous_parameter, missing_argument, parameter_not_found, positional_not_found
from .tripwire import not_modelled
from .values import PSHashtable, ScriptBlock, SwitchValue, TypeValue, cast, like, resolve_type, to_string

COMMON_PARAMETERS = {
    "verbose": ("Verbose", True), "vb": ("Verbose", True),
    "debug": ("Debug", True), "db": ("Debug", True),
    "erroraction": ("ErrorAction", False), "ea": ("ErrorAction", False),
    "warningaction": ("WarningAction", False), "wa": ("WarningAction", False),
    "informationaction": ("InformationAction", False), "infa": ("InformationAction", False),
    "errorvariable": ("ErrorVariable", False), "ev": ("ErrorVariable", False),
    "warningvariable": ("WarningVariable", False), "wv": ("WarningVariable", False),
    "informationvariable": ("InformationVariable", False), "iv": ("InformationVariable", False),
    "outvariable": ("OutVariable", False), "ov": ("OutVariable", False),
    "outbuffer": ("OutBuffer", False), "ob": ("OutBuffer", False),
    "pipelinevariable": ("PipelineVariable", False), "pv": ("PipelineVariable", False),
}
# The risk-mitigation parameters: only commands that declare SupportsShouldProcess have them
# (about_CommonParameters; CommonParameters.cs ShouldProcessParameters).
SHOULD_PROCESS_PARAMETERS = {
    "whatif": ("WhatIf", True), "wi": ("WhatIf", True),
    "confirm": ("Confirm", True), "cf": ("Confirm", True),
}


class CmdletBindingInfo:
    """An advanced script or function: what its [CmdletBinding(...)] declares (CommandMetadata).

    Truthy wherever a plain "is advanced" flag was used before. ConfirmImpact defaults to Medium
    as CmdletBindingAttribute's does.
    """

    def __init__(self, should_process: bool = False, confirm_impact: str = "Medium") -> None:
        self.should_process = should_process
        self.confirm_impact = confirm_impact

    def __bool__(self) -> bool:
        return True


class Param:  # pylint: disable=too-many-instance-attributes
    parameter_set: str | None = None  # [Parameter(ParameterSetName = ...)] (parametersets.py)

    def __init__(self, name: str, position: int | None = None, *, switch: bool = False, pipeline: bool = False,
                 by_property: bool = False, aliases: tuple[str, ...] = (), remaining: bool = False,
                 mandatory: bool = False, type_name: str | None = None, default: typing.Any = None) -> None:
        self.name = name
        self.position = position
        self.switch = switch
        self.pipeline = pipeline
        self.by_property = by_property
        self.aliases = aliases
        self.remaining = remaining
        self.mandatory = mandatory
        self.type_name = type_name
        self.default = default


class Arg:
    """One command argument as written: `-Name`, `-Name:value` or a positional value."""

    __slots__ = ("name", "value", "colon", "text", "splatted")

    def __init__(self, name: str | None, value: typing.Any = None, colon: bool = False, text: str | None = None,
                 splatted: bool = False) -> None:
        self.name = name
        self.value = value
        self.colon = colon
        self.text = text
        self.splatted = splatted


class BindResult:
    def __init__(self) -> None:
        self.bound: dict[str, typing.Any] = {}
        self.common: dict[str, typing.Any] = {}
        self.unbound: list[typing.Any] = []


def _find_param(spec: list[Param], name: str, fqid_suffix: str) -> Param | None:
    low = name.lower()
    for p in spec:
        if p.name.lower() == low or low in (a.lower() for a in p.aliases):
            return p
    matches = [p for p in spec if p.name.lower().startswith(low)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ambiguous_parameter(name, [m.name for m in matches], fqid_suffix)
    return None


def _find_common(name: str, should_process: bool = False) -> tuple[str, bool] | None:
    low = name.lower()
    table = dict(COMMON_PARAMETERS, **SHOULD_PROCESS_PARAMETERS) if should_process else COMMON_PARAMETERS
    if low in table:
        return table[low]
    matches = {v for k, v in table.items() if v[0].lower().startswith(low)}
    if len(matches) == 1:
        return matches.pop()
    return None


def convert_param(param: Param, value: typing.Any, fqid_suffix: str) -> typing.Any:
    if param.switch:
        return SwitchValue(True if value is None else bool(value.is_present if isinstance(value, SwitchValue) else value))
    if not param.type_name:
        return value
    try:
        type_value = param.type_name if isinstance(param.type_name, TypeValue) else resolve_type(param.type_name)
        return cast(value, type_value)
    except PSError as err:
        raise PSError(
            f"Cannot process argument transformation on parameter '{param.name}'. {err.message}",
            exception_type="System.Management.Automation.ParameterBindingArgumentTransformationException",
            fqid="ParameterArgumentTransformationError" + (f",{fqid_suffix}" if fqid_suffix else ""),
            category="InvalidData",
            reason="ParameterBindingArgumentTransformationException",
        ) from None


def bind(spec: list[Param], args: list[Arg], fqid_suffix: str, *, advanced: bool = True,
         common: bool = True, should_process: bool = False) -> BindResult:  # pylint: disable=too-many-branches
    result = BindResult()
    positional: list[typing.Any] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.name is None:
            positional.append(arg.value)
            continue
        param = _find_param(spec, arg.name, fqid_suffix)
        if param is None:
            found = _find_common(arg.name, should_process) if common else None
            if found is None:
                if not advanced:
                    positional.append(arg.text if arg.text is not None else f"-{arg.name}")
                    if arg.colon:
                        positional.append(arg.value)
                    continue
                raise parameter_not_found(arg.name, fqid_suffix)
            cname, is_switch = found
            if is_switch:
                result.common[cname] = bool(arg.value) if arg.colon else True
            else:
                if arg.colon:
                    result.common[cname] = arg.value
                elif i < len(args) and args[i].name is None:
                    result.common[cname] = args[i].value
                    i += 1
                else:
                    raise missing_argument(cname, "System.Object", fqid_suffix)
            continue
        if param.switch:
            value = arg.value if arg.colon else True
        elif arg.colon:
            value = arg.value
        elif i < len(args) and args[i].name is None:
            value = args[i].value
            i += 1
        else:
            raise missing_argument(param.name, _type_display(param), fqid_suffix)
        if param.name in result.bound:
            raise PSError(f"Cannot bind parameter because parameter '{param.name}' is specified more than once. To provide "
                          "multiple values to parameters that can accept multiple values, use the array syntax. For example, "
                          '"-parameter value1,value2,value3".',
                          exception_type="System.Management.Automation.ParameterBindingException",
                          fqid="ParameterAlreadyBound" + (f",{fqid_suffix}" if fqid_suffix else ""), category="InvalidArgument",
                          reason="ParameterBindingException")
        result.bound[param.name] = convert_param(param, value, fqid_suffix)
    free = sorted([p for p in spec if p.position is not None and p.name not in result.bound and not p.switch],
                  key=lambda p: p.position or 0)
    remaining = next((p for p in spec if p.remaining and p.name not in result.bound), None)
    extra: list[typing.Any] = []
    for value in positional:
        if free and not free[0].remaining:
            param = free.pop(0)
            result.bound[param.name] = convert_param(param, value, fqid_suffix)
        elif remaining is not None:
            extra.append(value)
        elif advanced:
            raise positional_not_found(to_string(value), fqid_suffix)
        else:
            result.unbound.append(value)
    if remaining is not None and extra:
        result.bound[remaining.name] = extra if len(extra) > 1 else extra[0]
    return result


def _type_display(param: Param) -> str:
    names = {"int": "System.Int32", "string": "System.String", "double": "System.Double", "datetime": "System.DateTime",
             "scriptblock": "System.Management.Automation.ScriptBlock", None: "System.Object"}
    if isinstance(param.type_name, TypeValue):
        return param.type_name.full_name
    return names.get(param.type_name.lower() if param.type_name else None, param.type_name or "System.Object")


def splat(value: typing.Any) -> list[Arg]:
    if isinstance(value, dict):
        out = []
        for key, val in value.items():
            out.append(Arg(to_string(key), val, colon=True, splatted=True))
        return out
    if isinstance(value, (list, tuple)):
        return [Arg(None, v) for v in value]
    if value is None:
        return []
    return [Arg(None, value)]


def bound_parameters_table(bound: dict[str, typing.Any]) -> PSHashtable:
    table = PSHashtable()
    for key, value in bound.items():
        table[key] = value
    return table


def apply_default_values(table: typing.Any, command: str, spec: list[Param], result: "BindResult", fqid_suffix: str,
                         common: bool) -> None:
    """$PSDefaultParameterValues (about_Parameters_Default_Values): for a cmdlet or advanced function ``command``,
    each "CommandName:ParameterName" key (wildcards in both) gives a value to a parameter (by name or alias) or,
    with ``common``, a common parameter, that the arguments left unbound; a true "Disabled" key turns it off.
    A script block value is computed by PowerShell at binding time: not modelled here (an error, not a guess)."""
    if not isinstance(table, dict) or not command or not table:
        return
    entries = [(to_string(k).strip(), v) for k, v in table.items()]
    if any(k.lower() == "disabled" and bool(v) for k, v in entries):
        return
    for key, value in entries:
        command_pattern, sep, parameter_pattern = key.partition(":")
        if not sep or not like(command, command_pattern.strip()):
            continue
        parameter_pattern = parameter_pattern.strip()
        for param in spec:
            if param.name in result.bound or not any(like(n, parameter_pattern) for n in (param.name, *param.aliases)):
                continue
            if isinstance(value, ScriptBlock):
                raise not_modelled(f"A script block value in $PSDefaultParameterValues ('{key}')")
            result.bound[param.name] = SwitchValue(bool(value)) if param.switch and not isinstance(value, SwitchValue) \
                else (convert_param(param, value, fqid_suffix) if param.type_name else value)
        if common:
            for name, _switch in set(COMMON_PARAMETERS.values()):
                if name not in result.common and like(name, parameter_pattern):
                    result.common[name] = value
