# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: receive
short_description: Get the output of commands that ran while disconnected (Receive-PSSession)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Connects to the host's session and receives the output and streams of a command that ran while nobody was
    connected (started with M(psremoting.pssession.invoke) O(psremoting.pssession.invoke#module:disconnected=true)),
    by O(command_id), or of all the session's commands.
  - With O(wait=true) it waits until the command ends, at most O(timeout) seconds, with a series of short requests
    (re-established when the connection drops), not one request held open for hours.
  - Returns everything the host buffered. In C(block) buffering mode nothing is lost; in C(drop) mode the oldest
    output may be gone.
  - Received output is taken off the host; a command that has ended and whose output was received is forgotten by it.
options:
  command_id:
    description:
      - The command to receive (RV(psremoting.pssession.invoke#module:command_id)). Unset, every command of the session.
    type: str
  wait:
    description:
      - Wait for the command(s) to end. Without it, what is buffered now is returned and a running command keeps running.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to receive (and with O(wait), to wait) at most, from V(1) to V(2147483). With O(wait), a command still
        running then fails the task, and keeps running on the host.
    type: int
    default: 3600
  depth:
    description:
      - How deep objects are converted, as in M(psremoting.pssession.invoke). From V(0) to V(100).
    type: int
    default: 2
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
    support: partial
    details:
      - Lists the session's commands and their states in RV(commands) without receiving their output (receiving takes
        it off the host, for good); the streams are empty and C(changed) is false.
  diff_mode:
    support: none
    details:
      - Receiving changes only which output is still buffered on the host; there is no diff.
notes:
  - In check mode nothing is received (receiving takes the output off the host); the commands and their states are listed.
seealso:
  - module: psremoting.pssession.invoke
  - module: psremoting.pssession.connect
"""

EXAMPLES = r"""
- name: Start a long command and leave
  psremoting.pssession.invoke:
    script: C:\scripts\Backup-SQLDatabase.ps1
    disconnected: true
    idle_timeout: 54000
  register: started

- name: Later (in this run or, after connect, in another one), wait for it and get all its output
  psremoting.pssession.receive:
    command_id: "{{ started.command_id }}"
    wait: true
    timeout: 7200
  register: backup
"""

RETURN = r"""
state:
  description: V(Running), V(Completed), V(Failed) or V(Stopped) (for several commands, the first of these any has);
    null when there was no command.
  returned: always
  type: str
  sample: Completed
command_id:
  description: The command received, when there was exactly one.
  returned: always
  type: str
output:
  description: The output objects, as RV(psremoting.pssession.invoke#module:output) (all commands, in order).
  returned: always
  type: list
  elements: raw
error:
  description: The error records, as RV(psremoting.pssession.invoke#module:error).
  returned: always
  type: list
  elements: dict
warning:
  description: The warning messages.
  returned: always
  type: list
  elements: str
verbose:
  description: The verbose messages.
  returned: always
  type: list
  elements: str
debug:
  description: The debug messages.
  returned: always
  type: list
  elements: str
information:
  description: The information records, as RV(psremoting.pssession.invoke#module:information).
  returned: always
  type: list
  elements: dict
host_out:
  description: Text written to the host.
  returned: always
  type: str
host_err:
  description: Text written to the host's error output.
  returned: always
  type: str
commands:
  description: Per command, C(command_id), C(state) and the same stream keys as above.
  returned: always
  type: list
  elements: dict
session:
  description: The session received from (C(name), C(instance_id), C(state), C(recreated)).
  returned: when not in check mode and the session exists
  type: dict
"""
