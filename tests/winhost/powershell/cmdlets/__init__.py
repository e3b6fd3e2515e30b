"""Cmdlet base class and registry; each family lives in its own module."""

from __future__ import annotations

import typing

from ..binding import Param, convert_param
from ..errors import PSError, set_invocation
from ..shouldprocess import guard_cmdlet, operation

if typing.TYPE_CHECKING:  # pragma: no cover
    from ..evaluator import Evaluator

CMDLETS: dict[str, type["Cmdlet"]] = {}
# The aliases each cmdlet was registered with. A session's aliases are cmdlets/session.py's built-in table
# (5.1's), in its global scope; this only cross-checks that table (tests/winhost_tests).
ALIASES: dict[str, str] = {}


class Cmdlet:
    name = ""
    dotnet = ""
    parameters: list[Param] = []
    # [Cmdlet(..., SupportsShouldProcess = true)] in PowerShell: -WhatIf/-Confirm exist, and ShouldProcess is
    # called (commands.py guards it: the test host does not model these cmdlets' WhatIf messages).
    supports_should_process = False
    # A cmdlet that calls self.should_process(action, target) with PowerShell's own texts where PowerShell calls
    # ShouldProcess: commands.py does not guard it, and gives it its runtime (-WhatIf/-Confirm) instead.
    knows_should_process = False
    runtime: typing.Any = None

    def __init__(self, engine: "Evaluator", bound: dict[str, typing.Any], emit: typing.Callable[[typing.Any], None]) -> None:
        self.engine = engine
        self.ctx = engine.ctx
        self.bound = bound
        self.emit = emit
        self.error_action: str | None = None
        self.warning_action: str | None = None
        self.information_action: str | None = None
        self.verbose_action: str | None = None
        self.debug_action: str | None = None
        self.error_variable: typing.Any = None
        self.invocation: typing.Any = None  # MyInvocation, given to its error records (clr/invocation.py)

    def should_process(self, action: str, target: str) -> bool:
        """Cmdlet.ShouldProcess(target, action): "What if: ..." to the host and False under WhatIf."""

        return self.runtime is None or self.runtime.should_process(operation(action, target))

    def guard_should_process(self) -> None:
        """For a path this cmdlet does not know PowerShell's ShouldProcess texts of: refuse where it would ask."""

        if self.runtime is not None:
            guard_cmdlet(self.ctx, self.name, {"WhatIf": self.runtime.whatif_flag, "Confirm": self.runtime.confirm_flag})

    @classmethod
    def fqid_suffix(cls) -> str:
        return cls.dotnet

    def get(self, name: str, default: typing.Any = None) -> typing.Any:
        return self.bound.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.bound

    def switch(self, name: str) -> bool:
        value = self.bound.get(name)
        return bool(value)

    def bind_pipeline(self, item: typing.Any) -> None:
        for p in self.parameters:
            if p.pipeline:
                self.bound[p.name] = convert_param(p, item, self.fqid_suffix()) if p.type_name else item
                return

    # -- lifecycle --------------------------------------------------------------
    def begin_processing(self) -> None:
        pass

    def process_record(self, item: typing.Any) -> None:
        del item

    def end_processing(self) -> None:
        pass

    # -- streams ----------------------------------------------------------------
    def write_error(self, err: PSError) -> None:
        if err.fqid and "," not in err.fqid and self.dotnet and not err.fqid.startswith(self.dotnet):
            err.fqid = f"{err.fqid},{self.dotnet}"
        self.report(err)

    def report(self, err: PSError) -> None:
        """Record in -ErrorVariable, then hand to the error-action machinery."""
        set_invocation(err, self.invocation)
        if self.error_variable:
            name = str(self.error_variable)
            append = name.startswith("+")
            name = name.lstrip("+")
            current = self.engine.get_variable("$" + name) if append else None
            items = list(current) if isinstance(current, list) else ([] if current is None else [current])
            items.append(err.to_record())
            self.engine.assign_variable("$" + name, items)
        self.ctx.report_error(err, self.error_action)

    def terminating(self, err: PSError) -> PSError:
        """A cmdlet's ThrowTerminatingError: statement-terminating, FQID suffixed with the cmdlet class."""
        if err.fqid and "," not in err.fqid and self.dotnet:
            err.fqid = f"{err.fqid},{self.dotnet}"
        set_invocation(err, self.invocation)
        return err

    def write_verbose(self, message: str) -> None:
        self.ctx.write_verbose(message, self.verbose_action)

    def write_warning(self, message: str) -> None:
        self.ctx.write_warning(message, self.warning_action)


def cmdlet(name: str, dotnet: str, aliases: tuple[str, ...] = (),
           should_process: bool = False) -> typing.Callable[[type[Cmdlet]], type[Cmdlet]]:
    def register(cls: type[Cmdlet]) -> type[Cmdlet]:
        cls.name = name
        cls.dotnet = dotnet
        cls.supports_should_process = should_process
        CMDLETS[name.lower()] = cls
        for alias in aliases:
            ALIASES[alias.lower()] = name.lower()
        return cls
    return register


def _load() -> None:
    # Import for the registration side effect; order does not matter.
    from . import output, variables, objects, json, jobs, items  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    from . import paths, location  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    from . import utility, content, modules, session, addtype, runspaces, cim, services, processes  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    from . import security  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import


__all__ = ["Cmdlet", "cmdlet", "CMDLETS", "ALIASES", "Param", "_load"]
