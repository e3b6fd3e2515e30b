# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module that speaks to pypsrp: every pypsrp import, every pypsrp attribute that is not
public API, and every WSMan body we build by hand are here, so that a pypsrp release (or the
robust-connection Receive of MS-WSMV 3.1.4.1.39) changes this file only.

pypsrp 0.9.1 is used by composition; what it lacks is filled here:
- its Disconnect sends an empty body: ``send_disconnect`` sends IdleTimeOut and BufferMode;
- ``get_runspace_pools()`` gives no shell Name/State and ignores ResourceUri: we enumerate shells
  and commands ourselves, and build the pool (``pool_for_shell``) or pipeline (``attach_pipeline``)
  for the one we chose, setting the same private attributes that ``get_runspace_pools()`` sets;
- its WSMan client retries by itself (urllib3 connect/status retries, and five more Receives
  after a read timeout): ``new_wsman`` turns both off, so that the connection's one retry policy
  (``retry_policy.RetryPolicy``) is the only thing that ever sends a request again;
- it sends no WSMan robust-connection headers (MS-WSMV 3.1.4.1.39): ``receive`` with a
  ``ReceiveOperation`` sends a pipeline's Receive as such an operation, so that the caller can
  send it again as its retransmission and have a lost answer from the host's table.

Nothing outside this module imports pypsrp (tests/unit/plugins/test_pypsrp_bridge.py checks it).
"""

from __future__ import annotations

import re
import threading
import typing as t
import uuid
import xml.etree.ElementTree as ET

from ansible.errors import AnsibleError

HAS_PYPSRP = True
PYPSRP_IMPORT_ERROR: ImportError | None = None
try:
    import requests.exceptions
    from pypsrp._utils import version_equal_or_newer
    from pypsrp.complex_objects import ComplexObject, GenericComplexObject, PSInvocationState, RunspacePoolState
    from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError, WSManFaultError
    from pypsrp.host import PSHost, PSHostUserInterface
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.shell import SignalCode
    from pypsrp.wsman import NAMESPACES, SelectorSet, WSMan, WSManAction
except ImportError as err:  # pragma: no cover - exercised by the sanity import test
    HAS_PYPSRP = False
    PYPSRP_IMPORT_ERROR = err
    ComplexObject = GenericComplexObject = ()  # type: ignore[assignment,misc]

    class WinRMError(Exception):  # type: ignore[no-redef]
        """Stands in for pypsrp's error when pypsrp is missing (require_pypsrp() then fails first)."""

    class WSManFaultError(WinRMError):  # type: ignore[no-redef]
        """Stands in for pypsrp's error when pypsrp is missing."""

    WSMan = object  # type: ignore[assignment,misc]

# What the rest of the collection uses; pypsrp types are re-exported from here, never imported elsewhere.
__all__ = [
    'COMMAND_NOT_FOUND', 'COMMAND_URI', 'CTRL_C', 'ComplexObject', 'DROPPED', 'FINISHED_STATES', 'GenericComplexObject',
    'HAS_PYPSRP', 'NAMESPACES', 'NOT_RETRIED', 'PS_URI_PREFIX', 'PYPSRP_IMPORT_ERROR', 'ReceiveOperation', 'RequestGate', 'SHELL_URI', 'TERMINATE',
    'TRANSPORT_ERRORS', 'WSManFaultError', 'WinRMError', 'adopt_unanswered_command', 'attach_pipeline', 'command_id_of',
    'create_pool', 'delete_shell', 'describe_transport_error', 'enumerate_command_states', 'enumerate_commands',
    'enumerate_shells', 'forget_finished_pipelines', 'forget_pipeline', 'in_running_state', 'is_finished', 'is_retryable', 'is_running',
    'mark_pipeline', 'mark_pool', 'max_payload', 'new_host', 'new_pipeline', 'new_wsman', 'not_started',
    'pool_for_shell', 'pool_is_open', 'rebind_pool', 'receive', 'require_pypsrp', 'reset_host', 'resource_uri',
    'send_disconnect', 'send_reconnect', 'send_signal', 'shell_selector', 'signal_pipeline', 'type_names',
]

