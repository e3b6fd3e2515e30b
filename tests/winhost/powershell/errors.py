"""Error records, exception types and PowerShell's exact error wording."""

from __future__ import annotations

import typing

from psrpcore.types import ErrorCategory, ErrorCategoryInfo, ErrorRecord, NETException

# .NET exception hierarchies: error records carry the full type-name chain so that
# clients (and catch [Type] filters) see what Windows would send.
_EXCEPTION_BASES = {
    "System.Management.Automation.RuntimeException": ["System.SystemException"],
    "System.Management.Automation.ParseException": ["System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.ParentContainsErrorRecordException": ["System.SystemException"],
    "System.Management.Automation.CommandNotFoundException": [
        "System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.ParameterBindingException": [
        "System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.ItemNotFoundException": [
        "System.Management.Automation.SessionStateException", "System.Management.Automation.RuntimeException",
        "System.SystemException"],
    "System.Management.Automation.ActionPreferenceStopException": [
        "System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.PSInvalidCastException": [
        "System.InvalidCastException", "System.SystemException"],
    "System.Management.Automation.MethodInvocationException": [
        "System.Management.Automation.MethodException", "System.Management.Automation.RuntimeException",
        "System.SystemException"],
    "System.Management.Automation.PipelineStoppedException": [
        "System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.MetadataException": [
        "System.Management.Automation.RuntimeException", "System.SystemException"],
    "System.Management.Automation.SetValueInvocationException": [
        "System.Management.Automation.SetValueException", "System.Management.Automation.RuntimeException",
        "System.SystemException"],
    "Microsoft.PowerShell.Commands.WriteErrorException": ["System.SystemException"],
    "System.DivideByZeroException": ["System.ArithmeticException", "System.SystemException"],
    "System.IndexOutOfRangeException": ["System.SystemException"],
    "System.ArgumentException": ["System.SystemException"],
    "System.ArgumentOutOfRangeException": ["System.ArgumentException", "System.SystemException"],
    "System.InvalidOperationException": ["System.SystemException"],
    "System.NotSupportedException": ["System.SystemException"],
    "System.FormatException": ["System.SystemException"],
    "System.OverflowException": ["System.ArithmeticException", "System.SystemException"],
    "System.Management.Automation.PSArgumentException": ["System.ArgumentException", "System.SystemException"],
    "System.TimeoutException": ["System.SystemException"],
    "System.IO.IOException": ["System.SystemException"],
    "System.IO.FileNotFoundException": ["System.IO.IOException", "System.SystemException"],
    "System.IO.DirectoryNotFoundException": ["System.IO.IOException", "System.SystemException"],
    "System.IO.PathTooLongException": ["System.IO.IOException", "System.SystemException"],
    "System.Exception": [],
}


def exception_type_names(type_name: str) -> list[str]:
    chain = [type_name] + _EXCEPTION_BASES.get(type_name, ["System.SystemException"])
    if "System.Exception" not in chain:
        chain.append("System.Exception")
    chain.append("System.Object")
    return chain


def make_exception(type_name: str, message: str, inner: typing.Any = None) -> NETException:
    exc = NETException(Message=message, InnerException=inner, HResult=-2146233087)
    exc.PSObject.type_names = exception_type_names(type_name)
    exc.PSObject.to_string = f"{type_name}: {message}"
    return exc


def category_info(category: str, reason: str, target_name: str = "", target_type: str = "", activity: str = "") -> ErrorCategoryInfo:
    info = ErrorCategoryInfo(
        Category=getattr(ErrorCategory, category),
        Activity=activity,
        Reason=reason,
        TargetName=target_name,
        TargetType=target_type,
    )
    return info


# How a value reads (its text, its type's name) is the value model's, a layer up (values.py, which raises these
# errors): values hands both over as it loads, as clr/ declares its types to typeregistry. The package's __init__
# loads the whole interpreter, so they are there before any script runs.
_VALUE_MODEL: dict[str, typing.Callable[[typing.Any], str]] = {}


def use_value_model(to_string: typing.Callable[[typing.Any], str],
                    type_name: typing.Callable[[typing.Any], str]) -> None:
    _VALUE_MODEL.update(to_string=to_string, type_name=type_name)


def value_type_name(value: typing.Any) -> str:
    """A value's .NET type name as PowerShell shows it (values.ps_type_name)."""
    return _VALUE_MODEL["type_name"](value)


def short_type_name(value: typing.Any) -> str:
    return value_type_name(value).rsplit(".", 1)[-1] if value is not None else ""


class PSError(Exception):
    """A PowerShell error on its way to becoming an ErrorRecord.

    `terminating` distinguishes script-terminating errors (throw, -ErrorAction Stop) from
    statement-terminating ones (runtime exceptions, command not found), which PowerShell
    reports and then carries on with the next statement unless a try/catch is active.
    """

    def __init__(
        self,
        message: str,
        *,
        exception_type: str = "System.Management.Automation.RuntimeException",
        fqid: str = "RuntimeException",
        category: str = "NotSpecified",
        reason: str | None = None,
        target: typing.Any = None,
        target_name: str | None = None,
        activity: str = "",
        terminating: bool = False,
        record: ErrorRecord | None = None,
        inner: typing.Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exception_type = exception_type
        self.fqid = fqid
        self.category = category
        self.reason = reason if reason is not None else exception_type.rsplit(".", 1)[-1]
        self.target = target
        self.target_name = target_name
        self.activity = activity
        self.terminating = terminating
        self._record = record
        self.inner = inner
        # Where it happened (clr/invocation.py), set by the statement it ends when it has no record yet.
        self.invocation: typing.Any = None

    def to_record(self, invocation_info: typing.Any = None) -> ErrorRecord:
        if self._record is not None:
            return self._record
        target_name = self.target_name
        if target_name is None:
            target_name = "" if self.target is None else _target_string(self.target)
        record = ErrorRecord(
            Exception=make_exception(self.exception_type, self.message, self.inner),
            CategoryInfo=category_info(self.category, self.reason, target_name,
                                       short_type_name(self.target), self.activity),
            TargetObject=self.target,
            FullyQualifiedErrorId=self.fqid,
            InvocationInfo=invocation_info if invocation_info is not None else self.invocation,
        )
        record.PSObject.to_string = self.message
        self._record = record
        return record


def set_invocation(err: PSError, invocation: typing.Any) -> None:
    """Give an error the InvocationInfo of where it happened (clr/invocation.py) unless it has one: PowerShell's
    ErrorRecord.SetInvocationInfo from a command's runtime, UpdateExceptionErrorRecordPosition from a statement;
    a record that has one keeps it (a rethrown `$_` keeps where it was first raised)."""
    if invocation is None:
        return
    record = err._record  # pylint: disable=protected-access  # the record this error already became
    if record is not None:
        if getattr(record, "InvocationInfo", None) is None:
            record.InvocationInfo = invocation
    elif err.invocation is None:
        err.invocation = invocation


def _target_string(target: typing.Any) -> str:
    try:
        return _VALUE_MODEL["to_string"](target)
    except Exception:  # pylint: disable=broad-except  # a display name must never fail the error itself
        return ""


def error_from_record(record: ErrorRecord, terminating: bool = True) -> PSError:
    message = record_message(record)
    err = PSError(message, terminating=terminating, record=record, fqid=str(record.FullyQualifiedErrorId or ""))
    return err


def record_message(record: typing.Any) -> str:
    details = getattr(record, "ErrorDetails", None)
    if details is not None and getattr(details, "Message", None):
        return str(details.Message)
    exc = getattr(record, "Exception", None)
    msg = getattr(exc, "Message", None)
    return "" if msg is None else str(msg)


class ParseError(PSError):
    def __init__(self, message: str, error_id: str, line: int = 1, column: int = 1) -> None:
        super().__init__(
            message,
            exception_type="System.Management.Automation.ParseException",
            fqid=error_id,
            category="ParserError",
            reason="ParseException",
            terminating=True,
        )
        self.line = line
        self.column = column


class FlowControl(Exception):
    """Base for break/continue/return/exit, which unwind like exceptions in PowerShell too."""


class BreakSignal(FlowControl):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(label)
        self.label = label


class ContinueSignal(FlowControl):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(label)
        self.label = label


class ReturnSignal(FlowControl):
    pass


class ExitSignal(FlowControl):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class PipelineStopped(Exception):
    """Raised when stop_event is set; unwinds everything up to invoke()."""


# --- Exact PowerShell 5.1 messages -------------------------------------------------

def command_not_found(name: str) -> PSError:
    return PSError(
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        exception_type="System.Management.Automation.CommandNotFoundException",
        fqid="CommandNotFoundException",
        category="ObjectNotFound",
        target=name,
    )


def divide_by_zero() -> PSError:
    return PSError(
        "Attempted to divide by zero.",
        exception_type="System.Management.Automation.RuntimeException",
        fqid="RuntimeException",
        category="NotSpecified",
        reason="RuntimeException",
        inner=make_exception("System.DivideByZeroException", "Attempted to divide by zero."),
    )


def method_not_found(type_name: str, method: str) -> PSError:
    return PSError(
        f"Method invocation failed because [{type_name}] does not contain a method named '{method}'.",
        exception_type="System.Management.Automation.RuntimeException",
        fqid="MethodNotFound",
        category="InvalidOperation",
        reason="RuntimeException",
    )


def null_method_call() -> PSError:
    return PSError(
        "You cannot call a method on a null-valued expression.",
        fqid="InvokeMethodOnNull",
        category="InvalidOperation",
        reason="RuntimeException",
    )


def null_index() -> PSError:
    return PSError("Cannot index into a null array.", fqid="NullArray", category="InvalidOperation", reason="RuntimeException")


def property_not_found(name: str) -> PSError:
    return PSError(
        f"The property '{name}' cannot be found on this object. Verify that the property exists and can be set.",
        fqid="PropertyAssignmentException",
        category="InvalidOperation",
        reason="RuntimeException",
    )


def method_exception(method: str, argc: int, message: str, inner_type: str = "System.Exception") -> PSError:
    plural = "argument(s)"
    return PSError(
        f'Exception calling "{method}" with "{argc}" {plural}: "{message}"',
        exception_type="System.Management.Automation.MethodInvocationException",
        fqid=inner_type.rsplit(".", 1)[-1] if inner_type != "System.Exception" else "DotNetMethodException",
        category="NotSpecified",
        reason="MethodInvocationException",
        inner=make_exception(inner_type, message),
    )


def invalid_cast(value_repr: str, type_name: str, detail: str, fqid: str = "InvalidCastFromStringToInteger") -> PSError:
    return PSError(
        f'Cannot convert value "{value_repr}" to type "{type_name}". Error: "{detail}"',
        exception_type="System.Management.Automation.RuntimeException",
        fqid=fqid,
        category="InvalidArgument",
        reason="RuntimeException",
        inner=make_exception("System.Management.Automation.PSInvalidCastException", detail),
    )


def type_not_found(name: str) -> PSError:
    return PSError(
        f"Unable to find type [{name}].",
        fqid="TypeNotFound",
        category="InvalidOperation",
        reason="RuntimeException",
        target=name,
    )


def _qualified_fqid(error_id: str, command_fqid_suffix: str) -> str:
    """PowerShell qualifies a cmdlet's error ids with the command: 'VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand'."""
    return f"{error_id},{command_fqid_suffix}" if command_fqid_suffix else error_id


def _parameter_binding_error(message: str, error_id: str, command_fqid_suffix: str) -> PSError:
    return PSError(
        message,
        exception_type="System.Management.Automation.ParameterBindingException",
        fqid=_qualified_fqid(error_id, command_fqid_suffix),
        category="InvalidArgument",
        reason="ParameterBindingException",
    )


def parameter_not_found(name: str, command_fqid_suffix: str) -> PSError:
    return _parameter_binding_error(f"A parameter cannot be found that matches parameter name '{name}'.", "NamedParameterNotFound",
                                    command_fqid_suffix)


def positional_not_found(arg: str, command_fqid_suffix: str) -> PSError:
    return _parameter_binding_error(f"A positional parameter cannot be found that accepts argument '{arg}'.",
                                    "PositionalParameterNotFound", command_fqid_suffix)


def ambiguous_parameter(name: str, matches: list[str], command_fqid_suffix: str) -> PSError:
    joined = " ".join(f"-{m}" for m in matches)
    return _parameter_binding_error(
        f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. Possible matches include: {joined}.",
        "AmbiguousParameter", command_fqid_suffix)


def missing_argument(name: str, type_name: str, command_fqid_suffix: str) -> PSError:
    return _parameter_binding_error(f"Missing an argument for parameter '{name}'. Specify a parameter of type '{type_name}' and try again.",
                                    "MissingArgument", command_fqid_suffix)


def variable_not_found(name: str, command_fqid_suffix: str) -> PSError:
    return PSError(
        f"Cannot find a variable with the name '{name}'.",
        exception_type="System.Management.Automation.ItemNotFoundException",
        fqid=_qualified_fqid("VariableNotFound", command_fqid_suffix),
        category="ObjectNotFound",
        reason="ItemNotFoundException",
        target=name,
    )
