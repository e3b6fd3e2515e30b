# Sets WinRM limits through the WSMan provider and reports them, as psremoting.pssession.session_host needs.
# A limit given as $null is left as it is; timeouts are in seconds (WinRM keeps milliseconds).
# Runs with -WhatIf in check mode: ShouldProcess then reports what would change and changes nothing.
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string]$Configuration,
    $MaxShellsPerUser,
    $MaxMemoryPerShellMB,
    $IdleTimeout,
    $MaxIdleTimeout
)

$ErrorActionPreference = 'Stop'
$quotas = "Plugin\$Configuration\Quotas"
$reported = @('Shell\MaxShellsPerUser', 'Shell\MaxMemoryPerShellMB', 'Shell\IdleTimeout',
    "$quotas\IdleTimeoutms", "$quotas\MaxIdleTimeoutms", "$quotas\MaxMemoryPerShellMB",
    "$quotas\MaxConcurrentCommandsPerShell")

# The paths below WSMan:\localhost to set, and their values as WinRM keeps them.
$Settings = @{}
if ($null -ne $MaxShellsPerUser) { $Settings['Shell\MaxShellsPerUser'] = [string]$MaxShellsPerUser }
if ($null -ne $MaxMemoryPerShellMB) {
    $Settings['Shell\MaxMemoryPerShellMB'] = [string]$MaxMemoryPerShellMB
    $Settings["$quotas\MaxMemoryPerShellMB"] = [string]$MaxMemoryPerShellMB
}
if ($null -ne $IdleTimeout) { $Settings["$quotas\IdleTimeoutms"] = [string]([int64]$IdleTimeout * 1000) }
if ($null -ne $MaxIdleTimeout) { $Settings["$quotas\MaxIdleTimeoutms"] = [string]([int64]$MaxIdleTimeout * 1000) }

$before = @{}
$after = @{}
$changed = $false
foreach ($path in $reported) {
    $value = (Get-Item -Path "WSMan:\localhost\$path").Value
    $before[$path] = $value
    $after[$path] = $value
}
foreach ($path in @($Settings.Keys | Sort-Object)) {
    $want = [string]$Settings[$path]
    $current = (Get-Item -Path "WSMan:\localhost\$path").Value
    if ($current -ne $want) {
        $changed = $true
        if ($PSCmdlet.ShouldProcess("WSMan:\localhost\$path", "Set value from $current to $want")) {
            Set-Item -Path "WSMan:\localhost\$path" -Value $want
        }
        $after[$path] = $want
    }
}

$Ansible.Changed = $changed
$Ansible.Diff = @{ before = $before; after = $after }
$Ansible.Result = @{
    max_shells_per_user = [int64]$after['Shell\MaxShellsPerUser']
    max_memory_per_shell_mb = [int64]$after['Shell\MaxMemoryPerShellMB']
    shell_idle_timeout = [int64]$after['Shell\IdleTimeout'] / 1000
    configuration = $Configuration
    idle_timeout = [int64]$after["$quotas\IdleTimeoutms"] / 1000
    max_idle_timeout = [int64]$after["$quotas\MaxIdleTimeoutms"] / 1000
    configuration_max_memory_per_shell_mb = [int64]$after["$quotas\MaxMemoryPerShellMB"]
    max_concurrent_commands_per_shell = [int64]$after["$quotas\MaxConcurrentCommandsPerShell"]
}
