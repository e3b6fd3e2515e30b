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
  diff_mode:
    support: none
seealso:
  - module: psremoting.pssession.connect
  - module: psremoting.pssession.receive
"""

EXAMPLES = r"""
- name: Keep the session 15 hours, dropping old output if the job writes too much (seeds, Connect-PSSession example 3)
  psremoting.pssession.disconnect:
    idle_timeout: 54000
    output_buffering_mode: drop
"""

RETURN = r"""
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
