"""The commands a Windows PowerShell 5.1 remote session on Windows Server can run without installing anything: the
cmdlets and functions of the modules that ship with it (the "Module Browser" reference of PowerShell 5.1 on
learn.microsoft.com: Microsoft.PowerShell.Core, .Management, .Utility, .Security, .Diagnostics, .Archive, CimCmdlets,
Microsoft.WSMan.Management). The tripwire (tripwire.unmodelled_command) uses it: running or asking Get-Command for one
of these that the interpreter does not model is a NotModelledByTestHost error naming it, not "the term is not
recognized", which would send a script down its "this Windows lacks it" path. The role and feature modules of a
Windows Server (ServerManager, NetTCPIP, ScheduledTasks, Storage, ...) are not listed: the list is where a gap is
found, not a proof that there is none.
"""

from __future__ import annotations

_BY_MODULE = {
    "Microsoft.PowerShell.Core": """
        Add-History Add-PSSnapin Clear-History Connect-PSSession Debug-Job Disable-PSRemoting
        Disable-PSSessionConfiguration Disconnect-PSSession Enable-PSRemoting Enable-PSSessionConfiguration
        Enter-PSHostProcess Enter-PSSession Exit-PSHostProcess Exit-PSSession Export-Console Export-ModuleMember
        ForEach-Object Get-Command Get-Help Get-History Get-Job Get-Module Get-PSHostProcessInfo Get-PSSession
        Get-PSSessionCapability Get-PSSessionConfiguration Get-PSSnapin Import-Module Invoke-Command Invoke-History
        New-Module New-ModuleManifest New-PSRoleCapabilityFile New-PSSession New-PSSessionConfigurationFile
        New-PSSessionOption New-PSTransportOption Out-Default Out-Host Out-Null Receive-Job Receive-PSSession
        Register-ArgumentCompleter Register-PSSessionConfiguration Remove-Job Remove-Module Remove-PSSession
        Remove-PSSnapin Resume-Job Save-Help Set-PSDebug Set-PSSessionConfiguration Set-StrictMode Start-Job Stop-Job
        Suspend-Job Test-ModuleManifest Test-PSSessionConfigurationFile Unregister-PSSessionConfiguration Update-Help
        Wait-Job Where-Object Clear-Host TabExpansion2 help mkdir more prompt Pause""",
    "Microsoft.PowerShell.Management": """
        Add-Computer Add-Content Checkpoint-Computer Clear-Content Clear-EventLog Clear-Item Clear-ItemProperty
        Clear-RecycleBin Complete-Transaction Convert-Path Copy-Item Copy-ItemProperty Debug-Process
        Disable-ComputerRestore Enable-ComputerRestore Get-ChildItem Get-Clipboard Get-ComputerInfo
        Get-ComputerRestorePoint Get-Content Get-ControlPanelItem Get-EventLog Get-HotFix Get-Item Get-ItemProperty
        Get-ItemPropertyValue Get-Location Get-Process Get-PSDrive Get-PSProvider Get-Service Get-TimeZone
        Get-Transaction Get-WmiObject Invoke-Item Invoke-WmiMethod Join-Path Limit-EventLog Move-Item Move-ItemProperty
        New-EventLog New-Item New-ItemProperty New-PSDrive New-Service New-WebServiceProxy Pop-Location Push-Location
        Register-WmiEvent Remove-Computer Remove-EventLog Remove-Item Remove-ItemProperty Remove-PSDrive
        Remove-WmiObject Rename-Computer Rename-Item Rename-ItemProperty Reset-ComputerMachinePassword Resolve-Path
        Restart-Computer Restart-Service Restore-Computer Resume-Service Set-Clipboard Set-Content Set-Item
        Set-ItemProperty Set-Location Set-Service Set-TimeZone Set-WmiInstance Show-ControlPanelItem Show-EventLog
        Split-Path Start-Process Start-Service Start-Transaction Stop-Computer Stop-Process Stop-Service
        Suspend-Service Test-ComputerSecureChannel Test-Connection Test-Path Undo-Transaction Use-Transaction
        Wait-Process Write-EventLog""",
    "Microsoft.PowerShell.Utility": """
        Add-Member Add-Type Clear-Variable Compare-Object ConvertFrom-Csv ConvertFrom-Json ConvertFrom-SddlString
        ConvertFrom-String ConvertFrom-StringData Convert-String ConvertTo-Csv ConvertTo-Html ConvertTo-Json
        ConvertTo-Xml Debug-Runspace Disable-PSBreakpoint Disable-RunspaceDebug Enable-PSBreakpoint
        Enable-RunspaceDebug Export-Alias Export-Clixml Export-Csv Export-FormatData Export-PSSession Format-Custom
        Format-Hex Format-List Format-Table Format-Wide Get-Alias Get-Culture Get-Date Get-Event Get-EventSubscriber
        Get-FileHash Get-FormatData Get-Host Get-Member Get-PSBreakpoint Get-PSCallStack Get-Random Get-Runspace
        Get-RunspaceDebug Get-TraceSource Get-TypeData Get-UICulture Get-Unique Get-Variable Group-Object
        Import-Alias Import-Clixml Import-Csv Import-LocalizedData Import-PowerShellDataFile Import-PSSession
        Invoke-Expression Invoke-RestMethod Invoke-WebRequest Measure-Command Measure-Object New-Alias New-Event
        New-Guid New-Object New-TemporaryFile New-TimeSpan New-Variable Out-File Out-GridView Out-Printer Out-String
        Read-Host Register-EngineEvent Register-ObjectEvent Remove-Event Remove-PSBreakpoint Remove-TypeData
        Remove-Variable Select-Object Select-String Select-Xml Send-MailMessage Set-Alias Set-Date Set-PSBreakpoint
        Set-TraceSource Set-Variable Show-Command Sort-Object Start-Sleep Tee-Object Trace-Command Unblock-File
        Unregister-Event Update-FormatData Update-List Update-TypeData Wait-Debugger Wait-Event Write-Debug Write-Error
        Write-Host Write-Information Write-Output Write-Progress Write-Verbose Write-Warning Get-Verb""",
    "Microsoft.PowerShell.Security": """
        ConvertFrom-SecureString ConvertTo-SecureString Get-Acl Get-AuthenticodeSignature Get-CmsMessage
        Get-Credential Get-ExecutionPolicy Get-PfxCertificate Protect-CmsMessage Set-Acl Set-AuthenticodeSignature
        Set-ExecutionPolicy Unprotect-CmsMessage""",
    "Microsoft.PowerShell.Diagnostics": "Export-Counter Get-Counter Get-WinEvent Import-Counter New-WinEvent",
    "Microsoft.PowerShell.Archive": "Compress-Archive Expand-Archive",
    "CimCmdlets": """
        Get-CimAssociatedInstance Get-CimClass Get-CimInstance Get-CimSession Invoke-CimMethod New-CimInstance
        New-CimSession New-CimSessionOption Register-CimIndicationEvent Remove-CimInstance Remove-CimSession
        Set-CimInstance""",
    "Microsoft.WSMan.Management": """
        Connect-WSMan Disable-WSManCredSSP Disconnect-WSMan Enable-WSManCredSSP Get-WSManCredSSP Get-WSManInstance
        Invoke-WSManAction New-WSManInstance New-WSManSessionOption Remove-WSManInstance Set-WSManInstance
        Set-WSManQuickConfig Test-WSMan""",
}

# lower-case name -> (the name as Windows spells it, its module)
COMMANDS: dict[str, tuple[str, str]] = {
    name.lower(): (name, module) for module, names in _BY_MODULE.items() for name in names.split()}
