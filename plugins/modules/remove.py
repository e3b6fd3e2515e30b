# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: remove
short_description: Remove PowerShell sessions from the host (Remove-PSSession)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Removes PSSessions of the connecting user from the host, by O(name), by O(instance_id), or all that match the
    filters with O(all=true). With none of these, removes the session this host's tasks use (the next task starts
    a fresh one, as after a C(reset_connection) meta task).
  - Commands still running in a session are stopped first.
  - Idempotent. When nothing matches, nothing changes and C(changed) is false.
options:
  name:
    description:
      - The sessions whose name matches, with C(*) and C(?) wildcards, case-insensitive.
    type: str
  instance_id:
    description:
      - The session with this instance id (GUID).
    type: str
  all:
    description:
      - Every session of the user that matches O(state) and O(configuration_name).
    type: bool
    default: false
  state:
    description:
      - Only sessions in these states (also filters O(name) and the host's own session).
    type: list
    elements: str
    choices: [Opened, Disconnected]
  configuration_name:
    description:
      - Only sessions of this session configuration (endpoint).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - psremoting.pssession.session_module
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  platform:
    platforms: windows
  check_mode:
    support: full
    details:
      - Only lists the user's sessions; RV(removed) lists the sessions that would be removed (C(changed) true when
        any), and no command is stopped and no session removed.
  diff_mode:
    support: full
    details:
      - The matching sessions (C(name), C(instance_id), C(state)) before, and none after; nothing when none matched.
seealso:
  - module: psremoting.pssession.session_info
  - plugin: psremoting.pssession.psrp
    plugin_type: connection
"""

EXAMPLES = r"""
- name: Remove the session this host's tasks use
  psremoting.pssession.remove:

- name: Remove the ITTask session once its results are in
  psremoting.pssession.remove:
    name: ITTask

- name: Remove every disconnected session of mine on the host
  psremoting.pssession.remove:
    all: true
    state: [Disconnected]
"""

RETURN = r"""
diff:
  description: The matching sessions before (C(name), C(instance_id), C(state)), and none after.
  returned: with C(--diff), when a session matched
  type: dict
  sample: {'before': {'sessions': [{'name': 'ITTask', 'instance_id': '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'state': 'Disconnected'}]},
           'after': {'sessions': []}}
removed:
  description: The sessions removed (or, in check mode, that would be), as M(psremoting.pssession.session_info) lists them.
  returned: always
  type: list
  elements: dict
  contains:
        name:
          description: The session's name (C(Get-PSSession -Name) matches it); null for a session created without one.
          type: str
          returned: always
          sample: ITTask
        instance_id:
          description: The session's instance id (the WSMan ShellId).
          type: str
          returned: always
          sample: 0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C
        state:
          description: V(Opened) when a client is connected to it, V(Disconnected) when none is.
          type: str
          returned: always
          sample: Disconnected
        availability:
          description: V(None) when it is disconnected (this user can connect to it), V(Busy) when another client holds it.
          type: str
          returned: always
          sample: None
        configuration_name:
          description: The session configuration (endpoint).
          type: str
          returned: always
          sample: Microsoft.PowerShell
        idle_timeout:
          description: Seconds the host keeps it without a client.
          type: int
          returned: always
          sample: 54000
        output_buffering_mode:
          description: V(Block) or V(Drop), as set at its last disconnect.
          type: str
          returned: always
          sample: Block
        owner:
          description: The user it belongs to, as the host names it.
          type: str
          returned: always
        client_ip:
          description: The address of the client that last connected.
          type: str
          returned: always
        shell_run_time:
          description: How long it has existed (xs:duration).
          type: str
          returned: always
        shell_inactivity:
          description: How long it has been idle (xs:duration).
          type: str
          returned: always
        current:
          description: Whether it is the session this host's tasks use.
          type: bool
          returned: always
        commands:
          description: The commands the host keeps for it, each with C(command_id) and C(state) (V(Running) or V(Done)).
          type: list
          elements: dict
          returned: always
          sample: [{'command_id': '5C0B1D6E-3B5C-4C11-9E4B-2A7D1C0F9A11', 'state': 'Running'}]
stopped_commands:
  description: The ids of the commands that were still running and were stopped first.
  returned: when a session was removed
  type: list
  elements: str
"""
