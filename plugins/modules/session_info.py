# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: session_info
short_description: List the user's PowerShell sessions on the host (Get-PSSession -ComputerName)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Lists the PSSessions of the connecting user on the host, whoever created them (this run, another run, another
    controller, PowerShell's own C(New-PSSession)), with their state, availability, configuration, IdleTimeout and
    commands.
  - Read-only. It does not connect to any session, so it never changes one, and a session held by another
    client shows as V(Opened) / V(Busy).
options:
  name:
    description:
      - Only sessions whose name matches, with C(*) and C(?) wildcards, case-insensitive.
    type: str
  instance_id:
    description:
      - Only the session with this instance id (GUID).
    type: str
  state:
    description:
      - Only sessions in these states.
    type: list
    elements: str
    choices: [Opened, Disconnected]
  configuration_name:
    description:
      - Only sessions of this session configuration (endpoint), for example V(Microsoft.PowerShell).
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
      - Read-only (WSMan Enumerate), so it runs and returns the same in check mode.
  diff_mode:
    support: N/A
    details:
      - Read-only; nothing to show.
seealso:
  - module: psremoting.pssession.connect
  - module: psremoting.pssession.remove
"""

EXAMPLES = r"""
- name: All my sessions on the host
  psremoting.pssession.session_info:
  register: info

- name: The disconnected session named ITTask, if it is still there
  psremoting.pssession.session_info:
    name: ITTask
    state: [Disconnected]
  register: ittask

- name: Fail when the nightly session is held by another client
  ansible.builtin.assert:
    that: ittask.sessions | selectattr('availability', 'equalto', 'Busy') | list | length == 0
"""

RETURN = r"""
sessions:
  description: The matching sessions of the connecting user, in the order the host lists them.
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
current_session:
  description: The name of the session this host's tasks use (whether or not it exists yet).
  returned: always
  type: str
  sample: ansible-3f2a9c1d0e4b-4242-1234567
current:
  description: The entry of RV(sessions) that is this host's session, or null.
  returned: always
  type: dict
"""
