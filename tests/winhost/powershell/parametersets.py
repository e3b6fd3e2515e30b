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


def choose(params: list, bound: typing.Iterable[str]) -> str:
    """The parameter set of a call, from the parameters bound (names as declared)."""
    bound_names = {b.lower() for b in bound}
    sets = {p.parameter_set for p in params if getattr(p, "parameter_set", None)}
    if not sets:
        return ALL_SETS
    named = {p.parameter_set for p in params if getattr(p, "parameter_set", None) and p.name.lower() in bound_names}
    if len(named) > 1:
        raise PSError("Parameter set cannot be resolved using the specified named parameters.",
                      exception_type="System.Management.Automation.ParameterBindingException",
                      fqid="AmbiguousParameterSet", category="InvalidArgument", reason="ParameterBindingException")
    if named:
        return named.pop()
    candidates = [s for s in sorted(sets)
                  if all(p.name.lower() in bound_names for p in params
                         if getattr(p, "parameter_set", None) == s and p.mandatory)]
    if len(candidates) == 1:
        return candidates[0]

    raise not_modelled("Choosing between the parameter sets " + ", ".join(candidates or sorted(sets)) +
                       " (DefaultParameterSetName and the binder's other rules)")


def required(params: list, chosen: str) -> list:
    """The mandatory parameters of the chosen set (and of all sets)."""
    return [p for p in params if p.mandatory and getattr(p, "parameter_set", None) in (None, chosen)]
