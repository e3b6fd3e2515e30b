# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module hygiene: the pipelines sent around a module task's own pipeline (docs/design.md, section 8).

A module task sends ansible-core's bootstrap wrapper, which runs the exec wrapper in a child scope of
the session's global scope (not in a runspace of its own, as with ansible.builtin.psrp). So the
wrapper leaves variables, modules, environment variables and a nested runspace in the session, and
it sees the session's functions, aliases, StrictMode and preferences. The module's own pipeline is
sent unchanged; this module gives the two pipelines around it:

- the PROLOGUE (global scope: use_local_scope false, so StrictMode and variables are the session's):
  first what an EPILOGUE does (an earlier task's prologue whose epilogue never ran is undone first),
  then a snapshot of what a module changes, and the session's own state is moved out of the
  wrapper's sight into one global variable with the Private option (about_Scopes: "Private: the item
  is visible only in the current scope"; the wrapper runs in a child scope and cannot see it);
- the EPILOGUE: everything put back, the module's leftovers removed, the stash removed.

All PowerShell of this collection that does this lives here. Every cmdlet is called by its
module-qualified name (about_Command_Precedence: "To run a command that has been hidden ... use
the module-qualified name"), so the very functions and aliases this hides cannot hijack it. Each
step runs where the session's preferences cannot change what it does: inside a child scope that sets
$ErrorActionPreference, $WhatIfPreference, $ConfirmPreference and $PSDefaultParameterValues for itself
(about_Scopes: a variable set in a scope hides the parent's), and at top level with -WhatIf:$false
-Confirm:$false. Only what a ConstrainedLanguage session allows is used for what must always happen
(providers and cmdlets: the environment through the Env: drive); the two .NET calls (disposing idle
runspaces, resetting ClrFacade's encoding) run in FullLanguage only (about_Language_Modes).
"""

from __future__ import annotations

import functools
import pkgutil
import typing as t

from ansible.module_utils.common.text.converters import to_text

# The global variable (Private) that holds what the prologue moved aside and what it saw.
STASH = '__PSSessionHygiene'

# A first line of each script, so a recording of the pipelines (and -vvvvv) names them.
PROLOGUE_MARK = '# psremoting.pssession module hygiene: prologue'
EPILOGUE_MARK = '# psremoting.pssession module hygiene: epilogue'

# What Windows PowerShell 5.1 starts a session with (about_Preference_Variables, "Default value"),
# set for the wrapper and put back after it. None: not defined by default ($OFS: a space;
# $PSModuleAutoLoadingPreference: All), removed for the wrapper. Values are PowerShell expressions.
PREFERENCE_DEFAULTS: dict[str, str | None] = {
    'ConfirmPreference': "'High'",
    'DebugPreference': "'SilentlyContinue'",
    'ErrorActionPreference': "'Continue'",
    'InformationPreference': "'SilentlyContinue'",
    'ProgressPreference': "'Continue'",
    'VerbosePreference': "'SilentlyContinue'",
    'WarningPreference': "'Continue'",
    'WhatIfPreference': '$false',
    'OFS': None,
    'PSModuleAutoLoadingPreference': None,
    # about_Parameters_Default_Values: empty by default.
    'PSDefaultParameterValues': '@{}',
}

# Global variables the wrapper may change that existed before it ran: put back as they were
# (the wrapper's `exit` sets $LASTEXITCODE; a raw task's own exit code must not become it).
KEPT_VALUES = ('LASTEXITCODE',)


def _literal(name: str) -> str:
    """A variable name as a PowerShell single-quoted string. Every name here is a plain identifier (asserted), so
    nothing in it needs escaping; values never go into these scripts as text."""
    if not name.isidentifier():
        raise ValueError('not a PowerShell variable name: %r' % name)
    return "'%s'" % name


def _preference_table() -> str:
    rows = []
    for name, default in PREFERENCE_DEFAULTS.items():
        rows.append('%s = %s' % (_literal(name), '$null' if default is None else '@(, %s)' % default))
    return '@{ %s }' % '; '.join(rows)


# What each child scope of the scripts sets for itself first: the session's (or a module's) preferences and
# default parameter values cannot make a step stop half way, only say what it would do, or ask.
_SAFE_SCOPE = ("$ErrorActionPreference = 'Continue'; $WhatIfPreference = $false; $ConfirmPreference = 'None'; "
               "$PSDefaultParameterValues = @{}")

# The epilogue. Top level runs in the global scope (use_local_scope false). The work is done in child scopes
# (`& { }`) so that its variables do not land in the global scope; what must act on the global scope itself
# stays at top level: functions (the Function: provider sets them in the caller's scope; ForEach-Object runs
# its script block in the caller's scope) and Set-StrictMode (it sets the mode of the scope it runs in,
# about_Set-StrictMode). Each step runs only for what the prologue took (a prologue that failed half way
# leaves $null for the rest): an untaken snapshot undoes nothing. The session's preferences come back last,
# in `finally`, with the stash's removal: whatever failed before, the stash does not outlive the epilogue
# unless removing it failed (then the caller keeps the epilogue pending: stash_left).
_EPILOGUE_BODY = r'''
if (Microsoft.PowerShell.Utility\Get-Variable -Name __STASH__ -Scope Global -ErrorAction Ignore) {
    try {
        & {
            param($stash)
            __SAFE_SCOPE__
            $fullLanguage = "$($ExecutionContext.SessionState.LanguageMode)" -eq 'FullLanguage'
            # Windows PowerShell's default encoding of script files: exec_wrapper.ps1's Set-WinPSDefaultFileEncoding
            # sets the private static field ClrFacade._defaultEncoding (5.1 only) and says so in $AnsibleClrFacadeSet
            # (read before the wrapper's variables go). The field is filled lazily (that function's comment): emptied,
            # 5.1 computes its own default again.
            $flipped = Microsoft.PowerShell.Utility\Get-Variable -Name AnsibleClrFacadeSet -Scope Global -ValueOnly -ErrorAction Ignore
            if ($fullLanguage -and $PSVersionTable.PSVersion.Major -lt 6 -and $flipped -eq $true) {
                $facade = [PSObject].Assembly.GetType('System.Management.Automation.ClrFacade')
                $facade.GetField('_defaultEncoding', [Reflection.BindingFlags]'NonPublic, Static').SetValue($null, $null)
            }
            # Process environment (module_wrapper.ps1 applies environment: with [Environment]::SetEnvironmentVariable;
            # the Env: drive is the same process environment, and allowed in every language mode).
            if ($null -ne $stash.Environment) {
                $now = @{}
                foreach ($entry in @(Microsoft.PowerShell.Management\Get-ChildItem -LiteralPath 'Env:\')) { $now[$entry.Key] = $entry.Value }
                foreach ($name in @($now.Keys)) {
                    if (-not $stash.Environment.ContainsKey($name)) {
                        Microsoft.PowerShell.Management\Remove-Item -LiteralPath ('Env:\' + $name) -Force
                    }
                    elseif ($now[$name] -cne $stash.Environment[$name]) {
                        Microsoft.PowerShell.Management\Set-Item -LiteralPath ('Env:\' + $name) -Value $stash.Environment[$name]
                    }
                }
                foreach ($name in @($stash.Environment.Keys)) {
                    if (-not $now.ContainsKey($name)) {
                        Microsoft.PowerShell.Management\Set-Item -LiteralPath ('Env:\' + $name) -Value $stash.Environment[$name]
                    }
                }
            }
            # Global variables the wrapper added ($AnsibleManifest, ...; exec_wrapper.ps1's $Script: scope is the global scope).
            if ($null -ne $stash.Variables) {
                foreach ($variable in @(Microsoft.PowerShell.Utility\Get-Variable -Scope Global)) {
                    if ($stash.Variables -notcontains $variable.Name -and $variable.Name -ne '__STASH__') {
                        Microsoft.PowerShell.Utility\Remove-Variable -Name $variable.Name -Scope Global -Force -ErrorAction Ignore
                    }
                }
            }
            foreach ($name in @($stash.Kept.Keys)) {
                Microsoft.PowerShell.Utility\Set-Variable -Name $name -Scope Global -Value $stash.Kept[$name][0] -Force
            }
            # Modules the wrapper imported -Scope Global: its module utils, named by exec_wrapper.ps1's
            # Import-PowerShellUtil and module_wrapper.ps1 after their files (Ansible.ModuleUtils.*, and a collection's
            # ansible_collections.*). Modules autoloaded by a cmdlet's first use stay, as in any session.
            if ($null -ne $stash.Modules) {
                foreach ($module in @(Microsoft.PowerShell.Core\Get-Module)) {
                    $utility = $module.Name -like 'Ansible.ModuleUtils.*' -or $module.Name -like 'ansible_collections.*'
                    if ($stash.Modules -notcontains $module.Name -and $utility) {
                        Microsoft.PowerShell.Core\Remove-Module -ModuleInfo $module -Force
                    }
                }
            }
            # Runspaces made during the task and idle now (module_wrapper.ps1's [PowerShell]::Create(), never disposed).
            if ($fullLanguage -and $null -ne $stash.Runspaces) {
                foreach ($runspace in @(Microsoft.PowerShell.Utility\Get-Runspace)) {
                    if ($stash.Runspaces -notcontains $runspace.Id -and "$($runspace.RunspaceAvailability)" -eq 'Available') {
                        $runspace.Dispose()
                    }
                }
            }
            foreach ($alias in @($stash.Aliases)) {
                $restore = @{ Name = $alias.Name; Value = $alias.Definition; Option = $alias.Options; Description = $alias.Description }
                Microsoft.PowerShell.Utility\Set-Alias @restore -Scope Global -Force
            }
        } $__STASH__
        @($__STASH__.Functions) | Microsoft.PowerShell.Core\ForEach-Object {
            Microsoft.PowerShell.Management\Set-Item -LiteralPath ('Function:\' + $_.Name) -Value $_.ScriptBlock -Force -WhatIf:$false -Confirm:$false
        }
        if ($__STASH__.StrictMode) { Microsoft.PowerShell.Core\Set-StrictMode -Version $__STASH__.StrictMode }
        else { Microsoft.PowerShell.Core\Set-StrictMode -Off }
    }
    finally {
        & {
            param($stash)
            __SAFE_SCOPE__
            foreach ($name in @($stash.Preferences.Keys)) {
                $saved = $stash.Preferences[$name]
                if ($null -eq $saved) { Microsoft.PowerShell.Utility\Remove-Variable -Name $name -Scope Global -Force -ErrorAction Ignore }
                else { Microsoft.PowerShell.Utility\Set-Variable -Name $name -Scope Global -Value $saved[0] -Force }
            }
        } $__STASH__
        Microsoft.PowerShell.Utility\Remove-Variable -Name __STASH__ -Scope Global -Force -WhatIf:$false -Confirm:$false
    }
}
'''

# The epilogue's last line: says so when the stash is still there (its removal failed), so that the epilogue stays
# pending. A run that ends in an error before it says nothing, and stays pending too (TaskSession._hygiene).
_EPILOGUE_DONE = r'''
if (-not (Microsoft.PowerShell.Utility\Get-Variable -Name __STASH__ -Scope Global -ErrorAction Ignore)) { '__DONE__' }
'''

# The prologue proper (after the epilogue's text). The stash exists before anything is changed and is filled
# as the work goes, each thing kept before it is changed: if the prologue fails half way, the epilogue puts
# back what was changed and nothing else.
_PROLOGUE_BODY = r'''
Microsoft.PowerShell.Utility\Set-Variable -Name __STASH__ -Scope Global -Option Private -Force -WhatIf:$false -Confirm:$false -Value @{
    StrictMode = $null; Environment = $null; Variables = $null; Kept = @{}; Modules = $null; Runspaces = $null
    Preferences = @{}; Aliases = @(); Functions = @()
}
& {
    param($stash, $preferences)
    # StrictMode in force (Windows PowerShell has no getter): probed from the strictest version down
    # (about_Set-StrictMode: 3.0 out-of-bounds indexes, 2.0 missing properties, 1.0 unset variables).
    try { $null = @(1)[1] } catch { $stash.StrictMode = '3.0' }
    if ($null -eq $stash.StrictMode) { try { $probe = 1; $null = $probe.PSSessionHygieneProbe } catch { $stash.StrictMode = '2.0' } }
    if ($null -eq $stash.StrictMode) { try { $null = $PSSessionHygieneUnsetProbe } catch { $stash.StrictMode = '1.0' } }
    __SAFE_SCOPE__
    $environment = @{}
    foreach ($entry in @(Microsoft.PowerShell.Management\Get-ChildItem -LiteralPath 'Env:\')) { $environment[$entry.Key] = $entry.Value }
    $stash.Environment = $environment
    $stash.Variables = @(foreach ($variable in @(Microsoft.PowerShell.Utility\Get-Variable -Scope Global)) { $variable.Name })
    foreach ($name in __KEPT__) {
        $variable = Microsoft.PowerShell.Utility\Get-Variable -Name $name -Scope Global -ErrorAction Ignore
        if ($variable) { $stash.Kept[$name] = @(, $variable.Value) }
    }
    $stash.Modules = @(foreach ($module in @(Microsoft.PowerShell.Core\Get-Module)) { $module.Name })
    $stash.Runspaces = @(foreach ($runspace in @(Microsoft.PowerShell.Utility\Get-Runspace)) { $runspace.Id })
    # Aliases named like a command (Verb-Noun, as every command the wrapper and module utils call; no built-in
    # alias of 5.1 or 7 is): an alias comes before any function or cmdlet (about_Command_Precedence). Removed for
    # the wrapper; AllScope ones (5.1's built-ins) are left: they live in every scope.
    $stash.Aliases = @(foreach ($alias in @(Microsoft.PowerShell.Utility\Get-Alias)) {
        if ($alias.Name -like '*-*' -and "$($alias.Options)" -notlike '*AllScope*') { $alias }
    })
    foreach ($alias in $stash.Aliases) { Microsoft.PowerShell.Management\Remove-Item -LiteralPath ('Alias:\' + $alias.Name) -Force }
    # Functions named like a cmdlet (a function comes before a cmdlet): removed for the wrapper (at top level below).
    $stash.Functions = @(foreach ($function in @(Microsoft.PowerShell.Management\Get-ChildItem -LiteralPath 'Function:\')) {
        if ($function.Name -like '*-*' -and (Microsoft.PowerShell.Core\Get-Command -Name $function.Name -CommandType Cmdlet -ErrorAction Ignore)) {
            $function
        }
    })
    # Last, preference variables and $PSDefaultParameterValues: the session's values kept, 5.1's defaults set.
    foreach ($name in @($preferences.Keys)) {
        $variable = Microsoft.PowerShell.Utility\Get-Variable -Name $name -Scope Global -ErrorAction Ignore
        # (assigned in each branch: an if statement's output would unroll the one-element array)
        if ($variable) { $stash.Preferences[$name] = @(, $variable.Value) } else { $stash.Preferences[$name] = $null }
        if ($null -eq $preferences[$name]) { Microsoft.PowerShell.Utility\Remove-Variable -Name $name -Scope Global -Force -ErrorAction Ignore }
        else { Microsoft.PowerShell.Utility\Set-Variable -Name $name -Scope Global -Value $preferences[$name][0] -Force }
    }
} $__STASH__ __PREFERENCES__
@($__STASH__.Functions) | Microsoft.PowerShell.Core\ForEach-Object {
    Microsoft.PowerShell.Management\Remove-Item -LiteralPath ('Function:\' + $_.Name) -Force -WhatIf:$false -Confirm:$false
}
Microsoft.PowerShell.Core\Set-StrictMode -Off
'''

# What the epilogue prints when the stash is gone (the session is put back).
DONE_MARK = 'psremoting.pssession: session put back'


def _fill(text: str) -> str:
    """The script as sent: placeholders filled, comment lines and indentation left out (they are read here,
    not on every module task's wire)."""
    text = '\n'.join(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith('#'))
    text = text.replace('__STASH__', STASH).replace('__PREFERENCES__', _preference_table()).replace('__SAFE_SCOPE__', _SAFE_SCOPE)
    text = text.replace('__DONE__', DONE_MARK)
    return '\n' + text.replace('__KEPT__', '@(%s)' % ', '.join(_literal(name) for name in KEPT_VALUES))


@functools.lru_cache(maxsize=None)
def epilogue_script() -> str:
    """Puts the session back as the prologue found it; does nothing where no prologue ran (or it was undone)."""
    return EPILOGUE_MARK + _fill(_EPILOGUE_BODY) + _fill(_EPILOGUE_DONE)


@functools.lru_cache(maxsize=None)
def prologue_script() -> str:
    """Undoes an earlier prologue left without its epilogue, then snapshots and hides the session's state."""
    return PROLOGUE_MARK + _fill(_EPILOGUE_BODY) + _fill(_PROLOGUE_BODY)


def _normalised(script: str) -> str:
    """Lines stripped, empty ones dropped: how the powershell shell plugin's _encode_script lays a script out."""
    return '\n'.join(line.strip() for line in script.splitlines() if line.strip())


# A line of bootstrap_wrapper.ps1 in every supported ansible-core (2.16 to 2.21; a string, so 2.21's comment
# stripping keeps it): text without it is not the wrapper, and no command would ever be recognised by it.
WRAPPER_SIGN = 'Ansible requires PowerShell v'
# From this ansible-core on, the wrapper goes into a command through module_manifest._get_powershell_script.
MANIFEST_SINCE = (2, 19)

_off_warned = False  # module hygiene's off warning was given in this process


def _core_version() -> tuple[int, ...]:
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel  # loaded by ansible already
    return tuple(int(part) for part in __version__.split('.')[:2] if part.isdigit())


@functools.lru_cache(maxsize=1)
def _bootstrap_wrapper() -> tuple[str, str | None]:
    """(bootstrap_wrapper.ps1 as this ansible-core puts it into a command, None), or ('', why it cannot be had).

    From 2.19 through module_manifest._get_powershell_script (2.21 strips its comments and blank lines there),
    before 2.19 the file as it is (the shell plugin reads it with pkgutil). That function is private: a release
    that renames it or changes what it gives must not make hygiene stop silently (_warn_off). Imported here, on
    the first command that could run the wrapper, never for a raw task."""
    version = _core_version()
    if version >= MANIFEST_SINCE:
        try:
            from ansible.executor.powershell.module_manifest import _get_powershell_script  # pylint: disable=import-outside-toplevel
        except ImportError as err:
            return '', 'ansible-core %s has no module_manifest._get_powershell_script (%s)' % ('.'.join(map(str, version)), err)
        try:
            data = _get_powershell_script('bootstrap_wrapper.ps1')
        except Exception as err:  # pylint: disable=broad-except  # whatever a changed private function raises
            return '', 'ansible-core\'s _get_powershell_script failed (%s: %s)' % (type(err).__name__, err)
    else:  # 2.16 to 2.18
        try:
            data = pkgutil.get_data('ansible.executor.powershell', 'bootstrap_wrapper.ps1')
        except (OSError, ImportError) as err:
            return '', 'ansible-core\'s bootstrap_wrapper.ps1 cannot be read (%s)' % err
    text = _normalised(to_text(data or b'', errors='surrogate_or_strict'))
    if WRAPPER_SIGN not in text:
        return '', 'the bootstrap wrapper this ansible-core gives is not one it recognises (no %r in it)' % WRAPPER_SIGN
    return text, None


def _warn_off(why: str, warn: t.Callable[[str], None] | None) -> None:
    """Once per process: module hygiene is off, modules still run."""
    global _off_warned  # pylint: disable=global-statement
    if _off_warned or warn is None:
        return
    _off_warned = True
    warn('psremoting.pssession.psrp: module hygiene between tasks is off: %s. Module tasks still run, but what one '
         'leaves in the PSSession (variables, modules, environment, preferences) stays there for the next task; '
         'report this with your ansible-core version' % why)


def runs_exec_wrapper(script: str, warn: t.Callable[[str], None] | None = None) -> bool:
    """Whether an encoded command's script is ansible-core's bootstrap wrapper, which runs the exec wrapper in
    the session (executor/powershell/bootstrap_wrapper.ps1 of this ansible-core, as the shell plugin encodes
    it). That is every module task, and from 2.19 on also the shell plugin's helpers built on it
    (_mkdtemp2, _expand_user2: module_manifest._bootstrap_powershell_script, with `Set-StrictMode -Version
    Latest` in front), which leave the same variables. 2.16 to 2.18's helper scripts (mkdtemp, expand_user)
    are plain scripts run in a local scope: they leave nothing and get no hygiene pipelines.

    Where the wrapper cannot be had, no command is recognised (no hygiene pipelines; the command runs as
    sent) and ``warn`` is told why, once per process."""
    wrapper, off = _bootstrap_wrapper()
    if off is not None:
        _warn_off(off, warn)
        return False
    return wrapper in _normalised(script)


def stash_left(stdout: bytes) -> bool:
    """Whether an epilogue's output says the session may not be put back (its stash is still there, or the
    script ended before saying): the epilogue then stays pending, and the next task runs it again."""
    return DONE_MARK not in to_text(stdout, errors='surrogate_or_strict')


def summary(rc: int, stdout: bytes, stderr: bytes) -> str | None:
    """What went wrong in a hygiene pipeline, for a warning; None when it ran cleanly."""
    if rc == 0 and not stderr.strip():
        return None
    text = to_text(stderr or stdout, errors='surrogate_or_strict').strip()
    return text.splitlines()[0][:300] if text else 'exit code %d' % rc


__all__: t.List[str] = ['STASH', 'epilogue_script', 'prologue_script', 'runs_exec_wrapper', 'stash_left', 'summary']
