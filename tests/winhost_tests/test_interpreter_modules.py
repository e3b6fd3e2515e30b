"""Script modules in the interpreter: Import-Module of a .psm1 on drive C:, the module's own script scope,
Export-ModuleMember, Get-Module, Remove-Module, New-Module, with Windows PowerShell 5.1's errors."""

from __future__ import annotations

from winhost.powershell import HostServices, Runspace

from test_interpreter import run

TOOLS = """
$script:calls = 0
$hidden = 'module private'
function Get-Tool {
    param($Name = 'hammer')
    $script:calls++
    "$Name $script:calls"
}
function Get-Calls { $script:calls }
function Get-Hidden { $hidden }
function Helper { 'helper' }
"""


def fresh(files: dict[str, str] | None = None) -> Runspace:
    rs = Runspace(host=HostServices(user_name="user"))
    for path, text in (files or {}).items():
        rs.host.filesystem.create_directory(path.rsplit("\\", 1)[0])
        rs.host.filesystem.write_bytes(path, text.encode("utf-8"))
    return rs


def out(script: str, rs: Runspace) -> list:
    rec, result = run(script, rs)
    assert result.state == "Completed", result
    assert rec.errors == [], rec.errors
    return rec.output


def errors(script: str, rs: Runspace) -> list[tuple]:
    rec, _result = run(script, rs)
    return [(message, fqid, category) for message, fqid, category, _info in rec.errors]


def test_imported_function_is_there_in_later_invocations_with_module_script_state():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS})
    assert out("Import-Module C:\\Temp\\Tools.psm1", rs) == []
    assert out("Get-Tool", rs) == ["hammer 1"]
    assert out("Get-Tool -Name saw", rs) == ["saw 2"]
    # $script: in the module is the module's scope, not the session's.
    assert out("Get-Calls; $null -eq $calls; $null -eq $script:calls", rs) == [2, True, True]
    assert out("Get-Hidden; $null -eq $hidden", rs) == ["module private", True]
    assert out("$calls = 100; Get-Tool", rs) == ["hammer 3"]


def test_module_functions_do_not_see_the_callers_locals():
    rs = fresh({"C:\\m\\Scoped.psm1": "function Show { if ($null -eq $callerLocal) { 'unseen' } else { $callerLocal } }\n"
                                      "function ShowGlobal { $global:g }"})
    assert out("Import-Module C:/m/Scoped.psm1; $global:g = 'G'; function f { $callerLocal = 'x'; Show; ShowGlobal }; f", rs) \
        == ["unseen", "G"]


def test_export_module_member_limits_exports_and_exports_variables():
    text = TOOLS + "$shared = 'from module'\nExport-ModuleMember -Function Get-Tool, 'Get-C*' -Variable shared\n"
    rs = fresh({"C:\\Temp\\Tools.psm1": text})
    assert out("Import-Module -Name C:\\Temp\\Tools.psm1", rs) == []
    assert out("Get-Tool; Get-Calls; $shared", rs) == ["hammer 1", 1, "from module"]
    assert errors("Helper", rs)[0][1] == "CommandNotFoundException"
    assert errors("Get-Hidden", rs)[0][1] == "CommandNotFoundException"
    # Private helpers stay callable from inside the module.
    rs2 = fresh({"C:\\x\\P.psm1": "function Inner { 'inner' }\nfunction Outer { (Inner) + '!' }\nExport-ModuleMember Outer"})
    assert out("Import-Module C:\\x\\P.psm1; Outer; [bool](Get-Command Inner -ErrorAction SilentlyContinue)", rs2) \
        == ["inner!", False]


def test_variables_are_not_exported_by_default():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS})
    assert out("Import-Module C:\\Temp\\Tools.psm1; $null -eq $hidden", rs) == [True]


def test_get_module_lists_loaded_modules():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS, "C:\\Temp\\Zed.psm1": "function Z { 'z' }"})
    assert out("Get-Module", rs) == []
    script = ("Import-Module 'C:\\Temp\\Zed.psm1', 'C:\\Temp\\Tools.psm1'; $m = Get-Module Tools; $m.Name; $m.Path; "
              "[string]$m.ModuleType; $m.ModuleBase; ($m.ExportedFunctions.Keys | Sort-Object) -join ','; "
              "(Get-Module).Name -join ','; (Get-Module T*).Count; [string](Get-Module Tools)")
    assert out(script, rs) == ["Tools", "C:\\Temp\\Tools.psm1", "Script", "C:\\Temp", "Get-Calls,Get-Hidden,Get-Tool,Helper",
                               "Tools,Zed", 1, "Tools"]