SHELL_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell'
COMMAND_URI = SHELL_URI + '/Command'
PS_URI_PREFIX = 'http://schemas.microsoft.com/powershell/'
# wsmerror.h ERROR_WSMAN_INVALID_SELECTORS: what WinRM answers for a command (or shell) it has forgotten.
COMMAND_NOT_FOUND = 2150858843
# MS-PSRP 2.2.3.x / MS-WSMV signal codes, as names this collection uses.
CTRL_C = 'ctrl_c'
TERMINATE = 'terminate'

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = ()
# A connection that dropped or timed out: the request may be asked again (if it is safe to).
DROPPED: tuple[type[BaseException], ...] = ()
# Errors that another try cannot mend: wrong credentials, a refused certificate, an HTTP error answer.
NOT_RETRIED: tuple[type[BaseException], ...] = ()
FINISHED_STATES: tuple[t.Any, ...] = ()
if HAS_PYPSRP:
    TRANSPORT_ERRORS = (AuthenticationError, WinRMTransportError, requests.exceptions.RequestException)
    DROPPED = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError)
    NOT_RETRIED = (AuthenticationError, WinRMTransportError, requests.exceptions.SSLError)
    FINISHED_STATES = (PSInvocationState.COMPLETED, PSInvocationState.FAILED, PSInvocationState.STOPPED)


def require_pypsrp() -> None:
    if not HAS_PYPSRP:
        raise AnsibleError('The psremoting.pssession.psrp connection needs the Python packages pypsrp (>= 0.9.1, < 1.0) and '
                           'requests on the controller; install them with pip install "pypsrp>=0.9.1,<1.0" (import failed: %s)'
                           % PYPSRP_IMPORT_ERROR)


def is_retryable(err: BaseException) -> bool:
    """A transport fault another try can mend: the connection dropped, was refused or timed out.
    Not: authentication, TLS certificate, an HTTP error answer, a WSMan fault."""
    return isinstance(err, DROPPED) and not isinstance(err, NOT_RETRIED)


def resource_uri(configuration_name: str) -> str:
    return PS_URI_PREFIX + configuration_name


# -- robust connections (MS-WSMV 3.1.4.1.39) for a pipeline's Receive ---------------------------------
# WinRM hands each output out once: when the HTTP connection breaks after the host answered a
# Receive, a new Receive cannot have what that answer held. A client that marks its Receive with
# wsmv:OperationID (mustUnderstand="false") and wsmv:SequenceId 1, as Windows' own client does, can
# send the very same request again (same MessageID, the OperationID now mustUnderstand="true": the
# example of MS-WSMV 4.11.3) on a new connection, and a host with robust-connection support answers
# it from its OperationMessages table. Its answers name the OperationID; a host without that support
# ignores the header and omits it from its answers (3.1.4.1.39), so an answer to a retransmission
# that does not name the operation is new output, and what the lost answer held is missing.
_MUST_UNDERSTAND = '{http://www.w3.org/2003/05/soap-envelope}mustUnderstand'
_ACKNOWLEDGE = 'http://schemas.microsoft.com/wbem/wsman/1/wsman/Acknowledge'
_ENVELOPE_START = rb'<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>]'  # compiled on first use (re's cache): only replies to a retransmission


