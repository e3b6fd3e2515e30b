"""Parameter sets of advanced functions: `[Parameter(ParameterSetName = 'X')]` and `$PSCmdlet.ParameterSetName`.

PowerShell's binder (about_Parameter_Sets, CmdletParameterBinderController) picks the set from the
parameters bound: a parameter declared in one set only puts the command in that set; parameters of
two different sets together are an error (AmbiguousParameterSet). When the bound parameters name no
set, the set is the one whose mandatory parameters are all bound, if exactly one is; with no declared
sets at all it is `__AllParameterSets`. Mandatory parameters are required only in the chosen set.
What the binder would decide from DefaultParameterSetName or by other rules (several candidates) is
not modelled: an error, never a guess.
"""

from __future__ import annotations

import re
import typing

from .errors import PSError
from .shouldprocess import not_modelled

ALL_SETS = "__AllParameterSets"
_SET_NAME = re.compile(r"parametersetname\s*=\s*['\"]([^'\"]+)['\"]", re.I)


def declared_set(parameter_attribute_text: str) -> str | None:
    """The ParameterSetName of one `[Parameter(...)]` attribute, if it names one."""
    match = _SET_NAME.search(parameter_attribute_text)
    return match.group(1) if match else None


_MANDATORY = re.compile(r"mandatory(\s*=\s*\$true)?(?=[,)])", re.I)


def memberships(parameter_attribute_texts: list[str]) -> dict[str, bool]:
    """The sets a parameter is in, each with whether it is mandatory there, from its `[Parameter(...)]` attributes: a
    parameter may be in several sets, one attribute per set (about_Parameter_Sets: "each parameter set must have a
    Parameter attribute"); an attribute without ParameterSetName is for all sets (ALL_SETS)."""
    sets: dict[str, bool] = {}
    for text in parameter_attribute_texts:
        low = text.replace(" ", "")
        name = declared_set(low) or ALL_SETS
        sets[name] = sets.get(name, False) or bool(_MANDATORY.search(low))
    return sets


def _sets_of(param: typing.Any) -> dict[str, bool]:
    declared = getattr(param, "parameter_sets", None)
    if declared is not None:
        return declared
    named = getattr(param, "parameter_set", None)
    return {named: param.mandatory} if named else {}


def choose(params: list, bound: typing.Iterable[str]) -> str:
    """The parameter set of a call, from the parameters bound (names as declared)."""
    bound_names = {b.lower() for b in bound}
    sets = {s for p in params for s in _sets_of(p) if s != ALL_SETS}
    if not sets:
        return ALL_SETS
    # The sets every bound parameter is in (a parameter of all sets, or of none named, narrows nothing).
    possible = set(sets)
    for p in params:
        named = {s for s in _sets_of(p) if s != ALL_SETS}
        if p.name.lower() in bound_names and named and ALL_SETS not in _sets_of(p):
            possible &= named
    if not possible:
        raise PSError("Parameter set cannot be resolved using the specified named parameters.",
                      exception_type="System.Management.Automation.ParameterBindingException",
                      fqid="AmbiguousParameterSet", category="InvalidArgument", reason="ParameterBindingException")
    if len(possible) == 1:
        return possible.pop()
    candidates = [s for s in sorted(possible)
                  if all(p.name.lower() in bound_names for p in params if _sets_of(p).get(s))]
    if len(candidates) == 1:
        return candidates[0]
    raise not_modelled("Choosing between the parameter sets " + ", ".join(candidates or sorted(possible)) +
                       " (DefaultParameterSetName and the binder's other rules)")


def required(params: list, chosen: str) -> list:
    """The mandatory parameters of the chosen set (and of all sets)."""
    return [p for p in params if _sets_of(p).get(chosen) or _sets_of(p).get(ALL_SETS)
            or (p.mandatory and not _sets_of(p))]
