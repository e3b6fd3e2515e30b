# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: invoke
short_description: Run a script in the host's persistent PowerShell session (Invoke-Command -Session)
version_added: 0.1.0
author: psremoting maintainers (@psremoting)
description:
  - Runs O(script) (or the controller-side file O(path)) in the global scope of the host's persistent PSSession, as
    C(Invoke-Command -Session) does, so what it defines (variables, functions, imported modules) stays for the next
    tasks.
  - Returns what M(ansible.windows.win_powershell) returns, with the same names and shapes (RV(output), RV(error),
    RV(warning), RV(verbose), RV(debug), RV(information), RV(host_out), RV(host_err), RV(result), RV(changed)), and
    RV(session), the session it ran in.
  - As in M(ansible.windows.win_powershell) the script can set C($Ansible.Result), C($Ansible.Changed) and
    C($Ansible.Failed), and read C($Ansible.Verbosity), C($Ansible.CheckMode) and C($Ansible.Tmpdir). C($Ansible) is
    removed from the session when the script ends.
  - With O(disconnected=true) the command is started and the session disconnected at once
    (C(Invoke-Command -InDisconnectedSession)); the command keeps running on the host, and
    M(psremoting.pssession.receive) gets its output later, from this run or another one.
options:
  script:
    description:
      - The PowerShell script to run. Mutually exclusive with O(path).
    type: str
  path:
    description:
      - A script file on the controller to run instead of O(script); relative paths are looked up like the C(files)
        of a role or playbook.
    type: path
  parameters:
    description:
      - Parameters of the script, as names and values (C(Invoke-Command -ScriptBlock { param(...) } ) with named arguments).
    type: dict
  arguments:
    description:
      - Positional arguments of the script (C(Invoke-Command -ArgumentList)).
    type: list
    elements: raw
  input:
    description:
      - Objects sent to the script's pipeline input (C($input)), one per element.
    type: list
    elements: raw
  depth:
    description:
      - How deep objects in RV(output), RV(result), C(information[].message_data) and C(error[].target_object) are
        converted; deeper objects become their string form, as with C(ConvertTo-Json -Depth). From V(0) to V(100).
    type: int
    default: 2
  error_action:
    description:
      - The C($ErrorActionPreference) the script runs with; the session's previous value is put back afterwards.
      - V(continue) lists error records in RV(error) and fails the task only on a terminating error;
        V(stop) also fails it when the script writes any error record; V(silently_continue) ignores them.
    type: str
    choices: [silently_continue, continue, stop]
    default: continue
  timeout:
    description:
      - Seconds the script may run. When they have passed, the pipeline is stopped (as Ctrl+C does), what it wrote
        until then is returned, and the task fails. Unset, there is no limit. From V(1) to V(2147483).
      - Not with O(disconnected).
    type: int
  disconnected:
    description:
      - Start the script and disconnect from the session at once; the script keeps running on the host.
      - The result has RV(command_id) to give to M(psremoting.pssession.receive); the streams are empty.
    type: bool
    default: false
  idle_timeout:
    description:
      - With O(disconnected), the IdleTimeout the session is disconnected with (seconds, from V(60) to V(2147483));
        the following tasks of this run keep it. Unset, the connection's C(idle_timeout).
    type: int
  output_buffering_mode:
    description:
      - With O(disconnected), what the host does with output while nobody is connected. V(block) pauses the
        command when the output buffer is full, so nothing is lost; V(drop) discards the oldest output.
        Unset, the connection's C(output_buffering_mode).
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
    support: partial
    details: In check mode the script is not run; the result says so (as M(ansible.windows.win_powershell) without SupportsShouldProcess).
  diff_mode:
    support: none
notes:
  - One command runs at a time in a session. While a command started with O(disconnected=true) still runs, a
    new one waits for it on the host.
  - Output values are converted on the controller from what the host serialized. DateTime values are the ISO 8601
    text the host sent (with its offset); enums are dictionaries with C(Type), C(String) and C(Value).
  - Write-Host text is in RV(host_out); where the host does not forward host calls, it is taken from the
    information records tagged C(PSHOST).
seealso:
  - module: ansible.windows.win_powershell
  - module: psremoting.pssession.receive
  - plugin: psremoting.pssession.psrp
    plugin_type: connection
"""

EXAMPLES = r"""
- name: Define a function in the session; later tasks can call it
  psremoting.pssession.invoke:
    script: |
      function Get-Backlog { param($Queue) Get-Content "C:\queues\$Queue.txt" }

- name: Run a script with parameters and read structured output
  psremoting.pssession.invoke:
    script: |
      param([string]$Name, [int]$Count)
      1..$Count | ForEach-Object { [PSCustomObject]@{ Name = $Name; Index = $_ } }
      $Ansible.Changed = $false
    parameters:
      Name: build
      Count: 3
  register: listing

- name: A controller-side script file, failing on any error record, at most 10 minutes
  psremoting.pssession.invoke:
    path: scripts/Update-Index.ps1
    error_action: stop
    timeout: 600

- name: Start a long job and leave it running (seeds, Connect-PSSession example 3)
  psremoting.pssession.invoke:
    script: Start-Job -Name Backup -FilePath \\Server30\Scripts\Backup-SQLDatabase.ps1
    disconnected: true
    idle_timeout: 54000
    output_buffering_mode: drop
  register: started
