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
  - As in M(ansible.windows.win_powershell) the script has a C($Ansible) variable. It can set C($Ansible.Result)
    (returned as RV(result)), C($Ansible.Changed) (RV(changed); true unless the script sets it to false),
    C($Ansible.Failed) (true fails the task) and C($Ansible.Diff) (a dictionary such as C(@{ before = ...; after = ... }),
    returned as RV(diff) when the task runs with C(--diff) and the script put something in it), and read
    C($Ansible.CheckMode) (true in check mode), C($Ansible.Verbosity) (the run's verbosity, 0 to 5, e.g. to set
    C($VerbosePreference) at 3 and above) and C($Ansible.Tmpdir) (a directory created for this task under the user's
    temporary directory, removed with what is in it when the script ends; with O(disconnected=true) it is left for the
    script). C($Ansible) is removed from the session when the script ends.
  - >-
    Check mode, as M(ansible.windows.win_powershell): a script whose own param block declares
    [CmdletBinding(SupportsShouldProcess)] (or C(SupportsShouldProcess=$true), any case and spacing) is run with
    C(-WhatIf), so that C($PSCmdlet.ShouldProcess) answers no and tells the host What if: Performing the operation
    "..." on target "...". (in RV(host_out)), and cmdlets that support C(-WhatIf) make no change; its result is
    returned, with RV(changed) as the script sets C($Ansible.Changed). Any other script is not run in check mode:
    RV(changed) is true and RV(msg) says V(skipped, running in check mode). Such a script also runs with
    C(-WhatIf:$false -Confirm:$false) outside check mode, so that a C(ConfirmImpact) never stops it for a prompt.
  - With O(disconnected=true) the command is started and the session disconnected at once
    (C(Invoke-Command -InDisconnectedSession)); the command keeps running on the host, and
    M(psremoting.pssession.receive) gets its output later, from this run or another one.
  - With O(resume_key) the script runs B(at most once per session) under that key. A later task with the same key
    (a relaunch after the controller died or an AWX job was cancelled) attaches to the command while it still runs
    or before its output was received, or returns the outcome recorded when it finished, instead of starting it
    again. See O(resume_key).