class ReceiveOperation:
    """One Receive as a robust-connection operation: its OperationID and MessageID, kept for sending it again."""

    def __init__(self) -> None:
        self.operation_id = 'uuid:%s' % str(uuid.uuid4()).upper()
        self.message_id: str | None = None  # the MessageID it was first sent with (without "uuid:"), reused when sent again
        self.sent = 0  # how often a request of it went out (the host may have handled any of them)
        self.named: bool | None = None  # whether the last answer (or fault) named this operation
        self.acknowledged = False  # whether the answer to the retransmission began with the host's Acknowledge of it

    @property
    def retransmitted(self) -> bool:
        return self.sent > 1

    @property
    def confirmed(self) -> bool:
        """Sent again, and the host answered with the answer it kept: nothing its lost answer held is missing.

        Only the Acknowledge message that starts the reply to a retransmission (3.1.4.1.39, 4.11.3) shows
        that the answer is the kept one. An answer that merely names the OperationID does not: WinRM names
        it on its shell answers, and a host that no longer has the row (the Response Retention Timer ran
        out, 3.1.2) or never got the first request handles the retransmission as a new Receive, whose
        output is new. Without that proof the task is warned, even where nothing was in fact lost."""
        return self.retransmitted and bool(self.named) and self.acknowledged


def _names(xml: t.Any, operation_id: str) -> bool:
    """Whether an answer's header carries ``operation_id`` (3.1.4.1.39: "MUST include a <wsmv:OperationID>
    element with the same value in all response messages related to that request")."""
    try:
        root = ET.fromstring(xml)
    except (ET.ParseError, TypeError, ValueError):
        return False
    found = root.find('s:Header/wsmv:OperationID', NAMESPACES)
    return found is not None and (found.text or '').strip().upper() == operation_id.upper()


def _answer_of(reply: bytes, operation_id: str) -> tuple[bytes, bool]:
    """The answer in the reply to a retransmission, and whether the host acknowledged the operation.

    MS-WSMV 3.1.4.1.39 (and 4.11.3) sends that reply as a series of envelopes: an Acknowledge message
    (``LastSequenceIdReceived``, naming the OperationID) first, then the kept answer. pypsrp reads one
    envelope: the Acknowledge messages are dropped. Anything else (one envelope, or parts that do not
    parse on their own) is returned as it came, unacknowledged."""
    starts = [match.start() for match in re.finditer(_ENVELOPE_START, reply)]
    if len(starts) < 2:
        return reply, False
    answers, acknowledged = [], False
    for begin, end in zip(starts, starts[1:] + [len(reply)]):
        part = reply[begin:end]
        try:
            action = ET.fromstring(part).findtext('s:Header/wsa:Action', namespaces=NAMESPACES) or ''
        except ET.ParseError:
            return reply, False
        if action.strip() == _ACKNOWLEDGE:
            acknowledged = acknowledged or _names(part, operation_id)
        else:
            answers.append(part)
    return (answers[0], acknowledged) if len(answers) == 1 else (reply, False)


