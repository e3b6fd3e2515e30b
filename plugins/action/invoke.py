# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psremoting.pssession.invoke: Invoke-Command -Session on the host's persistent session."""

from __future__ import annotations

import math
import time
import typing as t
import uuid

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.psremoting.pssession.plugins.plugin_utils.ps_results import (
    clear_host, convert_value, empty_streams, is_running, pipeline_command_id, pipeline_state, plain, stream_results,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.resume import KeyedStep, check_resume_args
from ansible_collections.psremoting.pssession.plugins.plugin_utils.run_overrides import write_override
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    DEPTH_MAX, INVOKE_SPEC, TIMEOUT_MAX, SessionActionBase, check_idle_timeout, check_range, session_summary,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_options import BUFFER_MODES
from ansible_collections.psremoting.pssession.plugins.plugin_utils.should_process import supports_should_process

PREFERENCES = {'silently_continue': 'SilentlyContinue', 'continue': 'Continue', 'stop': 'Stop'}

# Check mode and SupportsShouldProcess, as ansible.windows.win_powershell: a script whose own param block
# declares [CmdletBinding(SupportsShouldProcess)] runs with -WhatIf:$CheckMode -Confirm:$false (so its
# $PSCmdlet.ShouldProcess(...) calls answer no and tell the host "What if: ..." in check mode); any other
# script is not run in check mode at all.
#
# Where it is decided: first on the controller (plugin_utils/should_process.py), because a script that does
# not qualify must cost no request in check mode (no session is even opened for it). Then, for a script
# the controller found to qualify, the host's own parser confirms it in the SETUP pipeline below, before
# anything of the script runs, with win_powershell's AST test. The host has the last word because sending
# -WhatIf to a script that is not an advanced script would not stop it: PowerShell binds an unknown
# -WhatIf of a plain script to $args and runs the script. So -WhatIf/-Confirm are only sent, and a
# check-mode run only happens, when both agree; when they do not, the script is skipped (check mode) or run
# without them (as win_powershell runs a script that does not declare SupportsShouldProcess).

# Runs in a local scope before the script. The host's SupportsShouldProcess check comes first, so that a
# check-mode script the host does not confirm leaves the session untouched. Then the $Ansible variable
# win_powershell scripts use (in the global scope), a temporary directory for $Ansible.Tmpdir (removed by
# READBACK), and the error action (the previous one is kept in $Ansible and put back after).
SETUP = r"""
param([string]$Preference, [int]$Verbosity, [bool]$CheckMode, [string]$TmpName, [string]$ShouldProcessScript)
$supportsShouldProcess = $false
if ($ShouldProcessScript) {
    $parseErrors = @()
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($ShouldProcessScript, [ref]$null, [ref]$parseErrors)
    if ($parseErrors) {
        # PowerShell does not start a script it cannot parse, so -WhatIf cannot let anything run: the task
        # reports the parse error, in check mode too (as win_powershell, whose fallback also says yes here).
        $supportsShouldProcess = $true
    } elseif ($ast.ParamBlock) {
        $binding = @($ast.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' })
        if ($binding) {
            foreach ($named in $binding[0].NamedArguments) {
                if ($named.ArgumentName -eq 'SupportsShouldProcess' -and
                        ($named.ExpressionOmitted -or $named.Argument.ToString() -eq '$true')) {
                    $supportsShouldProcess = $true
                }
            }
        }
    }
}
if ($CheckMode -and -not $supportsShouldProcess) {
    return $false
}
$tmp = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), $TmpName)
$null = [System.IO.Directory]::CreateDirectory($tmp)
$global:Ansible = [PSCustomObject]@{
    CheckMode = $CheckMode
    Verbosity = $Verbosity
    Result = @{}
    Changed = $true
    Failed = $false
    Diff = @{}
    Tmpdir = $tmp
    PreviousErrorActionPreference = [string]$global:ErrorActionPreference
    ErrorActionPreferenceSet = $Preference
}
$global:ErrorActionPreference = $Preference
$supportsShouldProcess
"""

# Runs in a local scope after the script: reads $Ansible back, removes it and the temporary directory
# (by the name the controller chose, whatever the script did to $Ansible.Tmpdir), restores the error action.
READBACK = r"""
param([string]$TmpName)
$a = $global:Ansible
if ($null -ne $a -and $null -ne $a.ErrorActionPreferenceSet) {
    if ([string]$global:ErrorActionPreference -eq [string]$a.ErrorActionPreferenceSet) {
        $global:ErrorActionPreference = $a.PreviousErrorActionPreference
    }
}
Remove-Variable -Name Ansible -Scope Global -ErrorAction SilentlyContinue
$tmpError = $null
$tmp = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), $TmpName)
try {
    if ([System.IO.Directory]::Exists($tmp)) {
        [System.IO.Directory]::Delete($tmp, $true)
    }
} catch {
    $tmpError = $_.Exception.Message
}
if ($null -eq $a) {
    @{ present = $false; tmp_error = $tmpError }
} else {
    $diff = $null
    if ($a.Diff -is [System.Collections.IDictionary]) {
        $diff = $a.Diff
    }
    @{ present = $true; result = $a.Result; changed = $a.Changed; failed = $a.Failed; diff = $diff; tmp_error = $tmpError }
}
"""

SKIPPED = 'skipped, running in check mode'

STOP_GRACE = 30


class ActionModule(SessionActionBase):
    SPEC = INVOKE_SPEC

    def check_args(self, args: dict[str, t.Any]) -> None:
        raw = self._task.args.get('script')
        if isinstance(raw, (list, dict, bool)):
            # The argument spec would run str() of it: PowerShell would get Python's repr of a list.
            raise AnsibleActionFail('Option script must be PowerShell source text (a string), not a %s: %r; use a YAML block '
                                    'scalar (script: |) for several lines' % (type(raw).__name__, raw))
        check_range(args, 'depth', 0, DEPTH_MAX, 'levels')
        check_range(args, 'timeout', 1, TIMEOUT_MAX)
        check_idle_timeout(args)
        check_resume_args(args)
        if not args['disconnected'] and not args.get('resume_key'):
            for name in ('idle_timeout', 'output_buffering_mode'):
                if args.get(name) is not None and name not in self.from_group:
                    raise AnsibleActionFail('Option %s is only used with disconnected=true or resume_key (it sets how the '
                                            'session is disconnected while the command runs)' % name)

    def _script(self, args: dict[str, t.Any]) -> str:
        if args.get('script') is not None:
            return args['script']
        source = self._find_needle('files', args['path'])
        try:
            with open(source, 'rb') as handle:
                return to_text(handle.read(), errors='surrogate_or_strict').lstrip('\ufeff')
        except (OSError, UnicodeError) as err:
            raise AnsibleActionFail('Could not read the script of option path (%s): %s' % (source, err)) from None

    def _skipped(self, session: t.Any, msg: str = SKIPPED, opened: bool = False) -> dict[str, t.Any]:
        """The result of a script not run in check mode (win_powershell's, with the session)."""
        if opened:
            summary = session_summary(session, 'Opened', instance_id=session.shell_id)
        else:
            summary = dict(name=session.key.session_name, instance_id=None, state=None, recreated=False)
        return dict(empty_streams(), result={}, changed=True, msg=msg, command_id=None, state=None, session=summary)

    def act(self, args: dict[str, t.Any], session: t.Any, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        script = self._script(args) if args.get('script') is not None or args.get('path') is not None else None
        depth = args['depth']
        check_mode = bool(self._task.check_mode)
        declared = script is not None and supports_should_process(script)
        if check_mode and not declared:
            return self._skipped(session)
        if check_mode and args.get('resume_key'):
            # Attaching would take the step's output, and starting it is what check mode must not do.
            return self._skipped(session, SKIPPED + ': a keyed step (resume_key) is not run in check mode')
        if check_mode and args['disconnected']:
            # Its output could only be taken by a later receive task, and receive takes nothing in check mode.
            return self._skipped(session, SKIPPED + ': a script started with disconnected=true is not run in check mode')

        session = self.open_session()
        host = session.host
        shell_id = session.shell_id
        tmp_name = 'ansible-psremoting-%s' % uuid.uuid4().hex

        # resume_key: attach to the step's command, return its recorded outcome, or start it (plugin_utils/resume.py).
        keyed = KeyedStep(args, session, self._display, '%s %s' % (task_vars.get('inventory_hostname') or session.key.host,
                                                                   self._task.action)) if args.get('resume_key') else None
        recorded = keyed.begin(can_start=script is not None) if keyed else None
        if recorded is not None:
            recorded['session'] = session_summary(session, 'Opened', instance_id=shell_id)
            return keyed.annotate(recorded)

        ps = None
        if keyed is None or not keyed.attaching:
            setup = self._run_simple(session, SETUP, local=True, parameters=dict(
                Preference=PREFERENCES[args['error_action']], Verbosity=int(getattr(self._display, 'verbosity', 0) or 0),
                CheckMode=check_mode, TmpName=tmp_name, ShouldProcessScript=plain(script) if declared else ''))
            should_process = bool(setup and setup[-1] is True)
            clear_host(host)
            if declared and not should_process:
                self._display.vvv('PSSESSION invoke: the host\'s parser finds no [CmdletBinding(SupportsShouldProcess)] in the '
                                  'script\'s param block; it %s' % ('is not run in check mode' if check_mode else 'runs without -WhatIf'))
            if check_mode and not should_process:
                return self._skipped(session, opened=True)

            parameters = plain(args.get('parameters')) or {}
            if should_process:
                # Last, so that they win over the same names in parameters (win_powershell does the same).
                parameters = {k: v for k, v in parameters.items() if str(k).lower() not in ('whatif', 'confirm')}
                parameters.update(WhatIf=check_mode, Confirm=False)
            ps = session.start_script(plain(script), parameters, [plain(value) for value in args.get('arguments') or []],
                                      plain(args['input']) if args.get('input') else None, local=False,
                                      command_id=keyed.command_id if keyed else None, keep_running=keyed is not None)

        if args['disconnected']:
            result = self._leave_running(args, session, pipeline_command_id(ps) if ps else keyed.command_id, shell_id)
            return keyed.leave_running(result) if keyed else result

        if keyed:
            ps, timed_out = keyed.wait(ps, args.get('timeout'), self._wait)
        else:
            timed_out = self._wait(session, ps, args.get('timeout'))
        streams = stream_results(ps, host, depth)
        clear_host(host)
        state = pipeline_state(ps)
        readback = self._run_simple(session, READBACK, local=True, parameters=dict(TmpName=tmp_name))
        ansible_var: dict[str, t.Any] = {}
        if readback and isinstance(readback[0], dict):
            ansible_var = readback[0]

        result: dict[str, t.Any] = dict(streams)
        present = bool(ansible_var.get('present'))
        result['result'] = convert_value(ansible_var.get('result'), depth) if present else {}
        result['changed'] = bool(ansible_var.get('changed', True)) if present else True
        diff = ansible_var.get('diff') if present else None
        if self._task.diff and isinstance(diff, dict) and diff:
            # As Ansible.Basic: only with --diff, only when the script set something, each value to depth.
            result['diff'] = {to_text(k, nonstring='simplerepr'): convert_value(v, depth) for k, v in diff.items()}
        result['session'] = session_summary(session, 'Opened', instance_id=shell_id)
        result['command_id'] = pipeline_command_id(ps)
        result['state'] = state
        failures = []
        if timed_out:
            failures.append('the script did not finish within timeout=%ss and was stopped' % args['timeout'])
        elif state == 'Failed':
            failures.append('the script failed with a terminating error: %s' % self._last_error(result))
        elif state == 'Stopped':
            failures.append('the script was stopped')
        if args['error_action'] == 'stop' and result['error'] and not failures:
            failures.append('the script wrote error records and error_action is stop: %s' % self._last_error(result))
        if present and ansible_var.get('failed'):
            failures.append('the script set $Ansible.Failed')
        if failures:
            result['failed'] = True
            result['msg'] = '; '.join(failures)
        warnings = []
        if ansible_var.get('tmp_error'):
            warnings.append('psremoting.pssession.invoke could not remove the temporary directory of $Ansible.Tmpdir: %s'
                            % ansible_var['tmp_error'])
        warning = session.lost_replies_warning()
        if warning:
            warnings.append(warning)
        if warnings:
            result.setdefault('warnings', []).extend(warnings)
        return keyed.finish(result, ps) if keyed else result

    @staticmethod
    def _last_error(result: dict[str, t.Any]) -> str:
        if not result['error']:
            return 'no error record'
        exc = result['error'][-1].get('exception') or {}
        return exc.get('message') or result['error'][-1].get('fully_qualified_error_id') or 'unknown error'

    @staticmethod
    def _run_simple(session: t.Any, script: str, local: bool, parameters: dict[str, t.Any] | None = None) -> list[t.Any]:
        ok, output, errors = session.run_script(script, parameters, local=local)
        if not ok:
            raise AnsibleActionFail('The helper pipeline of psremoting.pssession.invoke failed on the host: %s' % errors)
        return output

    def _wait(self, session: t.Any, ps: t.Any, timeout: int | None) -> bool:
        """Receive until the pipeline ends; past ``timeout`` seconds stop it (ctrl_c). True if it was stopped so."""
        if not timeout:
            session.wait(ps)
            return False
        deadline = time.monotonic() + timeout
        while is_running(ps):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            session.poll(ps, max(1, min(session.operation_timeout, math.ceil(remaining))))
        if not is_running(ps):
            return False
        self._display.vvv('PSSESSION invoke: timeout of %ss reached, stopping the pipeline' % timeout)
        session.stop(ps, STOP_GRACE)
        return True

    def _leave_running(self, args: dict[str, t.Any], session: t.Any, command_id: str, shell_id: str) -> dict[str, t.Any]:
        """-InDisconnectedSession: the command keeps running on the host; disconnect at once."""
        session.leave_running()
        idle_timeout = args.get('idle_timeout') or session.options.idle_timeout
        buffer_mode = BUFFER_MODES[args['output_buffering_mode']] if args.get('output_buffering_mode') else session.options.buffer_mode
        session.disconnect(idle_timeout, buffer_mode)
        if args.get('idle_timeout') or args.get('output_buffering_mode'):
            # Later tasks of this run disconnect with the same settings.
            write_override(session.base_key.digest, dict(idle_timeout=idle_timeout, buffer_mode=buffer_mode))
        result = dict(empty_streams(), result={}, changed=True, command_id=command_id, state='Running')
        result['session'] = session_summary(session, 'Disconnected', instance_id=shell_id, idle_timeout=idle_timeout,
                                            output_buffering_mode=buffer_mode)
        return result
