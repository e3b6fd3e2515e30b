"""The controller's reading of [CmdletBinding(SupportsShouldProcess)]: ansible.windows.win_powershell's rule
(the script's ParamBlock, its first CmdletBinding attribute, a named argument SupportsShouldProcess omitted or
written $true), and "no" for anything it cannot follow, since "no" means the script is skipped in check mode."""

from __future__ import annotations

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils.should_process import supports_should_process

YES = [
    '[CmdletBinding(SupportsShouldProcess)]\nparam()\n"x"',
    '[CmdletBinding(SupportsShouldProcess=$true)]\nparam()',
    '[CmdletBinding(SupportsShouldProcess = $true)]\nparam()',
    '[CmdletBinding( SupportsShouldProcess =\n    $True )]\nparam()',
    '[cmdletbinding(supportsshouldprocess=$TRUE)]\nPARAM ()',
    '[CmdletBinding(ConfirmImpact = "High", SupportsShouldProcess)]\nparam([string]$Name)',
    "[CmdletBinding(DefaultParameterSetName='a]b,c', SupportsShouldProcess)]\nparam()",
    '[CmdletBinding(SupportsShouldProcess, PositionalBinding = $false)]\nparam()',
    '#Requires -Version 5.1\n# a comment\n<# a block\n comment #>\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
    '\ufeff[CmdletBinding(SupportsShouldProcess)]\nparam()',
    'using namespace System.IO\nusing module MyModule\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
    '[OutputType([string])]\n[CmdletBinding(SupportsShouldProcess)]\n[Diagnostics.CodeAnalysis.SuppressMessageAttribute("PSAvoidUsingWriteHost", "")]\nparam()',
    '[CmdletBinding(SupportsShouldProcess)] param()',
    '[CmdletBinding(SupportsShouldProcess)]\nparam\n(\n  [Parameter(Mandatory)][string]$Path\n)',
    '[CmdletBinding(<# why #> SupportsShouldProcess # because\n)]\nparam()',
    '[CmdletBinding(SupportsShouldProcess)]\n<# between #>\nparam()',
]

NO = [
    '',
    '"x"',
    'param()\n"x"',
    '[CmdletBinding()]\nparam()',
    '[CmdletBinding(SupportsShouldProcess=$false)]\nparam()',
    '[CmdletBinding(SupportsShouldProcess=1)]\nparam()',  # PowerShell would take it, win_powershell does not
    '[CmdletBinding(SupportsShouldProcess=($true))]\nparam()',
    '[CmdletBinding(SupportsShouldProcessX)]\nparam()',
    '[CmdletBinding(SupportsShouldProcess)]\n"no param block follows"',
    '[CmdletBinding(SupportsShouldProcess)]\nparameters()',
    '[CmdletBinding]\nparam()',
    '[System.Management.Automation.CmdletBinding(SupportsShouldProcess)]\nparam()',  # TypeName.Name differs
    '[CmdletBindingAttribute(SupportsShouldProcess)]\nparam()',
    # Only the first CmdletBinding attribute counts (win_powershell: Select-Object -First 1).
    '[CmdletBinding()]\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
    # Not the script's own param block.
    'function Remove-Thing {\n    [CmdletBinding(SupportsShouldProcess)]\n    param()\n}',
    '& {\n[CmdletBinding(SupportsShouldProcess)]\nparam()\n}',
    '"[CmdletBinding(SupportsShouldProcess)]param()"',
    "'[CmdletBinding(SupportsShouldProcess)]'\nparam()",
    '# [CmdletBinding(SupportsShouldProcess)]\nparam()',
    '<# [CmdletBinding(SupportsShouldProcess)]\nparam() #>\nRemove-Item C:\\x',
    '<# never closed\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
    '$x = 1\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
    # Commented-out argument, argument hidden in a string.
    '[CmdletBinding(# SupportsShouldProcess\n)]\nparam()',
    '[CmdletBinding(HelpUri = "SupportsShouldProcess")]\nparam()',
    "[CmdletBinding(HelpUri = 'x, SupportsShouldProcess')]\nparam()",
    # What the reader does not follow is a "no".
    '[CmdletBinding(SupportsShouldProcess)\nparam()',
    '[CmdletBinding(SupportsShouldProcess, HelpUri = "$(\'x\')")]\nparam()',
    'using module @{ModuleName="M"; ModuleVersion="1.0"}\n[CmdletBinding(SupportsShouldProcess)]\nparam()',
]


@pytest.mark.parametrize('script', YES)
def test_declared(script):
    assert supports_should_process(script) is True


@pytest.mark.parametrize('script', NO)
def test_not_declared(script):
    assert supports_should_process(script) is False