# -- the WSMan client ----------------------------------------------------------------------------
class _WSMan(WSMan):  # type: ignore[misc,valid-type]
    """pypsrp's WSMan client without retries of its own, whose Receive can be a robust-connection
    operation (see the module docstring)."""

    # Set by receive() for the one Receive of one poll_invoke(); taken by the first Receive sent.
    robust_operation: ReceiveOperation | None = None

    def receive(self, resource_uri: str, resource: t.Any = None, option_set: t.Any = None, selector_set: t.Any = None,
                timeout: int | None = None) -> t.Any:
        # pypsrp's receive() sends the same Receive up to five more times after a read timeout; here a
        # read timeout reaches the retry policy like any dropped Receive (PipelineRunner.poll).
        operation, self.robust_operation = self.robust_operation, None
        if operation is None:
            res = self.invoke(WSManAction.RECEIVE, resource_uri, resource, option_set, selector_set, timeout)
        else:
            res = self._invoke_as(operation, resource_uri, resource, option_set, selector_set, timeout)
        return res.find('s:Body', namespaces=NAMESPACES)

    def _invoke_as(self, operation: ReceiveOperation, resource_uri: str, resource: t.Any, option_set: t.Any,
                   selector_set: t.Any, timeout: int | None) -> t.Any:
        """pypsrp's WSMan.invoke (0.9.1) for a Receive sent as ``operation``: the first time with a new
        OperationID, then as a retransmission of it. ``operation.named`` then says whether the host
        answered (or faulted) as that operation."""
        message_id, header = self._create_header(WSManAction.RECEIVE, resource_uri, option_set, selector_set, timeout)
        if operation.message_id is None:
            operation.message_id = message_id
        else:  # the retransmission repeats the request, MessageID included (4.11.3): the kept answer relates to it
            header.find('wsa:MessageID', NAMESPACES).text = 'uuid:%s' % operation.message_id
            message_id = operation.message_id
        ET.SubElement(header, '{%s}OperationID' % NAMESPACES['wsmv'],
                      {_MUST_UNDERSTAND: 'true' if operation.sent else 'false'}).text = operation.operation_id
        ET.SubElement(header, '{%s}SequenceId' % NAMESPACES['wsmv'], {_MUST_UNDERSTAND: 'false'}).text = '1'
        envelope = ET.Element('{%s}Envelope' % NAMESPACES['s'])
        envelope.append(header)
        body = ET.SubElement(envelope, '{%s}Body' % NAMESPACES['s'])
        if resource is not None:
            body.append(resource)
        operation.sent += 1
        operation.named = None
        operation.acknowledged = False
        try:
            # Once: to a robust host a second request with this OperationID that is not marked as a
            # retransmission is an error; the caller sends it again, marked, on a new connection.
            # The HTTP timeout outlasts the OperationTimeout, as in pypsrp's invoke().
            response = self.transport.send(ET.tostring(envelope, encoding='utf-8', method='xml'), retries_on_read_timeout=0,
                                           timeout=timeout + 2 if timeout else None)
        except WinRMTransportError as err:
            operation.named = _names(err.response_text, operation.operation_id)
            try:
                fault = self._parse_wsman_fault(err.response_text)
            except ET.ParseError:
                raise err from None  # no WSMan fault in it: the HTTP error as it is
            raise fault from None
        if operation.retransmitted:
            response, operation.acknowledged = _answer_of(response, operation.operation_id)
        operation.named = _names(response, operation.operation_id)
        response_xml = ET.fromstring(response)  # a ParseError: a reply that cannot be read (the caller decides)
        relates_to = response_xml.findtext('s:Header/wsa:RelatesTo', default='', namespaces=NAMESPACES)
        if relates_to != 'uuid:%s' % message_id:
            raise WinRMError('Received related id does not match related expected message id: Sent: uuid:%s, Received: %s'
                             % (message_id, relates_to))
        return response_xml


def new_wsman(**settings: t.Any) -> t.Any:
    """A WSMan client with the connection's settings and no retries of its own: the urllib3 layer's
    connect/status retries are 0, whatever reconnection_retries says (it is the retry policy's).
    The environment's proxy and CA settings are read once, when its HTTP session is built."""
    settings = dict(settings, reconnection_retries=0)
    wsman = _WSMan(**settings)
    transport = wsman.transport
    build_session = transport._build_session

    def build_session_reading_the_environment_once() -> t.Any:
        # pypsrp (0.9.1, _TransportHTTP._build_session) merges HTTP(S)_PROXY, NO_PROXY for its one endpoint and
        # REQUESTS_CA_BUNDLE into the session it builds, and leaves trust_env on: requests then scans the whole
        # environment again on every request (should_bypass_proxies + get_environ_proxies, ~1 ms each with an
        # ordinary environment: docs/performance.md). Every request goes to that same endpoint, so what the scan
        # would find is already in the session; netrc, the one other thing trust_env reads, is only used for a
        # session without auth, and pypsrp always sets one.
        session = build_session()
        session.trust_env = False
        return session

    transport._build_session = build_session_reading_the_environment_once
    return wsman


