"""ansible-core 2.19's module_wrapper.ps1, unmodified, run by the test host's interpreter.

The payload is what ansible-core builds for a PowerShell module (module_manifest._create_powershell_wrapper,
at test time, from the installed ansible-core); module_wrapper.ps1 runs with the parameters it gets there
(Script, Environment, Variables = complex_args, CSharpModules, PowerShellModules, ForModule) and the
functions it takes from exec_wrapper.ps1 (cut out of the installed file: see module_chain.py). The module
utils are the installed Ansible.ModuleUtils.Legacy.psm1 and Ansible.ModuleUtils.AddType.psm1 (its Windows
PowerShell 5.1 CodeDom path). What Windows gives is what module_wrapper.ps1's own code says it does:
the module's output joined by CRLF, `$host.SetShouldExit` from the nested runspace's $LASTEXITCODE, and
for an unhandled error `{"failed": true, "msg": "Unhandled exception while executing module: ..."}`
with exit code 1.
"""

from __future__ import annotations

import base64
import json

import pytest

from winhost.powershell import HostServices, Runspace, standins, typeregistry

from module_chain import ansible_windows_module, build_manifest, module_result, run_module_wrapper
from test_interpreter import run


def test_a_plain_module_gets_its_arguments_and_its_output_is_the_result():
    source = "#!powershell\n$r = @{ changed = $false; got = $complex_args.name; env = $env:CHAIN_MOD_ENV }\n" \
             "$r | ConvertTo-Json -Compress\n"
    rs = Runspace()
    rec, result, _rs = run_module_wrapper(build_manifest(source, args={"name": "value"}, environment={"CHAIN_MOD_ENV": "e1"}),
                                          rs)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert module_result(rec) == {"changed": False, "got": "value", "env": "e1"}
    assert rec.exit_codes() == []
    # The task's environment is set process-wide ([Environment]::SetEnvironmentVariable): the session sees it after.
    assert rs.env.get("CHAIN_MOD_ENV") == "e1"


def test_write_host_in_a_module_goes_to_the_output():
    # module_wrapper.ps1 redefines Write-Host in the nested runspace as Write-Output.
    source = "#!powershell\nWrite-Host 'from write-host'\n'{\"changed\": true}'\n"
    rec, result, _rs = run_module_wrapper(build_manifest(source))
    assert result.state == "Completed" and not rec.errors
    assert rec.output == ['from write-host\r\n{"changed": true}']


def test_the_module_runs_in_its_own_runspace():
    # A nested [PowerShell]::Create(): the session's variables and functions are not the module's.
    source = "#!powershell\n@{ seen = ($null -ne $sessionVariable); fn = (Test-Path Function:Get-AnsibleScript) } | " \
             "ConvertTo-Json -Compress\n"
    rs = Runspace()
    rs_rec, _result, _rs = run_module_wrapper(build_manifest("#!powershell\n'{}'\n"), rs)
    assert not rs_rec.errors
    run("$global:sessionVariable = 1", rs)
    rec, result, _rs = run_module_wrapper(build_manifest(source), rs)
    assert result.state == "Completed" and module_result(rec) == {"seen": False, "fn": False}


def test_an_unhandled_error_in_the_module_is_a_failed_result_with_exit_code_1():
    source = "#!powershell\n'partial'\nthrow 'boom from module'\n"
    rec, result, _rs = run_module_wrapper(build_manifest(source))
    assert result.state == "Completed", result
    out = module_result(rec)
    assert out["failed"] is True
    assert out["msg"] == "Unhandled exception while executing module: boom from module"
    assert out["exception"].startswith("boom from module\r\n")
    assert "+ FullyQualifiedErrorId : boom from module" in out["exception"]
    assert rec.exit_codes() == [1]


def test_a_non_terminating_error_stops_the_module_under_error_action_stop():
    # ForModule: the nested runspace's $ErrorActionPreference is Stop, so Write-Error ends the module.
    source = "#!powershell\nWrite-Error 'soft error'\n'not reached'\n"
    rec, _result, _rs = run_module_wrapper(build_manifest(source))
    out = module_result(rec)
    assert out["failed"] is True and out["msg"] == "Unhandled exception while executing module: soft error"
    assert rec.exit_codes() == [1]


def test_lastexitcode_of_the_module_becomes_the_exit_code():
    source = "#!powershell\nSet-Variable -Name LASTEXITCODE -Value 3 -Scope Global\n'{\"changed\": true}'\nexit 5\n'after exit'\n"
    rec, _result, _rs = run_module_wrapper(build_manifest(source))
    assert module_result(rec) == {"changed": True}
    # exit 5 in the nested runspace reaches only its default host; $LASTEXITCODE (3) is what module_wrapper reads.
    assert rec.exit_codes() == [3]


