"""ShouldProcess: -WhatIf, -Confirm, $WhatIfPreference, $ConfirmPreference and $PSCmdlet.

Follows Windows PowerShell 5.1's MshCommandRuntime (PowerShell/PowerShell
src/System.Management.Automation/engine/MshCommandRuntime.cs, DoShouldProcess and
CanShouldProcessAutoConfirm) and about_Functions_CmdletBindingAttribute / about_Preference_Variables:

- WhatIf (the -WhatIf flag, else $WhatIfPreference): the host is told
  ``What if: Performing the operation "<action>" on target "<target>".`` (CommandBaseStrings
  ShouldProcessWhatIfMessage / ShouldProcessMessage) through ``$host.UI.WriteLine`` (a remote
  client gets the PSRP host call WriteLine2), and ShouldProcess returns $false;
- otherwise, when the threshold (-Confirm: Low, -Confirm:$false: None, else $ConfirmPreference)
  is None or above the command's ConfirmImpact, it returns $true (and writes the description to
  the verbose stream, which shows it when $VerbosePreference lets it through);
- otherwise PowerShell would prompt the user (PromptForChoice, a host method that needs an
  answer): not modelled, so it is a terminating NotImplemented error, never a silent yes or no.

Commands run with -WhatIf/-Confirm set $WhatIfPreference/$ConfirmPreference in their own scope
(PSScriptCmdlet.SetPreferenceVariables); a dot-sourced command (a script sent with
use_local_scope false) puts them, like $PSCmdlet, in a locals tuple pushed over the caller's
scope for the command's life only (ScriptCommandProcessor.cs OnSetCurrentScope /
OnRestorePreviousScope), so they do not outlive it.
"""

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord

from .dotnet import NetObject, _overload, current_runspace, resolve_native_path, void
from .errors import PSError, error_from_record, method_exception
from .values import SwitchValue, to_bool, to_string

CONFIRM_IMPACTS = ["None", "Low", "Medium", "High"]


def confirm_impact(value: typing.Any, what: str = "ConfirmImpact") -> str:
    """A System.Management.Automation.ConfirmImpact value from its name or number."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(CONFIRM_IMPACTS):
        return CONFIRM_IMPACTS[value]
    text = to_string(value).strip()
    for name in CONFIRM_IMPACTS:
        if name.lower() == text.lower():
            return name
    raise PSError(
        f"Cannot convert value \"{text}\" to type \"System.Management.Automation.ConfirmImpact\" ({what}). Error: \"Unable to "
        f"match the identifier name {text} to a valid enumerator name. Specify one of the following enumerator names and try "
        "again:\r\nNone, Low, Medium, High\"",
        exception_type="System.Management.Automation.PSInvalidCastException", fqid="InvalidCastFromStringToEnum",
        category="InvalidArgument", reason="PSInvalidCastException")


def not_modelled(what: str) -> PSError:
    """Something PowerShell would do that the test host does not model: a terminating error, never a guess."""
    return PSError(f"{what} is not modelled by the fake Windows host.", fqid="ShouldProcessNotModelled",
                   category="NotImplemented", reason="NotImplementedException",
                   exception_type="System.NotImplementedException", terminating=True)


def _preference(scope: typing.Any, name: str) -> typing.Any:
    var = scope.lookup(name)
    return None if var is None else var.value


def whatif_in_effect(scope: typing.Any, flag: typing.Any = None) -> bool:
    """-WhatIf when given, else $WhatIfPreference (MshCommandRuntime.WhatIf)."""
    if flag is not None:
        return to_bool(flag)
    return to_bool(_preference(scope, "WhatIfPreference"))


def confirm_threshold(scope: typing.Any, flag: typing.Any = None) -> str:
    """-Confirm (Low) / -Confirm:$false (None) when given, else $ConfirmPreference (default High)."""
    if flag is not None:
        return "Low" if to_bool(flag) else "None"
    value = _preference(scope, "ConfirmPreference")
    if value is None:
        return "High"
    return confirm_impact(value, "$ConfirmPreference")


def auto_confirmed(threshold: str, impact: str) -> bool:
    """CanShouldProcessAutoConfirm: no prompt when the threshold is None or above the command's impact."""
    return threshold == "None" or CONFIRM_IMPACTS.index(threshold) > CONFIRM_IMPACTS.index(impact)


def preference_values(common: dict[str, typing.Any]) -> dict[str, typing.Any]:
    """The preference variables -WhatIf/-Confirm set in the command's scope (SetPreferenceVariables)."""
    values: dict[str, typing.Any] = {}
    if "WhatIf" in common:
        values["WhatIfPreference"] = SwitchValue(to_bool(common["WhatIf"]))
    if "Confirm" in common:
        values["ConfirmPreference"] = "Low" if to_bool(common["Confirm"]) else "None"
    return values


class CommandRuntime:
    """What ShouldProcess needs of a running command: its name, metadata and -WhatIf/-Confirm flags."""

    def __init__(self, ctx: typing.Any, name: str, binding: typing.Any, common: dict[str, typing.Any]) -> None:
        self.ctx = ctx
        self.name = name
        self.binding = binding
        self.scope = ctx.scope
        self.whatif_flag = common.get("WhatIf")
        self.confirm_flag = common.get("Confirm")

    def should_process(self, description: str) -> bool:
        self.ctx.check_stop()
        if whatif_in_effect(self.scope, self.whatif_flag):
            self.ctx.session.host_call("WriteLine2", [f"What if: {description}"])
            return False
        impact = getattr(self.binding, "confirm_impact", "Medium")
        if auto_confirmed(confirm_threshold(self.scope, self.confirm_flag), impact):
            self.ctx.write_verbose(description)
            return True
        raise not_modelled(f'Asking the user to confirm "{description}" (ConfirmImpact {impact}, $ConfirmPreference or -Confirm)')