def reset_host(host: t.Any) -> None:
    """Forget what a pipeline left in the host (its exit code, Write-Host lines) that no result took: a host kept for
    the next task (the run's keeper) starts as a new one would."""
    host.rc = 0
    host.ui.stdout = []
    host.ui.stderr = []


class RequestGate:
    """A WSMan client's requests as they go through its transport: which are under way, and, once shut,
    none more.

    Why: the run's keeper stops the command of a task whose worker went away over a new connection, while
    the task's own thread may be in the middle of a request. Every later request of that thread must be
    refused (whatever its retries would send); and a request already under way that is not a Receive (a
    Command, say) must have been answered before the command is stopped, or what it starts on the host
    would start after the stop. A Receive under way is not waited for: the host answers it once the command
    is stopped. Every request of pypsrp 0.9.1's WSMan (and of _WSMan's robust Receive) goes through its
    transport's send, whose first argument is the request's envelope as bytes.
    """

    _RECEIVE = ('%s</' % WSManAction.RECEIVE).encode('utf-8') if HAS_PYPSRP else b''

    def __init__(self, wsman: t.Any, error: type[BaseException]) -> None:
        self._changed = threading.Condition()
        self._shut = False
        self._sending = 0  # requests under way other than Receive
        send = wsman.transport.send

        def gated_send(message: bytes, *args: t.Any, **kwargs: t.Any) -> t.Any:
            waited_for = self._RECEIVE not in message
            with self._changed:
                if self._shut:
                    raise error()
                self._sending += waited_for
            try:
                return send(message, *args, **kwargs)
            finally:
                with self._changed:
                    self._sending -= waited_for
                    self._changed.notify_all()

        wsman.transport.send = gated_send

    @classmethod
    def of(cls, wsman: t.Any, error: type[BaseException]) -> RequestGate:
        """The client's gate, put on its transport the first time (a client kept for the next task keeps its one)."""
        gate = getattr(wsman, '_pssession_request_gate', None)
        if gate is None:
            gate = cls(wsman, error)
            wsman._pssession_request_gate = gate
        return gate

    def shut(self, timeout: float) -> bool:
        """Refuse every later request; wait up to ``timeout`` seconds for those under way (but Receives) to be
        answered; whether they were."""
        with self._changed:
            self._shut = True
            return self._changed.wait_for(lambda: self._sending == 0, timeout)


def new_host() -> t.Any:
    """A PSHost that captures Write-Host output and the exit code like ansible.builtin.psrp's."""
    return PSHost(None, None, False, 'Ansible PSRP Host', None, PSHostUserInterface(), None)


def shell_selector(shell_id: str) -> t.Any:
    selectors = SelectorSet()
    selectors.add_option('ShellId', shell_id)
    return selectors


# -- hand-built WSMan requests -------------------------------------------------------------------
def _enumerate_body() -> ET.Element:
    body = ET.Element('{%s}Enumerate' % NAMESPACES['wsen'])
    ET.SubElement(body, '{%s}OptimizeEnumeration' % NAMESPACES['wsman'])
    ET.SubElement(body, '{%s}MaxElements' % NAMESPACES['wsman']).text = '32000'
    return body