def test_a_script_runs_after_the_wrappers_utf8_setting_and_its_errors_go_to_the_host():
    # substyle "script" (the script action's .ps1): no module parameters; module_wrapper.ps1 first sets Windows
    # PowerShell's default script encoding to UTF-8 by reflection (Set-WinPSDefaultFileEncoding), and writes each error
    # record to the host's error line instead of a JSON failure.
    manifest = build_manifest("'before'\nWrite-Error 'soft'\n'after'\n", name="chain_script", substyle="script")
    assert set(manifest["actions"][-1]["params"]) == {"Script", "Environment"}
    rs = Runspace()
    rec, result, _rs = run_module_wrapper(manifest, rs)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert rec.output == ["before\r\nafter"]
    lines = [p[0] for m, p in rec.host_calls if m == "WriteErrorLine"]
    assert len(lines) == 1 and lines[0].startswith("soft\r\n")
    assert rec.exit_codes() == []
    assert rs.host.clr_default_encoding.to_string() == "System.Text.UTF8Encoding"


LEGACY_MODULE = """#!powershell
#Requires -Module Ansible.ModuleUtils.Legacy

$params = Parse-Args $args -supports_check_mode $true
$check_mode = Get-AnsibleParam -obj $params -name "_ansible_check_mode" -type "bool" -default $false
$path = Get-AnsibleParam -obj $params -name "path" -type "path" -failifempty $true -aliases "dest"
$state = Get-AnsibleParam -obj $params -name "state" -type "str" -default "file" -validateset "file", "absent"
$force = Get-AnsibleParam -obj $params -name "force" -type "bool" -default $false
$count = Get-AnsibleParam -obj $params -name "count" -type "int" -default 1
$result = @{ changed = $false; path = $path; state = $state; force = $force; count = $count; check = $check_mode }
if ($params.ContainsKey("fail")) {
    Fail-Json $result "asked to fail: $($params.fail)"
}
Add-Warning $result "a warning"
Exit-Json $result
"""


def test_a_legacy_module_parses_its_arguments_and_exits_with_json():
    manifest = build_manifest(LEGACY_MODULE, args={"dest": "%CHAIN_DIR%\\file.txt", "force": "yes", "count": "7"},
                              environment={"CHAIN_DIR": "C:\\work"})
    assert manifest["actions"][-1]["params"]["PowerShellModules"] == ["Ansible.ModuleUtils.Legacy.psm1"]
    rec, result, _rs = run_module_wrapper(manifest)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert module_result(rec) == {"changed": False, "path": "C:\\work\\file.txt", "state": "file", "force": True,
                                  "count": 7, "check": False, "warnings": ["a warning"]}
    # Exit-Json's `Exit` reaches the nested runspace's own host only, and $LASTEXITCODE stays unset.
    assert rec.exit_codes() == []


def test_a_legacy_module_fail_json():
    rec, _result, _rs = run_module_wrapper(build_manifest(LEGACY_MODULE, args={"path": "C:\\x", "fail": "now"}))
    out = module_result(rec)
    assert out == {"changed": False, "failed": True, "msg": "asked to fail: now", "path": "C:\\x", "state": "file",
                   "force": False, "count": 1, "check": False}
    assert rec.exit_codes() == []


@pytest.mark.parametrize("setup,args,expected", [
    ("Set-Content -LiteralPath C:\\data\\f.txt -Value hello", {"src": "C:\\data\\f.txt"},
     {"changed": False, "content": base64.b64encode(b"hello\r\n").decode(), "encoding": "base64"}),
    ("$null = 1", {"path": "C:\\data\\none.txt"},
     {"changed": False, "failed": True, "msg": "Path C:\\data\\none.txt is not found"}),
    ("$null = 1", {"src": "C:\\data"}, {"changed": False, "failed": True, "msg": "Path C:\\data is a directory"}),
], ids=["file", "missing", "directory"])
def test_ansible_windows_slurp(setup, args, expected):
    # ansible.windows.slurp (Legacy.psm1: Parse-Args, Get-AnsibleParam -type path -aliases, Exit-Json, Fail-Json).
    rs = Runspace()
    _rec, result = run("$null = New-Item -ItemType Directory -Path C:\\data; " + setup, rs)
    assert result.state == "Completed"
    manifest = build_manifest(ansible_windows_module("slurp"), name="ansible.windows.slurp", args=args)
    rec, result, _rs = run_module_wrapper(manifest, rs)
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert module_result(rec) == expected


def test_ansible_windows_win_file_reaches_its_csharp():
    # win_file compiles its C# (namespace Ansible.Command) with Add-CSharpType inside the module (the Manual parameter
    # set). Without a stand-in for it the module fails naming the namespace, never silently; with one (standin-basic's
    # work) it creates the directory.
    rs = Runspace()
    manifest = build_manifest(ansible_windows_module("win_file"), name="ansible.windows.win_file",
                              args={"path": "C:\\made", "state": "directory"})
    rec, result, _rs = run_module_wrapper(manifest, rs)
    assert result.state == "Completed"
    out = module_result(rec)
    if standins._STANDINS.get("ansible.command") is None:  # pylint: disable=protected-access
        assert out["failed"] is True and "namespace 'Ansible.Command'" in out["msg"], out
        assert rec.exit_codes() == [1]
    else:
        assert out.get("failed") is None and out["changed"] is True, out
        assert plain_run("Test-Path -LiteralPath C:\\made -PathType Container", rs) == [True]


