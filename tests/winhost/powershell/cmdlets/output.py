"""Stream cmdlets: Write-Output/Error/Warning/Verbose/Debug/Information/Host/Progress, Out-Null, Out-String."""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import typing

from psrpcore.types import ErrorRecord, ProgressRecordType

from .. import values as V
from ..binding import Param
from ..context import host_information_message
from ..clr.invocation import caller_invocation
from ..dotnet import color_value
from ..errors import PSError, error_from_record
from ..evaluator import NO_INPUT
from ..formatting_objects import format_for_display
from . import Cmdlet, cmdlet


@cmdlet("Write-Output", "Microsoft.PowerShell.Commands.WriteOutputCommand", aliases=("echo", "write"))
class WriteOutput(Cmdlet):
    parameters = [Param("InputObject", 0, pipeline=True, remaining=True, mandatory=True), Param("NoEnumerate", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        if "InputObject" not in self.bound:
            return
        value = self.bound["InputObject"]
        if self.switch("NoEnumerate"):
            self.emit(value)
            return
        for obj in V.enumerate_value(value):
            self.emit(obj)


@cmdlet("Write-Error", "Microsoft.PowerShell.Commands.WriteErrorCommand")
class WriteError(Cmdlet):
    parameters = [
        Param("Message", 0, pipeline=True, aliases=("Msg",), type_name="string"),
        Param("Exception"), Param("ErrorRecord"), Param("Category"), Param("ErrorId", type_name="string"),
        Param("TargetObject"), Param("RecommendedAction"), Param("CategoryActivity", aliases=("Activity",)),
        Param("CategoryReason", aliases=("Reason",)), Param("CategoryTargetName", aliases=("TargetName",)),
        Param("CategoryTargetType", aliases=("TargetType",)),
    ]

    def process_record(self, item: typing.Any) -> None:
        record = self.get("ErrorRecord")
        if isinstance(record, ErrorRecord):
            err = error_from_record(record, terminating=False)
        else:
            exc = self.get("Exception")
            message = self.get("Message")
            exception_type = "Microsoft.PowerShell.Commands.WriteErrorException"
            if exc is not None:
                message = V.to_string(getattr(exc, "Message", None) if not isinstance(exc, str) else exc) if message is None else message
                if not isinstance(exc, str) and hasattr(exc, "PSObject"):
                    exception_type = exc.PSObject.type_names[0]
            message = "" if message is None else V.to_string(message)
            category = V.to_string(self.get("Category") or "NotSpecified")
            fqid = V.to_string(self.get("ErrorId") or exception_type if exc is not None else self.get("ErrorId")
                               or "Microsoft.PowerShell.Commands.WriteErrorException")
            err = PSError(message, exception_type=exception_type, fqid=fqid, category=_category(category),
                          reason=V.to_string(self.get("CategoryReason") or exception_type.rsplit(".", 1)[-1]),
                          target=self.get("TargetObject"), activity=V.to_string(self.get("CategoryActivity") or "Write-Error"),
                          target_name=None if self.get("CategoryTargetName") is None else V.to_string(self.get("CategoryTargetName")))
        caller = self.ctx.current_command()
        if caller and err.fqid and "," not in err.fqid:
            err.fqid = f"{err.fqid},{caller}"
        invocation = caller_invocation(self.ctx.scope)
        if err._record is not None:  # pylint: disable=protected-access  # -ErrorRecord: SetInvocationInfo replaces it
            err._record.InvocationInfo = invocation  # pylint: disable=protected-access
        else:
            err.invocation = invocation
        self.report(err)


_CATEGORIES = [
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
    "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled",
    "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied",
    "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError",
    "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled",
]


def _category(text: str) -> str:
    for name in _CATEGORIES:
        if name.lower() == text.lower():
            return name
    raise PSError(
        f"Cannot bind parameter 'Category'. Cannot convert value \"{text}\" to type "
        "\"System.Management.Automation.ErrorCategory\". Error: \"Unable to match the identifier name "
        f"{text} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n"
        + ", ".join(_CATEGORIES) + "\"",
        exception_type="System.Management.Automation.ParameterBindingException",
        fqid="CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.WriteErrorCommand",
        category="InvalidArgument", reason="ParameterBindingException")


class _MessageCmdlet(Cmdlet):
    parameters = [Param("Message", 0, pipeline=True, mandatory=True, aliases=("Msg",), type_name="string")]

    def message(self) -> str:
        if "Message" not in self.bound:
            raise self.terminating(PSError(
                "Cannot process command because of one or more missing mandatory parameters: Message.",
                exception_type="System.Management.Automation.ParameterBindingException",
                fqid="MissingMandatoryParameter", category="InvalidArgument", reason="ParameterBindingException"))
        return V.to_string(self.bound["Message"])


@cmdlet("Write-Warning", "Microsoft.PowerShell.Commands.WriteWarningCommand")
class WriteWarning(_MessageCmdlet):
    def process_record(self, item: typing.Any) -> None:
        self.ctx.write_warning(self.message(), self.warning_action)


@cmdlet("Write-Verbose", "Microsoft.PowerShell.Commands.WriteVerboseCommand")
class WriteVerbose(_MessageCmdlet):
    def process_record(self, item: typing.Any) -> None:
        self.ctx.write_verbose(self.message(), self.verbose_action)


@cmdlet("Write-Debug", "Microsoft.PowerShell.Commands.WriteDebugCommand")
class WriteDebug(_MessageCmdlet):
    def process_record(self, item: typing.Any) -> None:
        self.ctx.write_debug(self.message(), self.debug_action)


@cmdlet("Write-Information", "Microsoft.PowerShell.Commands.WriteInformationCommand")
class WriteInformation(Cmdlet):
    parameters = [Param("MessageData", 0, pipeline=True, mandatory=True, aliases=("Msg", "Message")),
                  Param("Tags", 1)]

    def process_record(self, item: typing.Any) -> None:
        data = self.get("MessageData")
        tags = [V.to_string(t) for t in V.as_list(self.get("Tags"))]
        self.ctx.write_information(data, "Write-Information", tags, self.information_action)


@cmdlet("Write-Host", "Microsoft.PowerShell.Commands.WriteHostCommand")
class WriteHost(Cmdlet):
    parameters = [Param("Object", 0, pipeline=True, remaining=True, aliases=("Msg", "Message")),
                  Param("NoNewline", switch=True), Param("Separator"), Param("ForegroundColor"), Param("BackgroundColor")]

    def process_record(self, item: typing.Any) -> None:
        value = self.get("Object")
        sep = V.to_string(self.get("Separator")) if self.has("Separator") else " "
        if isinstance(value, (list, tuple)):
            text = sep.join(V.to_string(v) for v in value)
        else:
            text = V.to_string(value)
        fg = self.get("ForegroundColor")
        bg = self.get("BackgroundColor")
        data = host_information_message(text, self.switch("NoNewline"), None if fg is None else V.to_string(fg),
                                        None if bg is None else V.to_string(bg))
        # Write-Host ignores $InformationPreference unless -InformationAction is given. PowerShell 5.1 both
        # writes to the host's UI (a PSRP host call, when the client has a host) and records the information;
        # a PSHOST-tagged record is shown whatever the preference but Ignore (MshCommandRuntime.WriteInformation).
        if (self.information_action or "Continue") != "Ignore":
            self._to_host(text, fg, bg)
        self.ctx.write_information(data, "Write-Host", ["PSHOST"], self.information_action, force=True)

    def _to_host(self, text: str, fg: typing.Any, bg: typing.Any) -> None:
        no_newline = self.switch("NoNewline")
        session = self.ctx.session
        if fg is not None or bg is not None:
            # A host without default colours: the missing one is filled with Gray/Black (MshCommandRuntime).
            colors = [color_value(fg) if fg is not None else 7, color_value(bg) if bg is not None else 0]
            session.host_call("Write2" if no_newline else "WriteLine3", colors + [text])
        else:
            session.host_call("Write1" if no_newline else "WriteLine2", [text])


@cmdlet("Write-Progress", "Microsoft.PowerShell.Commands.WriteProgressCommand")
class WriteProgress(Cmdlet):
    parameters = [Param("Activity", 0), Param("Status", 1), Param("Id", 2, type_name="int"), Param("PercentComplete", type_name="int"),
                  Param("SecondsRemaining", type_name="int"), Param("CurrentOperation"), Param("ParentId", type_name="int"),
                  Param("Completed", switch=True), Param("SourceId", type_name="int")]

    def process_record(self, item: typing.Any) -> None:
        if self.ctx.preference("ProgressPreference", "Continue") not in ("Continue", "Inquire"):
            return
        activity = V.to_string(self.get("Activity"))
        status = V.to_string(self.get("Status")) if self.has("Status") else "Processing"
        self.ctx.writer.write_progress(
            activity,
            self.get("Id", 0),
            status,
            current_operation=None if self.get("CurrentOperation") is None else V.to_string(self.get("CurrentOperation")),
            parent_activity_id=self.get("ParentId", -1),
            percent_complete=self.get("PercentComplete", -1),
            record_type=ProgressRecordType.Completed if self.switch("Completed") else ProgressRecordType.Processing,
            seconds_remaining=self.get("SecondsRemaining", -1),
        )


@cmdlet("Out-Null", "Microsoft.PowerShell.Commands.OutNullCommand")
class OutNull(Cmdlet):
    parameters = [Param("InputObject", pipeline=True)]


@cmdlet("Out-String", "Microsoft.PowerShell.Commands.OutStringCommand")
class OutString(Cmdlet):
    parameters = [Param("InputObject", pipeline=True), Param("Stream", switch=True), Param("Width", type_name="int")]

    def begin_processing(self) -> None:
        self.items: list = []

    def process_record(self, item: typing.Any) -> None:
        if "InputObject" in self.bound:
            value = self.bound.pop("InputObject")
            self.items.extend(V.enumerate_value(value) if item is not _marker() else V.enumerate_value(value))

    def end_processing(self) -> None:
        lines = format_for_display(self.items)
        if self.switch("Stream"):
            for line in lines:
                self.emit(line)
            return
        self.emit("".join(line + "\r\n" for line in lines))


def _marker() -> typing.Any:
    return NO_INPUT
