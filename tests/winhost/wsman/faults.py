"""Catalogue of the WSMan faults the test host answers with.

Codes are the real ``wsmerror.h`` values Windows puts in ``f:WSManFault/@Code``;
reasons and messages follow what WinRM 3.0 says (recorded exchanges in pypsrp's
test suite, MS-WSMV).  Clients (pypsrp, PowerShell) branch on the codes, so the
codes are what must be exact.
"""

from __future__ import annotations

FAULT_DETAIL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"

MSG_INVALID_SELECTORS = (
    "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. "
)
MSG_TIMED_OUT = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "


class WSManFault(Exception):
    """A SOAP fault to send back (HTTP 500, as WinRM does for every WSMan fault)."""

    def __init__(self, code: int, subcode: str, reason: str, message: str | None = None,
                 sender: bool = True, detail: str | None = None, http_status: int = 500,
                 provider: tuple[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message or reason}")
        self.code = code
        self.subcode = subcode
        self.reason = reason
        self.message = message or reason
        self.sender = sender
        self.detail = detail
        self.http_status = http_status
        # (provider, path): WinRM wraps a provider's error as f:Message/f:ProviderFault/f:WSManFault.
        self.provider = provider


def shell_not_found(shell_id: str) -> WSManFault:
    # An unknown ShellId, or another user's shell: Windows does not reveal that it exists.
    return WSManFault(
        2150858843, "w:InvalidSelectors", MSG_INVALID_SELECTORS,
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not found on the server. "
        "Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. "
        "Provide the correct ShellId or create a new shell and retry the operation. ",
        detail=FAULT_DETAIL + "UnexpectedSelectors",
    )


def shell_resource_not_found() -> WSManFault:
    # Get on .../windows/shell with a ShellId that does not (or no longer) exist: the Shell provider's
    # answer (recorded from Windows), a generic message nested in a ProviderFault.
    return WSManFault(
        2150858843, "w:InvalidSelectors", MSG_INVALID_SELECTORS,
        detail=FAULT_DETAIL + "UnexpectedSelectors",
        provider=("Shell provider", "%systemroot%\\system32\\WsmSvc.dll"),
    )


def command_not_found() -> WSManFault:
    return WSManFault(
        2150858843, "w:InvalidSelectors", MSG_INVALID_SELECTORS,
        "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. "
        "Either the command has completed execution or the client specified an invalid command identifier. ",
        detail=FAULT_DETAIL + "UnexpectedSelectors",
    )


def missing_selectors() -> WSManFault:
    return WSManFault(2150858843, "w:InvalidSelectors", MSG_INVALID_SELECTORS, detail=FAULT_DETAIL + "InsufficientSelectors")


def timed_out() -> WSManFault:
    return WSManFault(2150858793, "w:TimedOut", MSG_TIMED_OUT, sender=False)


def max_shells_per_user(limit: int) -> WSManFault:
    return WSManFault(
        2150859173, "w:QuotaLimit",
        "The WS-Management service cannot process the request. The service is configured to not accept any more requests from this user. ",
        f"The WS-Management service cannot process the request. This user is allowed a maximum number of {limit} concurrent shells, "
        "which has been exceeded. Close existing shells or raise the quota for this user. ",
        sender=False,
    )


def shell_disconnected() -> WSManFault:
    # ERROR_WINRS_SHELL_DISCONNECTED: the shell exists but no client is attached.
    return WSManFault(2150859204, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the shell is disconnected. ",
                      "The request cannot be processed because the shell is disconnected. Reconnect to the shell and retry the operation. ")


def connected_to_different_client() -> WSManFault:
    # ERROR_WINRS_SHELL_CONNECTED_TO_DIFFERENT_CLIENT: Connect on a shell another client holds.
    return WSManFault(2150859213, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the shell is connected to a different client. ",
                      "The request cannot be processed because the shell is connected to a different client. "
                      "Disconnect the shell from that client or wait for it to be disconnected. ")


def client_session_mismatch() -> WSManFault:
    # ERROR_WINRS_SHELL_CLIENTSESSIONID_MISMATCH: Reconnect from a client that is not the one that disconnected.
    return WSManFault(2150859206, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the client session identifier does not match. ",
                      "The Reconnect operation failed because the client session identifier does not match the one that disconnected the shell. "
                      "Use Connect from a new client instead. ")


def disconnect_not_valid() -> WSManFault:
    # ERROR_WINRS_SHELL_DISCONNECT_OPERATION_NOT_VALID
    return WSManFault(2150859215, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the shell is not connected. ",
                      "The Disconnect operation is not valid because the shell is already disconnected. ")


def reconnect_not_valid() -> WSManFault:
    # ERROR_WINRS_SHELL_RECONNECT_OPERATION_NOT_VALID
    return WSManFault(2150859216, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the shell is not disconnected. ",
                      "The Reconnect operation is not valid because the shell is not in the disconnected state. ")


def idle_timeout_out_of_bounds(requested_s: float, max_s: float) -> WSManFault:
    # ERROR_WINRS_IDLETIMEOUT_OUTOFBOUNDS
    return WSManFault(2150859250, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because the IdleTimeout value is out of bounds. ",
                      f"The IdleTimeout value {requested_s:.3f} seconds is out of bounds. "
                      f"It must not exceed the MaxIdleTimeout of the session configuration ({max_s:.3f} seconds). ")


def receive_in_progress() -> WSManFault:
    # ERROR_WINRS_RECEIVE_IN_PROGRESS
    return WSManFault(2150859047, "w:InvalidParameter",
                      "The WS-Management service cannot process the request because a Receive operation is already in progress. ",
                      "The WinRS client cannot process the Receive request because another Receive request is already in progress for this target. ")


def already_exists(shell_id: str) -> WSManFault:
    # ERROR_WSMAN_ALREADY_EXISTS
    return WSManFault(2150858803, "w:AlreadyExists",
                      "The WS-Management service cannot create the resource because it already exists. ",
                      f"The shell {shell_id} already exists. ")


def action_not_supported(action: str) -> WSManFault:
    # ERROR_WSMAN_ACTION_NOT_SUPPORTED
    return WSManFault(2150858771, "a:ActionNotSupported",
                      "The action is not supported by the service. ",
                      f"The WS-Management service cannot process the request because the action {action} is not supported. ",
                      detail=FAULT_DETAIL + "ActionMismatch")


def resource_not_found(resource_uri: str) -> WSManFault:
    # ERROR_WSMAN_RESOURCE_NOT_FOUND: an unknown session configuration name.
    name = resource_uri.rsplit("/", 1)[-1]
    return WSManFault(2150858752, "w:DestinationUnreachable",
                      "The WS-Management service cannot process the request. The resource URI is not valid or the resource was not found. ",
                      f"The WS-Management service cannot process the request. Cannot find the {name} session configuration in the WSMan: drive "
                      "on the localhost computer. For more information, see the about_Remote_Troubleshooting Help topic. ")


def schema_validation(what: str) -> WSManFault:
    # ERROR_WSMAN_SCHEMA_VALIDATION_ERROR
    return WSManFault(2150858817, "w:SchemaValidationError",
                      "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ",
                      f"The SOAP XML in the message does not match the corresponding XML schema definition: {what}. ")


def invalid_xml() -> WSManFault:
    # ERROR_WSMAN_INVALID_XML
    return WSManFault(2150858819, "w:InvalidMessageInformationHeader",
                      "The WS-Management service cannot process the request because the XML is invalid. ")


def command_rejected(message: str) -> WSManFault:
    # A PSRP payload the server could not process: WinRM reports it through the plug-in failure code.
    return WSManFault(2150858883, "w:InternalError", "The WS-Management service cannot process the request. The plug-in failed. ", message,
                      sender=False)


def invalid_message_information_header(why: str) -> WSManFault:
    # ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER (wsmerror.h: "wsa, code=Sender, subcode=WS-Addressing
    # InvalidMessageInformationHeader"): what MS-WSMV 3.1.4.1.39 requires for a robust-connection request
    # whose OperationID or SequenceId cannot be taken. The message names the reason in our own words.
    return WSManFault(2150858767, "a:InvalidMessageInformationHeader",
                      "The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ",
                      f"The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers: {why}. ")