def enumerate_shells(wsman: t.Any) -> list[dict[str, str]]:
    """All shells of the connecting user, each as its WSMan fields (ShellId, Name, State, ...)."""
    wsen = NAMESPACES['wsen']
    rsp = NAMESPACES['rsp']
    shells: list[dict[str, str]] = []
    response = wsman.enumerate(SHELL_URI, _enumerate_body())
    while True:
        items = response.findall('wsen:EnumerateResponse/wsman:Items/rsp:Shell', NAMESPACES)
        items += response.findall('wsen:PullResponse/wsen:Items/rsp:Shell', NAMESPACES)
        for shell in items:
            shells.append({child.tag.replace('{%s}' % rsp, ''): (child.text or '') for child in shell})
        context = response.find('wsen:EnumerateResponse/wsen:EnumerationContext', NAMESPACES)
        if context is None:
            context = response.find('wsen:PullResponse/wsen:EnumerationContext', NAMESPACES)
        end = response.find('.//wsman:EndOfSequence', NAMESPACES)
        if end is None:
            end = response.find('.//wsen:EndOfSequence', NAMESPACES)
        if context is None or not (context.text or '').strip() or end is not None:
            return shells
        pull = ET.Element('{%s}Pull' % wsen)
        ET.SubElement(pull, '{%s}EnumerationContext' % wsen).text = context.text
        ET.SubElement(pull, '{%s}MaxElements' % wsen).text = '32000'
        response = wsman.pull(SHELL_URI, pull)


def enumerate_command_states(wsman: t.Any, shell_id: str) -> list[dict[str, str]]:
    """The commands the host keeps for a shell, each as {command_id, state} (state as WinRM reports it)."""
    body = _enumerate_body()
    flt = ET.SubElement(body, '{%s}Filter' % NAMESPACES['wsman'], Dialect='http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter')
    flt.append(shell_selector(shell_id).pack())
    response = wsman.enumerate(COMMAND_URI, body)
    commands = []
    for command in response.findall('.//rsp:Command', NAMESPACES):
        cid = command.findtext('rsp:CommandId', default='', namespaces=NAMESPACES)
        state = command.findtext('rsp:CommandState', default='', namespaces=NAMESPACES)
        if cid:
            commands.append({'command_id': cid.upper(), 'state': state.rsplit('/', 1)[-1] if state else 'Unknown'})
    return commands


def enumerate_commands(wsman: t.Any, shell_id: str) -> list[str]:
    """The ids of the commands (pipelines) the host keeps for a shell."""
    return [command['command_id'] for command in enumerate_command_states(wsman, shell_id)]


def send_disconnect(wsman: t.Any, uri: str, shell_id: str, idle_timeout: int, buffer_mode: str) -> None:
    """WSMan Disconnect with IdleTimeOut and BufferMode (pypsrp's own sends an empty body)."""
    rsp = NAMESPACES['rsp']
    body = ET.Element('{%s}Disconnect' % rsp)
    ET.SubElement(body, '{%s}IdleTimeOut' % rsp).text = 'PT%dS' % idle_timeout
    ET.SubElement(body, '{%s}BufferMode' % rsp).text = buffer_mode
    wsman.disconnect(uri, body, selector_set=shell_selector(shell_id))


def send_signal(wsman: t.Any, uri: str, shell_id: str, command_id: str, code: str) -> None:
    """WSMan Signal of a command of a shell, without a pool: ``code`` is CTRL_C (as Stop-Job) or TERMINATE."""
    rsp = NAMESPACES['rsp']
    body = ET.Element('{%s}Signal' % rsp, CommandId=command_id.upper())
    ET.SubElement(body, '{%s}Code' % rsp).text = SignalCode.PS_CTRL_C if code == CTRL_C else SignalCode.TERMINATE
    wsman.signal(uri, body, selector_set=shell_selector(shell_id))


def send_reconnect(wsman: t.Any, uri: str, shell_id: str) -> None:
    """WSMan Reconnect of a shell this WSMan client (its SessionId) disconnected."""
    wsman.reconnect(uri, selector_set=shell_selector(shell_id))


def delete_shell(wsman: t.Any, uri: str, shell_id: str) -> None:
    wsman.delete(uri, selector_set=shell_selector(shell_id))


# -- pools -------------------------------------------------------------------------------------
def create_pool(wsman: t.Any, host: t.Any, configuration_name: str, name: str, idle_timeout: int) -> t.Any:
    """A pool that open() creates as a shell with this Name and IdleTimeOut."""
    pool = RunspacePool(wsman, host=host, configuration_name=configuration_name, idle_timeout=idle_timeout)
    pool.shell.name = name
    return pool


