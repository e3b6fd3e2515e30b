"""Add-Type and the C# stand-ins (winhost/powershell/standins), driven as Ansible's modules drive them.

Every AnsibleModule test compiles ansible-core's real Ansible.Basic.cs (read at test time from the
installed ansible-core, never copied) through `Add-Type -TypeDefinition`, then runs a module body:
`$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)` with `$complex_args` set globally, as
module_wrapper.ps1 sets it. What a row expects is what Ansible.Basic.cs does on Windows PowerShell
5.1: its messages (ValidateArgumentSpec, CheckArguments and the Check* methods, the Parse* type
converters) and the result line it writes, cross-checked with ansible-core's own tests of Ansible.Basic
(ansible/ansible test/integration/targets/module_utils_Ansible.Basic/library/ansible_basic_tests.ps1,
cited per row as "ansible_basic_tests: <test name>"). Rows avoid results whose key order Windows takes
from .NET's Hashtable hashing (several unsupported keys, several deprecations), which the test host
does not model (tests/winhost/README.md).

Add-Type: learn.microsoft.com Add-Type (PowerShell 5.1) for parameters and parameter sets.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
import zipfile

import ansible
import pytest

from winhost.powershell import Runspace
from winhost.powershell.standins import runtime

from test_interpreter import plain, run

ANSIBLE = pathlib.Path(ansible.__file__).parent
BASIC_CS = (ANSIBLE / "module_utils" / "csharp" / "Ansible.Basic.cs").read_text(encoding="utf-8")
PRIVILEGE_CS = (ANSIBLE / "module_utils" / "csharp" / "Ansible.Privilege.cs").read_text(encoding="utf-8")
LINK_UTIL_PSM1 = (ANSIBLE / "module_utils" / "powershell" / "Ansible.ModuleUtils.LinkUtil.psm1").read_text(encoding="utf-8")
LINK_UTIL_CS = re.search(r"\$link_util = @'\r?\n(.*?)\r?\n'@", LINK_UTIL_PSM1, re.DOTALL).group(1)


def host_runspace() -> Runspace:
    rs = Runspace()
    fs = rs.host.filesystem
    fs.create_directory("C:\\ansible")
    fs.write_bytes("C:\\ansible\\Ansible.Basic.cs", BASIC_CS.encode("utf-8"))
    fs.write_bytes("C:\\ansible\\Ansible.Privilege.cs", PRIVILEGE_CS.encode("utf-8"))
    fs.write_bytes("C:\\ansible\\link_util.cs", LINK_UTIL_CS.encode("utf-8"))
    return rs


LOAD_BASIC = "Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\Ansible.Basic.cs'))\n"


def run_module(complex_args: str, spec: str, body: str = "$module.ExitJson()", rs: Runspace | None = None):
    """Run a module body as module_wrapper.ps1 would: $complex_args global, then the module script.
    Returns (recorder, result, the line Ansible.Basic wrote to Console.Out parsed, that line)."""
    rs = rs or host_runspace()
    script = (LOAD_BASIC + f"Set-Variable -Name complex_args -Scope Global -Value {complex_args}\n"
              f"$spec = {spec}\n$module = [Ansible.Basic.AnsibleModule]::Create(@(), $spec)\n{body}\n")
    rec, result = run(script, rs)
    line = runtime.process_stdout(rs.host)
    parsed = json.loads(line) if line.strip() else None
    return rec, result, parsed, line


# --------------------------------------------------------------------------- Add-Type

ADD_TYPE_CASES = [
    # (script, output, errors as (message fragment, FQID))
    (LOAD_BASIC + "([Ansible.Basic.AnsibleModule]).FullName", ["Ansible.Basic.AnsibleModule"], []),
    # -PassThru: the compiled types (AddTypeCommand writes each public type of the new assembly)
    ("Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\Ansible.Basic.cs')) -PassThru | "
     "ForEach-Object { $_.FullName }", ["Ansible.Basic.AnsibleModule"], []),
    # Positional -TypeDefinition, -Language CSharp, -ReferencedAssemblies and -IgnoreWarnings are accepted
    ("Add-Type ([System.IO.File]::ReadAllText('C:\\ansible\\Ansible.Basic.cs')) -Language CSharp "
     "-ReferencedAssemblies System.Web.Extensions -IgnoreWarnings; 'after'", ["after"], []),
    # The same source twice in one process: 5.1 compiles it once and the second Add-Type does nothing
    (LOAD_BASIC + LOAD_BASIC + "'twice'", ["twice"], []),
    # -Path of a .cs file
    ("Add-Type -Path C:\\ansible\\Ansible.Basic.cs; ([Ansible.Basic.AnsibleModule]).Name", ["AnsibleModule"], []),
    # An assembly every 5.1 session has loaded: nothing to do, no output (Assembly.Load of a loaded assembly)
    ("Add-Type -AssemblyName System.Core; Add-Type -AssemblyName System; 'ok'", ["ok"], []),
]


@pytest.mark.parametrize("script,output,errors", ADD_TYPE_CASES, ids=[str(i) for i in range(len(ADD_TYPE_CASES))])
def test_add_type(script, output, errors):
    rec, result = run(script, host_runspace())
    assert [e[0] for e in rec.errors] == errors
    assert result.state == "Completed"
    assert plain(rec.output) == output


ADD_TYPE_FAILURES = [
    # A namespace without a stand-in: terminating, naming it (the script does not go on)
    ("Add-Type -TypeDefinition 'namespace Contoso.Tools { public class X { } }'; 'not reached'",
     "namespace 'Contoso.Tools'", "NoStandIn,Microsoft.PowerShell.Commands.AddTypeCommand"),
    # -MemberDefinition compiles into 5.1's default namespace for generated types
    ("Add-Type -Name Native -MemberDefinition 'public static int Two() { return 2; }'; 'not reached'",
     "namespace 'Microsoft.PowerShell.Commands.AddType.AutoGeneratedTypes'", "NoStandIn,Microsoft.PowerShell.Commands.AddTypeCommand"),
    ("Add-Type -TypeDefinition 'Public Class X' -Language VisualBasic; 'not reached'", "-Language VisualBasic",
     "NotModelledOnTestHost,Microsoft.PowerShell.Commands.AddTypeCommand"),
    (LOAD_BASIC.strip() + " -OutputAssembly C:\\x.dll; 'not reached'", "-OutputAssembly",
     "NotModelledOnTestHost,Microsoft.PowerShell.Commands.AddTypeCommand"),
    ("Add-Type -AssemblyName System.Windows.Forms; 'not reached'", "-AssemblyName 'System.Windows.Forms'",
     "NotModelledOnTestHost,Microsoft.PowerShell.Commands.AddTypeCommand"),
]


@pytest.mark.parametrize("script,fragment,fqid", ADD_TYPE_FAILURES, ids=[str(i) for i in range(len(ADD_TYPE_FAILURES))])
def test_add_type_fails_loudly(script, fragment, fqid):
    rec, result = run(script, host_runspace())
    assert result.state == "Failed"
    assert fragment in str(result.error.Exception.Message)
    assert str(result.error.FullyQualifiedErrorId) == fqid
    assert "not reached" not in plain(rec.output)


def test_add_type_missing_path():
    """A -Path that does not exist: the statement's error (ItemNotFoundException), then the script goes on."""
    rec, result = run("Add-Type -Path C:\\ansible\\missing.cs; 'next'", host_runspace())
    assert rec.errors[0][:2] == ("Cannot find path 'C:\\ansible\\missing.cs' because it does not exist.",
                                 "PathNotFound,Microsoft.PowerShell.Commands.AddTypeCommand")
    assert result.state == "Completed" and plain(rec.output) == ["next"]


