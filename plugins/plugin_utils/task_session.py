# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the connection plugin does in one task, put together.

open(): validate the options (no network before that), take this controller's lock on the
session, connect to or create the host's PSSession (or use the run-scoped one the previous task
left Connected). exec_command/put_file/fetch_file: run pipelines in it. close(): disconnect with
the IdleTimeout and BufferMode (a run-scoped session: leave it Connected), release the lock.
reset(): remove the session. What the session modules do besides (session_commands.py) is mixed in,
so the connection and every action plugin use this one object; it reaches pypsrp only through
pssession/pipelines and pypsrp_bridge, and retries only as its RetryPolicy says.
"""

from __future__ import annotations

import os
import time
import typing as t

from ansible.errors import AnsibleError
from ansible.release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.psremoting.pssession.plugins.plugin_utils import cached_import
from ansible_collections.psremoting.pssession.plugins.plugin_utils.kept_clients import Kept, KeptClients
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pipelines import ParkedSessionLost, PipelineRunner, PlannedCommand, plan_command
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pssession import PSSession, close_quietly, connection_failure
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import TRANSPORT_ERRORS, new_wsman, pool_is_open, require_pypsrp
# For the action side (session_action.py, resume.py) and the keeper (keeper.py), which reach the session through this module, never the bridge
# (imports point one way: docs/design.md section 3, tests/unit/plugins/test_pypsrp_bridge.py).
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import (  # noqa: F401  pylint: disable=unused-import
    PS_URI_PREFIX, RequestGate, WinRMError, WSManFaultError,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.retry_policy import RetryPolicy
from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import read_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_registry import record_use
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_commands import SessionCommands
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import SessionKey, run_scoped_name
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import SessionLock, local_time
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import SessionOptions, read_session_options
from ansible_collections.psremoting.pssession.plugins.plugin_utils.transport_options import endpoint_of, transport_settings

# From ansible-core 2.19 on, what a plugin says with Display.warning during a task becomes part of
# that task's result (result['warnings'], shown with it); 2.16 to 2.18 only print it on stderr.
DISPLAY_WARNINGS_REACH_RESULT = tuple(int(part) for part in ANSIBLE_CORE_VERSION.split('.')[:2]) >= (2, 19)


def _module_hygiene() -> t.Any:
    """module_hygiene, loaded when a task first needs it: an encoded command (is it a module?) or an epilogue to
    run. A raw task never does, and each task's worker would otherwise load it anew (docs/performance.md)."""
    cached_import.preload(['module_hygiene'])
    from ansible_collections.psremoting.pssession.plugins.plugin_utils import module_hygiene  # pylint: disable=import-outside-toplevel
    return module_hygiene