def plain_run(script: str, rs: Runspace) -> list:
    rec, _result = run(script, rs)
    return [bool(o) if isinstance(o, bool) else o for o in rec.output]


# ------------------------------------------------------------------ C# through Ansible.ModuleUtils.AddType

CHAIN_CS = """using System;
//AssemblyReference -Name System.Web.Extensions.dll -CLR Framework
//NoWarn -Name CS0168 -CLR Framework
//TypeAccelerator -Name ChainWidget -TypeName Widget
namespace ChainTest.Widgets
{
    public class Widget
    {
        public static int Answer { get { return 42; } }
    }
}
"""

CSHARP_MODULE = """#!powershell
#AnsibleRequires -CSharpUtil Ansible.Privilege

@{ changed = $false; answer = [ChainWidget]::Answer; full = [ChainTest.Widgets.Widget]::Answer } | ConvertTo-Json -Compress
"""


@pytest.fixture(name="widget_standin")
def widget_standin_fixture():
    """A stand-in for the test namespace ChainTest.Widgets, registered by this test only."""
    loaded: list[str] = []

    def loader(source: str) -> None:
        loaded.append(source)
        typeregistry.register(typeregistry.NetType("ChainTest.Widgets.Widget", static_properties={"Answer": lambda: 42}))
    standins.register_standin("ChainTest.Widgets", loader)
    yield loaded
    standins._STANDINS.pop("chaintest.widgets", None)  # pylint: disable=protected-access
    typeregistry._TYPES.pop("chaintest.widgets.widget", None)  # pylint: disable=protected-access
    typeregistry._ACCELERATORS.pop("chainwidget", None)  # pylint: disable=protected-access


def _with_test_util(manifest: dict) -> dict:
    """The manifest of a module needing a C# util, with the util swapped for the test's own C# (ChainTest.Widgets)."""
    params = manifest["actions"][-1]["params"]
    manifest["scripts"]["ChainTest.Widgets.cs"] = {"script": base64.b64encode(CHAIN_CS.encode()).decode(),
                                                   "path": "ChainTest.Widgets.cs"}
    params["CSharpModules"] = ["ChainTest.Widgets.cs"]
    return manifest


def test_a_csharp_util_is_compiled_through_add_csharp_type_into_its_stand_in(widget_standin):
    manifest = build_manifest(CSHARP_MODULE)
    params = manifest["actions"][-1]["params"]
    # ansible-core adds AddType.psm1 for any C# util; Import-CSharpUtil imports it and calls Add-CSharpType.
    assert params["PowerShellModules"] == ["Ansible.ModuleUtils.AddType.psm1"]
    assert params["CSharpModules"] == ["Ansible.Privilege.cs"]
    rec, result, _rs = run_module_wrapper(_with_test_util(manifest))
    assert result.state == "Completed" and not rec.errors, (result, rec.errors)
    assert module_result(rec) == {"changed": False, "answer": 42, "full": 42}
    assert widget_standin == [CHAIN_CS]


def test_a_csharp_util_without_a_stand_in_fails_loudly_naming_its_namespace():
    noted: list[str] = []
    host = HostServices()
    host.note_unmodelled = noted.append
    # The test's own C# (namespace ChainTest.Widgets) without the widget_standin fixture: no stand-in serves it.
    rec, result, _rs = run_module_wrapper(_with_test_util(build_manifest(CSHARP_MODULE)), Runspace(host=host))
    # Import-CSharpUtil runs in module_wrapper.ps1 itself (not in the nested runspace): the error ends the action,
    # and exec_wrapper.ps1's catch turns it into its failed JSON.
    assert result.state == "Failed", (result, rec.output)
    message = str(result.error.Exception.Message)
    assert message.startswith('Exception calling "CompileAssemblyFromSource" with "2" argument(s): ')
    assert "namespace 'ChainTest.Widgets'" in message
    assert str(result.error.FullyQualifiedErrorId) == "NotModelledByTestHost"
    assert noted == ["C# namespace 'ChainTest.Widgets'"]
    assert not rec.output


def test_the_payload_is_built_from_the_installed_ansible_core():
    manifest = build_manifest("#!powershell\n'{}'\n", name="ansible.windows.chain_probe")
    action = manifest["actions"][-1]
    assert action["name"] == "module_wrapper.ps1"
    assert action["params"]["Script"] == "ansible.windows.chain_probe.ps1"
    assert action["params"]["ForModule"] is True
    assert json.loads(json.dumps(action["params"]["Variables"]))[0]["Name"] == "complex_args"