def test_add_type_language_binding_error():
    """An unknown -Language is a parameter binding error listing the enum's names (Microsoft.PowerShell.Commands.Language)."""
    rec, _result = run("Add-Type -TypeDefinition 'x' -Language Cobol; 'next'", host_runspace())
    assert rec.errors[0][0] == (
        'Cannot bind parameter \'Language\'. Cannot convert value "Cobol" to type "Microsoft.PowerShell.Commands.Language". '
        'Error: "Unable to match the identifier name Cobol to a valid enumerator name. Specify one of the following '
        'enumerator names and try again:\r\nCSharp, CSharpVersion3, CSharpVersion2, VisualBasic, JScript"')
    assert rec.errors[0][1] == "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.AddTypeCommand"
    assert plain(rec.output) == ["next"]


# --------------------------------------------------------------------------- delegates (clr/delegates.py)

DELEGATE_CASES = [
    # A script block converts to a delegate type (LanguagePrimitives: ScriptBlock -> Delegate); invoking it runs the
    # block with the arguments as $args and converts the result to the delegate's return type.
    ('$f = [Func[[Object], [Int32]]] { [int]$args[0] + 1 }; $f.Invoke("41")', [42]),
    ('$f = [Func[Object, Int32]] { "7" }; $f.Invoke($null).GetType().FullName', ["System.Int32"]),
    ('[Func[[Object],[Int32]]]{ 1 } -is [Func[Object,Int32]]', [True]),
    # .NET's bracketed generic arguments anywhere a type is written; an index with a cast stays an index
    ('[System.Collections.Generic.List[[string]]]::new().Count', [0]),
    ('$a = 1, 2, 3; $a[[int]"1"]', [2]),
]


@pytest.mark.parametrize("script,expected", DELEGATE_CASES, ids=[c[0] for c in DELEGATE_CASES])
def test_delegates(script, expected):
    rec, _result = run(script)
    assert not rec.errors, rec.errors
    assert plain(rec.output) == expected


# --------------------------------------------------------------------------- AnsibleModule: the result line

def test_exit_json_line_and_exit_code():
    """ExitJson writes one compressed JSON line (ToJson: ConvertTo-Json -Compress -Depth 99) and ends the module with
    `exit 0` after setting $global:LASTEXITCODE (ExitModule); statements after it do not run."""
    rs = host_runspace()
    rec, result, parsed, line = run_module("@{ name = 'abc' }", "@{ options = @{ name = @{ type = 'str' } } }",
                                           "$module.Result.value = 1\n$module.ExitJson()\n'not reached'", rs)
    assert line == '{"changed":false,"invocation":{"module_args":{"name":"abc"}},"value":1}\r\n'
    assert parsed["changed"] is False
    assert result.state == "Completed" and result.exit_code == 0
    assert plain(rec.output) == []
    rec2, _result = run("$global:LASTEXITCODE", rs)
    assert plain(rec2.output) == [0]