class TaskSession(SessionCommands):
    """The session as one task (one worker process) uses it: the one session API of the connection
    plugin (open, exec_command, put_file, fetch_file, close, reset) and of the session modules' action
    plugins (those, plus SessionCommands: run, attach to or stop a command, disconnect, list, remove)."""

    def __init__(self, get_option: t.Callable[[str], t.Any], display: t.Any, play_context: t.Any = None) -> None:
        self._get_option = get_option
        self._display = display
        self._play_context = play_context
        self.options: SessionOptions | None = None
        self.settings: dict[str, t.Any] = {}
        # The one retry policy of this task (reconnection_retries/backoff), for open, Receive and listing.
        self.policy = RetryPolicy()
        self.key: SessionKey | None = None
        # The key the host's options give, before a connect task of this run chose another session.
        self.base_key: SessionKey | None = None
        self.override: dict[str, t.Any] = {}
        self.lock: SessionLock | None = None
        self.session: PSSession | None = None
        self.runner: PipelineRunner | None = None
        self._state: dict[str, t.Any] = {}  # what the lock state file says while this task holds the session
        self._epilogue_due = False  # a module epilogue to run before this task's first pipeline (open)
        self._state_written = False  # whether the file has _state as it is (one write less where it has: _remember_command)
        # A list while a session module's action collects this task's warnings for its result
        # (collect_warnings); None: they are displayed.
        self._collected_warnings: list[str] | None = None
        # Whether open() may use a run-scoped session parked by the previous task without a request
        # (PSSession.adopt). The session modules' actions say no (open_session): their first request
        # is not always a Command, the one request whose fault sends a task back to open().
        self.adopt_parked = True
        # Told of each WSMan client this task makes, and may refuse it by raising (the run's keeper: a task
        # whose worker went away makes no more requests, keeper.py).
        self.on_new_client: t.Callable[[t.Any], None] | None = None
        # Where a process that runs many tasks (the run's keeper) keeps each parked session's client, pool and host
        # for its next task; None: closed at close.
        self.kept_clients: KeptClients | None = None

    # -- warnings ---------------------------------------------------------------------------
    def warn(self, msg: str) -> None:
        if self._collected_warnings is not None:
            self._collected_warnings.append(msg)
        else:
            self._display.warning(msg)

    def collect_warnings(self) -> None:
        """Keep this task's warnings for the action's result instead of displaying them, where
        ansible-core does not put displayed warnings into the result itself (before 2.19)."""
        if not DISPLAY_WARNINGS_REACH_RESULT:
            self._collected_warnings = []

    def collected_warnings(self) -> list[str]:
        """The warnings kept so far; later ones (closing after the result was made) are displayed."""
        collected, self._collected_warnings = self._collected_warnings or [], None
        return collected

    # -- setup (no network) -----------------------------------------------------------------
    def prepare(self) -> None:
        """Validate everything and compute the session's identity; raises before any network traffic."""
        self.options = read_session_options(self._get_option)
        self.settings = transport_settings(self._get_option)
        self.policy = RetryPolicy.from_settings(self.settings)
        self.key = SessionKey(
            host=self.settings['server'],
            port=self.settings['port'],
            path=self.settings['path'],
            user=self.settings['username'],
            configuration_name=self._get_option('configuration_name'),
            session_name=self.options.session_name or run_scoped_name(),
        )
        self.base_key = self.key
        self.apply_override(read_override(self.base_key.digest))

    def apply_override(self, override: dict[str, t.Any]) -> None:
        """Use the session and disconnect settings that session modules chose for the rest of this run."""
        self.override = dict(override)
        if not override:
            return
        name = override.get('session_name') or override.get('shell_id')
        changes: dict[str, t.Any] = {}
        if name:
            changes['session_name'] = name
            self.key = self.base_key.replace(session_name=name)
        if override.get('idle_timeout'):
            changes['idle_timeout'] = int(override['idle_timeout'])
        if override.get('buffer_mode'):
            changes['buffer_mode'] = override['buffer_mode']
        self.options = self.options.replace(**changes)

    @property
    def endpoint(self) -> str:
        return endpoint_of(self.settings) if self.settings else '<not connected>'

    def _log(self, msg: str) -> None:
        self._display.vvv(msg, host=self.settings.get('server'))

    def _debug(self, msg: str) -> None:
        self._display.vvvvv(msg, host=self.settings.get('server'))

    def _wsman(self, **overrides: t.Any) -> t.Any:
        settings = dict(self.settings)
        for name, value in overrides.items():  # only ever shorter timeouts, never longer ones
            settings[name] = min(settings[name], value) if settings.get(name) else value
        try:
            wsman = new_wsman(**settings)
        except ValueError as err:  # pypsrp's checks of incompatible settings (auth vs encryption, ...)
            raise AnsibleError('psremoting.pssession.psrp: invalid connection settings for %s: %s' % (self.endpoint, err)) from None
        if self.on_new_client is not None:
            self.on_new_client(wsman)
        return wsman

    def _new_session(self) -> PSSession:
        return PSSession(self._wsman, self.key.configuration_name, self.key.session_name, self.options, self.endpoint, log=self._log,
                         shell_id=self.override.get('shell_id'), must_exist=bool(self.override.get('shell_id')),
                         policy=self.policy)

    def wsman(self) -> t.Any:
        """A new pypsrp WSMan client with the connection's settings (prepare() first)."""
        return self._wsman()

    def _take_lock(self) -> SessionLock:
        lock = SessionLock(self.key.digest)
        lock.acquire(self.options.busy_timeout, self.key.describe())
        return lock

    # -- per task ---------------------------------------------------------------------------
    def open(self) -> None:
        require_pypsrp()
        self.prepare()
        self._log('ESTABLISH PSSESSION %s FOR USER: %s ON %s' % (self.key.session_name, self.key.user, self.endpoint))
        self.lock = self._take_lock()
        try:
            state = self.lock.read_state()
            known = state.get('shell_id')
            session = self._new_session()
            holder = state.get('holder')
            client = state.get('client') if isinstance(state.get('client'), dict) else {}
            left_by = None
            adopted = False
            if known and isinstance(holder, dict) and holder.get('client'):
                left_by = 'task (pid %s, since %s)' % (holder.get('pid', '?'), local_time(holder.get('since')))
                # We hold the lock, yet the state names a holder: that task ended without close()
                # (a SIGKILLed worker; the kernel let go of its lock). Its session may still be
                # Connected to it, running its last command: take it back before connecting.
                self.warn(
                    "psremoting.pssession.psrp: the PSSession '%s' on %s was left connected by a %s of this controller "
                    "that ended without releasing it; %staking the session back"
                    % (self.key.session_name, self.endpoint, left_by, 'stopping its command and ' if holder.get('command') else ''))
                session.take_back(known, holder['client'], holder.get('command'))
                session.open(known, left_by, client)
            elif known and state.get('parked') and client.get('id'):
                # The previous task of this run left the session Connected (close(), _may_park).
                kept = self._kept_client(state)
                if kept is not None and self.adopt_parked:
                    session.adopt_kept(known, kept)
                    adopted = True
                else:
                    adopted = self.adopt_parked and session.adopt(known, client)
                if not adopted:
                    session.release_parked(known, client['id'])
                    session.open(known, None, client)
            else:
                session.open(known, left_by, client)
            # A session this controller did not leave (a named one another controller or an earlier job used) may
            # hold a module prologue's stash whose epilogue never ran there: only that controller's lock state
            # knows. It is put back before this task's first pipeline (below; the epilogue does nothing where no stash
            # is): one request more, on attaching.
            foreign = not session.created and (known or '').upper() != (session.shell_id or '').upper()
            # Adopted: no request was made and the state file already says what it would (parked, as this
            # client); the holder is written with the first command's id, before that Command goes out
            # (PipelineRunner.start -> _remember_command).
            self._opened(session, known, pending=bool(state.get('hygiene_pending')) or foreign, write=not adopted)
        except BaseException:
            # The keeper's handler may have closed this task meanwhile (its worker went away): released once.
            lock, self.lock = self.lock, None
            if lock is not None:
                lock.release()
            raise
        self.session = session
        verbose = getattr(self._display, 'verbosity', 0) >= 3
        self.runner = PipelineRunner(session, log=self._debug, verbose_errors=verbose, on_command=self._remember_command,
                                     warn=self.warn, policy=self.policy)
        # An earlier module task's epilogue never ran (cancelled, dropped, timed out), or this controller cannot
        # know (foreign, above): this task, whatever its kind, puts the session back before its first pipeline
        # (module_hygiene; docs/reliability.md). Not at once: a task that only attaches to a running command
        # (a relaunched keyed step) sends no pipeline, which would wait behind that command.
        self._epilogue_due = bool(self._state.get('hygiene_pending'))
        self.runner.before_start = self._before_first_pipeline

    def _kept_client(self, state: dict[str, t.Any]) -> Kept | None:
        """The client, pool and host this process parked the session with, if still good for this task
        (KeptClients.take)."""
        if self.kept_clients is None:
            return None
        kept = self.kept_clients.take(self.key.digest, state, self.settings)
        if kept is not None and self.on_new_client is not None:
            self.on_new_client(kept[0])
        return kept

    def _before_first_pipeline(self) -> None:
        if not self._epilogue_due:
            return
        self._log('PSRP: running the module epilogue an earlier task may have left pending')
        try:
            self._hygiene('epilogue', 'left pending by an earlier task')
        except ParkedSessionLost:
            self._epilogue_due = True  # the host refused it: nothing ran; the task's first pipeline goes again
            raise

    def _opened(self, session: PSSession, known: str | None, pending: bool = False, write: bool = True) -> None:
        """Report a recreated session, and note in the lock state that this task holds it, as which client.

        ``write=False`` (a parked session adopted without a request): the holder is kept in memory only
        until the first Command writes it with its id (_remember_command). Until then the file's state,
        parked as this same client with no command running, is true: a worker killed meanwhile leaves the
        next task a session it can adopt."""
        if session.recreated:
            self.warn(
                "psremoting.pssession.psrp: the PSSession '%s' on %s (shell %s) had expired or was removed; a new, empty "
                "session was created (shell %s). What earlier tasks defined in it is gone. Set strict_session to fail "
                "instead." % (self.key.session_name, self.endpoint, known, session.shell_id))
        self._state = {'shell_id': session.shell_id, 'name': self.key.session_name, 'updated': time.time(),
                       'holder': {'pid': os.getpid(), 'since': time.time(), 'client': session.wsman.session_id},
                       # The WSMan client the next task of this controller reconnects as (see PSSession._reconnect).
                       'client': {'id': session.wsman.session_id, 'protocol': str(session.pool.protocol_version or '')}}
        if pending and not session.recreated:
            self._state['hygiene_pending'] = True  # until the epilogue an earlier module task left has run (open)
        self._state_written = False
        if write:
            self._write_state()
        if not self.options.named:
            record_use(self.key.digest)

    def _reopen_parked(self, lost: ParkedSessionLost) -> None:
        """The host refused the first Command to the parked session (PipelineRunner.start): open it as
        any task does. Speaking as the parked client, disconnect it first in case the host still has it
        Connected to that client (a refusal for another reason): then the Reconnect takes it back;
        otherwise open() finds it Disconnected (Reconnect), taken, or gone (recreated, with the warning)."""
        session = self.session
        known = session.shell_id
        client = dict(self._state.get('client') or {})
        self._log('PSSESSION the parked session %s was refused (%s); opening it again' % (known, lost.fault))
        session.release_parked(known, client.get('id') or session.wsman.session_id)
        session.open(known, None, client)
        self._opened(session, known, pending=bool(self._state.get('hygiene_pending')))

    def _run_parked_aware(self, action: t.Callable[[], t.Any]) -> t.Any:
        """Run a task's first pipelines; if the parked session turned out not to be ours any more,
        open it the usual way and run them again (nothing ran: the host refused the Command)."""
        try:
            return action()
        except ParkedSessionLost as lost:
            self._reopen_parked(lost)
            return action()

    def _remember_command(self, command_id: str | None) -> None:
        """Keep the running command's id in the lock state: if this worker is killed, the next task
        of this controller stops it (take_back) instead of waiting for it."""
        holder = self._state.get('holder')
        if self.lock is None or not holder:
            return
        if self._state_written and holder.get('command') == command_id:
            return  # the file says so already: start() reports the id before its Command and again once it was taken
        holder['command'] = command_id
        self._write_state()

    def _active_runner(self) -> PipelineRunner:
        if self.runner is None:
            raise AnsibleError('psremoting.pssession.psrp: no PSSession is open for this task')
        return self.runner

    def _no_log(self) -> bool:
        return bool(getattr(self._play_context, 'no_log', False))

    def exec_command(self, cmd: str, in_data: bytes | None, wrapper: bool) -> tuple[int, bytes, bytes]:
        """Run a task's command; ``wrapper``: cmd is the shell's module bootstrap command (shown as such with -vvv)."""
        planned = plan_command(cmd, in_data)
        no_log = self._no_log()
        # A raw task's script may hold secrets: with no_log, -vvv shows that a script ran, not what.
        shown = '<censored due to no log>' if no_log else planned.script
        if planned.kind == 'encoded':
            if wrapper:
                self._log('PSRP: EXEC (via pipeline wrapper)')
            else:
                self._log('PSRP: EXEC %s' % shown)
        else:
            self._log('PSRP: EXEC (%s) %s' % (planned.kind, shown))
        hygiene = planned.kind == 'encoded' and _module_hygiene().runs_exec_wrapper(planned.script, self.warn)
        try:
            if not hygiene:
                return self._run_parked_aware(lambda: self._active_runner().run(planned, no_log))
            # The module's own pipeline stays what ansible.builtin.psrp sends; around it, a prologue and an
            # epilogue of this collection (module_hygiene, docs/design.md section 8).
            self._run_parked_aware(lambda: self._hygiene('prologue'))
            result = self._active_runner().run(planned, no_log)
        except TRANSPORT_ERRORS as err:
            raise connection_failure(err, 'running a command', self.endpoint) from None
        # The module ran once and its result is in hand: an epilogue that cannot run must not lose it. It
        # stays pending in the lock state, and the next task of this controller runs it first (open).
        try:
            self._hygiene('epilogue')
        except Exception as err:  # pylint: disable=broad-except  # any failure: the module's result still stands
            self.warn('psremoting.pssession.psrp: the module epilogue in the PSSession %s could not run (%s: %s); the '
                      'next task on this host puts the session back first' % (self.key.session_name, type(err).__name__, err))
        return result

    def _set_hygiene_pending(self, pending: bool) -> None:
        if self.lock is None or bool(self._state.get('hygiene_pending')) == pending:
            return
        if pending:
            self._state['hygiene_pending'] = True
        else:
            self._state.pop('hygiene_pending', None)
        self._write_state()

    def _write_state(self) -> None:
        self.lock.write_state(self._state)
        self._state_written = True

    def _hygiene(self, kind: str, why: str = '') -> None:
        """Run the module prologue or epilogue in the session's global scope.

        The lock state says "epilogue pending" from before the prologue is sent until an epilogue has
        completed: a task that ends in between (cancel, dropped connection, timeout) leaves it for the
        next task of this controller, which runs the epilogue before its first pipeline (open,
        _before_first_pipeline). A hygiene pipeline that
        completes with errors is a warning, never the module's failure."""
        self._epilogue_due = False  # a prologue begins with the epilogue's text
        module_hygiene = _module_hygiene()
        script = module_hygiene.prologue_script() if kind == 'prologue' else module_hygiene.epilogue_script()
        if kind == 'prologue':
            self._set_hygiene_pending(True)
        rc, stdout, stderr = self._active_runner().run(PlannedCommand('hygiene', script, use_local_scope=False))
        problem = module_hygiene.summary(rc, stdout, stderr)
        if kind == 'epilogue':
            # Cleared only when the epilogue says the session is put back; else the next task runs it again.
            left = module_hygiene.stash_left(stdout)
            self._set_hygiene_pending(left)
            if left and not problem:
                problem = 'the session state it kept aside is still there; the next task tries again'
        if problem:
            self.warn('psremoting.pssession.psrp: the module %s in the PSSession %s %sdid not complete cleanly: %s'
                      % (kind, self.key.session_name if self.key else '?', '(%s) ' % why if why else '', problem))

    def put_file(self, in_path: str, out_path: str) -> None:
        self._log('PUT %s TO %s' % (in_path, out_path))
        try:
            # Imported here: a raw task does not need it (each task's worker imports the plugin afresh).
            from ansible_collections.psremoting.pssession.plugins.plugin_utils import file_transfer  # pylint: disable=import-outside-toplevel
            self._run_parked_aware(lambda: file_transfer.put_file(self._active_runner(), in_path, out_path, log=self._debug))
        except TRANSPORT_ERRORS as err:
            raise connection_failure(err, 'copying %s to the host' % in_path, self.endpoint) from None

    def fetch_file(self, in_path: str, out_path: str) -> None:
        self._log('FETCH %s TO %s' % (in_path, out_path))
        try:
            # Imported here: a raw task does not need it (each task's worker imports the plugin afresh).
            from ansible_collections.psremoting.pssession.plugins.plugin_utils import file_transfer  # pylint: disable=import-outside-toplevel
            self._run_parked_aware(lambda: file_transfer.fetch_file(self._active_runner(), in_path, out_path, log=self._debug))
        except TRANSPORT_ERRORS as err:
            raise connection_failure(err, 'fetching %s from the host' % in_path, self.endpoint) from None

    def _may_park(self) -> bool:
        """Whether this task may leave its session Connected for the next task instead of disconnecting.

        Only a run-scoped session (no session_name, no session chosen by a connect task): no other
        controller or run ever connects to it, so nobody can find it busy. A named session is always
        disconnected: another run, controller or AWX job may want it at once (docs/reliability.md).
        """
        return (self.options is not None and not self.options.named and not self.override
                and self.session is not None and self.session.pool is not None and pool_is_open(self.session.pool))

    def close(self, cancelled: bool = False) -> None:
        """Disconnect (keeping the session on the host), or park it, and let the next task in.

        A run-scoped session is parked: left Connected to this task's WSMan client, whose SessionId the
        lock state keeps, so that the next task of the run sends its Command straight to it (no
        Reconnect, no Disconnect: docs/design.md, "Parked between tasks"). A named session is disconnected.

        A task that ends with its pipeline still running (its ``timeout:`` passed, or it is being
        cancelled) stops that command first and disconnects: the next task must not wait for an orphan.

        ``cancelled``: called from the cancel signal's handler (cancel.CancelGuard), which may have
        interrupted this task's own request anywhere, even holding a lock of its HTTP client: the
        session is released over a new connection only, and the task's connection is not touched.
        """
        disconnected = True
        parked = False
        kept = None
        try:
            unfinished = self.runner.running_command() if self.runner is not None else None
            if self.session is not None and (unfinished is not None or cancelled):
                if unfinished is not None:
                    self.warn('psremoting.pssession.psrp: the task ended before its command did; stopping the '
                              'command %s in the PSSession %s' % (unfinished, self.key.session_name if self.key else '?'))
                # Not released: the state keeps naming this task, and the next one takes the session back.
                disconnected = self.session.abandon(unfinished, close_transport=not cancelled)
            elif self.runner is not None:
                self.runner.finish_last()
            if self.session is not None:
                try:
                    if self._may_park():
                        parked = True
                        self._log('PSSESSION left %s (%s) connected for the next task of this run'
                                  % (self.key.session_name, self.session.shell_id))
                    else:
                        self.session.disconnect()
                except Exception as err:  # pylint: disable=broad-except  # the host reaps a silent session anyway
                    disconnected = False  # the state keeps naming this task: the next one takes the session back
                    self.warn('psremoting.pssession.psrp: could not disconnect from the PSSession %s cleanly: %s'
                              % (self.key.session_name if self.key else '?', err))
                finally:
                    kept = self.session.keep_parked() if parked and self.kept_clients is not None else None
                    self.session.close_transport()
        finally:
            self.session = None
            self.runner = None
            if self.lock is not None:
                if disconnected and self._state.get('holder') is not None:
                    self._state.pop('holder', None)
                    if parked:
                        self._state['parked'] = {'since': time.time()}
                    else:
                        self._state.pop('parked', None)
                    self.lock.write_state(self._state)
                    if kept is not None and self.key is not None:
                        self.kept_clients.keep(self.key.digest, self._state, self.settings, kept)
                        kept = None
                if kept is not None:
                    close_quietly(kept[0])  # not parked after all: nothing to keep it for
                self.lock.release()
                self.lock = None

    def reset(self) -> None:
        """Remove the host's session (all of this user's shells with its name) and forget it."""
        require_pypsrp()
        self.close()
        self.prepare()
        lock = self._take_lock()
        try:
            state = lock.read_state()
            client = state.get('client') if isinstance(state.get('client'), dict) else {}
            parked = (state['shell_id'], client['id']) if state.get('parked') and state.get('shell_id') and client.get('id') else None
            session = self._new_session()
            removed = session.remove_all(parked)
            session.close_transport()
            lock.write_state(None)
            self._log('PSSESSION reset: removed %s (%s)' % (self.key.session_name, ', '.join(removed) or 'there was none'))
        finally:
            lock.release()
