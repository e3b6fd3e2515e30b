# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: connect
short_description: Connect to a disconnected PowerShell session on the host (Connect-PSSession)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Connects to a disconnected session of the connecting user, by O(name) or O(instance_id), as
    C(Connect-PSSession -ComputerName -Name|-InstanceId) does, whoever created it (another run, another controller,
    another AWX job, PowerShell's own C(New-PSSession)).
  - It becomes the session the following tasks of this host use for the rest of the run (C(raw), the session modules
    and modules), with the IdleTimeout it had; it is disconnected again at the end of each task, as always.
  - Connecting to the session the host already uses changes nothing and does not fail (C(changed) is false).
  - Fails clearly when no such session of this user exists (sessions of other users are not visible), and when the
    session is connected to another client (busy).
options:
  name:
    description:
      - The session's name (exact, case-insensitive). Mutually exclusive with O(instance_id).
    type: str
  instance_id:
    description:
      - The session's instance id (GUID), as M(psremoting.pssession.session_info) lists it.
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
      - Only lists the user's sessions (WSMan Enumerate); the result names the session it would connect to (C(changed)
        true) without connecting, and the following tasks of the run keep using the session they used before.
  diff_mode:
    support: full
    details:
      - The chosen session's C(name), C(instance_id), C(state) and C(current) (whether this host's tasks use it),
        before (V(Disconnected)) and after (V(Opened), current); nothing when it already was the host's session.
seealso:
  - module: psremoting.pssession.receive
  - module: psremoting.pssession.session_info
"""

EXAMPLES = r"""
- name: Back home, connect to the session started at work (as in Connect-PSSession's example 3)
  psremoting.pssession.connect:
    name: ITTask

- name: Then receive what its command wrote meanwhile
  psremoting.pssession.receive:
    wait: true
    timeout: 3600
  register: backup
"""

RETURN = r"""
diff:
  description: The chosen session before and after (C(name), C(instance_id), C(state), C(current)).
  returned: with C(--diff), when the task connects (or would, in check mode) to a session
  type: dict
  sample: {'before': {'name': 'ITTask', 'instance_id': '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'state': 'Disconnected', 'current': false},
           'after': {'name': 'ITTask', 'instance_id': '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'state': 'Opened', 'current': true}}
session:
  description: The session connected to, as M(psremoting.pssession.session_info) lists it, now V(Opened) and V(Available).
  returned: success
  type: dict
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
"""
