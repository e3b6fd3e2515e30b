# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: psrp
author: psremoting maintainers (@psremoting)
short_description: Run tasks in one persistent PowerShell session (PSSession) per Windows host
description:
  - A drop-in for P(ansible.builtin.psrp#connection) with the same options and C(ansible_psrp_*) variables.
    Where the builtin plugin opens a new PowerShell runspace pool on the host for every task and closes it
    at the end, this one keeps ONE PSSession (a PSRP runspace pool kept by the host's WinRM service) per
    host and reuses it in every task.
  - Each task connects to the host's session (creating it the first time, with its name and IdleTimeout),
    runs, and disconnects with the IdleTimeout (a run-scoped session stays connected to the run's client
    between its tasks, since no other run uses it). Nothing has to keep running on the controller between tasks,
    so the same session serves the tasks of one run, separate C(ansible) ad-hoc commands, separate
    C(ansible-playbook) runs and other controllers of the same user. (For speed, the tasks of a run-scoped
    session are run by one process per run, see O(keeper); it ends with the run.)
  - C(raw) runs in the session's global scope, so what one task defines (variables, functions, imported
    modules) is there in the next.
  - Modules are sent exactly as the builtin plugin sends them (the powershell shell plugin's bootstrap and
    Ansible's exec wrapper, in a local scope). Because the session outlives the task, the connection sends two
    more pipelines around a module's (and, from ansible-core 2.19 on, around the shell helpers that run the
    exec wrapper), in the session's global scope. Before the module, one keeps the session's state and hides it
    from the exec wrapper (functions named like a cmdlet, aliases named like a command, StrictMode, preference variables,
    C($PSDefaultParameterValues)). After it, the other removes what the wrapper left (the process environment
    variables of the task's C(environment:) keyword, its C($Ansible*) variables, its C(Ansible.ModuleUtils.*)
    modules, its idle nested runspace) and puts the session's state back. So a module task leaves nothing in the
    session and sees nothing of what C(raw) or P(psremoting.pssession.invoke#module) defined, which stays there
    for their next task. This costs two pipelines per module task and nothing on other tasks. A module task
    that ends between the two (cancel, timeout, dropped connection) leaves the second to the next task of this
    controller on the session, which runs it first.
  - Modules still share with the session the process environment (a variable set by C(raw) reaches later modules),
    error records in C($Error), and .NET state such as the C# that every task of a module using
    C(Ansible.Basic) compiles into the session's process, which is never unloaded. The collection's
    C(docs/design.md) lists what each ansible-core release's wrapper changes and what the hygiene pipelines undo,
    with sources.
  - C(gather_facts) and Windows modules need the C(ansible.windows) collection, as with the builtin plugin.
  - A B(named) session (O(session_name) set) is found by name by any later run, ad-hoc command or controller
    of the same user, and lives until it is removed or its IdleTimeout passes without a client.
  - A B(run-scoped) session (no O(session_name)) is shared by the tasks of one C(ansible-playbook) or
    C(ansible) run. It gets a short IdleTimeout, and the next run from the same controller removes the
    sessions of runs that have ended, so such sessions do not pile up on the host.
  - Tasks of one controller that use the same session are serialized with a lock file. A session that another
    client holds is waited for up to O(busy_timeout) seconds.
  - When a session this controller used has expired or vanished, it is recreated and the task result carries
    a warning saying so; with O(strict_session) the task fails instead.
  - "C(meta: reset_connection) removes the host's session; the next task starts a fresh one."
  - A task that times out or is cancelled (SIGINT/SIGTERM) stops its command on the host and disconnects, so the
    next task gets the session at once; see the collection's C(docs/reliability.md) for every fault.
version_added: 0.1.0
requirements:
  - pypsrp>=0.9.1, <1.0.0 (Python library on the controller)
extends_documentation_fragment:
  - connection_pipelining
options:
  remote_addr:
    description:
      - Host name or IP address of the Windows host.
    default: inventory_hostname
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_psrp_host
  remote_user:
    description:
      - User to authenticate as. The session belongs to this user; no other user can reach it.
    type: str
    vars:
      - name: ansible_user
      - name: ansible_psrp_user
    keyword:
      - name: remote_user
  remote_password:
    description:
      - Password of O(remote_user). Also accepted from C(--ask-pass) and AWX machine credentials.
    type: str
    vars:
      - name: ansible_password
      - name: ansible_winrm_pass
      - name: ansible_winrm_password
    aliases:
      - password  # --ask-pass arrives under this name, also when delegating
  port:
    description:
      - TCP port of the WinRM listener.
      - Without it, V(5986) is used unless O(protocol) is V(http), in which case V(5985) is.
    type: int
    vars:
      - name: ansible_port
      - name: ansible_psrp_port
    keyword:
      - name: port
  protocol:
    description:
      - V(http) or V(https).
      - Without it, V(https) is used unless O(port) is V(5985).
    choices:
      - http
      - https
    type: str
    vars:
      - name: ansible_psrp_protocol
  path:
    description:
      - URI path of the WinRM listener.
    type: str
    vars:
      - name: ansible_psrp_path
    default: 'wsman'
  auth:
    description:
      - Authentication protocol.
      - V(negotiate) uses Kerberos when it can and falls back to NTLM.
    type: str
    vars:
      - name: ansible_psrp_auth
    choices:
      - basic
      - certificate
      - negotiate
      - kerberos
      - ntlm
      - credssp
    default: negotiate
  cert_validation:
    description:
      - V(validate) checks the server's TLS certificate; V(ignore) does not.
      - See O(ca_cert) to validate against a specific CA chain.
    choices:
      - validate
      - ignore
    default: validate
    type: str
    vars:
      - name: ansible_psrp_cert_validation
  ca_cert:
    description:
      - Path of a PEM file with the CA chain to validate the server's certificate with.
      - Not used when O(cert_validation) is V(ignore).
    type: path
    vars:
      - name: ansible_psrp_cert_trust_path
      - name: ansible_psrp_ca_cert
    aliases: [ cert_trust_path ]
  connection_timeout:
    description:
      - Seconds to wait for the TCP connection to the host.
    type: int
    vars:
      - name: ansible_psrp_connection_timeout
    default: 30
  read_timeout:
    description:
      - Seconds to wait for data from the host; keep it above O(operation_timeout).
    type: int
    vars:
      - name: ansible_psrp_read_timeout
    default: 30
  reconnection_retries:
    description:
      - How many times a request is sent again after a transport fault (the connection was refused, dropped or
        timed out). Only three things are ever retried, each up to this many times after its first try.
      - Opening the session, after what the failed attempt left on the host was undone.
      - A Receive of a running command's output whose connection dropped, with the new connection it needs. It is sent
        again as a WSMan robust-connection retransmission (MS-WSMV 3.1.4.1.39), so a host with that support sends the
        answer it had given again and no output is lost; from a host without it, output it had put in the lost answer
        may be missing, and the task then warns that output may be incomplete.
      - Listing the user's sessions (the session modules).
      - With V(0) nothing is ever sent twice. A dropped Receive then fails the task (unreachable), and its command is
        stopped on the host.
      - Never retried, whatever the value, are Command requests (a command is never sent twice; after a lost answer
        the host is asked whether it has the command), Send, Signal, Disconnect and Delete requests, failed
        authentication, a refused TLS certificate and HTTP error answers. pypsrp's own retries (of HTTP
        connections, and of a Receive after a read timeout) are always off, so these are the only ones.
    type: int
    vars:
      - name: ansible_psrp_reconnection_retries
    default: 0
  reconnection_backoff:
    description:
      - Seconds to wait before the first retry of O(reconnection_retries); each later wait doubles
        (V(2) waits 2, 4, 8, ... seconds). V(0) retries at once.
    type: int
    vars:
      - name: ansible_psrp_connection_backoff
      - name: ansible_psrp_reconnection_backoff
    default: 2
  message_encryption:
    description:
      - WinRM message encryption, on top of or instead of TLS.
      - V(auto) encrypts messages only over HTTP; V(always) also over HTTPS; V(never) never does.
      - Only V(negotiate), V(kerberos), V(ntlm) and V(credssp) can encrypt messages; with the others use HTTPS.
    type: str
    vars:
      - name: ansible_psrp_message_encryption
    choices:
      - auto
      - always
      - never
    default: auto
  proxy:
    description:
      - URL of a proxy to reach the host through.
    vars:
      - name: ansible_psrp_proxy
    type: str
  ignore_proxy:
    description:
      - Ignore proxy settings from the environment. Has no effect when O(proxy) is set.
    vars:
      - name: ansible_psrp_ignore_proxy
    type: bool
    default: false
  certificate_key_pem:
    description:
      - Path of the private key for O(auth=certificate).
    type: path
    vars:
      - name: ansible_psrp_certificate_key_pem
  certificate_pem:
    description:
      - Path of the client certificate for O(auth=certificate).
    type: path
    vars:
      - name: ansible_psrp_certificate_pem
  credssp_auth_mechanism:
    description:
      - Inner authentication of CredSSP; V(auto) prefers Kerberos and falls back to NTLM.
    type: str
    choices:
      - auto
      - kerberos
      - ntlm
    default: auto
    vars:
      - name: ansible_psrp_credssp_auth_mechanism
  credssp_disable_tlsv1_2:
    description:
      - Do not use TLS 1.2 on the CredSSP channel; only for hosts that lack it.
    default: false
    type: bool
    vars:
      - name: ansible_psrp_credssp_disable_tlsv1_2
  credssp_minimum_version:
    description:
      - Lowest CredSSP server version accepted; V(5) requires a host patched for CVE 2018-0886.
    default: 2
    type: int
    vars:
      - name: ansible_psrp_credssp_minimum_version
  negotiate_delegate:
    description:
      - Let the host delegate the user's Kerberos credentials to other servers. Ignored with NTLM.
    type: bool
    vars:
      - name: ansible_psrp_negotiate_delegate
  negotiate_hostname_override:
    description:
      - Host name to use for the Kerberos service principal instead of O(remote_addr). Ignored with NTLM.
    type: str
    vars:
      - name: ansible_psrp_negotiate_hostname_override
  negotiate_send_cbt:
    description:
      - Bind authentication to the TLS channel (channel binding token). Only over HTTPS.
    default: true
    type: bool
    vars:
      - name: ansible_psrp_negotiate_send_cbt
  negotiate_service:
    description:
      - Service part of the Kerberos service principal. Ignored with NTLM.
    default: WSMAN
    type: str
    vars:
      - name: ansible_psrp_negotiate_service
  operation_timeout:
    description:
      - WSMan OperationTimeout of each request, in seconds; keep it below O(connection_timeout) and O(read_timeout).
    type: int
    vars:
      - name: ansible_psrp_operation_timeout
    default: 20
  max_envelope_size:
    description:
      - Largest WSMan message sent to the host, in bytes. The default suits old hosts too; it grows to the
        host's limit when the host speaks PSRP 2.2 or later.
    type: int
    vars:
      - name: ansible_psrp_max_envelope_size
    default: 153600
  configuration_name:
    description:
      - PowerShell session configuration (endpoint) to use; part of the session's identity.
    type: str
    vars:
      - name: ansible_psrp_configuration_name
    default: Microsoft.PowerShell
  session_name:
    description:
      - Name of the host's PSSession (what C(Get-PSSession -Name) shows). A named session is found by
        this name from any later run, ad-hoc command or controller of the same user, and is kept when a
        task ends.
      - Unset, the session is run-scoped, named C(ansible-<controller>-<pid>-<start>) after the run that uses it.
      - Must not have the form of a run-scoped name.
    type: str
    vars:
      - name: ansible_pssession_name
        version_added: 0.2.0
      - name: ansible_pssession_session_name
        deprecated:
          why: The other session options are ansible_pssession_<option>; this name stuttered.
          alternatives: ansible_pssession_name
          version: 1.0.0
          collection_name: psremoting.pssession
    env:
      - name: ANSIBLE_PSSESSION_NAME
        version_added: 0.2.0
      - name: ANSIBLE_PSSESSION_SESSION_NAME
        deprecated:
          why: The other session options are ANSIBLE_PSSESSION_<OPTION>; this name stuttered.
          alternatives: ANSIBLE_PSSESSION_NAME
          version: 1.0.0
          collection_name: psremoting.pssession
  idle_timeout:
    description:
      - Seconds the host keeps the session while no client is connected, set when it is created and at
        every disconnect. From V(60) to V(2147483).
      - Unset, it is V(7200) for a named session and V(600) for a run-scoped one.
    type: int
    vars:
      - name: ansible_pssession_idle_timeout
    env:
      - name: ANSIBLE_PSSESSION_IDLE_TIMEOUT
  output_buffering_mode:
    description:
      - What the host does with output of a command still running while no client is connected.
      - V(block) pauses the command when the buffer is full; V(drop) discards the oldest output.
    type: str
    choices:
      - block
      - drop
    default: block
    vars:
      - name: ansible_pssession_output_buffering_mode
    env:
      - name: ANSIBLE_PSSESSION_OUTPUT_BUFFERING_MODE
  busy_timeout:
    description:
      - Seconds to wait for the session while another task of this controller, or another client, uses it.
        Then the task fails with a message saying the session is busy and since when. From V(0) to V(86400).
    type: int
    default: 30
    vars:
      - name: ansible_pssession_busy_timeout
    env:
      - name: ANSIBLE_PSSESSION_BUSY_TIMEOUT
  strict_session:
    description:
      - When a session this controller used before has expired or been removed, fail the task instead of
        creating a fresh session (whose state is empty).
      - When false, the session is recreated and the task result carries a warning.
    type: bool
    default: false
    vars:
      - name: ansible_pssession_strict_session
    env:
      - name: ANSIBLE_PSSESSION_STRICT_SESSION
  keeper:
    description:
      - For a run-scoped session (no O(session_name)), hand each task to one process per run and controller, the
        run's keeper, which the first task starts and which runs the tasks with this plugin's code already loaded.
        Each task's worker then loads almost nothing of this plugin, which saves about half of what this plugin
        costs per task on the controller (the collection's C(docs/performance.md)). The keeper takes the session's lock, parks
        and releases the session at each task's end as a worker does, stops a task's command when its worker is
        cancelled, times out or dies, ends with the run (or after two idle minutes) and writes no credential
        anywhere (a task's options reach it over a Unix socket only this user can use).
      - A task that cannot reach a keeper runs in its own worker as without one; a keeper that dies while it runs
        a command fails that task, saying the command may have run, and never sends it twice.
      - Named sessions and the session modules never use it. Needs Linux (Unix sockets, C(fork)); elsewhere and
        when false, every task runs in its own worker.
    type: bool
    default: true
    version_added: 0.2.0
    vars:
      - name: ansible_pssession_keeper
    env:
      - name: ANSIBLE_PSSESSION_KEEPER
notes:
  - Options can also be given as extra variables (C(-e ansible_pssession_name=build)), which take precedence.
  - Check mode and C(--diff) are handled by the modules, as with the builtin plugin.
  - The controller keeps lock and state files in C($TMPDIR/ansible-pssession-<uid>) (or C($ANSIBLE_PSSESSION_LOCK_DIR)).
seealso:
  - plugin: ansible.builtin.psrp
    plugin_type: connection
"""

EXAMPLES = r"""
# Inventory (inventory.yml) for a NAMED session, shared by every run, ad-hoc command and
# controller of this user:
#
#   windows:
#     hosts:
#       win1.example.com:
#     vars:
#       ansible_connection: psremoting.pssession.psrp
#       ansible_user: ansible@EXAMPLE.COM
#       ansible_password: "{{ vault_windows_password }}"
#       ansible_psrp_protocol: https
#       ansible_psrp_auth: ntlm
#       ansible_pssession_name: build
#       ansible_pssession_idle_timeout: 14400   # kept 4 hours without a client
#       ansible_pssession_strict_session: true  # fail rather than start over silently
#
# Inventory (inventory.ini) for RUN-SCOPED sessions: one per host per run, removed by the
# next run from this controller, and by the host after the IdleTimeout in any case:
#
#   [windows]
#   win1.example.com
#   [windows:vars]
#   ansible_connection=psremoting.pssession.psrp
#   ansible_user=ansible
#   ansible_password=secret
#   ansible_port=5985
#   ansible_psrp_protocol=http
#   ansible_pssession_idle_timeout=900
#
# Ad-hoc commands, one after the other, on the same named session:
#
#   ansible windows -m raw -a '$x = 5' -e ansible_pssession_name=demo
#   ansible windows -m raw -a '$x' -e ansible_pssession_name=demo      # prints 5

- name: State carries from task to task
  hosts: windows
  gather_facts: false
  tasks:
    - name: Define a variable and a function in the session
      ansible.builtin.raw: $x = 41; function Get-Answer { $x + 1 }
      changed_when: false  # session state only, nothing on the host changes

    - name: Use them in the next task (prints 42)
      ansible.builtin.raw: Get-Answer
      changed_when: false

    - name: Start over with a fresh session
      ansible.builtin.meta: reset_connection

- name: One play with its own named session
  hosts: windows
  gather_facts: false
  vars:
    ansible_pssession_name: nightly
    ansible_pssession_busy_timeout: 120
  tasks:
    - name: Runs in the session named nightly
      ansible.builtin.raw: $env:COMPUTERNAME
      changed_when: false
"""

import importlib.util
import logging
import multiprocessing
import os
import socket
import sys

from ansible import constants as C
from ansible.errors import AnsibleOptionsError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display


def _load_cached_import():
    """plugin_utils/cached_import.py, from bytecode as the modules it loads: through ansible's collection loader,
    which finds and compiles it from source in every task's worker, importing it cost ~1 ms of CPU per task. It
    imports nothing of the collection, so it is registered once it has run."""
    name = 'ansible_collections.psremoting.pssession.plugins.plugin_utils.cached_import'
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'plugin_utils', 'cached_import.py')
    spec = importlib.util.spec_from_file_location(name, path)
    if name not in sys.modules and spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    from ansible_collections.psremoting.pssession.plugins.plugin_utils import cached_import  # pylint: disable=import-outside-toplevel
    return cached_import


# Every task's worker imports this plugin afresh: take the modules a task needs from bytecode (see cached_import).
# Only what a task handed to the run's keeper needs (options, cancel, the keeper's socket); the session's own
# modules (TASK_SESSION_MODULES) when the task runs in this worker (Connection._session).
cached_import = _load_cached_import()
cached_import.preload(['option_cache', 'facts_requirement', 'session_options', 'session_identity', 'session_lock', 'keeper_protocol',
                       'keeper_client', 'cancel'])
TASK_SESSION_MODULES = ['pypsrp_bridge', 'retry_policy', 'run_registry', 'run_overrides', 'transport_options', 'pssession', 'kept_clients', 'pipelines',
                        'session_commands', 'task_session']

from ansible_collections.psremoting.pssession.plugins.plugin_utils.cancel import CancelGuard  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.psremoting.pssession.plugins.plugin_utils.facts_requirement import facts_install_hint  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.psremoting.pssession.plugins.plugin_utils.keeper_client import (  # noqa: E402  pylint: disable=wrong-import-position
    KeeperClient, KeeperUnavailable, raise_error, start_keeper)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.keeper_protocol import (  # noqa: E402  pylint: disable=wrong-import-position
    decode_bytes, encode_bytes, keeper_paths)
from ansible_collections.psremoting.pssession.plugins.plugin_utils import option_cache  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import run_process_id  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import (  # noqa: E402  pylint: disable=wrong-import-position
    check_raw_values, explain_config_error)

display = Display()
COLLECTION = 'psremoting.pssession'

# ansible reads the option definitions from DOCUMENTATION right after importing this module, in every
# task's worker; an earlier worker's parse, kept in __pycache__, spares it that (option_cache).
# ansible names the definitions by the plugin's resolved name: its Python module's name in ansible-core
# 2.19 (PluginLoadContext.plugin_resolved_name), its FQCN in others; both are given.
option_cache.register('connection', (__name__, COLLECTION + '.psrp'), __file__, DOCUMENTATION)


def report_deprecated_option_sources():
    """Show the deprecation of a variable or environment variable of this plugin's options that was used.

    ansible-core notes such a use in ``C.config.DEPRECATED`` while resolving the options. From 2.18
    on, ``AnsiblePlugin.set_options`` reports and clears that list; 2.16 and 2.17 show only what
    ansible.cfg used, once, when the command starts (``CLI.run``), so a deprecated inventory variable
    went unmentioned. What is left of ours here is reported as those releases word it; other entries
    (ansible.cfg's, already shown) stay.
    """
    pending = getattr(C.config, 'DEPRECATED', None)
    if not pending:
        return
    others = []
    for name, info in pending:
        if not isinstance(info, dict) or info.get('collection_name') != COLLECTION:
            others.append((name, info))
            continue
        alternative = ', use %s instead' % info['alternatives'] if info.get('alternatives') else ''
        display.deprecated('%s option, %s%s' % (name, info.get('why', ''), alternative),
                           version=info.get('version'), collection_name=COLLECTION)
    pending[:] = others


def is_pipeline_wrapper(cmd, shell):
    """Whether cmd runs the module bootstrap wrapper (not worth showing with -vvv, as ansible.builtin.psrp).

    Up to ansible-core 2.20 the shell's build_module_command('', '', '') is that command line. 2.21's
    fails on an empty command (it takes the module's path from it), and its wrapper command line is
    made elsewhere (module_common): there the script is shown, as 2.21's ansible.builtin.psrp does.
    """
    try:
        return shell.build_module_command('', '', '') == cmd
    except IndexError:
        return False


class Connection(ConnectionBase):
    """ansible.builtin.psrp's interface, on one persistent PSSession per host."""

    transport = 'psremoting.pssession.psrp'
    module_implementation_preferences = ('.ps1', '.exe', '')
    allow_executable = False
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        self.always_pipeline_modules = True
        self.has_native_async = True
        self._shell_type = 'powershell'
        self._task_session = None
        self._keeper = None  # this task's connection to the run's keeper (keeper_client), while it runs the task
        self._in_worker = False  # this task runs in this worker (no keeper, or an action plugin uses the session)
        self._start_keeper = False  # no keeper answered: start one when this task has let the session go
        self._cancel_guard = CancelGuard()
        super().__init__(*args, **kwargs)
        if not C.DEFAULT_DEBUG:
            for name, level in (('pypsrp', logging.WARNING), ('requests_credssp', logging.INFO), ('urllib3', logging.INFO),
                                ('spnego', logging.WARNING)):
                logging.getLogger(name).setLevel(level)

    def set_options(self, task_keys=None, var_options=None, direct=None):
        check_raw_values(var_options, direct, os.environ)
        try:
            super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        except AnsibleOptionsError as err:
            clearer = explain_config_error(to_native(err))
            if clearer is None:
                raise
            raise clearer from None
        report_deprecated_option_sources()
        option_cache.remember('connection', self._load_name, __file__, DOCUMENTATION)
        hint = facts_install_hint(task_keys)
        if hint:
            display.warning('%s.psrp: %s' % (COLLECTION, hint))
        self._task_session = None

    def _session(self):
        """The task's session in this worker (loading its modules the first time); a task the keeper had so far is
        let go of there first (parked), so that this worker takes the session's lock."""
        self._let_keeper_go()
        self._in_worker = True
        if self._task_session is None:
            cached_import.preload(TASK_SESSION_MODULES)
            from ansible_collections.psremoting.pssession.plugins.plugin_utils.task_session import TaskSession  # pylint: disable=import-outside-toplevel
            self._task_session = TaskSession(self.get_option, display, self._play_context)
        return self._task_session

    def task_session(self):
        """The session as this task uses it (for the session modules' action plugins); not connected yet."""
        return self._session()

    def open_session(self):
        """Connect to (or create) the host's session now, as any task does, and return the task's session."""
        session = self._session()
        session.adopt_parked = False  # a session module's first request may not be a Command
        self._connect()
        return session

    def _connect(self):
        super()._connect()
        if not self._connected:
            if not self._open_at_keeper():
                self._session().open()
            self._connected = True
            self._cancel_guard.arm(self._close_on_cancel)
        return self

    # -- the run's keeper (keeper.py; docs/design.md section 9) ------------------------------------
    def _keeper_socket(self):
        """The socket of the run's keeper if this task may be handed to it, else None."""
        if (self._in_worker or self.get_option('session_name') or not self.get_option('keeper')
                or multiprocessing.parent_process() is None or not hasattr(socket, 'AF_UNIX') or not hasattr(os, 'fork')):
            return None  # the run's main process (meta: reset_connection) never forks a keeper
        return keeper_paths()[0]

    def _open_at_keeper(self):
        path = self._keeper_socket()
        if path is None:
            return False
        request = {'op': 'open', 'options': self._options, 'verbosity': display.verbosity,
                   'no_log': bool(getattr(self._play_context, 'no_log', False))}
        try:
            client = KeeperClient.connect(path)
            self._keeper = client
            reply = client.request(request, 'opening the session', retry_safe=True)
        except KeeperUnavailable:
            self._keeper = None
            self._start_keeper = True
            return False
        opened = self._from_keeper(reply)
        display.vvv("PSSESSION this task runs in the run's keeper (pid %s)" % opened.get('holder'), host=self.get_option('remote_addr'))
        return True

    def _from_keeper(self, reply):
        """Show what the keeper's task said, as the worker's own display would have; raise its error; its result."""
        for kind, msg, host in reply.get('said') or ():
            if kind == 'warning':
                display.warning(msg)
            elif kind == 'vvv':
                display.vvv(msg, host=host)
            else:
                display.vvvvv(msg, host=host)
        raise_error(reply)
        return reply.get('ok') or {}

    def _at_keeper(self, request, what):
        """The keeper's answer to a request of this task; None if the keeper never got the request: the session is
        then open in this worker, where the request and the rest of the task run."""
        if not self._keeper.in_step:
            # An earlier request's answer was never read (a task timeout interrupted the wait; ansible's cleanup then
            # removes the task's temporary directory): the keeper stops that request's command and lets the session
            # go, and this request, which it never got, runs in this worker.
            self._let_keeper_go()
        else:
            try:
                return self._from_keeper(self._keeper.request(request, what))
            except KeeperUnavailable:  # the keeper ended between two requests of this task
                self._keeper = None
                self._start_keeper = True
        self._session().open()
        return None

    def _let_keeper_go(self, cancelled=False):
        """End this task at the keeper (keeper_client.KeeperClient.release) and show what it said."""
        keeper, self._keeper = self._keeper, None
        if keeper is None:
            return
        reply = keeper.release(cancelled)
        if reply:
            self._from_keeper(dict(reply, error=None))
            if reply.get('error'):
                display.warning(reply['error'].get('msg') or 'psremoting.pssession.psrp: the keeper could not let the session go')

    # -- the task's work ---------------------------------------------------------------------------
    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        wrapper = is_pipeline_wrapper(cmd, self._shell)
        if self._keeper is not None:
            done = self._at_keeper({'op': 'exec', 'cmd': cmd, 'in_data_b64': encode_bytes(in_data), 'wrapper': wrapper},
                                   'running a command')
            if done is not None:
                return done['rc'], decode_bytes(done['stdout_b64']), decode_bytes(done['stderr_b64'])
        return self._session().exec_command(cmd, in_data, wrapper)

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        out_path = self._remote_path(out_path)
        if self._keeper is not None:
            # The keeper is a process of this controller and user: it reads the file where the worker would.
            if self._at_keeper({'op': 'put', 'in_path': in_path, 'out_path': out_path}, 'copying %s to the host' % in_path) is not None:
                return
        self._session().put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        in_path, out_path = self._remote_path(in_path), out_path.replace('\\', '/')
        if self._keeper is not None:
            if self._at_keeper({'op': 'fetch', 'in_path': in_path, 'out_path': out_path}, 'fetching %s from the host' % in_path) is not None:
                return
        self._session().fetch_file(in_path, out_path)

    def _remote_path(self, path):
        """The host's path as ansible.builtin.psrp of this ansible-core takes it: up to 2.19 it strips
        quotes around it (ShellModule._unquote); 2.20 removed that method and uses the path as given."""
        unquote = getattr(self._shell, '_unquote', None)
        return unquote(path) if unquote is not None else path

    def close(self):
        self._close()
        if self._start_keeper:
            # This task found no keeper: start one for the next tasks, now that the session is let go of.
            self._start_keeper = False
            try:
                pid = start_keeper(run_process_id())
            except OSError as err:
                display.vvv('PSSESSION could not start the run\'s keeper: %s' % err)
            else:
                if pid:
                    display.vvv('PSSESSION started the run\'s keeper (pid %d)' % pid)

    def _close_on_cancel(self):
        """close() as the cancel signal's handler runs it, in the middle of whatever the task was doing."""
        self._start_keeper = False
        self._close(cancelled=True)

    def _close(self, cancelled=False):
        self._cancel_guard.closing()
        try:
            self._let_keeper_go(cancelled)
            if self._task_session is not None:
                self._task_session.close(cancelled=cancelled)
        finally:
            self._connected = False
            self._in_worker = False
            self._cancel_guard.disarm()

    def reset(self):
        """meta: reset_connection: remove the host's session; the next task starts a fresh one."""
        try:
            self._session().reset()
        finally:
            self._connected = False
