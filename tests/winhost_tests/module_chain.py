"""Run ansible-core's module_wrapper.ps1 in the test host's interpreter, with a payload built at test time.

Nothing of Ansible's PowerShell is copied here: the manifest comes from the installed ansible-core's
`module_manifest._create_powershell_wrapper` (what ansible-core 2.19 sends for a module), and the
functions module_wrapper.ps1 calls from exec_wrapper.ps1 (Get-AnsibleScript, Import-PowerShellUtil,
Import-CSharpUtil, New-TempAnsibleFile, Set-WinPSDefaultFileEncoding: module_wrapper runs inside
exec_wrapper's scope, which defines them) are cut out of the installed exec_wrapper.ps1 unchanged,
with its `using namespace` lines. The harness then does what exec_wrapper's Get-NextAnsibleAction
and `& $actionInfo.ScriptBlock @actionParams` do for the module_wrapper.ps1 action.
"""

from __future__ import annotations

import json
import pathlib
import re
import typing

from ansible.executor.powershell import module_manifest

from winhost.powershell import Command, Runspace

from test_interpreter import Recorder

POWERSHELL_DIR = pathlib.Path(module_manifest.__file__).parent

# exec_wrapper.ps1's begin block defines these (4-space indented `Function X {` ... `    }`).
EXEC_WRAPPER_FUNCTIONS = ("Get-AnsibleScript", "Import-PowerShellUtil", "Import-CSharpUtil", "New-TempAnsibleFile",
                          "Set-WinPSDefaultFileEncoding")


def build_manifest(module_source: str, name: str = "ansible.windows.test_module", args: dict | None = None,
                   environment: dict | None = None) -> dict:
    """The exec manifest ansible-core 2.19 sends for a PowerShell module (scripts, actions), as JSON decodes it."""
    data = module_manifest._create_powershell_wrapper(  # pylint: disable=protected-access  # what ansible-core itself calls
        name=name,
        module_data=module_source.encode("utf-8"),
        module_path=f"/modules/{name.rsplit('.', 1)[-1]}.ps1",
        module_args=dict(args or {}),
        environment=dict(environment or {}),
        async_timeout=0,
        become_plugin=None,
        substyle="powershell",
        task_vars={},
        profile="legacy",
    )
    _bootstrap, _sep, exec_part = data.partition(b"\n\0\0\0\0\n")
    return json.loads(exec_part)


def exec_wrapper_definitions() -> str:
    """exec_wrapper.ps1's `using namespace` lines and the functions module_wrapper.ps1 relies on, as they are."""
    text = (POWERSHELL_DIR / "exec_wrapper.ps1").read_text(encoding="utf-8")
    usings = re.findall(r"(?m)^using namespace [\w.]+\s*$", text)
    functions = []
    for fname in EXEC_WRAPPER_FUNCTIONS:
        match = re.search(rf"(?ms)^    Function {re.escape(fname)} {{\n.*?^    }}\n", text)
        assert match, f"exec_wrapper.ps1 has no Function {fname}"
        functions.append(match.group(0))
    return "\n".join(usings) + "\n\n" + "\n".join(functions)


HARNESS = """
param($Manifest)

$ErrorActionPreference = 'Stop'
$Script:AnsibleManifest = $Manifest
$Script:AnsibleShouldConstrain = $false
$Script:AnsibleTempPath = $env:TEMP
$Script:AnsibleWrapperWarnings = [System.Collections.Generic.List[string]]::new()
$Script:AnsibleClrFacadeSet = $false

# exec_wrapper.ps1's Get-NextAnsibleAction, then `& $actionInfo.ScriptBlock @actionParams`.
$action = $Manifest.actions[$Manifest.actions.Count - 1]
$actionScript = Get-AnsibleScript -Name $action.name -IncludeScriptBlock
$actionParams = $action.params
$actionBlock = $actionScript.ScriptBlock
& $actionBlock @actionParams
"""


class ChainRecorder(Recorder):
    """A Recorder that also records host calls (SetShouldExit, WriteErrorLine)."""

    def __init__(self) -> None:
        super().__init__()
        self.host_calls: list[tuple[str, list]] = []

    def host_call(self, method: str, parameters: list) -> None:
        self.host_calls.append((method, list(parameters)))

    def exit_codes(self) -> list:
        return [p[0] for m, p in self.host_calls if m == "SetShouldExit"]


def run_module_wrapper(manifest: dict, rs: Runspace | None = None) -> tuple[ChainRecorder, typing.Any, Runspace]:
    """module_wrapper.ps1 as exec_wrapper runs it: its definitions first (the session's global scope stands in for
    exec_wrapper's script scope), then the action with its parameters."""
    rs = rs or Runspace()
    setup = ChainRecorder()
    result = rs.invoke([Command(exec_wrapper_definitions(), is_script=True)], writer=setup)
    assert result.state == "Completed" and not setup.errors, (result, setup.errors)
    rec = ChainRecorder()
    result = rs.invoke([Command(HARNESS, is_script=True, parameters=[("Manifest", manifest)])], writer=rec)
    return rec, result, rs


def module_result(rec: ChainRecorder) -> typing.Any:
    """The module's JSON result as Ansible reads it from the output (one JSON document)."""
    text = "\r\n".join(str(o) for o in rec.output)
    return json.loads(text)


def ansible_windows_module(name: str) -> str:
    """The source of an ansible.windows module, from the collection ./scripts/test extracts into .build at test time
    (tests/e2e/e2e_support.install_ansible_windows: installs it when it is not there, never skips)."""
    from e2e import e2e_support  # pylint: disable=import-outside-toplevel  # tests/ is on sys.path

    root = pathlib.Path(e2e_support.install_ansible_windows())
    return (root / "plugins" / "modules" / f"{name}.ps1").read_text(encoding="utf-8")
