# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cleanup
type: aggregate
short_description: Remove this run's run-scoped PSSessions when the run ends
version_added: 0.2.0
author: psremoting maintainers (@psremoting)
description:
  - A run-scoped session (no O(psremoting.pssession.psrp#connection:session_name)) is shared by the tasks
    of one C(ansible-playbook) or C(ansible) run. Without this callback it stays on the host after the run
    until its IdleTimeout passes or a later run from the same controller removes it; in an execution
    environment (AWX), where every job runs in a new container, no later run ever does.
  - With this callback enabled, the end of the run removes the run-scoped session of every host on which
    a task of this run used one, with the host's own connection settings and credentials (also those
    given with C(--ask-pass), as AWX machine credentials are).
  - Named sessions are never touched.
  - Enable it in C(ansible.cfg) with C(callbacks_enabled = psremoting.pssession.cleanup) under
    C([defaults]), or with E(ANSIBLE_CALLBACKS_ENABLED).
requirements:
  - the psremoting.pssession.psrp connection
"""

EXAMPLES = r"""
# ansible.cfg of the project (AWX reads the project's ansible.cfg):
#
#   [defaults]
#   callbacks_enabled = psremoting.pssession.cleanup
"""

import inspect

from ansible import constants as C
from ansible.playbook.play_context import PlayContext
from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import connection_loader
from ansible.template import Templar
from ansible.utils.display import Display

from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_registry import forget_run, sessions_used_by_this_run

CONNECTION = 'psremoting.pssession.psrp'
display = Display()


def _run_passwords():
    """The passwords ansible asked for at the start of the run (--ask-pass), or {}.

    ansible keeps them on its task queue manager and gives callbacks no reference to it; the
    callback is called from that manager's send_callback(), so it is found one frame up.
    """
    frame = inspect.currentframe()
    try:
        while frame is not None:
            owner = frame.f_locals.get('self')
            if frame.f_code.co_name == 'send_callback' and isinstance(getattr(owner, 'passwords', None), dict):
                return owner.passwords
            frame = frame.f_back
    finally:
        del frame
    return {}


def _preload_connection():
    """Load the connection plugin (module and option definitions) in ansible's main process, before it forks.

    Why: ansible-playbook preloads its builtin connection plugins this way ("preload
    become/connection/shell to set config defs cached", PlaybookExecutor.run) but not a collection's,
    so without this every task's worker imports the plugin and parses its DOCUMENTATION again
    (about 10-15 ms of CPU per task, docs/performance.md). A worker forked after this finds both
    cached. Only a speed-up: any failure leaves the workers to load the plugin as before.
    """
    try:
        connection_loader.get('psremoting.pssession.psrp', class_only=True)
    except Exception:  # pylint: disable=broad-except
        pass


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'psremoting.pssession.cleanup'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._play = None
        self._hosts = {}  # inventory name -> (Host, the play it ran in)
        _preload_connection()

    def v2_playbook_on_play_start(self, play):
        self._play = play

    def _seen(self, result, *args, **kwargs):  # v2_runner_on_failed also gets ignore_errors
        host = getattr(result, '_host', None)
        if host is not None and self._play is not None:
            self._hosts[host.get_name()] = (host, self._play)

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_unreachable = v2_runner_on_skipped = _seen

    def v2_playbook_on_stats(self, stats):
        used = sessions_used_by_this_run()
        if not used:
            return
        passwords = _run_passwords()
        for name, (host, play) in sorted(self._hosts.items()):
            try:
                connection = self._connection_for(host, play, passwords)
                session = connection.task_session()
                session.prepare()
            except Exception as err:  # pylint: disable=broad-except  # not a host of this connection
                display.vvvv('psremoting.pssession.cleanup: %s: %s' % (name, err))
                continue
            if session.key.digest not in used:
                continue
            try:
                connection.reset()
                display.vvv('psremoting.pssession.cleanup: removed the run-scoped session of %s' % name)
            except Exception as err:  # pylint: disable=broad-except  # its IdleTimeout removes it anyway
                display.warning('psremoting.pssession.cleanup: could not remove the run-scoped session of %s (its '
                                'IdleTimeout will): %s' % (name, err))
        forget_run()

    @staticmethod
    def _connection_for(host, play, passwords):
        """The host's psremoting.pssession.psrp connection, set up as a task of the play would set it up
        (whatever connection the host uses: only one whose session key this run recorded is acted on)."""
        variables = play.get_variable_manager().get_vars(play=play, host=host)
        templar = Templar(loader=play.get_loader(), variables=variables)
        play_context = PlayContext(play=play, passwords=passwords)
        connection = connection_loader.get(CONNECTION, play_context, None)
        # The keywords a task passes: the play's remote_user (the play's keyword, or -u, which is how AWX
        # passes a machine credential's user) and the --ask-pass password. The host's variables
        # (ansible_user, ansible_password) still win over both, as they do for a task.
        task_keys = {}
        if play.remote_user:
            task_keys['remote_user'] = play.remote_user
        if play_context.password:
            task_keys['password'] = play_context.password
        connection.set_options(task_keys=task_keys or None, var_options=_option_variables(connection, variables, templar))
        return connection


def _option_variables(connection, variables, templar):
    """The connection's templated option variables, as the task executor passes them to set_options()."""
    resolve = getattr(connection, '_resolve_option_variables', None)
    if resolve is not None:  # ansible-core 2.17 and later
        return resolve(variables, templar)
    # ansible-core 2.16 builds them in TaskExecutor._set_connection_options, the same way.
    names = C.config.get_plugin_vars('connection', connection._load_name)
    return {name: templar.template(variables[name]) for name in names if name in variables}
