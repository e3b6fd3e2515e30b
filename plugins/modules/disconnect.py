# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: disconnect
short_description: Disconnect from the host's PowerShell session with an IdleTimeout (Disconnect-PSSession)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Disconnects the host's session with O(idle_timeout) and O(output_buffering_mode), as
    C(Disconnect-PSSession -IdleTimeoutSec -OutputBufferingMode) does. The session stays on the host, Disconnected,
    with the commands running in it, until it is connected to again, removed, or the IdleTimeout passes.
  - Every task of the P(psremoting.pssession.psrp#connection) connection already disconnects when it ends; this
    module sets how. The following tasks of the same run disconnect with the same settings.
  - Idempotent. A session that is already disconnected with these settings is left alone (C(changed) is false).
options:
  idle_timeout:
    description:
      - Seconds the host keeps the session without a client, from V(60) to V(2147483) (Windows' limits); checked
        before any network traffic. Unset, the connection's C(idle_timeout).
    type: int
  output_buffering_mode:
    description:
      - What the host does with the output of a command still running while nobody is connected.
      - V(block) pauses the command when the output buffer is full, so nothing is lost; V(drop) discards the oldest
        output and the command goes on. Unset, the connection's C(output_buffering_mode).
    type: str
    choices: [block, drop]
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
      - Only lists the user's sessions (WSMan Enumerate); the result says what would change (C(changed)) without
        connecting or disconnecting, and the idle timeout and buffering mode are not kept for the following tasks.
  diff_mode:
    support: full
    details:
      - The session's C(name), C(instance_id), C(state), C(idle_timeout) and C(output_buffering_mode) before and after
        (from the listing the task makes anyway); nothing when nothing changes.
seealso:
  - module: psremoting.pssession.connect
  - module: psremoting.pssession.receive
"""

EXAMPLES = r"""
- name: Keep the session 15 hours, dropping old output if the job writes too much (as in Connect-PSSession's example 3)
  psremoting.pssession.disconnect:
    idle_timeout: 54000
    output_buffering_mode: drop
"""

RETURN = r"""
diff:
  description: The session before and after (C(name), C(instance_id), C(state), C(idle_timeout), C(output_buffering_mode)).
  returned: with C(--diff), when something changes (or would, in check mode)
  type: dict
  sample: {'before': {'name': 'ITTask', 'instance_id': '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'state': 'Disconnected',
                      'idle_timeout': 7200, 'output_buffering_mode': 'Block'},
           'after': {'name': 'ITTask', 'instance_id': '0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C', 'state': 'Disconnected',
                     'idle_timeout': 54000, 'output_buffering_mode': 'Drop'}}
session:
  description: The session after the task, Disconnected.
  returned: success
  type: dict
  contains:
    name:
      description: The session's name.
      type: str
      returned: always
      sample: ITTask
    instance_id:
      description: The session's instance id.
      type: str
      returned: always
    state:
      description: Always V(Disconnected).
      type: str
      returned: always
      sample: Disconnected
    availability:
      description: Always V(None) (any client of this user may connect).
      type: str
      returned: always
      sample: None
    idle_timeout:
      description: The IdleTimeout it was disconnected with, in seconds.
      type: int
      returned: always
      sample: 54000
    output_buffering_mode:
      description: V(Block) or V(Drop).
      type: str
      returned: always
      sample: Drop
    commands:
      description: The commands the host keeps for it, with C(command_id) and C(state).
      type: list
      elements: dict
      returned: always
"""