def pool_for_shell(wsman: t.Any, host: t.Any, configuration_name: str, shell_id: str, protocol: str | None = None) -> t.Any:
    """A Disconnected pool for an existing shell; its connect() then sends, as get_runspace_pools()'s pools do,
    WSMan Connect with connectXml (a new client), or, given the server's ``protocol`` version learnt by
    an earlier client, WSMan Reconnect (the client that disconnected it, known by the WSMan SessionId)."""
    pool = RunspacePool(wsman, host=host, configuration_name=configuration_name)
    pool.id = shell_id
    pool.shell.id = shell_id
    pool.shell.opened = True
    pool.state = RunspacePoolState.DISCONNECTED
    if protocol:
        # What pypsrp's Connect path would have set on the shell (selectors of later Command/Receive/Signal).
        pool.shell._selector_set = shell_selector(shell_id)  # pylint: disable=protected-access
        pool.protocol_version = protocol
        # What pypsrp does on the SESSION_CAPABILITY a Connect or Create gets back (RunspacePool._process_session_capability,
        # 0.9.1): a server of protocol 2.2 or later takes 500 KB envelopes. Reconnect has no such exchange, so without
        # this every later task of the session would send 150 KB envelopes (3x the requests for a file or a module).
        if version_equal_or_newer(protocol, '2.2') and wsman.max_envelope_size == 153600:
            wsman.update_max_payload_size(512000)
            pool._fragmenter.max_size = wsman.max_payload_size  # pylint: disable=protected-access
    else:
        pool._new_client = True  # pylint: disable=protected-access  # connect() sends Connect, not Reconnect
    return pool


def pool_is_open(pool: t.Any) -> bool:
    return pool is not None and pool.state == RunspacePoolState.OPENED


def mark_pool(pool: t.Any, opened: bool) -> None:
    pool.state = RunspacePoolState.OPENED if opened else RunspacePoolState.DISCONNECTED


def rebind_pool(pool: t.Any, wsman: t.Any) -> None:
    """Send the pool's later requests over another WSMan client (a new HTTP connection)."""
    pool.connection = wsman
    pool.shell.wsman = wsman


def max_payload(pool: t.Any) -> int:
    return pool.connection.max_payload_size


# -- pipelines ---------------------------------------------------------------------------------
def new_pipeline(pool: t.Any) -> t.Any:
    return PowerShell(pool)


def attach_pipeline(pool: t.Any, command_id: str) -> t.Any:
    """The pipeline of a command the host keeps (started by another client or task), Disconnected;
    ``connect_async()`` then attaches to it (Connect with its CommandId, as Receive-PSSession)."""
    ps = PowerShell(pool)
    ps.id = command_id
    ps._command_id = command_id  # pylint: disable=protected-access  # as pypsrp's get_runspace_pools() sets it
    ps.state = PSInvocationState.DISCONNECTED
    pool.pipelines[command_id] = ps
    return ps


def forget_pipeline(ps: t.Any) -> None:
    ps.runspace_pool.pipelines.pop(ps.id, None)


def forget_finished_pipelines(pool: t.Any) -> None:
    """Drop the pool's record of its ended pipelines (pypsrp keeps each one in ``pipelines`` until it is closed
    with a Signal, which this collection does not send): a pool kept across tasks would otherwise grow with each."""
    for pipeline_id, ps in list(pool.pipelines.items()):
        if ps.state in FINISHED_STATES:
            pool.pipelines.pop(pipeline_id, None)


def command_id_of(ps: t.Any) -> str:
    """The host's CommandId of a started pipeline (pypsrp keeps the one from the Command answer)."""
    return (ps._command_id or ps.id).upper()  # pylint: disable=protected-access


