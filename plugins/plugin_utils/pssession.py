# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The life of one PSSession on a Windows host, driven over pypsrp.

A PSSession is a WSMan shell (a PSRP RunspacePool) kept by the host. This module finds the
user's shell by its Name (WSMan Enumerate), connects to it when it is Disconnected (WSMan
Connect with connectXml), waits for it when another client holds it, creates it (with its
Name and IdleTimeOut) when there is none, disconnects from it with an IdleTimeOut and
BufferMode at the end of a task, and removes it.

Everything it sends goes through pypsrp_bridge (the only module that speaks to pypsrp), and every
retry of opening follows the connection's RetryPolicy.
"""

from __future__ import annotations

import time
import typing as t

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import (
    CTRL_C, TERMINATE, TRANSPORT_ERRORS, WinRMError, WSManFaultError, create_pool, delete_shell, describe_transport_error,
    enumerate_shells, forget_finished_pipelines, mark_pool, new_host, pool_for_shell, pool_is_open, rebind_pool, require_pypsrp,
    reset_host, resource_uri, send_disconnect, send_reconnect, send_signal,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import is_dead_run_of_this_controller
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import local_time
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import SessionOptions

# WSMan client settings for the requests that release a session a task gives up on: a cancelled
# worker is killed by ansible right after its handler returns, so those requests must be quick.
QUICK_TIMEOUTS = dict(connection_timeout=3, read_timeout=4, operation_timeout=3)


class SessionBusyError(AnsibleError):
    """The session stayed connected to another client for longer than busy_timeout."""


class SessionVanishedError(AnsibleError):
    """The session this controller used before is gone, and strict_session is on."""


def connection_failure(err: BaseException, where: str, endpoint: str) -> AnsibleConnectionFailure:
    """An UNREACHABLE-class error with a clear message for transport and authentication failures."""
    return AnsibleConnectionFailure('psremoting.pssession.psrp: %s while %s' % (describe_transport_error(err, endpoint), where))


def close_quietly(wsman: t.Any) -> None:
    """Close a WSMan client whose connection may be broken already (nothing to report if so)."""
    if wsman is None:
        return
    try:
        wsman.close()
    except Exception:  # pylint: disable=broad-except  # a broken socket
        pass


class OpenAttempt:
    """What one try of PSSession.open may have left on the host if its connection broke."""

    # A plain class, not a dataclass: cheaper to define in each forked worker (docs/performance.md).
    __slots__ = ('connect_sent_to', 'create_sent', 'shells_before')

    def __init__(self) -> None:
        self.connect_sent_to: str | None = None  # a Connect went out for this shell and got no answer yet
        self.create_sent = False  # a Create went out: the host may have made a shell we never heard of
        self.shells_before: frozenset[str] = frozenset()  # the ShellIds of our name the host had before the Create


class PSSession:
    """One task's use of the host's PSSession.

    ``wsman_factory`` builds a new pypsrp WSMan client; ``known`` is what this controller
    remembers of the session (the shell id it last used), or None.
    """

    def __init__(self, wsman_factory: t.Callable[[], t.Any], configuration_name: str, session_name: str,
                 options: SessionOptions, endpoint: str, log: t.Callable[[str], None] | None = None,
                 sleep: t.Callable[[float], None] = time.sleep, clock: t.Callable[[], float] = time.monotonic,
                 shell_id: str | None = None, must_exist: bool = False, policy: RetryPolicy | None = None) -> None:
        require_pypsrp()
        self._factory = wsman_factory
        self.configuration_name = configuration_name
        self.resource_uri = resource_uri(configuration_name)
        self.name = session_name
        self.options = options
        self.endpoint = endpoint
        self._log = log or (lambda msg: None)
        self._sleep = sleep
        self._clock = clock
        self.wsman: t.Any = None
        self.pool: t.Any = None
        self.host: t.Any = None
        self.created = False
        self.recreated = False
        self.reaped: list[str] = []
        # Set when a connect task chose the session: it is found by its ShellId and never created anew.
        self.fixed_shell_id = shell_id.upper() if shell_id else None
        self.must_exist = must_exist
        # How often a failed open is tried again, and after how long (the connection's one retry policy).
        self.policy = policy or RetryPolicy(sleep=sleep)
        self._attempt = OpenAttempt()
        self._left_by: tuple[str, str | None] = ('', None)  # (ShellId, who) a dead task of this controller left Connected
        # True from adopt() until the first Command is answered: the shell was taken as parked by an
        # earlier task of this run, without any request, so whether the host still has it Connected to
        # that client is only known from that Command's answer (PipelineRunner.start).
        self.adopted = False

    # -- opening ----------------------------------------------------------------------------
    def _mine(self, shells: list[dict[str, str]]) -> list[dict[str, str]]:
        if self.fixed_shell_id:
            return [s for s in shells if s.get('ShellId', '').upper() == self.fixed_shell_id]
        return [s for s in shells if s.get('Name') == self.name and s.get('ResourceUri', self.resource_uri).lower() == self.resource_uri.lower()]

    def open(self, known_shell_id: str | None = None, left_by: str | None = None, last_client: dict[str, str] | None = None) -> None:
        """Connect to the session, or create it; wait up to busy_timeout while another client holds it.

        A transport error while opening is retried as the retry policy says (reconnection_retries):
        no pipeline has started, so nothing can run twice. Before each retry, and before giving up,
        what the failed attempt may have left on the host is undone from a fresh connection, so the
        session is never left Connected to a client that is gone.

        ``last_client`` ({'id': WSMan SessionId, 'protocol': PSRP protocol version}) is the client of
        this controller that disconnected ``known_shell_id`` last: the session is then taken back as
        that client (WSMan Reconnect, one request) rather than as a new one (Connect and a pool Receive).
        """
        self._left_by = (known_shell_id or '').upper(), left_by
        self._last_client = last_client
        failures = 0
        while True:
            self._attempt = OpenAttempt()
            try:
                self._open_once(known_shell_id)
                return
            except TRANSPORT_ERRORS as err:
                self._abandon_open()
                failures += 1
                if self.policy.gives_up(err, failures):
                    raise connection_failure(err, 'opening the PSSession %s' % self.name, self.endpoint) from None
                self._log('PSSESSION open failed (%s), trying again in %ss (%d of %d)'
                          % (type(err).__name__, self.policy.delay(failures), failures, self.policy.retries))
                self.policy.wait_before(failures)
            except WinRMError as err:
                self._abandon_open()
                raise AnsibleConnectionFailure('psremoting.pssession.psrp: the host refused the PSSession %s at %s: %s'
                                               % (self.name, self.endpoint, err)) from None

    def _open_once(self, known_shell_id: str | None) -> None:
        self.wsman = self._factory()
        self.host = new_host()
        deadline = self._clock() + self.options.busy_timeout
        first_busy: float | None = None
        # This controller remembers the shell it used last: connecting to it directly saves
        # an Enumerate on every task but a run's first (which also reaps). Any fault (gone,
        # held by another client, not ours) falls through to the full search below.
        if known_shell_id and self.fixed_shell_id in (None, known_shell_id.upper()):
            if self._reconnect(known_shell_id) or self._connect({'ShellId': known_shell_id}):
                return
        while True:
            shells = enumerate_shells(self.wsman)
            if not self.options.named:
                self._reap(shells)
            mine = self._mine(shells)
            free = [s for s in mine if s.get('State', '').lower() == 'disconnected']
            free.sort(key=lambda s: s.get('ShellId', '').upper() != (known_shell_id or '').upper())
            for shell in free:
                if self._connect(shell):
                    return
            if mine:
                # Connected to another client, or taken/refused between Enumerate and Connect.
                first_busy = first_busy or time.time()
                if self._clock() >= deadline:
                    raise SessionBusyError(self._busy_message(mine[0], first_busy))
                self._log('PSSESSION %s is in use by another client, waiting' % self.name)
                self._sleep(min(1.0, max(deadline - self._clock(), 0.05)))
                continue
            if self.must_exist:
                raise SessionVanishedError(
                    "The PSSession '%s' on %s (shell %s), which a connect task of this run chose for this host, has "
                    "expired or was removed; not creating a new one in its place."
                    % (self.name, self.endpoint, self.fixed_shell_id or known_shell_id or '?'))
            if known_shell_id:
                if self.options.strict:
                    raise SessionVanishedError(
                        "The PSSession '%s' on %s (shell %s) has expired or was removed, and strict_session is set: "
                        "not creating a new, empty one. Its state is lost; run once with strict_session false to start a "
                        "fresh session." % (self.name, self.endpoint, known_shell_id))
                self.recreated = True
            self._create(shells)
            return

    def _busy_message(self, shell: dict[str, str], first_busy: float) -> str:
        details = []
        if shell.get('ClientIP'):
            details.append('client %s' % shell['ClientIP'])
        for field, label in (('ConnectedSince', 'connected since'), ('ShellInactivity', 'idle for'), ('ShellRunTime', 'running for')):
            if shell.get(field):
                details.append('%s %s' % (label, shell[field]))
        since = shell.get('ConnectedSince') or local_time(first_busy) + ' at least'
        msg = ("The PSSession '%s' on %s is busy: it is connected to another client (%s) since %s; waited %ss (busy_timeout). "
               "A session runs one client's commands at a time; try again later or raise busy_timeout."
               % (self.name, self.endpoint, ', '.join(details) or 'no details from the host', since, self.options.busy_timeout))
        shell_id, left_by = self._left_by
        if left_by and shell.get('ShellId', '').upper() == shell_id:
            msg += (' That client is this controller\'s own %s, which ended without releasing the session, and taking it '
                    'back failed: the host frees it once it notices that client is gone (its silent-client timeout, '
                    'minutes after the last request).' % left_by)
        return msg

    def _reap(self, shells: list[dict[str, str]]) -> None:
        """Remove run-scoped sessions of this controller whose run has ended."""
        for shell in shells:
            name = shell.get('Name')
            if name == self.name or not is_dead_run_of_this_controller(name):
                continue
            try:
                delete_shell(self.wsman, shell.get('ResourceUri') or self.resource_uri, shell['ShellId'])
                self.reaped.append(name or '')
                self._log('PSSESSION removed %s, left by an ended run' % name)
            except WSManFaultError as err:
                self._log('PSSESSION could not remove %s: %s' % (name, err))

    def adopt(self, shell_id: str, last_client: dict[str, str] | None) -> bool:
        """Use the shell an earlier task of this run left Connected (parked) as that same client, with no request.

        A shell stays Connected to a client between its requests (MS-WSMV 3.1.4.15 and 3.1.4.16: only a
        Disconnect changes that, and a Reconnect is for a Disconnected shell), and servers that support
        Disconnect and Connect "distinguish requests from different client sessions" by wsmv:SessionId
        alone (MS-PSRP 3.1.4.9, MS-WSMV 3.1.4.1.37), not by TCP connection: a new process with the
        parked client's SessionId is that client, and its next Command goes straight to the shell, as
        the next pipeline of an ``Invoke-Command -Session`` does. A Reconnect would carry no PSRP
        message either, so the pool is what _reconnect builds, minus the request. Whether the host
        still holds it so (it disconnects a client silent for minutes, section 4 of docs/design.md)
        is learnt from the first Command: a fault there sends the task back to open()
        (TaskSession._reopen_parked). False if the state lacks the client or its protocol version.
        """
        last = last_client if isinstance(last_client, dict) else {}
        client, protocol = last.get('id'), last.get('protocol')
        if not isinstance(client, str) or not client or not isinstance(protocol, str) or not protocol:
            return False
        if self.fixed_shell_id not in (None, shell_id.upper()):
            return False
        self.wsman = self._factory()
        self.wsman.session_id = client
        self.host = new_host()
        pool = pool_for_shell(self.wsman, self.host, self.configuration_name, shell_id, protocol=protocol)
        mark_pool(pool, opened=True)
        self.pool = pool
        self.adopted = True
        self._log('PSSESSION using %s (%s), left connected by the previous task of this run, as client %s' % (self.name, shell_id, client))
        return True

    def adopt_kept(self, shell_id: str, kept: tuple[t.Any, t.Any, t.Any]) -> None:
        """adopt(), with the WSMan client, pool and host this process parked the shell with (the run's keeper keeps
        them between tasks: no new client, and its HTTP connection stays open). The caller has checked that the
        shell is still as it was parked: nobody used it since."""
        self.wsman, self.pool, self.host = kept
        reset_host(self.host)
        self.adopted = True
        self._log('PSSESSION using %s (%s), left connected by the previous task of this run, with its client kept'
                  % (self.name, shell_id))

    def keep_parked(self) -> tuple[t.Any, t.Any, t.Any]:
        """Hand over the client, pool and host of a parked shell instead of closing them (adopt_kept)."""
        forget_finished_pipelines(self.pool)
        kept = (self.wsman, self.pool, self.host)
        self.wsman = None
        return kept

    def confirm_adopted(self) -> None:
        """The host took a Command on the adopted shell: it is known to be Connected to us."""
        self.adopted = False

    def release_parked(self, shell_id: str, client_session_id: str) -> None:
        """Disconnect a shell parked by a client of this controller (speaking as that client), so that
        open() can take it back with a Reconnect. Faults (it is Disconnected already, or gone) are logged:
        open() then finds out which."""
        self.pool = None
        self.adopted = False
        close_quietly(self.wsman)
        self.wsman = None
        self._release(self._same_client(client_session_id), shell_id, None, 'left connected by an earlier task of this run')

    def _reconnect(self, shell_id: str) -> bool:
        """Take the shell back as the WSMan client of this controller that disconnected it; False if the host refuses.

        MS-WSMV's Reconnect message resumes a shell Disconnected by a client for that same client,
        known by its wsmv:SessionId header, not by its TCP connection (pypsrp's RunspacePool.connect()
        sends it for a pool "created by the same client with the same SessionId"; the Connect path,
        with connectXml, is MS-PSRP's for a different client). A Reconnect carries no PSRP message, so
        the server's protocol version, learnt on Create or Connect, comes from the state. Any fault (another client connected or
        disconnected it since: 2150859206, it is not disconnected: 2150859216, it is gone) means the
        usual Connect as a new client; the WSMan client gets back a SessionId of its own for that.
        """
        last = self._last_client if isinstance(self._last_client, dict) else {}
        client, protocol = last.get('id'), last.get('protocol')
        if not isinstance(client, str) or not client or not isinstance(protocol, str) or not protocol:
            return False
        own_id = self.wsman.session_id
        self.wsman.session_id = client
        pool = pool_for_shell(self.wsman, self.host, self.configuration_name, shell_id, protocol=protocol)
        self._attempt.connect_sent_to = shell_id  # unanswered, it may have reconnected us: _abandon_open disconnects
        try:
            pool.connect()  # given the protocol, pool_for_shell made it a WSMan Reconnect
        except WSManFaultError as err:
            self._attempt.connect_sent_to = None
            self.wsman.session_id = own_id
            self._log('PSSESSION reconnect to %s as client %s refused, connecting as a new client: %s' % (shell_id, client, err))
            return False
        mark_pool(pool, opened=True)
        self.pool = pool
        self._log('PSSESSION reconnected to %s (%s)' % (self.name, shell_id))
        return True

    def _connect(self, shell: dict[str, str]) -> bool:
        """Connect to a disconnected shell as a new client; False if it went away or was taken meanwhile."""
        shell_id = shell['ShellId']
        pool = pool_for_shell(self.wsman, self.host, self.configuration_name, shell_id)  # connect() sends WSMan Connect
        self._attempt.connect_sent_to = shell_id
        try:
            pool.connect()
        except WSManFaultError as err:
            self._attempt.connect_sent_to = None  # the host answered: it did not connect us
            self._log('PSSESSION connect to %s failed, enumerating again: %s' % (shell_id, err))
            return False
        mark_pool(pool, opened=True)
        self.pool = pool
        self._log('PSSESSION connected to %s (%s)' % (self.name, shell_id))
        return True

    def _create(self, shells: list[dict[str, str]]) -> None:
        pool = create_pool(self.wsman, self.host, self.configuration_name, self.name, self.options.idle_timeout)
        self._attempt.shells_before = frozenset(s.get('ShellId', '').upper() for s in self._mine(shells))
        self._attempt.create_sent = True
        self.pool = pool  # pool.id is known once the Create is answered, even if the opening Receive is lost
        pool.open()
        self.pool = pool
        self.created = True
        self._log('PSSESSION created %s (%s) with IdleTimeOut %ss' % (self.name, pool.id, self.options.idle_timeout))

    @property
    def shell_id(self) -> str | None:
        return self.pool.id if self.pool is not None else None

    def _abandon_open(self) -> None:
        """Undo what a broken open may have left on the host, from a fresh connection as the same WSMan client.

        A Connect without an answer may have connected us: Disconnect that shell, or the host keeps
        it Connected to a client that is gone until its silent-client timeout (minutes), and every
        later task finds it busy. A Create without an answer, or whose opening Receive was lost, may
        have made a shell: delete it (nothing has run in it). Faults here (the shell was not
        connected, is gone) mean there is nothing to undo.
        """
        attempt, self._attempt = self._attempt, OpenAttempt()
        pool, self.pool = self.pool, None
        old = self.wsman
        self.wsman = None
        close_quietly(old)
        if attempt.connect_sent_to is None and not attempt.create_sent:
            return
        fresh = self._same_client(old)
        try:
            if attempt.connect_sent_to:
                self._send_disconnect(fresh, attempt.connect_sent_to, self.options.idle_timeout, self.options.buffer_mode)
                self._log('PSSESSION disconnected from %s after a failed connect' % attempt.connect_sent_to)
            if attempt.create_sent:
                created = {pool.id.upper()} if pool is not None and pool.id else set()
                for shell in self._mine(enumerate_shells(fresh)):
                    shell_id = shell.get('ShellId', '').upper()
                    if shell_id not in attempt.shells_before:
                        created.add(shell_id)
                for shell_id in created:
                    self._delete_quietly(fresh, shell_id)
                    self._log('PSSESSION removed %s, created by a failed open' % shell_id)
        except WSManFaultError as err:
            self._log('PSSESSION nothing to undo after the failed open: %s' % err)
        except TRANSPORT_ERRORS as err:
            self._log('PSSESSION could not undo the failed open (the host frees the session after its '
                      'silent-client timeout): %s' % err)
        finally:
            close_quietly(fresh)

    def _same_client(self, old: t.Any) -> t.Any:
        """A new HTTP connection for the WSMan client ``old`` (a WSMan object, or its SessionId), with
        short timeouts: it undoes or stops what a broken or abandoned connection left, and must not
        hang a cancel. WSMan tells clients apart by that SessionId, not by their TCP connection."""
        fresh = self._factory(**QUICK_TIMEOUTS)
        if old is not None:
            fresh.session_id = old if isinstance(old, str) else old.session_id
        return fresh

    def abandon(self, command_id: str | None, close_transport: bool = True) -> bool:
        """Leave the session usable for the next client although this task did not finish.

        Called when the task timed out or the worker is being cancelled (SIGINT/SIGTERM) while
        a pipeline may still run: stops command_id (if any) and disconnects, over a new connection.
        Errors are logged, not raised: the task is failing already, and at worst the host frees the
        session after its silent-client timeout. Returns whether the session was released.

        ``close_transport=False``: the task's own connection is left as it is, not closed. The cancel
        signal's handler may have interrupted its request inside urllib3's pool, holding that pool's
        lock (not reentrant): closing it there would wait for that lock forever (the worker ends
        right after, and its sockets with it).
        """
        pool, self.pool = self.pool, None
        old, self.wsman = self.wsman, None
        released = True
        if pool is not None and (command_id or pool_is_open(pool)):
            released = self._release(self._same_client(old), pool.id, command_id, 'after an unfinished task')
        if close_transport:
            close_quietly(old)
        return released

    def take_back(self, shell_id: str, client_session_id: str, command_id: str | None) -> None:
        """Release the session a dead task of this controller left Connected (a SIGKILLed worker).

        WSMan knows a client by its SessionId; speaking as that client (its id kept in the lock
        state), we stop the command it left running and disconnect, so this task can Connect at
        once instead of waiting for the host's silent-client timeout.
        """
        self._release(self._same_client(client_session_id), shell_id, command_id, 'left connected by an ended task of this controller')

    def _release(self, wsman: t.Any, shell_id: str, command_id: str | None, why: str) -> bool:
        """Stop command_id (Signal ctrl_c, as Stop-Job does, then terminate, as closing a pipeline
        does) and disconnect shell_id with the session's IdleTimeout, over wsman, which is closed.
        Returns whether the Disconnect was answered."""
        try:
            if command_id:
                for code in (CTRL_C, TERMINATE):
                    try:
                        send_signal(wsman, self.resource_uri, shell_id, command_id, code)
                    except WSManFaultError as err:  # it ended meanwhile
                        self._log('PSSESSION signal %s to %s: %s' % (code, command_id, err))
                self._log('PSSESSION stopped the unfinished command %s' % command_id)
            self._send_disconnect(wsman, shell_id, self.options.idle_timeout, self.options.buffer_mode)
            self._log('PSSESSION disconnected from %s (%s) %s' % (self.name, shell_id, why))
            return True
        except (WSManFaultError, *TRANSPORT_ERRORS) as err:
            self._log('PSSESSION could not release %s %s (the host frees it after its silent-client timeout): %s'
                      % (shell_id, why, err))
            return False
        finally:
            close_quietly(wsman)

    def _delete_quietly(self, wsman: t.Any, shell_id: str) -> None:
        try:
            delete_shell(wsman, self.resource_uri, shell_id)
        except WSManFaultError as err:
            self._log('PSSESSION could not remove %s: %s' % (shell_id, err))

    # -- transport recovery -----------------------------------------------------------------
    def recover_transport(self) -> None:
        """After an HTTP connection dropped: a new HTTP client, same WSMan session, same shell.

        The shell stays ours on the host; if the host marked it Disconnected meanwhile, it is
        reconnected (WSMan Reconnect, as the client that held it).
        """
        old = self.wsman
        new = self._factory()
        new.session_id = old.session_id
        close_quietly(old)
        self.wsman = new
        rebind_pool(self.pool, new)
        for shell in enumerate_shells(new):
            if shell.get('ShellId', '').upper() == self.pool.id.upper():
                if shell.get('State', '').lower() == 'disconnected':
                    send_reconnect(new, self.resource_uri, self.pool.id)
                return
        raise AnsibleConnectionFailure("psremoting.pssession.psrp: the PSSession '%s' (shell %s) on %s disappeared while the "
                                       "connection was being re-established" % (self.name, self.pool.id, self.endpoint))

    # -- closing ----------------------------------------------------------------------------
    def disconnect(self, idle_timeout: int | None = None, buffer_mode: str | None = None) -> None:
        """Disconnect with the session's IdleTimeOut and BufferMode (or the ones given); the host keeps the session."""
        if self.pool is None:
            return
        pool = self.pool
        if not pool_is_open(pool):
            self.pool = None
            return
        idle_timeout = self.options.idle_timeout if idle_timeout is None else idle_timeout
        buffer_mode = buffer_mode or self.options.buffer_mode
        # A refused Disconnect (an IdleTimeout over the host's MaxIdleTimeout, say) leaves the pool
        # ours and connected: the task's close() then disconnects with the session's own settings,
        # instead of leaving the session Connected to a client that is gone.
        self._send_disconnect(self.wsman, pool.id, idle_timeout, buffer_mode)
        self.pool = None
        mark_pool(pool, opened=False)
        self._log('PSSESSION disconnected from %s (%s), IdleTimeOut %ss, BufferMode %s'
                  % (self.name, pool.id, idle_timeout, buffer_mode))

    def pause(self, idle_timeout: int, buffer_mode: str) -> None:
        """Disconnect while a command runs on, keeping the pool for resume() (a keyed step's wait)."""
        self._send_disconnect(self.wsman, self.pool.id, idle_timeout, buffer_mode)
        mark_pool(self.pool, opened=False)
        self._log('PSSESSION paused %s (%s): disconnected while its command runs, IdleTimeOut %ss' % (self.name, self.pool.id, idle_timeout))

    def resume(self) -> None:
        """Reconnect after pause(), as the client that disconnected (WSMan Reconnect)."""
        if self.pool is None or pool_is_open(self.pool):
            return
        try:
            send_reconnect(self.wsman, self.resource_uri, self.pool.id)
        except WSManFaultError as err:
            raise AnsibleConnectionFailure("psremoting.pssession.psrp: could not reconnect to the PSSession '%s' (shell %s) on %s "
                                           "after waiting disconnected: %s" % (self.name, self.pool.id, self.endpoint, err)) from None
        mark_pool(self.pool, opened=True)

    def _send_disconnect(self, wsman: t.Any, shell_id: str, idle_timeout: int, buffer_mode: str) -> None:
        """WSMan Disconnect with IdleTimeOut and BufferMode."""
        send_disconnect(wsman, self.resource_uri, shell_id, idle_timeout, buffer_mode)

    def remove_all(self, parked: tuple[str, str] | None = None) -> list[str]:
        """Delete this user's shells with the session's name (used by reset); returns their ids.

        Waits up to busy_timeout for one connected to another client, like open(). ``parked``:
        (ShellId, WSMan SessionId) of a shell a task of this controller left Connected at its end (a
        run-scoped session between tasks): it is ours, not busy, and is deleted as that client.
        """
        if self.wsman is None:
            self.wsman = self._factory()
        removed = []
        if parked:
            own = self._same_client(parked[1])
            try:
                delete_shell(own, self.resource_uri, parked[0])
                removed.append(parked[0])
            except WSManFaultError as err:  # gone, or no longer ours: the search below sees which
                self._log('PSSESSION could not remove %s as its client: %s' % (parked[0], err))
            except TRANSPORT_ERRORS as err:
                raise connection_failure(err, 'removing the PSSession %s' % self.name, self.endpoint) from None
            finally:
                close_quietly(own)
        deadline = self._clock() + self.options.busy_timeout
        first_busy = None
        try:
            if pool_is_open(self.pool):
                self.pool.close()
                removed.append(self.pool.id)
                self.pool = None
            while True:
                mine = self._mine(enumerate_shells(self.wsman))
                busy = [s for s in mine if s.get('State', '').lower() != 'disconnected']
                for shell in mine:
                    if shell in busy:
                        continue
                    try:
                        delete_shell(self.wsman, self.resource_uri, shell['ShellId'])
                        removed.append(shell['ShellId'])
                    except WSManFaultError as err:
                        self._log('PSSESSION could not remove %s: %s' % (shell['ShellId'], err))
                if not busy:
                    return removed
                first_busy = first_busy or time.time()
                if self._clock() >= deadline:
                    raise SessionBusyError(self._busy_message(busy[0], first_busy))
                self._sleep(min(1.0, max(deadline - self._clock(), 0.05)))
        except TRANSPORT_ERRORS as err:
            raise connection_failure(err, 'removing the PSSession %s' % self.name, self.endpoint) from None

    def close_transport(self) -> None:
        if self.wsman is not None:
            try:
                self.wsman.close()
            finally:
                self.wsman = None