options:
  script:
    description:
      - The PowerShell script to run. Mutually exclusive with O(path).
      - One of O(script), O(path) and O(resume_key) is required; O(resume_key) alone only collects a step started
        before.
    type: str
  path:
    description:
      - A script file on the controller to run instead of O(script); relative paths are looked up like the C(files)
        of a role or playbook.
    type: path
  parameters:
    description:
      - Parameters of the script, as names and values (C(Invoke-Command -ScriptBlock) with a C(param) block, and named arguments).
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
      - With O(disconnected) or O(resume_key), the IdleTimeout the session is disconnected with while the command runs
        (seconds, from V(60) to V(2147483)); with O(disconnected) the following tasks of this run keep it. Unset, the
        connection's C(idle_timeout).
      - A disconnected session is removed by the host when its IdleTimeout passes, even while its command runs. A task
        waiting for a keyed step starts it again every O(poll_interval) seconds (30 at least); after O(disconnected=true)
        it must outlast the step and the time until a task collects it.
    type: int
  output_buffering_mode:
    description:
      - With O(disconnected) or O(resume_key), what the host does with output while nobody is connected. V(block)
        pauses the command when the output buffer is full, so nothing is lost; V(drop) discards the oldest output.
        Unset, the connection's C(output_buffering_mode).
    type: str
    choices: [block, drop]
  resume_key:
    description:
      - Run the script at most once in this session under this name (up to 256 characters), and let a later task
        with the same name pick it up instead of running it again.
      - The host's session keeps a record of each key (the command's id, state, start and end time, and once the
        output was received, the task's result); nothing is kept on the controller, so a relaunch from another
        controller or AWX job finds it too. The command's id is derived from the session's id and the key.
      - A task with a key that is new to the session starts the script. It then waits for it B(disconnected) from the
        session (looking at it every O(poll_interval) seconds, with a progress line, without taking its output), and
        reconnects to receive all its output once it has ended; so a task that dies while waiting leaves the whole
        output on the host and the session free for the relaunch. With O(disconnected=true) it returns at once.
      - A task whose key names a command still on the host (running, or ended with its output not yet received)
        attaches to it and returns its output (RV(attached)). A task whose key names a finished step returns the
        recorded result with C(changed=false) (RV(resumed)); a failed step stays failed.
      - A keyed command is never stopped because its task ended (cancelled, killed, ansible's C(timeout) keyword); only
        O(timeout) stops it. If the record says the step was started but the host has neither the command nor an
        outcome (a task received its output and died before recording it), the task fails and does not start it again.
      - Without O(script) and O(path), the task only collects, and fails when the key is unknown to the session.
      - The record lives as long as the session. A session that expired or was recreated knows no key (set the
        connection's C(strict_session) to fail instead of creating a new session). Use a new key to run a step again.
      - Collect a keyed step with this module and the same key, not with M(psremoting.pssession.receive), which
        takes its output without recording the outcome.
    type: str
  poll_interval:
    description:
      - With O(resume_key), seconds between progress lines while waiting for the step (from V(1) to V(3600)); the first
        looks at the command come sooner. Default V(5).
    type: int
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
      - A script whose own param block declares [CmdletBinding(SupportsShouldProcess)] runs with C(-WhatIf) and
        C(-Confirm:$false), C($Ansible.CheckMode) true, and returns its result as in a real run (the session is
        opened, or created, as in a real run); the controller reads the declaration first and the host's parser
        confirms it before anything runs.
      - Any other script is not run, and no request reaches the host for it (no session is opened); RV(changed) is
        true and RV(msg) is V(skipped, running in check mode), as with M(ansible.windows.win_powershell).
      - With O(disconnected=true) nothing is run (its output could only be received by a later task).
  diff_mode:
    support: partial
    details:
      - The script reports its own change by setting C($Ansible.Diff); with C(--diff) it is returned as RV(diff) when
        it is not empty. The module computes no diff itself.
notes:
  - One command runs at a time in a session. While a command started with O(disconnected=true) still runs, a
    new one waits for it on the host.
  - A task waiting for a keyed step (O(resume_key)) holds this controller's lock on the session, but not the session
    itself, which stays Disconnected on the host between the task's looks at it.
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

- name: A script that supports -WhatIf runs in check mode too, and reports a diff
  psremoting.pssession.invoke:
    script: |
      [CmdletBinding(SupportsShouldProcess)]
      param([string]$Name)
      $before = (Get-Item "WSMan:\localhost\Shell\$Name").Value
      $Ansible.Diff = @{ before = @{ $Name = $before }; after = @{ $Name = 7200000 } }
      $Ansible.Changed = $before -ne 7200000
      if ($Ansible.Changed -and $PSCmdlet.ShouldProcess($Name, 'Set WSMan shell setting')) {
          Set-Item "WSMan:\localhost\Shell\$Name" -Value 7200000
      }
    parameters:
      Name: IdleTimeout

- name: Start a long job and leave it running (as in Connect-PSSession's example 3)
  psremoting.pssession.invoke:
    script: Start-Job -Name Backup -FilePath \\Server30\Scripts\Backup-SQLDatabase.ps1
    disconnected: true
    idle_timeout: 54000
    output_buffering_mode: drop
  register: started

- name: A backup that runs at most once in this session, even if the job is relaunched while it runs
  psremoting.pssession.invoke:
    script: C:\scripts\Backup-SQLDatabase.ps1 -Database Sales
    resume_key: "backup-sales-{{ backup_date }}"
    idle_timeout: 14400
    poll_interval: 60
  register: backup

- name: In a later play or job, collect that step by its key (fails if the session knows no such step)
  psremoting.pssession.invoke:
    resume_key: "backup-sales-{{ backup_date }}"
  register: backup
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
  description: C($Ansible.Changed) as the script left it; true unless the script set it to false. True for a script not run in check mode.
  returned: always
  type: bool
diff:
  description:
    - What the script set in C($Ansible.Diff), each value converted like RV(output) (see O(depth)).
  returned: with C(--diff), when the script set C($Ansible.Diff) to a non-empty dictionary
  type: dict
  sample: {'before': {'state': 'absent'}, 'after': {'state': 'present'}}
msg:
  description: Why the script did not run, or why the task failed.
  returned: when the script was not run in check mode, or on failure
  type: str
  sample: skipped, running in check mode
command_id:
  description: The id of the command (pipeline) on the host; with O(disconnected=true), what to give M(psremoting.pssession.receive).
  returned: when the script was started, and with O(resume_key)
  type: str
  sample: 5C0B1D6E-3B5C-4C11-9E4B-2A7D1C0F9A11
state:
  description: The command's state when the task ended, V(Completed), V(Failed), V(Stopped), or V(Running) with O(disconnected=true).
  returned: when the script was started
  type: str
  sample: Completed
attached:
  description: With O(resume_key), true when an earlier task had started the step and this task attached to its command
    (still running, or ended with its output not yet received).
  returned: with O(resume_key), when not in check mode
  type: bool
  sample: true
resumed:
  description: With O(resume_key), true when this task did not start the step (it attached to it, or returned its recorded outcome).
  returned: with O(resume_key), when not in check mode
  type: bool
  sample: true
resume:
  description: With O(resume_key), the step's record.
  returned: with O(resume_key), when not in check mode
  type: dict
  contains:
    key:
      description: The O(resume_key).
      type: str
      returned: always
      sample: backup-sales-2026-01-31
    command_id:
      description: The step's command id (derived from the session's id and the key).
      type: str
      returned: always
      sample: 3F0C8E5B-8C1D-5B7A-9E2A-6D1C0B9A8F7E
    source:
      description: V(started) (this task started it), V(attached) (to the command an earlier task started) or
        V(recorded) (the outcome an earlier task recorded).
      type: str
      returned: always
      sample: attached
    started:
      description: When the step was started (ISO 8601, UTC, the controller's clock), if known.
      type: str
      returned: always
      sample: '2026-01-31T02:00:04.512Z'
    finished:
      description: When its outcome was recorded (ISO 8601, UTC), if it has finished.
      type: str
      returned: always
    changed:
      description: Whether the step changed something when it ran (RV(changed) is false for a recorded outcome).
      type: bool
      returned: always
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
      description: The session's instance id (the WSMan ShellId); null when a script was skipped in check mode without reaching the host.
      type: str
      returned: always
      sample: 0D3A5E0B-8C3B-4E4F-9F4B-6D1E2C3A4B5C
    state:
      description:
        - V(Opened) while the task used it, V(Disconnected) after O(disconnected=true).
        - Null when a script was skipped in check mode without reaching the host.
      type: str
      returned: always
      sample: Opened
    recreated:
      description: True when the session this controller used before had expired or was removed, and a new empty one was created.
      type: bool
      returned: always
      sample: false
"""