def test_fail_json_masks_no_log_and_exits_1():
    """FailJson: failed, msg with no_log values masked (RemoveNoLogValues), exit 1 ($LASTEXITCODE 1)."""
    rs = host_runspace()
    _rec, result, parsed, _line = run_module(
        "@{ password = 'hunter2' }", "@{ options = @{ password = @{ type = 'str'; no_log = $true } } }",
        "$module.FailJson('could not log in with hunter2')", rs)
    assert result.exit_code == 1
    assert parsed == {"changed": False, "failed": True, "msg": "could not log in with ********",
                      "invocation": {"module_args": {"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}}
    rec2, _result = run("$LASTEXITCODE", rs)
    assert plain(rec2.output) == [1]


def test_exit_is_not_caught_by_the_modules_catch():
    """`exit` is flow control: a module's try/catch does not catch it, its finally runs (about_Try_Catch_Finally)."""
    rec, result, parsed, _line = run_module(
        "@{}", "@{}", "try { $module.ExitJson() } catch { 'caught' } finally { 'finally' }\n'after'")
    assert plain(rec.output) == ["finally"]
    assert result.exit_code == 0 and parsed["changed"] is False


def test_no_log_masking_in_invocation():
    """ansible_basic_tests: No log values. Exact values are replaced, substrings starred, numbers containing one
    masked whole; nested dictionaries and lists too; the module's own Result is not masked."""
    _rec, _result, parsed, _line = run_module(
        "@{ username = 'user - pass - name'; password = 'pass'; password2 = 1234; "
        "dict = @{ data = 'Oops this is secret: pass'; list = @('pass', 'password', 1234567, 'pa ss') } }",
        "@{ options = @{ username = @{ type = 'str' }; password = @{ type = 'str'; no_log = $true }; "
        "password2 = @{ type = 'int'; no_log = $true }; dict = @{ type = 'dict' } } }",
        "$module.Result.data = 'pass'\n$module.ExitJson()")
    assert parsed["invocation"]["module_args"] == {
        "username": "user - ******** - name", "password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",
        "password2": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",
        "dict": {"data": "Oops this is secret: ********",
                 "list": ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "********word", "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",
                          "pa ss"]}}
    assert parsed["data"] == "pass"


def test_invocation_values_as_remove_no_log_values_writes_them():
    """RemoveValueConditions: a DateTime becomes its round-trip string (ToString("o")), other objects their ToString(),
    numbers and booleans stay."""
    _rec, _result, parsed, _line = run_module(
        "@{ d = [datetime]'2020-03-10T01:02:03'; n = 2; b = $true; c = [char]'x' }",
        "@{ options = @{ d = @{ type = 'raw' }; n = @{ type = 'raw' }; b = @{ type = 'raw' }; c = @{ type = 'raw' } } }")
    assert parsed["invocation"]["module_args"] == {"d": "2020-03-10T01:02:03.0000000", "n": 2, "b": True, "c": "x"}


# --------------------------------------------------------------------------- AnsibleModule: spec failures

SPEC_FAILURES = [
    # (id, $complex_args, $spec, exit code, msg) -- the result's other keys: changed, failed, invocation
    ("unsupported (ansible_basic_tests: Unsupported options)", "@{ option_key = 'abc'; invalid_key = 'def' }",
     "@{ options = @{ option_key = @{ type = 'str' } } }", 1,
     "Unsupported parameters for (undefined win module) module: invalid_key. Supported parameters include: option_key"),
    ("unknown internal key (ansible_basic_tests: Unknown internal key)", "@{ _ansible_invalid = 'invalid' }", "@{}", 1,
     "Unsupported parameters for (undefined win module) module: _ansible_invalid. Supported parameters include: "),
    ("module name in messages", "@{ _ansible_module_name = 'win_x'; bad = 1 }", "@{ options = @{ a = @{} } }", 1,
     "Unsupported parameters for (win_x) module: bad. Supported parameters include: a"),
    ("missing required", "@{}", "@{ options = @{ path = @{ type = 'path'; required = $true } } }", 1,
     "missing required arguments: path"),
    ("type conversion (ansible_basic_tests: Type conversion error)", "@{ option_key = 'a' }",
     "@{ options = @{ option_key = @{ type = 'int' } } }", 1,
     "argument for option_key is of type System.String and we were unable to convert to int: Input string was not in a correct format."),
    ("bool conversion", "@{ flag = 'maybe' }", "@{ options = @{ flag = @{ type = 'bool' } } }", 1,
     "argument for flag is of type System.String and we were unable to convert to bool: The value 'maybe' is not a valid "
     "boolean. Valid booleans include: y, yes, on, 1, true, t, 1.0, n, no, off, 0, false, f, 0.0"),
    ("list conversion", "@{ items = $true }", "@{ options = @{ items = @{ type = 'list' } } }", 1,
     "argument for items is of type System.Boolean and we were unable to convert to list: System.Boolean cannot be "
     "converted to a list"),
    ("dict conversion", "@{ d = 'novalue' }", "@{ options = @{ d = @{ type = 'dict' } } }", 1,
     "argument for d is of type System.String and we were unable to convert to dict: string cannot be converted to a "
     "dict, must either be a JSON string or in the key=value form"),
    ("path with invalid characters", "@{ p = 'C:\\a|b' }", "@{ options = @{ p = @{ type = 'path' } } }", 1,
     "argument for p is of type System.String and we were unable to convert to path: string value contains invalid path "
     "characters, cannot convert to path"),
    ("choices", "@{ state = 'gone' }", "@{ options = @{ state = @{ choices = 'present', 'absent' } } }", 1,
     "value of state must be one of: present, absent. Got no match for: gone"),
    ("list choices", "@{ s = 'a', 'x', 'X' }", "@{ options = @{ s = @{ type = 'list'; choices = 'a', 'b' } } }", 1,
     "value of s must be one or more of: a, b. Got no match for: x"),
    ("mutually exclusive", "@{ a = 1; b = 2 }",
     "@{ options = @{ a = @{}; b = @{} }; mutually_exclusive = @(, @('a', 'b')) }", 1,
     "parameters are mutually exclusive: a, b"),
    ("required together", "@{ a = 1 }",
     "@{ options = @{ a = @{}; b = @{} }; required_together = @(, @('a', 'b')) }", 1,
     "parameters are required together: a, b"),
    ("required one of", "@{}", "@{ options = @{ a = @{}; b = @{} }; required_one_of = @(, @('a', 'b')) }", 1,
     "one of the following is required: a, b"),
    ("required if (all)", "@{ state = 'present' }",
     "@{ options = @{ state = @{}; path = @{}; src = @{} }; required_if = @(, @('state', 'present', @('path', 'src'))) }", 1,
     "state is present but all of the following are missing: path, src"),
    ("required if (any)", "@{ state = 'present' }",
     "@{ options = @{ state = @{}; path = @{}; src = @{} }; required_if = @(, @('state', 'present', @('path', 'src'), $true)) }",
     1, "state is present but any of the following are missing: path, src"),
    ("required by", "@{ a = 1 }", "@{ options = @{ a = @{}; b = @{}; c = @{} }; required_by = @{ a = 'b', 'c' } }", 1,
     "missing parameter(s) required by 'a': b, c"),
    ("suboption context", "@{ sub = @{} }",
     "@{ options = @{ sub = @{ type = 'dict'; options = @{ name = @{ required = $true } } } } }", 1,
     "missing required arguments: name found in sub"),
    ("unsupported suboption", "@{ sub = @{ name = 'n'; extra = 1 } }",
     "@{ options = @{ sub = @{ type = 'dict'; options = @{ name = @{} } } } }", 1,
     "Unsupported parameters for (undefined win module) module: extra found in sub. Supported parameters include: name"),
    ("list entry conversion", "@{ ports = 'a', '2' }", "@{ options = @{ ports = @{ type = 'list'; elements = 'int' } } }", 1,
     "argument for list entry ports is of type System.String and we were unable to convert to int: Exception has been "
     "thrown by the target of an invocation."),
    ("delegate (ansible_basic_tests: Type conversion error - delegate)", "@{ option_key = @{ sub_option_key = 'a' } }",
     "@{ options = @{ option_key = @{ type = 'dict'; options = @{ sub_option_key = @{ "
     "type = [Func[[Object], [Int32]]] { [System.Int32]::Parse($args[0]) } } } } } }", 1,
     "argument for sub_option_key is of type System.String and we were unable to convert to delegate: Exception calling "
     "\"Parse\" with \"1\" argument(s): \"Input string was not in a correct format.\" found in option_key"),
    # Spec errors are caught in the constructor: "internal error: ..." with an exception key
    ("invalid spec key", "@{}", "@{ options = @{ a = @{ typo = 'str' } } }", 1,
     "internal error: argument spec entry contains an invalid key 'typo', valid keys: apply_defaults, aliases, choices, "
     "default, deprecated_aliases, elements, mutually_exclusive, no_log, options, removed_in_version, removed_at_date, "
     "removed_from_collection, required, required_by, required_if, required_one_of, required_together, "
     "supports_check_mode, type - found in a"),
    ("spec value type", "@{}", "@{ options = @{ a = @{ required = 'yes' } } }", 1,
     "internal error: argument spec for 'required' did not match expected type System.Boolean: actual type System.String "
     "- found in a"),
    ("unsupported type", "@{}", "@{ options = @{ a = @{ type = 'string' } } }", 1,
     "internal error: type 'string' is unsupported - found in a. Valid types are: bool, dict, float, int, json, list, path, "
     "raw, sid, str"),
    ("script block is not a delegate", "@{}", "@{ options = @{ a = @{ type = { $args[0] } } } }", 1,
     "internal error: type must either be a string or delegate, was: System.Management.Automation.ScriptBlock - found in a"),
    ("required and default (ansible_basic_tests: Spec required and default set at the same time)", "@{}",
     "@{ options = @{ option_key = @{ required = $true; default = 'default value' } } }", 1,
     "internal error: required and default are mutually exclusive for option_key"),
    ("deprecated alias without version (ansible_basic_tests: Invalid deprecated aliases entry - no version and date)",
     "@{}", "@{ options = @{ option_key = @{ type = 'str'; aliases = , 'alias_name'; "
     "deprecated_aliases = @(@{ name = 'alias_name' }) } } }", 1,
     "internal error: One of version or date is required in a deprecated_aliases entry"),
    ("deprecated alias date type (ansible_basic_tests: Invalid deprecated aliases entry - wrong date type)", "@{}",
     "@{ options = @{ option_key = @{ type = 'str'; aliases = , 'alias_name'; "
     "deprecated_aliases = @(@{ name = 'alias_name'; date = '2020-03-10' }) } } }", 1,
     "internal error: A deprecated_aliases date must be a DateTime object"),
]


@pytest.mark.parametrize("complex_args,spec,code,msg", [c[1:] for c in SPEC_FAILURES], ids=[c[0] for c in SPEC_FAILURES])
def test_spec_failures(complex_args, spec, code, msg):
    rec, result, parsed, _line = run_module(complex_args, spec, "$module.ExitJson()\n'not reached'")
    assert parsed is not None, (rec.errors, result.error and result.error.Exception.Message)
    assert parsed["msg"] == msg
    assert parsed["failed"] is True
    assert result.exit_code == code
    assert plain(rec.output) == []
    if msg.startswith("internal error:"):
        # WriteLine(ToJson({failed, msg, exception})) before the arguments were read: no invocation, no changed
        assert sorted(parsed) == ["exception", "failed", "msg"]
    else:
        assert sorted(parsed) == ["changed", "failed", "invocation", "msg"]


def test_check_mode_without_support():
    """ansible_basic_tests: Check mode and module doesn't support check mode: skipped, exit 0."""
    _rec, result, parsed, _line = run_module("@{ _ansible_check_mode = $true; option_key = 'abc' }",
                                             "@{ options = @{ option_key = @{ type = 'str' } } }", "'not reached'")
    assert parsed == {"changed": False, "skipped": True, "msg": "remote module (undefined win module) does not support check mode",
                      "invocation": {"module_args": {"option_key": "abc"}}}
    assert result.exit_code == 0


# --------------------------------------------------------------------------- AnsibleModule: what a module reads

def test_params_conversions():
    """ansible_basic_tests: Parse complex module options (the rows the test host models)."""
    rec, result, parsed, _line = run_module(
        "@{ option_default = 1; string_option = 1; alias_as_alias2 = 'a'; bool_from_str = 'false'; "
        "dict_type = @{ int_type = '10' }; dict_type_str = 'a=a b=\"b 2\" c=c'; float_type = '3.14159'; "
        "list_type_str = 'a, b,1,2 '; list_with_int = @('1', 2); list_type_single = 'single'; "
        "path_type = '%SystemRoot%\\System32'; path_type_nt = '\\\\?\\%SystemRoot%\\System32'; raw_type_int = 1; "
        "sid_type = 'S-1-5-18'; delegate_type = '1234'; json_type_dict = @{ a = 'a' } }",
        "@{ options = @{ option_default = @{}; missing_option_default = @{}; string_option = @{ type = 'str' }; "
        "alias_as_alias = @{ aliases = 'alias_as_alias1', 'alias_as_alias2' }; bool_from_str = @{ type = 'bool' }; "
        "dict_type = @{ type = 'dict'; options = @{ int_type = @{ type = 'int' }; str_type = @{ type = 'str'; default = 'str_sub_type' } } }; "
        "dict_type_defaults = @{ type = 'dict'; apply_defaults = $true; options = @{ int_type = @{ type = 'int' } } }; "
        "dict_type_str = @{ type = 'dict' }; float_type = @{ type = 'float' }; list_type_str = @{ type = 'list' }; "
        "list_with_int = @{ type = 'list'; elements = 'int' }; list_type_single = @{ type = 'list' }; "
        "path_type = @{ type = 'path' }; path_type_nt = @{ type = 'path' }; raw_type_int = @{ type = 'raw' }; "
        "sid_type = @{ type = 'sid' }; delegate_type = @{ type = [Func[[Object], [Int32]]] { [System.Int32]::Parse($args[0]) } }; "
        "json_type_dict = @{ type = 'json' } } }",
        "$p = $module.Params\n"
        "$p.option_default; $p.option_default.GetType().FullName; $null -eq $p.missing_option_default; $p.string_option\n"
        "$p.alias_as_alias; $p.bool_from_str; $p.dict_type.int_type; $p.dict_type.int_type.GetType().FullName\n"
        "$p.dict_type.str_type; $null -eq $p.dict_type_defaults.int_type; $p.dict_type_str.b; $p.float_type\n"
        "$p.list_type_str.Count; $p.list_type_str[2]; $p.list_with_int[0].GetType().FullName; $p.list_type_single[0]\n"
        "$p.path_type; $p.path_type_nt; $p.raw_type_int; $p.sid_type.Value; $p.delegate_type; $p.json_type_dict\n"
        "$module.ExitJson()")
    assert not rec.errors, rec.errors
    assert plain(rec.output) == [
        "1", "System.String", True, "1", "a", False, 10, "System.Int32", "str_sub_type", True, "b 2", 3.14159, 4, "1",
        "System.Int32", "single", "C:\\Windows\\System32", "\\\\?\\%SystemRoot%\\System32", 1, "S-1-5-18", 1234,
        '{"a":"a"}']
    args = parsed["invocation"]["module_args"]
    assert args["alias_as_alias"] == "a" and args["alias_as_alias2"] == "a"
    assert args["dict_type"] == {"int_type": 10, "str_type": "str_sub_type"}
    assert args["dict_type_defaults"] == {"int_type": None}
    assert args["list_type_str"] == ["a", "b", "1", "2"] and args["sid_type"] == "S-1-5-18"
    assert result.exit_code == 0


def test_internal_options_set_properties():
    """ansible_basic_tests: Internal param changes - complex_args."""
    rec, _result, parsed, _line = run_module(
        "@{ _ansible_check_mode = $true; _ansible_debug = $true; _ansible_diff = $true; _ansible_keep_remote_files = $true; "
        "_ansible_module_name = 'ansible_basic_tests'; _ansible_no_log = $true; _ansible_remote_tmp = '%TEMP%'; "
        "_ansible_selinux_special_fs = 'ignored'; _ansible_shell_executable = 'ignored'; _ansible_socket = 'ignored'; "
        "_ansible_syslog_facility = 'ignored'; _ansible_tmpdir = 'C:\\ansible'; _ansible_verbosity = 3; "
        "_ansible_version = '2.8.0' }",
        "@{ supports_check_mode = $true }",
        "$module.CheckMode; $module.DebugMode; $module.DiffMode; $module.KeepRemoteFiles; $module.ModuleName\n"
        "$module.NoLog; $module.Verbosity; $module.AnsibleVersion; $module.Tmpdir\n"
        "$module.Diff.before = 'a'\n$module.ExitJson()")
    assert plain(rec.output) == [True, True, True, True, "ansible_basic_tests", True, 3, "2.8.0", "C:\\ansible"]
    assert parsed == {"changed": False, "invocation": {"module_args": {}}, "diff": {"before": "a"}}


def test_defaults_of_properties():
    """ansible_basic_tests: Empty spec and no options - complex_args."""
    rec, _result, _parsed, _line = run_module(
        "@{}", "@{}", "$module.CheckMode; $module.DebugMode; $module.DiffMode; $module.KeepRemoteFiles; $module.ModuleName\n"
        "$module.NoLog; $module.Verbosity; $null -eq $module.AnsibleVersion; $module.Result.changed\n$module.ExitJson()")
    assert plain(rec.output) == [False, False, False, False, "undefined win module", False, 0, True, False]


def test_warnings_deprecations_and_wrapper_warnings():
    """Warn, Deprecate (version and date overloads), the exec wrapper's _WrapperWarnings, a deprecated alias and
    removed_in_version (ansible_basic_tests: Removed in version, Deprecated aliases): in the result."""
    _rec, _result, parsed, _line = run_module(
        "@{ old = 'x'; alias1 = 'y' }",
        "@{ options = @{ old = @{ removed_in_version = '2.1' }; "
        "option1 = @{ type = 'str'; aliases = 'alias1'; deprecated_aliases = @(@{ name = 'alias1'; version = '2.10' }) } } }",
        "$list = [System.Collections.Generic.List[string]]@('from the wrapper')\n"
        "[Ansible.Basic.AnsibleModule]::_WrapperWarnings = $list\n"
        "$module.Warn('careful')\n$module.Deprecate('gone soon', '3.0')\n"
        "$module.Deprecate('gone later', [DateTime]'2030-01-02', 'ns.coll')\n$module.ExitJson()")
    assert parsed["warnings"] == ["careful", "from the wrapper"]
    assert parsed["deprecations"] == [
        {"msg": "Alias 'alias1' is deprecated. See the module docs for more information", "version": "2.10",
         "collection_name": None},
        {"msg": "Param 'old' is deprecated. See the module docs for more information", "version": "2.1",
         "collection_name": None},
        {"msg": "gone soon", "version": "3.0", "collection_name": None},
        {"msg": "gone later", "date": "2030-01-02", "collection_name": "ns.coll"}]
    assert parsed["invocation"]["module_args"] == {"old": "x", "alias1": "y", "option1": "y"}


def test_tmpdir_created_and_removed():
    """ansible_basic_tests: Module tmpdir with missing remote_tmp: the base dir is created with a warning, the
    module's ansible-moduletmp-* dir under it, and removed by ExitJson."""
    rs = host_runspace()
    rec, _result, parsed, _line = run_module(
        "@{ _ansible_remote_tmp = 'C:\\remote\\tmp' }", "@{}",
        "$t = $module.Tmpdir\n[System.IO.Path]::GetDirectoryName($t)\n([System.IO.Path]::GetFileName($t)).StartsWith('ansible-moduletmp-')\n"
        "Test-Path -LiteralPath $t -PathType Container\nSet-Content -LiteralPath \"$t\\f.txt\" -Value 1\n"
        "$global:made = $t\n$module.ExitJson()", rs)
    assert plain(rec.output) == ["C:\\remote\\tmp", True, True]
    assert parsed["warnings"] == [
        "Module remote_tmp C:\\remote\\tmp did not exist and was created with FullControl to WIN-FAKEHOST\\vagrant, this may "
        "cause issues when running as another user. To avoid this, create the remote_tmp dir with the correct permissions "
        "manually"]
    rec2, _result = run("Test-Path -LiteralPath $global:made; Test-Path -LiteralPath C:\\remote\\tmp", rs)
    assert plain(rec2.output) == [False, True]


def test_from_json_to_json():
    rec, _result, _parsed, _line = run_module(
        "@{}", "@{}",
        "$d = [Ansible.Basic.AnsibleModule]::FromJson('{\"a\":1,\"b\":[\"x\",2],\"c\":{\"d\":null}}')\n"
        "$d.a; $d.b[0]; $d.b.GetType().FullName; $null -eq $d.c.d\n[Ansible.Basic.AnsibleModule]::ToJson(@{ k = @(1, 'two') })\n"
        "$module.ExitJson()")
    assert plain(rec.output) == [1, "x", "System.Collections.ArrayList", True, '{"k":[1,"two"]}']


def test_exit_handler_override():
    """ansible_basic_tests overrides the static Exit and WriteLine delegates with script blocks. What the Exit block throws
    comes out of ExitJson as a MethodInvocationException around it (ConvertToMethodInvocationException), and a typed
    catch of the inner type gets the inner exception as `$_.Exception` (ExceptionHandlingOps.FindMatchingHandler): the
    tests' `catch [System.Management.Automation.RuntimeException] { $_.Exception.Message }` reads "exit: 0"."""
    rec, result = run(
        LOAD_BASIC + "Set-Variable -Name complex_args -Scope Global -Value @{}\n"
        "[Ansible.Basic.AnsibleModule]::WriteLine = { param([String]$line) Set-Variable -Name out -Scope Global -Value $line }\n"
        "[Ansible.Basic.AnsibleModule]::Exit = { param([Int32]$rc) throw \"exit: $rc\" }\n"
        "$m = [Ansible.Basic.AnsibleModule]::Create(@(), @{})\n"
        "try { $m.ExitJson() } catch [System.Management.Automation.RuntimeException] { $_.Exception.Message }\n"
        "try { $m.ExitJson() } catch { $_.Exception.Message }\n$global:out", host_runspace())
    assert result.state == "Completed"
    assert plain(rec.output) == ["exit: 0", 'Exception calling "ExitJson" with "0" argument(s): "exit: 0"',
                                 '{"changed":false,"invocation":{"module_args":{}}}']


def test_typed_catch_takes_the_inner_exception():
    """A typed catch matches the inner exception of a MethodInvocationException first, and `$_.Exception` is then that
    exception (ansible_basic_tests: Invalid deprecated aliases entry - no name (nested): `catch [System.ArgumentException]`
    gets Ansible.Basic's own message); a catch-all gets the MethodInvocationException."""
    rec, _result = run(
        LOAD_BASIC + "Set-Variable -Name complex_args -Scope Global -Value @{ option_key = @{ sub_option_key = 'a' } }\n"
        "$spec = @{ options = @{ option_key = @{ type = 'dict'; options = @{ sub_option_key = @{ type = 'str'; "
        "aliases = , 'alias_name'; deprecated_aliases = @(@{ version = '2.10' }) } } } } }\n"
        "try { $null = [Ansible.Basic.AnsibleModule]::Create(@(), $spec) } catch [System.ArgumentException] { $_.Exception.Message }\n"
        "try { [System.IO.File]::ReadAllText('C:\\nope\\x.txt') } catch [System.IO.IOException] { $_.Exception.GetType().FullName }\n"
        "try { [System.IO.File]::ReadAllText('C:\\nope\\x.txt') } catch { $_.Exception.GetType().FullName }", host_runspace())
    assert plain(rec.output) == ["name is required in a deprecated_aliases entry - found in option_key",
                                 "System.IO.DirectoryNotFoundException", "System.Management.Automation.MethodInvocationException"]


# --------------------------------------------------------------------------- LinkUtil, Ansible.Privilege, Ansible.Command

def test_link_util_plain_files_and_directories():
    """Ansible.ModuleUtils.LinkUtil's C# (extracted from the installed psm1): GetLinkInfo of a directory or a file with one
    name is $null (File.GetAttributes, GetHardLinkInfo); [Ansible.LinkType] is its enum."""
    rec, result = run(
        "Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\link_util.cs'))\n"
        "Set-Content -LiteralPath C:\\ansible\\f.txt -Value 1\n"
        "$null -eq [Ansible.LinkUtil]::GetLinkInfo('C:\\ansible'); $null -eq [Ansible.LinkUtil]::GetLinkInfo('C:\\ansible\\f.txt')\n"
        "[string][Ansible.LinkType]::JunctionPoint", host_runspace())
    assert not rec.errors and result.state == "Completed"
    assert plain(rec.output) == [True, True, "JunctionPoint"]


@pytest.mark.parametrize("call,message", [
    ("[Ansible.LinkUtil]::GetLinkInfo('C:\\ansible\\missing.txt')",
     'Exception calling "GetLinkInfo" with "1" argument(s): "Could not find file \'C:\\ansible\\missing.txt\'."'),
    ("[Ansible.LinkUtil]::CreateLink('C:\\l', 'C:\\ansible', [Ansible.LinkType]::SymbolicLink)",
     "The test host does not model [Ansible.LinkUtil]::CreateLink"),
])
def test_link_util_failures(call, message):
    rec, result = run("Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\link_util.cs'))\n"
                      f"$ErrorActionPreference = 'Stop'\n{call}", host_runspace())
    assert result.state == "Failed"
    assert str(result.error.Exception.Message).startswith(message)
    del rec


def test_privilege_util():
    """Ansible.Privilege.cs as PrivilegeUtil.psm1's Get-AnsiblePrivilege uses it: a network-logon administrator's token,
    privileges enabled; an unknown name is not a privilege."""
    rec, result = run(
        "Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\Ansible.Privilege.cs'))\n"
        "[Ansible.Privilege.PrivilegeUtil]::CheckPrivilegeName('SeBackupPrivilege')\n"
        "[Ansible.Privilege.PrivilegeUtil]::CheckPrivilegeName('SeMadeUpPrivilege')\n"
        "$info = [Ansible.Privilege.PrivilegeUtil]::GetAllPrivilegeInfo([Ansible.Privilege.PrivilegeUtil]::GetCurrentProcess())\n"
        "$info.ContainsKey('SeBackupPrivilege')\n$info.SeBackupPrivilege.HasFlag([Ansible.Privilege.PrivilegeAttributes]::Enabled)\n"
        "$info.ContainsKey('SeTcbPrivilege')", host_runspace())
    assert not rec.errors and result.state == "Completed"
    assert plain(rec.output) == [True, False, True, True, False]


def test_command_symlink_helper_is_loud():
    """win_file's Ansible.Command.SymLinkHelper deletes reparse points, which the test host's disk does not have."""
    source = ("using System;\nnamespace Ansible.Command {\n    public class SymLinkHelper {\n"
              "        public static void DeleteFile(string path) { }\n    }\n}\n")
    rs = host_runspace()
    rs.host.filesystem.write_bytes("C:\\ansible\\cmd.cs", source.encode())
    _rec, result = run("Add-Type -TypeDefinition ([System.IO.File]::ReadAllText('C:\\ansible\\cmd.cs'))\n"
                       "[Ansible.Command.SymLinkHelper]::DeleteFile('C:\\x')", rs)
    assert result.state == "Failed"
    assert "does not model [Ansible.Command.SymLinkHelper]::DeleteFile" in str(result.error.Exception.Message)


# --------------------------------------------------------------------------- the other supported releases' Ansible.Basic.cs

DOWNLOADS = pathlib.Path(__file__).resolve().parents[2] / ".venvs" / "downloads"


def release_basic_cs(release: str) -> str:
    """Ansible.Basic.cs of the ansible-core pinned in tests/ansible-core-<release>.txt, read from its wheel (downloaded
    once with pip into .venvs/downloads, as e2e_support does for ansible.windows; never committed)."""
    pins = (pathlib.Path(__file__).resolve().parents[1] / f"ansible-core-{release}.txt").read_text(encoding="utf-8")
    version = re.search(r"^ansible-core==(\S+)$", pins, re.MULTILINE).group(1)
    wheel = DOWNLOADS / f"ansible_core-{version}-py3-none-any.whl"
    if not wheel.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--python-version", "3.13", "-d", str(DOWNLOADS), f"ansible-core=={version}"], check=True,
                       capture_output=True)
    with zipfile.ZipFile(wheel) as archive:
        return archive.read("ansible/module_utils/csharp/Ansible.Basic.cs").decode("utf-8-sig")


def run_release_module(release: str, complex_args: str, spec: str, body: str = "$module.ExitJson()"):
    rs = host_runspace()
    rs.host.filesystem.write_bytes("C:\\ansible\\Ansible.Basic.cs", release_basic_cs(release).encode("utf-8"))
    return run_module(complex_args, spec, body, rs)


def test_release_2_16_wrapper_warnings_as_module_argument():
    """2.16's Ansible.Basic takes the exec wrapper's warnings as _ansible_exec_wrapper_warnings (removed from the
    arguments), and has no _ansible_target_log_info (2.17+): that one is an unsupported parameter."""
    _rec, _result, parsed, _line = run_release_module("2.16", "@{ _ansible_exec_wrapper_warnings = @('from the wrapper') }", "@{}")
    assert parsed == {"changed": False, "invocation": {"module_args": {}}, "warnings": ["from the wrapper"]}
    _rec, result, parsed, _line = run_release_module("2.16", "@{ _ansible_target_log_info = 'x' }", "@{}")
    assert parsed["msg"] == "Unsupported parameters for (undefined win module) module: _ansible_target_log_info. Supported parameters include: "
    assert result.exit_code == 1


def test_release_2_21_invocation_on_request_and_sorted_lists():
    """2.21's Ansible.Basic adds invocation only with _ansible_inject_invocation, and sorts (ordinal) the unsupported and
    the supported parameters in its message."""
    _rec, _result, parsed, _line = run_release_module("2.21", "@{ a = 1 }", "@{ options = @{ a = @{ type = 'int' } } }")
    assert parsed == {"changed": False}
    _rec, _result, parsed, _line = run_release_module("2.21", "@{ a = 1; _ansible_inject_invocation = $true }",
                                                      "@{ options = @{ a = @{ type = 'int' } } }")
    assert parsed == {"changed": False, "invocation": {"module_args": {"a": 1}}}
    _rec, _result, parsed, _line = run_release_module("2.21", "@{ zeta = 1; alpha = 2; _ansible_inject_invocation = $true }",
                                                      "@{ options = @{ b = @{}; a = @{} } }")
    assert parsed["msg"] == "Unsupported parameters for (undefined win module) module: alpha, zeta. Supported parameters include: a, b"


@pytest.mark.parametrize("verbosity,detail,exception", [
    # Verbosity > 2: the ErrorRecord's text, its position (InvocationInfo.PositionMessage: the throw on the module
    # body's line, 5 in run_module's script, the 100-character line cut to 69 after it: Position.cs VerboseMessage),
    # CategoryInfo, FullyQualifiedErrorId and ScriptStackTrace (not modelled by the test host: empty here)
    (3, "$_", "bad thing\r\nAt line:5 char:7\r\n"
              "+ try { throw 'bad thing' } catch { $m = 'failed: ' + $_.Exception.Mess ...\r\n+       ~~~~~~~~~~~~~~~~~\r\n"
              "    + CategoryInfo          : OperationStopped: (bad thing:String) [], RuntimeException\r\n"
              "    + FullyQualifiedErrorId : bad thing\r\n\r\nScriptStackTrace:\r\n"),
    (3, "[System.Exception]::new('inner msg')", "System.Exception: inner msg"),  # Exception.ToString() (no stack here)
    (2, "$_", None),  # below verbosity 3 and without _ansible_debug: no exception key
])
def test_fail_json_exception_detail(verbosity, detail, exception):
    _rec, result, parsed, _line = run_module(
        f"@{{ _ansible_verbosity = {verbosity} }}", "@{}",
        f"try {{ throw 'bad thing' }} catch {{ $m = 'failed: ' + $_.Exception.Message; $module.FailJson($m, {detail}) }}")
    assert parsed["msg"] == "failed: bad thing" and result.exit_code == 1
    assert parsed.get("exception") == exception


def test_expand_environment_variables():
    """[Environment]::ExpandEnvironmentVariables (Load-LinkUtils expands _ansible_remote_tmp with it): known names from the
    process environment, unknown ones and a lone % as written."""
    rec, _result = run("[System.Environment]::ExpandEnvironmentVariables('%SystemRoot%\\x %NOPE% 50%')", host_runspace())
    assert plain(rec.output) == ["C:\\Windows\\x %NOPE% 50%"]


def test_spec_fragments_are_merged():
    """Create($args, $spec, @($fragment)) (Ansible.ModuleUtils.WebRequest passes its spec so): MergeFragmentSpec adds the
    fragment's options and appends its lists; the module's own entries win (a stays an int)."""
    rs = host_runspace()
    rec, result = run(
        LOAD_BASIC + "Set-Variable -Name complex_args -Scope Global -Value @{ url = 'http://x'; a = '1' }\n"
        "$spec = @{ options = @{ a = @{ type = 'int' }; b = @{} }; required_one_of = [System.Collections.Generic.List[object]]@() }\n"
        "$frag = @{ options = @{ url = @{ type = 'str'; required = $true }; a = @{ type = 'str' } }; "
        "required_one_of = @(, @('a', 'b')) }\n"
        "$module = [Ansible.Basic.AnsibleModule]::Create(@(), $spec, @($frag))\n"
        "$module.Params.a.GetType().FullName; $module.Params.url\n"
        "Set-Variable -Name complex_args -Scope Global -Value @{ url = 'http://x' }\n"
        "$m2 = [Ansible.Basic.AnsibleModule]::Create(@(), $spec, @($frag))", rs)
    assert plain(rec.output) == ["System.Int32", "http://x"]
    assert json.loads(runtime.process_stdout(rs.host))["msg"] == "one of the following is required: a, b"
    assert result.exit_code == 1


def test_arguments_from_a_file():
    """ansible_basic_tests: Internal param changes - args file. With a path in $args, GetParams reads the file's
    ANSIBLE_MODULE_ARGS (FromJson); without that key it is an internal error."""
    rs = host_runspace()
    rs.host.filesystem.write_bytes("C:\\ansible\\args.json", json.dumps({"ANSIBLE_MODULE_ARGS": {
        "_ansible_check_mode": True, "_ansible_module_name": "ansible_basic_tests", "_ansible_verbosity": 3,
        "_ansible_version": "2.8.0", "name": "n"}}).encode())
    rs.host.filesystem.write_bytes("C:\\ansible\\bad.json", b'{"other": {}}')
    rec, result = run(
        LOAD_BASIC + "$m = [Ansible.Basic.AnsibleModule]::Create(@('C:\\ansible\\args.json'), "
        "@{ supports_check_mode = $true; options = @{ name = @{} } })\n"
        "$m.CheckMode; $m.ModuleName; $m.Verbosity; $m.AnsibleVersion; $m.Params.name\n"
        "$m2 = [Ansible.Basic.AnsibleModule]::Create(@('C:\\ansible\\bad.json'), @{})", rs)
    assert plain(rec.output) == [True, "ansible_basic_tests", 3, "2.8.0", "n"]
    assert json.loads(runtime.process_stdout(rs.host))["msg"] == (
        "internal error: Module was unable to get ANSIBLE_MODULE_ARGS value from the argument path json")
    assert result.exit_code == 1
