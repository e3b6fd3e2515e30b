"""Execution context shared by the evaluator and cmdlets: streams, preferences, stop checks."""

from __future__ import annotations

import datetime
import threading
import typing

from psrpcore.types import PSObject

from .errors import PSError, PipelineStopped
from .members import add_note
from .scopes import Scope
from .values import to_string

ACTION_PREFERENCES = ["SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"]


def normalize_action(value: typing.Any, param: str = "ErrorAction") -> str:
    text = to_string(value).strip()
    for name in ACTION_PREFERENCES:
        if name.lower() == text.lower():
            return name
    if text.isdigit() and int(text) < len(ACTION_PREFERENCES):
        return {0: "SilentlyContinue", 1: "Stop", 2: "Continue", 3: "Inquire", 4: "Ignore", 5: "Suspend"}[int(text)]
    raise PSError(
        f"Cannot bind parameter '{param}'. Cannot convert value \"{text}\" to type "
        "\"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name "
        f"{text} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n"
        "SilentlyContinue, Stop, Continue, Inquire, Ignore, Suspend\"",
        exception_type="System.Management.Automation.ParameterBindingException",
        fqid="CannotConvertArgumentNoMessage",
        category="InvalidArgument",
        reason="ParameterBindingException",
    )


class ExecutionContext:  # pylint: disable=too-many-instance-attributes
    def __init__(self, session: typing.Any, writer: typing.Any, stop_event: threading.Event | None) -> None:
        self.session = session
        self.writer = writer
        self.stop_event = stop_event or threading.Event()
        self.scope: Scope = session.global_scope
        self.try_depth = 0
        self.catch_depth = 0
        # $? is False when the last statement reported an error; error_seq counts reports.
        self.error_seq = 0
        self.last_ok = True
        self.host = session.host
        self.command_stack: list[str] = []
        # The parsed text of the statement running now (as PowerShell's FunctionContext knows its sequence points): what
        # a command's or statement's error position (clr/invocation.py) is measured in.
        self.position_source: bytes = b""

    def current_command(self) -> str | None:
        # Script blocks push "" so that errors inside `& { }` carry no command suffix.
        return self.command_stack[-1] if self.command_stack and self.command_stack[-1] else None

    # -- stop handling -------------------------------------------------------------
    def check_stop(self) -> None:
        if self.stop_event.is_set():
            raise PipelineStopped()

    def sleep(self, seconds: float) -> None:
        """Sleep in short slices so ctrl_c (stop_event) interrupts promptly."""
        if self.stop_event.wait(max(seconds, 0)):
            raise PipelineStopped()

    # -- preferences ---------------------------------------------------------------
    def preference(self, name: str, default: str) -> str:
        var = self.scope.lookup(name)
        if var is None or var.value is None:
            return default
        try:
            return normalize_action(var.value, name)
        except PSError:
            return default

    # -- streams -------------------------------------------------------------------
    def report_error(self, err: PSError, action: str | None = None) -> None:
        """A non-terminating error: honour ErrorAction, record in $Error, write to the error stream."""
        self.error_seq += 1
        pref = action or self.preference("ErrorActionPreference", "Continue")
        if pref == "Stop":
            err.terminating = True
            raise err
        if pref == "Ignore":
            return
        record = err.to_record()
        self.add_to_error_list(record)
        if pref in ("Continue", "Inquire"):
            self.write_error_record(record)

    def add_to_error_list(self, record: typing.Any) -> None:
        errors = self.session.error_list
        errors.insert(0, record)
        del errors[256:]

    def write_error_record(self, record: typing.Any) -> None:
        self.writer.write_error(
            record.Exception,
            record.CategoryInfo,
            record.TargetObject,
            record.FullyQualifiedErrorId,
            invocation_info=record.InvocationInfo,
            script_stack_trace=None,
        )

    def write_warning(self, message: str, action: str | None = None) -> None:
        pref = action or self.preference("WarningPreference", "Continue")
        if pref == "Stop":
            raise _stop_error("WarningPreference", message)
        if pref in ("Continue", "Inquire"):
            self.writer.write_warning(message)

    def write_verbose(self, message: str, action: str | None = None) -> None:
        pref = action or self.preference("VerbosePreference", "SilentlyContinue")
        if pref == "Stop":
            raise _stop_error("VerbosePreference", message)
        if pref in ("Continue", "Inquire"):
            self.writer.write_verbose(message)

    def write_debug(self, message: str, action: str | None = None) -> None:
        pref = action or self.preference("DebugPreference", "SilentlyContinue")
        if pref == "Stop":
            raise _stop_error("DebugPreference", message)
        if pref in ("Continue", "Inquire"):
            self.writer.write_debug(message)

    def write_information(self, data: typing.Any, source: str, tags: list[str] | None, action: str | None = None,
                          force: bool = False) -> None:
        pref = action or ("Continue" if force else self.preference("InformationPreference", "SilentlyContinue"))
        # MshCommandRuntime.WriteInformation: every preference but Ignore adds the record to the information stream
        # (SilentlyContinue only keeps the host from showing it), then Stop stops the command.
        if pref != "Ignore":
            self.writer.write_information(
                data,
                source,
                time_generated=datetime.datetime.now(datetime.timezone.utc),
                tags=tags or [],
                user=f"{self.host.computer_name}\\{self.host.user_name}",
                computer=self.host.computer_name,
                process_id=self.host.process_id,
            )
        if pref == "Stop":
            raise _stop_error("InformationPreference", to_string(data))


def host_information_message(message: str, no_newline: bool = False, foreground: typing.Any = None,
                             background: typing.Any = None) -> PSObject:
    obj = PSObject()
    obj.PSObject.type_names = ["System.Management.Automation.HostInformationMessage", "System.Object"]
    add_note(obj, "Message", message)
    add_note(obj, "NoNewLine", no_newline)
    add_note(obj, "ForegroundColor", foreground)
    add_note(obj, "BackgroundColor", background)
    obj.PSObject.to_string = message
    return obj


def _stop_error(variable: str, message: str) -> PSError:
    return PSError(
        f'The running command stopped because the preference variable "{variable}" or common parameter is set to Stop: {message}',
        exception_type="System.Management.Automation.ActionPreferenceStopException",
        fqid="ActionPreferenceStop",
        category="OperationStopped",
        reason="ActionPreferenceStopException",
        terminating=True,
    )