def test_passthru_force_and_reimport():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS})
    assert out("(Import-Module C:\\Temp\\Tools.psm1 -PassThru -Global).Name; Get-Tool; Get-Tool", rs) == ["Tools", "hammer 1", "hammer 2"]
    # Without -Force a loaded module is not run again: its state survives.
    assert out("Import-Module C:\\Temp\\Tools.psm1; Import-Module Tools; Get-Calls", rs) == [2]
    assert out("Import-Module C:\\Temp\\Tools.psm1 -Force; Get-Calls; (Get-Module).Count", rs) == [0, 1]


def test_import_from_inside_a_function_lands_in_the_global_scope():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS})
    assert out("function Load { Import-Module C:\\Temp\\Tools.psm1 }; Load", rs) == []
    assert out("Get-Tool", rs) == ["hammer 1"]


def test_remove_module_unloads_exports():
    rs = fresh({"C:\\Temp\\Tools.psm1": TOOLS + "$v = 1\nExport-ModuleMember -Function * -Variable v\n"})
    assert out("Import-Module C:\\Temp\\Tools.psm1; Get-Tool; Remove-Module Tools; (Get-Module).Count; $null -eq $v", rs) \
        == ["hammer 1", 0, True]
    assert errors("Get-Tool", rs)[0][1] == "CommandNotFoundException"
    assert errors("Remove-Module Tools", rs) == [(
        "No modules were removed. Verify that the specification of modules to remove is correct and those modules exist in "
        "the runspace.", "Modules_NoModulesRemoved,Microsoft.PowerShell.Commands.RemoveModuleCommand", "ResourceUnavailable")]
    # A fresh import runs the module again.
    assert out("Import-Module C:\\Temp\\Tools.psm1; Get-Tool", rs) == ["hammer 1"]


def test_import_module_of_a_missing_file():
    rs = fresh()
    rec, result = run("Import-Module C:\\x.psm1; 'after'", rs)
    assert result.state == "Completed"
    assert rec.output == ["after"]
    assert [(m, f, c) for m, f, c, _info in rec.errors] == [(
        "The specified module 'C:\\x.psm1' was not loaded because no valid module file was found in any module directory.",
        "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand", "ResourceUnavailable")]
    assert errors("Import-Module NoSuchModule", rs)[0][0] == (
        "The specified module 'NoSuchModule' was not loaded because no valid module file was found in any module directory.")
    assert out("try { Import-Module C:\\x.psm1 -ErrorAction Stop } catch { $_.Exception.GetType().FullName }", rs) \
        == ["System.IO.FileNotFoundException"]


def test_import_by_name_from_ps_module_path():
    rs = fresh({"C:\\Program Files\\WindowsPowerShell\\Modules\\Fancy\\Fancy.psm1": "function Get-Fancy { 'fancy' }"})
    assert out("Import-Module Fancy; Get-Fancy; (Get-Module -ListAvailable Fancy).Name; (Get-Module Fancy).Path", rs) == [
        "fancy", "Fancy", "C:\\Program Files\\WindowsPowerShell\\Modules\\Fancy\\Fancy.psm1"]


def test_new_module_members_are_available_at_once_but_not_in_get_module():
    rs = fresh()
    script = ("$m = New-Module -Name Dyn -ScriptBlock { $script:n = 10; function Next { $script:n++; $script:n } }; "
              "$m.Name; Next; Next; (Get-Module).Count")
    assert out(script, rs) == ["Dyn", 11, 12, 0]
    assert out("Next", rs) == [13]
    assert out("New-Module -ScriptBlock { function Hello { 'Hello!' } } | Import-Module; Hello; (Get-Module).Name -like '__DynamicModule_*'",
               rs) == ["Hello!", True]
    assert out("New-Module Lim { function A { 'a' }; function B { 'b' } } -Function B | Out-Null; B; "
               "[bool](Get-Command A -ErrorAction SilentlyContinue)", rs) == ["b", False]


def test_module_output_and_errors_while_loading():
    rs = fresh({"C:\\m\\Loud.psm1": "'loading'\nfunction F { 1 }", "C:\\m\\Bad.psm1": "throw 'broken module'"})
    assert out("Import-Module C:\\m\\Loud.psm1", rs) == ["loading"]
    rec, result = run("Import-Module C:\\m\\Bad.psm1", rs)
    assert result.state == "Failed" and result.error is not None
    assert "broken module" in str(result.error.Exception.Message)


def test_export_module_member_outside_a_module():
    rs = fresh()
    assert errors("function f { 1 }; Export-ModuleMember -Function f", rs) == [(
        "The Export-ModuleMember cmdlet can only be called from inside a module.",
        "Modules_CanOnlyExecuteExportModuleMemberInsideAModule,Microsoft.PowerShell.Commands.ExportModuleMemberCommand",
        "PermissionDenied")]


def test_psscriptroot_inside_a_module():
    rs = fresh({"C:\\Temp\\Where.psm1": "function Where-Am-I { $PSScriptRoot }"})
    assert out("Import-Module C:\\Temp\\Where.psm1; Where-Am-I", rs) == ["C:\\Temp"]