"""

RETURN = r"""
output:
  description: The objects the script wrote to its output, converted to JSON-friendly values (see O(depth)).
  returned: always
  type: list
  elements: raw
  sample: ['output 1', 2, ['inner list'], {'key': 'value'}, null]
result:
  description: What the script set in C($Ansible.Result); an empty dict by default.
  returned: always
  type: raw
  sample: {'key': 'value'}
error:
  description: The error records of the script (non-terminating ones, and the terminating one if it failed).
  returned: always
  type: list
  elements: dict
  contains:
    output:
      description: The record formatted as PowerShell prints it.
      type: str
      returned: always
      sample: "Write-Error : oops\r\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\r\n"
    error_details:
      description: The record's ErrorDetails (message, recommended_action), or null.
      type: dict
      returned: always
    exception:
      description: The exception behind the record.
      type: dict
      returned: always
      contains:
        message:
          description: The exception message.
          type: str
          returned: always
          sample: oops
        type:
          description: The .NET type of the exception.
          type: str
          returned: always
          sample: Microsoft.PowerShell.Commands.WriteErrorException
        help_link:
          description: The exception's HelpLink, if any.
          type: str
          returned: always
        source:
          description: The exception's Source, if any.
          type: str
          returned: always
        hresult:
          description: The exception's HResult, if the host sent it.
          type: int
          returned: always
        inner_exception:
          description: The inner exception, with the same keys, or null.
          type: dict
          returned: always
    target_object:
      description: The object the error is about, converted like RV(output).
      type: raw
      returned: always
    category_info:
      description: The record's category.
      type: dict
      returned: always
      contains:
        category:
          description: The ErrorCategory name.
          type: str
          returned: always
          sample: NotSpecified
        category_id:
          description: The ErrorCategory value.
          type: int
          returned: always
          sample: 0
        activity:
          description: The operation that failed.
          type: str
          returned: always
          sample: Write-Error
        reason:
          description: The reason, usually the exception type name.
          type: str
          returned: always
          sample: WriteErrorException
        target_name:
          description: The target's name, or an empty string.
          type: str
          returned: always
        target_type:
          description: The target's type, or an empty string.
          type: str
          returned: always
    fully_qualified_error_id:
      description: The FullyQualifiedErrorId.
      type: str
      returned: always
      sample: Microsoft.PowerShell.Commands.WriteErrorException
    script_stack_trace:
      description: The script stack trace, when the host sends it.
      type: str
      returned: always
      sample: 'at <ScriptBlock>, <No file>: line 1'
    pipeline_iteration_info:
      description: The pipeline iteration of each command when the record was written.
      type: list
      elements: int
      returned: always
warning:
  description: The messages of the warning stream.
  returned: always
  type: list
  elements: str
  sample: ['disk almost full']
verbose:
  description: The messages of the verbose stream (written only when C($VerbosePreference) lets them through).
  returned: always
  type: list
  elements: str
debug:
  description: The messages of the debug stream (written only when C($DebugPreference) lets them through).
  returned: always
  type: list
  elements: str
information:
  description: The information records (Write-Information, and Write-Host with the tag C(PSHOST)).
  returned: always
  type: list
  elements: dict
  contains:
    message_data:
      description: The record's data, converted like RV(output).
      type: raw
      returned: always
      sample: information record
    source:
      description: The source of the record.
      type: str
      returned: always
      sample: Write-Information
    time_generated:
      description: When the record was written, ISO 8601 in UTC.
      type: str
      returned: always
      sample: '2021-02-11T04:46:00.4694240Z'
    tags:
      description: The record's tags.
      type: list
      elements: str
      returned: always
      sample: ['PSHOST']
host_out:
  description: Text written to the host (Write-Host, C($Host.UI.WriteLine)).
  returned: always
  type: str
  sample: "Line 1\r\nLine 2\r\n"
host_err:
  description: Text written to the host's error output.
  returned: always
  type: str
  sample: ''
changed:
  description: C($Ansible.Changed) as the script left it; true unless the script set it to false.
  returned: always
  type: bool
command_id:
  description: The id of the command (pipeline) on the host; with O(disconnected=true), what to give M(psremoting.pssession.receive).
  returned: when the script was started
  type: str
  sample: 5C0B1D6E-3B5C-4C11-9E4B-2A7D1C0F9A11
state:
  description: The command's state when the task ended, V(Completed), V(Failed), V(Stopped), or V(Running) with O(disconnected=true).
  returned: when the script was started
  type: str
  sample: Completed
session:
  description: The session the script ran in.
  returned: always
  type: dict
  contains:
    name:
      description: The session's name.
      type: str
      returned: always
      sample: ITTask
    instance_id:
      description: The session's instance id (the WSMan ShellId); null in check mode.
      type: str
      returned: always
      sample: 0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C
    state:
      description: V(Opened) while the task used it, V(Disconnected) after O(disconnected=true); null in check mode.
      type: str
      returned: always
      sample: Opened
    recreated:
      description: True when the session this controller used before had expired or was removed, and a new empty one was created.
      type: bool
      returned: always
      sample: false
"""