def adopt_unanswered_command(ps: t.Any) -> None:
    """A pipeline whose Command reached the host but whose answer was lost: receive it as running.
    pypsrp sends its own pipeline id as the CommandId, so that is the host's id too."""
    ps._command_id = ps._command_id or ps.id  # pylint: disable=protected-access
    ps.state = PSInvocationState.RUNNING


def receive(ps: t.Any, timeout: int | None = None, operation: ReceiveOperation | None = None) -> None:
    """One WSMan Receive for a running pipeline (OperationTimeout ``timeout`` seconds if given): the
    single place a Receive is built and sent. Given ``operation``, the Receive goes out as that
    robust-connection operation (MS-WSMV 3.1.4.1.39): the first time with its new OperationID, then
    as its retransmission; ``operation`` then tells what the host made of it."""
    if operation is None:
        ps.poll_invoke(timeout)
        return
    wsman = ps.runspace_pool.shell.wsman  # the client the pipeline's Receive goes over
    if not isinstance(wsman, _WSMan):
        raise TypeError('a robust-connection Receive needs a WSMan client made by new_wsman(), not %s' % type(wsman).__name__)
    wsman.robust_operation = operation
    try:
        ps.poll_invoke(timeout)
    finally:
        wsman.robust_operation = None  # a Receive that was never sent does not leave it armed for another


def signal_pipeline(ps: t.Any, code: str) -> None:
    """Signal a pipeline of the connected pool: CTRL_C (stop, as Stop-Job) or TERMINATE."""
    ps.runspace_pool.shell.signal(SignalCode.PS_CTRL_C if code == CTRL_C else SignalCode.TERMINATE, command_id_of(ps))


def is_finished(ps: t.Any) -> bool:
    return ps.state in FINISHED_STATES


def is_running(ps: t.Any) -> bool:
    return ps.state in (PSInvocationState.RUNNING, PSInvocationState.STOPPING)


def in_running_state(ps: t.Any) -> bool:
    """Running exactly (not Stopping): what a plain wait for the end of a pipeline loops on."""
    return ps.state == PSInvocationState.RUNNING


def not_started(ps: t.Any) -> bool:
    return ps.state == PSInvocationState.NOT_STARTED


def mark_pipeline(ps: t.Any, state: str) -> None:
    """Set a state the host did not report in an answer we have: Stopped (stopped by us), or Failed (its
    final answer was lost, so how it ended is unknown: never reported as a success)."""
    ps.state = {'Failed': PSInvocationState.FAILED, 'Stopped': PSInvocationState.STOPPED}[state]
    if state == 'Failed':
        ps.had_errors = True


def type_names(obj: t.Any) -> list[str]:
    """The .NET type names of a deserialized object (an enum keeps them in pypsrp's private list)."""
    return list(getattr(obj, 'types', None) or getattr(obj, '_types', None) or [])


def describe_transport_error(err: BaseException, endpoint: str) -> str:
    """A clear sentence for a transport or authentication failure talking to ``endpoint``."""
    if isinstance(err, AuthenticationError):
        return 'Authentication to %s failed (%s); check the user name, password and auth option' % (endpoint, err)
    if isinstance(err, requests.exceptions.SSLError):
        return ('The TLS connection to %s was refused: the server certificate could not be verified (%s). '
                'Set ca_cert to the CA that signed it, or cert_validation=ignore on a trusted network' % (endpoint, _short(err)))
    if isinstance(err, (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout)):
        return 'Timed out talking to %s (%s)' % (endpoint, _short(err))
    if isinstance(err, requests.exceptions.ConnectionError):
        return 'Could not connect to %s: %s' % (endpoint, _short(err))
    if isinstance(err, WinRMTransportError):
        return 'The WinRM service at %s answered HTTP %s' % (endpoint, getattr(err, 'code', '?'))
    return '%s: %s' % (type(err).__name__, err)


def _short(err: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the retry noise."""
    text = str(err)
    for marker in ('Caused by ', 'caused by '):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text.strip('()\'" ')[:300]