def operation(action: str, target: str) -> str:
    """CommandBaseStrings.ShouldProcessMessage."""
    return f'Performing the operation "{action}" on target "{target}".'


class PSScriptCmdlet(NetObject):
    """$PSCmdlet in an advanced script or function; only ShouldProcess is modelled."""

    type_names = ["System.Management.Automation.PSScriptCmdlet", "System.Management.Automation.PSCmdlet",
                  "System.Management.Automation.Cmdlet", "System.Management.Automation.Internal.InternalCommand",
                  "System.Object"]

    def __init__(self, runtime: CommandRuntime) -> None:
        self.runtime = runtime
        self.parameter_set_name = "__AllParameterSets"  # set by the binder (parametersets.py)
        self.invocation: typing.Any = None  # the command's MyInvocation (clr/invocation.py), set by its processor

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "parametersetname":
            return self.parameter_set_name
        raise not_modelled(f"The $PSCmdlet member '{name}'")

    def call(self, name: str, args: list) -> typing.Any:
        low = name.lower()
        if low == "shouldprocess":
            texts = ["" if a is None else to_string(a) for a in args]
            if len(args) == 1:
                # ShouldProcess(target): the action is the command's name ("" for a script sent as text).
                return self.runtime.should_process(operation(self.runtime.name, texts[0]))
            if len(args) == 2:
                return self.runtime.should_process(operation(texts[1], texts[0]))
            if len(args) == 3:
                return self.runtime.should_process(texts[0])
            if len(args) == 4:
                raise not_modelled("ShouldProcess with a [ref] ShouldProcessReason")
            raise _overload("ShouldProcess", len(args))
        if low in ("throwterminatingerror", "writeerror") and len(args) == 1:
            if self.invocation is not None and isinstance(args[0], ErrorRecord):
                args[0].InvocationInfo = self.invocation  # MshCommandRuntime: errorRecord.SetInvocationInfo(MyInvocation)
            err = command_error(args[0], self.runtime.name, terminating=low == "throwterminatingerror")
            if err.terminating:
                raise err
            self.runtime.ctx.report_error(err)

            return void()
        if low == "getunresolvedproviderpathfrompspath" and len(args) == 1:
            return _unresolved_provider_path(to_string(args[0]))
        if low in ("tostring", "gettype", "equals", "gethashcode"):
            return super().call(name, args)
        raise not_modelled(f"The $PSCmdlet method '{name}'")

    def to_string(self) -> str:
        return "System.Management.Automation.PSScriptCmdlet"


def guard_cmdlet(ctx: typing.Any, cmdlet_name: str, common: dict[str, typing.Any]) -> None:
    """A cmdlet that calls ShouldProcess in PowerShell, run where that would not simply answer yes.

    The test host's cmdlets do not know their own ShouldProcess messages, so under WhatIf, or where
    PowerShell would prompt, they refuse instead of acting (or of pretending to skip).
    """
    scope = ctx.scope
    if whatif_in_effect(scope, common.get("WhatIf")):
        raise not_modelled(f"-WhatIf (or $WhatIfPreference) for {cmdlet_name}")
    if not auto_confirmed(confirm_threshold(scope, common.get("Confirm")), "Medium"):
        raise not_modelled(f"Asking the user to confirm {cmdlet_name} (-Confirm or $ConfirmPreference)")


def command_error(record: typing.Any, command: str, terminating: bool) -> PSError:
    """An ErrorRecord a script cmdlet hands to $PSCmdlet.ThrowTerminatingError/WriteError: PowerShell sets its
    invocation to the command's (ErrorRecord.SetInvocationInfo), so the FullyQualifiedErrorId gains ",<command>"
    and the CategoryInfo's activity names the command."""
    if not isinstance(record, ErrorRecord):
        raise method_exception("ThrowTerminatingError" if terminating else "WriteError", 1,
                               "Value cannot be null.\r\nParameter name: errorRecord", "System.ArgumentNullException")
    if command:
        fqid = str(record.FullyQualifiedErrorId or "")
        if not fqid.endswith("," + command):
            record.FullyQualifiedErrorId = f"{fqid},{command}"
        info = record.CategoryInfo
        if info is not None and not info.Activity:
            info.Activity = command
    return error_from_record(record, terminating=terminating)


def _unresolved_provider_path(path: str) -> str:
    """PSCmdlet.GetUnresolvedProviderPathFromPSPath (SessionState.Path): a FileSystem path on drive C: (or relative to the
    current location) as the provider's path, normalised, whether or not it exists (ansible.windows'
    Resolve-ExecutablePath). Other drives and provider-qualified paths are not modelled."""
    text = path.replace("/", "\\")
    if text.lower().startswith(("filesystem::", "microsoft.powershell.core\\filesystem::")):
        text = text.split("::", 1)[1]
    if (len(text) >= 2 and text[1] == ":" and text[0].lower() != "c") or "::" in text or (
            ":" in text and not (len(text) >= 2 and text[1] == ":")):
        raise not_modelled(f"GetUnresolvedProviderPathFromPSPath of '{path}' (only drive C: is modelled)")
    runspace = current_runspace()
    return runspace.host.filesystem.normalize(resolve_native_path(runspace, text))
