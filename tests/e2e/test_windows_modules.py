"""ansible.windows modules end to end on the test host, through this collection's connection and through
``ansible.builtin.psrp`` (issue 10, "What it must show").

Each module runs through ansible-core's real chain, read from the installed ansible-core: bootstrap_wrapper.ps1 ->
exec_wrapper.ps1 -> module_wrapper.ps1 -> module_utils -> the module (ansible.windows 3.3.0, extracted at test
time by ``e2e_support.install_ansible_windows``). Each result is checked against what Windows gives (from the
module's source) and, field by field, against the module's RETURN documentation (read from the extracted
collection at test time): every documented field the conditions call for is there with its documented type, and
nothing undocumented is.

On the test host (its chain: tests/winhost/powershell/STATUS.md, "Ansible's module chain") every case here runs to
the module's own result through both plugins; a task that stops anywhere short of it fails its test.

The cases through this collection's plugin are release_sensitive: the re-runs on 2.16 and 2.21 run each release's
own chain (the builtin's cases run on .venv's release only: e2e_support.plugin_cases). 2.21: as 2.19. 2.16
(the pre-2.19 wrappers): the same pass; a module that throws (win_ping's crash) reports the exception text 2.16's
error formatter builds from the record's InvocationInfo.PositionMessage.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import os
import re

import pytest
import yaml

from e2e_support import BUILD, ansible_core_version, plugin_cases

WIN = 'ansible.windows.'
MODULES_DIR = os.path.join(BUILD, 'ansible_collections', 'ansible', 'windows', 'plugins', 'modules')

# Where the chain stops on the test host today, as the task reports it (the first line of module_stderr when the
# wrapper wrote no JSON).
CHAIN_GAPS: tuple[re.Pattern, ...] = (
    # None today. (2.16 to 2.18's Format-AnsibleException reads $ErrorRecord.InvocationInfo.PositionMessage under
    # Set-StrictMode -Version 2: the host's error records carry an InvocationInfo since issue 10's last gaps.)
)

# Keys every module result may carry besides its RETURN fields (ansible-core's own and this suite's callback's).
COMMON_KEYS = {'changed', 'failed', 'msg', 'invocation', 'warnings', 'deprecations', 'exception', 'skipped'}
TYPES = {'str': str, 'bool': bool, 'int': int, 'float': (int, float), 'list': list, 'dict': dict, 'complex': dict}

pytestmark = [
    # Each release sends its own chain (2.16 to 2.18: the older exec/module wrappers, chcp.com, ScriptBlock.Create;
    # 2.19 on: module_wrapper.ps1 in a nested [PowerShell]; 2.21: the PwshPath lookup, CreateDefault2), read from
    # that release's installed ansible-core, and its own Ansible.Basic.cs (the stand-in reads its differences).
    pytest.mark.parametrize('plugin', plugin_cases("the release's PowerShell module chain (exec and module wrappers, Ansible.Basic)")),
]


def return_doc(module: str) -> dict:
    """The RETURN documentation of an ansible.windows module, from the extracted collection."""
    py, yml = os.path.join(MODULES_DIR, module + '.py'), os.path.join(MODULES_DIR, module + '.yml')
    if os.path.exists(yml):
        with open(yml, encoding='utf-8') as handle:
            return yaml.safe_load(handle).get('RETURN') or {}
    with open(py, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'RETURN':
            return yaml.safe_load(node.value.value) or {}
    return {}


def assert_documented(doc: dict, result: dict, present: set[str], path: str = '') -> None:
    """Each field in `present` is in the result with its documented type; the result has no undocumented field."""
    for key in present:
        assert key in result, f'{path}{key} missing from {result}'
        spec = doc[key]
        if result[key] is not None:
            assert isinstance(result[key], TYPES[spec['type']]), (f'{path}{key}', result[key], spec['type'])
    extra = {k for k in result if not k.startswith('_') and k not in doc and (path or k not in COMMON_KEYS)}
    assert not extra, f'undocumented fields {sorted(extra)} in {path or "the result"}'
    missing = present - set(result)
    assert not missing, missing


def run_tasks(ansible, plugin: str, collections_path: str, tasks: str, *args: str):
    play = '- hosts: win1\n  gather_facts: false\n  tasks:\n' + tasks
    return ansible.playbook(play, *args, env=ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path),
                            ansible_connection=plugin)


def reached_the_module(result: dict) -> None:
    """xfail (imperatively) when the task stopped at a known test-host gap (CHAIN_GAPS)."""
    msg = str(result.get('msg', ''))
    if msg.startswith('MODULE FAILURE'):  # the wrapper wrote no JSON: what stopped it is on stderr
        msg = (str(result.get('module_stderr', '')).splitlines() or [''])[0]
    if result.get('_status') == 'failed' and any(gap.match(msg) for gap in CHAIN_GAPS):
        pytest.xfail(f'a known test-host gap stops the task: {msg}')


def test_win_ping(ansible, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_ping:\n  - {WIN}win_ping: {{data: hello}}\n')
    default, data = run.results
    for result, expected in ((default, 'pong'), (data, 'hello')):
        assert result['_status'] == 'ok', result
        assert result['ping'] == expected and result['changed'] is False
        assert_documented(return_doc('win_ping'), result, {'ping'})


def test_win_ping_crash_fails_as_on_windows(ansible, collections_path, plugin):
    """win_ping throws "boom" for data=crash; module_wrapper.ps1 reports an unhandled exception."""
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_ping: {{data: crash}}\n')
    result = run.results[0]
    reached_the_module(result)
    assert result['_status'] == 'failed', result
    assert result['msg'] == 'Unhandled exception while executing module: boom'
    if ansible_core_version() >= (2, 19):
        # ansible-core 2.19 keeps a module's exception text out of the result at default verbosity (controller side).
        assert result['exception'] == '(traceback unavailable)', result['exception']
        return
    # 2.16 to 2.18: exec_wrapper.ps1's Format-AnsibleException (its here-string's lines end as the wrapper's, LF) with
    # the record's InvocationInfo.PositionMessage: the throw statement in win_ping.ps1 as sent (Position.cs
    # VerboseMessage, "At line:<n> char:<c>", the line, "~" under the statement, CRLF between them), its CategoryInfo
    # and FullyQualifiedErrorId. The ScriptStackTrace after it is not modelled (empty here; on Windows
    # "at <ScriptBlock>, <No file>: line <n>"), so the text is compared up to it.
    with open(os.path.join(MODULES_DIR, 'win_ping.ps1'), encoding='utf-8') as handle:
        line = handle.read().splitlines().index('    throw "boom"') + 1
    assert result['exception'].startswith(
        f'boom\nAt line:{line} char:5\r\n+     throw "boom"\r\n+     ~~~~~~~~~~~~\n'
        '    + CategoryInfo          : OperationStopped: (boom:String) [], RuntimeException\n'
        '    + FullyQualifiedErrorId : boom\r\n\r\nScriptStackTrace:\r\n'), result['exception']


def test_slurp(ansible, winhost, collections_path, plugin):
    data = b'first line\r\nsecond \xc3\xa9\r\n\x00\x01'
    winhost.filesystem.create_directory('C:\\chain')
    winhost.filesystem.write_bytes('C:\\chain\\slurp.bin', data)
    run = run_tasks(ansible, plugin, collections_path, f"  - {WIN}slurp: {{src: 'C:\\chain\\slurp.bin'}}\n")
    result = run.results[0]
    assert result['_status'] == 'ok', result
    assert base64.b64decode(result['content']) == data
    assert (result['encoding'], result['changed']) == ('base64', False)
    # RETURN documents `source` (returned: success) but slurp.ps1 (3.3.0) never sets it, on Windows either.
    assert 'source' not in result
    assert_documented(return_doc('slurp'), result, {'content', 'encoding'})


STAT_EXISTS = {'attributes', 'creationtime', 'exists', 'hlnk_targets', 'isarchive', 'isdir', 'ishidden', 'isjunction',
               'islnk', 'isreadonly', 'isreg', 'isshared', 'lastaccesstime', 'lastwritetime', 'nlink', 'owner', 'path'}


def test_win_stat(ansible, winhost, collections_path, plugin):
    data, inner = b'stat me\r\n', b'0123456789'
    winhost.filesystem.create_directory('C:\\chain\\dir')
    winhost.filesystem.write_bytes('C:\\chain\\file.txt', data)
    winhost.filesystem.write_bytes('C:\\chain\\dir\\inner.bin', inner)
    run = run_tasks(ansible, plugin, collections_path,
                    f"  - {WIN}win_stat: {{path: 'C:\\chain\\file.txt', get_checksum: true}}\n"
                    f"  - {WIN}win_stat: {{path: 'C:\\chain\\dir'}}\n"
                    f"  - {WIN}win_stat: {{path: 'C:\\Windows', get_size: false}}\n"
                    f"  - {WIN}win_stat: {{path: 'C:\\', get_size: false}}\n"
                    f"  - {WIN}win_stat: {{path: 'C:\\chain\\missing'}}\n")
    doc = return_doc('win_stat')
    stat_doc = doc['stat']['contains']
    assert len(run.results) == 5, run.results
    for result in run.results:
        assert result['_status'] == 'ok' and result['changed'] is False, result
        assert_documented(doc, result, {'changed', 'stat'})
    file_result, dir_result, windows_result, root_result, missing_result = run.results

    stat = file_result['stat']
    assert_documented(stat_doc, stat, STAT_EXISTS | {'extension', 'filename', 'size', 'checksum'}, 'stat.')
    assert (stat['exists'], stat['isdir'], stat['isreg'], stat['islnk'], stat['isjunction']) == (True, False, True, False, False)
    assert (stat['path'], stat['filename'], stat['extension'], stat['size']) == ('C:\\chain\\file.txt', 'file.txt', '.txt', len(data))
    assert stat['checksum'] == hashlib.sha1(data).hexdigest()  # checksum_algorithm's default is sha1
    assert stat['isshared'] is False and 'sharename' not in stat
    # `owner` is GetAccessControl().Owner, an NTAccount name. The test wrote its items straight to the disk, as an
    # administrator's set-up would: an item a member of the Administrators group creates is the group's on Windows
    # Server (its default-owner security policy; tests/winhost/README.md).
    assert stat['owner'] == 'BUILTIN\\Administrators'

    # A directory: its share lookup (Get-CimInstance Win32_Share -Filter "Path='C:\\chain\\dir'") finds none, as on a
    # Windows host with only its administrative shares (the test host cannot share a directory: tests/winhost/README.md).
    # RETURN documents `filename` for files only, but win_stat.ps1 (3.3.0) sets it for every item, on Windows too.
    stat = dir_result['stat']
    assert_documented(stat_doc, stat, STAT_EXISTS | {'size', 'filename'}, 'stat.')
    assert (stat['exists'], stat['isdir'], stat['isreg'], stat['islnk'], stat['path']) == (True, True, False, False, 'C:\\chain\\dir')
    assert (stat['filename'], stat['attributes'], stat['size']) == ('dir', 'Directory', len(inner))
    assert stat['isshared'] is False and 'sharename' not in stat and 'checksum' not in stat and 'extension' not in stat
    assert stat['owner'] == 'BUILTIN\\Administrators'

    # Windows' administrative shares: %SystemRoot% is ADMIN$, the root of drive C: is C$ (Win32_Share). A root's
    # DirectoryInfo.Name is the root itself (.NET: DirectoryInfo.Name).
    for result, path, name in ((windows_result, 'C:\\Windows', 'Windows'), (root_result, 'C:\\', 'C:\\')):
        stat = result['stat']
        assert_documented(stat_doc, stat, STAT_EXISTS | {'filename', 'sharename'}, 'stat.')
        assert (stat['isdir'], stat['path'], stat['filename']) == (True, path, name), stat
        # Windows' own folders, the drive's root among them, are TrustedInstaller's (Windows Resource Protection).
        assert stat['owner'] == 'NT SERVICE\\TrustedInstaller', stat
    assert (windows_result['stat']['isshared'], windows_result['stat']['sharename']) == (True, 'ADMIN$')
    assert (root_result['stat']['isshared'], root_result['stat']['sharename']) == (True, 'C$')

    assert missing_result['stat'] == {'exists': False}


def test_win_file(ansible, winhost, collections_path, plugin):
    """win_file has no RETURN fields: only changed (and ansible's own keys) come back."""
    tasks = ''.join(f'  - {WIN}win_file: {args}\n' for args in (
        "{path: 'C:\\chain\\made', state: directory}",
        "{path: 'C:\\chain\\made', state: directory}",
        "{path: 'C:\\chain\\made\\touched.txt', state: touch}",
        "{path: 'C:\\chain\\made\\touched.txt', state: absent}",
        "{path: 'C:\\chain\\made\\touched.txt', state: absent}",
    ))
    run = run_tasks(ansible, plugin, collections_path, tasks)
    assert [(r['_status'], r['changed']) for r in run.results] == [
        ('ok', True), ('ok', False), ('ok', True), ('ok', True), ('ok', False)], run.results
    for result in run.results:
        assert_documented(return_doc('win_file'), result, set())
    assert winhost.filesystem.is_dir('C:\\chain\\made')
    assert not winhost.filesystem.exists('C:\\chain\\made\\touched.txt')


def test_win_file_check_and_diff_change_nothing(ansible, winhost, collections_path, plugin):
    winhost.filesystem.create_directory('C:\\chain')
    winhost.filesystem.write_bytes('C:\\chain\\keep.txt', b'keep')
    tasks = ''.join(f'  - {WIN}win_file: {args}\n' for args in (
        "{path: 'C:\\chain\\checked', state: directory}",
        "{path: 'C:\\chain\\checked.txt', state: touch}",
        "{path: 'C:\\chain\\keep.txt', state: absent}",
    ))
    run = run_tasks(ansible, plugin, collections_path, tasks, '--check', '--diff')
    # win_file.ps1 supports check mode: each task reports the change it would make (New-Item/Remove-Item -WhatIf, whose
    # "What if:" line goes to the nested runspace's UI-less default host and so nowhere) and makes none.
    assert [(r['_status'], r['changed']) for r in run.results] == [('ok', True)] * 3, run.results
    for result in run.results:
        assert_documented(return_doc('win_file'), result, set())
    assert all('diff' not in r for r in run.results)  # win_file reports no diff
    assert not winhost.filesystem.exists('C:\\chain\\checked') and not winhost.filesystem.exists('C:\\chain\\checked.txt')
    assert winhost.filesystem.read_bytes('C:\\chain\\keep.txt') == b'keep'


def test_win_copy(ansible, winhost, collections_path, plugin, tmp_path):
    """win_copy of a file: the action's query run, its remote temporary directory (2.19's powershell_mkdtemp.ps1 runs
    the exec wrapper under Set-StrictMode -Version Latest, which reads $PSCommandPath), the transfer, then the module's
    Copy-Item; the same copy again changes nothing (same checksum: nothing is sent), `content:` writes the text, and
    no temporary directory is left behind."""
    data = os.urandom(3000)
    src = tmp_path / 'payload.bin'
    src.write_bytes(data)
    winhost.filesystem.create_directory('C:\\chain')
    tasks = ''.join(f'  - {WIN}win_copy: {args}\n' for args in (
        "{src: '%s', dest: 'C:\\chain\\payload.bin'}" % src,
        "{src: '%s', dest: 'C:\\chain\\payload.bin'}" % src,
        "{content: 'hello', dest: 'C:\\chain\\content.txt'}",
    ))
    run = run_tasks(ansible, plugin, collections_path, tasks)
    first, again, content = run.results
    assert (first['_status'], first['changed'], again['_status'], again['changed']) == ('ok', True, 'ok', False), run.results
    assert first['checksum'] == again['checksum'] == hashlib.sha1(data).hexdigest()
    assert (first['dest'], first['size'], first['operation'], first['original_basename']) == (
        'C:\\chain\\payload.bin', 3000, 'file_copy', 'payload.bin')
    assert winhost.filesystem.read_bytes('C:\\chain\\payload.bin') == data
    assert content['_status'] == 'ok' and content['changed'] is True, content
    assert winhost.filesystem.read_bytes('C:\\chain\\content.txt') == b'hello'
    for result in (first, again, content):
        assert_documented(return_doc('win_copy'), result, {'dest', 'checksum', 'size'} & set(result))
    temp = 'C:\\Users\\user\\AppData\\Local\\Temp'
    assert not [e.name for e in winhost.filesystem.children(temp) if e.name.startswith('ansible-tmp-')]


def test_win_copy_check_mode_writes_nothing(ansible, winhost, collections_path, plugin, tmp_path):
    src = tmp_path / 'payload.txt'
    src.write_bytes(b'checked')
    winhost.filesystem.create_directory('C:\\chain')
    run = run_tasks(ansible, plugin, collections_path, f"  - {WIN}win_copy: {{src: '{src}', dest: 'C:\\chain\\new.txt'}}\n",
                    '--check')
    result = run.results[0]
    assert (result['_status'], result['changed']) == ('ok', True), result
    assert not winhost.filesystem.exists('C:\\chain\\new.txt')


def test_environment_reaches_the_module(ansible, collections_path, plugin):
    """module_wrapper.ps1 sets the task's environment in the process for the module ([Environment]::
    SetEnvironmentVariable) and does not take it back: with ansible.builtin.psrp the process ends with the task; in
    this collection's session the module epilogue takes it back (module_hygiene; docs/design.md section 8), so a
    later task of the session sees it no more than with the builtin (issue 11)."""
    run = run_tasks(ansible, plugin, collections_path,
                    f'  - {WIN}win_ping:\n    environment: {{CHAIN_VAR: chain value}}\n'
                    "  - ansible.builtin.raw: \"Write-Output ('[' + $env:CHAIN_VAR + ']')\"\n")
    assert run.results[0]['_status'] == 'ok' and run.results[0]['ping'] == 'pong', run.results[0]
    assert run.results[1]['stdout_lines'] == ['[]'], run.results[1]


def test_no_log_hides_the_result(ansible, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_ping: {{data: secret-value}}\n    no_log: true\n')
    result = run.results[0]
    assert result['_status'] == 'ok', result
    assert result['censored'] == "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
    assert 'secret-value' not in run.stdout and 'ping' not in result


def test_an_argument_error_names_the_option(ansible, collections_path, plugin):
    run = run_tasks(ansible, plugin, collections_path, f'  - {WIN}win_ping: {{nope: 1}}\n')
    result = run.results[0]
    assert result['_status'] == 'failed', result
    assert result['msg'] == 'Unsupported parameters for (ansible.windows.win_ping) module: nope. Supported parameters include: data'


# win_command and win_shell start a process (CreateProcessW through the Process C# utils' stand-ins,
# tests/winhost/powershell/standins/process.py). The test host runs the programs it models
# (standins/applications.py): whoami.exe, and powershell.exe as a new process on the same disk (a fresh session, the
# environment it is given, its own location). Fields set on every run of the command itself (RETURN: "always"); a
# skipped run (creates/removes) exits before them, on Windows too (win_command.ps1, win_shell.ps1 3.3.0).
COMMAND_RAN = {'cmd', 'rc', 'stdout', 'stderr', 'start', 'end', 'delta', 'stdout_lines'}
TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$')
DELTA = re.compile(r'^\d+:\d\d:\d\d\.\d{6}$')
POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'


def assert_command_result(module: str, result: dict, stdout: str, rc: int = 0, cmd: str | None = None) -> None:
    result = dict(result)
    if module == 'win_shell':
        # ansible-core adds stdout_lines and stderr_lines to any result with stdout/stderr (ActionBase.
        # _execute_module); win_shell's RETURN documents only the first.
        assert result.pop('stderr_lines') == [], result
    present = COMMAND_RAN | ({'stderr_lines'} if module == 'win_command' else set())
    assert_documented(return_doc(module), result, present)
    assert (result['stdout'], result['stderr'], result['rc']) == (stdout, '', rc), (result['stdout'], result['stderr'])
    # ansible-core splits stdout/stderr into lines on the controller (ActionBase._execute_module).
    assert result['stdout_lines'] == stdout.splitlines(), result
    assert TIMESTAMP.match(result['start']) and TIMESTAMP.match(result['end']), (result['start'], result['end'])
    assert DELTA.match(result['delta']), result['delta']
    if cmd is not None:
        assert result['cmd'] == cmd, result


def whoami_line(winhost) -> str:
    """whoami's line for the task's account: a local account's domain is the computer's name, both in lower case."""
    return f"{winhost.knobs.computer_name.lower()}\\user\r\n"


def test_win_command(ansible, winhost, collections_path, plugin):
    winhost.filesystem.create_directory('C:\\chain\\work')
    tasks = (
        f"  - {WIN}win_command: whoami\n"
        # argv: each argument escaped with C's rules (ConvertTo-EscapedArgument), the executable resolved on PATH.
        f"  - {WIN}win_command:\n      argv: [powershell, -NoProfile, -Command, 'Write-Output \"two words\"']\n"
        f"  - {WIN}win_command:\n      cmd: powershell.exe -NoProfile -Command (Get-Location).Path\n"
        f"      chdir: 'C:\\chain\\work'\n"
        f"  - {WIN}win_command:\n      cmd: powershell.exe -Command \"$input | ForEach-Object {{ \\\"got $_\\\" }}\"\n"
        f"      stdin: \"first\\nsecond\"\n"
    )
    run = run_tasks(ansible, plugin, collections_path, tasks)
    assert len(run.results) == 4, [r.get('msg') for r in run.results]
    for result in run.results:
        assert result['_status'] == 'ok' and result['changed'] is True, result
    whoami, argv, chdir, stdin = run.results
    # whoami: the account as domain\user in lower case (a local account's domain is the computer's name).
    assert_command_result('win_command', whoami, whoami_line(winhost), cmd='whoami')
    assert_command_result('win_command', argv, 'two words\r\n',
                          cmd=POWERSHELL + ' -NoProfile -Command "Write-Output \\"two words\\""')
    # The new process starts in chdir: its PowerShell's location is there.
    assert_command_result('win_command', chdir, 'C:\\chain\\work\r\n')
    # stdin reaches the process (with a newline appended, as Ansible.Windows.Process does not: InputObject as UTF-8).
    assert_command_result('win_command', stdin, 'got first\r\ngot second\r\n')


def test_win_command_fails_on_a_non_zero_rc_and_skips_on_creates_removes(ansible, winhost, collections_path, plugin):
    winhost.filesystem.create_directory('C:\\chain')
    winhost.filesystem.write_bytes('C:\\chain\\marker', b'')
    tasks = (
        f"  - {WIN}win_command: powershell.exe -Command \"Write-Output out; exit 5\"\n"
        "    ignore_errors: true\n"
        f"  - {WIN}win_command: {{cmd: whoami, creates: 'C:\\chain\\marker'}}\n"
        f"  - {WIN}win_command: {{cmd: whoami, removes: 'C:\\chain\\missing'}}\n"
        f"  - {WIN}win_command: {{cmd: whoami, creates: 'C:\\chain\\missing', removes: 'C:\\chain\\marker'}}\n"
        f"  - {WIN}win_command: nothere\n"
        "    ignore_errors: true\n"
    )
    run = run_tasks(ansible, plugin, collections_path, tasks)
    assert len(run.results) == 5, [r.get('msg') for r in run.results]
    failed, created, removed, ran, missing = run.results
    # A program the host does not have: CreateProcessW fails with ERROR_FILE_NOT_FOUND, which win_command reports as
    # rc (the Win32Exception's NativeErrorCode) with Process.cs's message (its Win32Exception format).
    assert missing['_status'] == 'failed', missing
    assert (missing['rc'], missing['cmd'], missing['changed']) == (2, 'nothere', False), missing
    assert missing['msg'] == ("Failed to run: 'nothere': Exception calling \"CreateProcess\" with \"7\" argument(s): "
                              "\"CreateProcessW() failed (The system cannot find the file specified, Win32ErrorCode 2 - "
                              "0x00000002)\""), missing['msg']
    assert failed['_status'] == 'failed' and failed['msg'] == 'non-zero return code', failed
    assert_command_result('win_command', failed, 'out\r\n', rc=5, cmd='powershell.exe -Command "Write-Output out; exit 5"')
    for result, msg in ((created, 'skipped, since C:\\chain\\marker exists'),
                        (removed, 'skipped, since C:\\chain\\missing does not exist')):
        assert result['_status'] == 'skipped' and result['msg'] == msg, result
        assert (result['cmd'], result['rc'], result['changed']) == ('whoami', 0, False), result
        assert_documented(return_doc('win_command'), result, {'cmd', 'rc'})
    assert ran['_status'] == 'ok', ran
    assert_command_result('win_command', ran, whoami_line(winhost), cmd='whoami')


def test_win_shell(ansible, winhost, collections_path, plugin):
    winhost.filesystem.create_directory('C:\\chain\\shell')
    tasks = (
        f"  - {WIN}win_shell: Write-Output \"hello $env:USERNAME\"\n"
        f"  - {WIN}win_shell: |\n"
        "      $doubled = 1..3 | ForEach-Object { $_ * 2 }\n"
        "      $doubled -join ','\n"
        "      Write-Host 'from the host'\n"
        f"  - {WIN}win_shell: (Get-Location).Path\n"
        "    args: {chdir: 'C:\\chain\\shell'}\n"
        f"  - {WIN}win_shell: Write-Output $env:CHAIN_VAR\n"
        "    environment: {CHAIN_VAR: chain value}\n"
        f"  - {WIN}win_shell: '$input | ForEach-Object {{ \"line: $_\" }}'\n"
        "    args: {stdin: 'piped'}\n"
    )
    run = run_tasks(ansible, plugin, collections_path, tasks)
    assert len(run.results) == 5, run.results
    for result in run.results:
        assert result['_status'] == 'ok' and result['changed'] is True, result
    hello, multi, chdir, environment, stdin = run.results
    # cmd is the script as given (trimmed); it runs as powershell.exe -noninteractive -encodedcommand <base64>.
    assert_command_result('win_shell', hello, 'hello user\r\n', cmd='Write-Output "hello $env:USERNAME"')
    assert_command_result('win_shell', multi, '2,4,6\r\nfrom the host\r\n')
    assert_command_result('win_shell', chdir, 'C:\\chain\\shell\r\n')
    # The task's environment is the module process's (module_wrapper.ps1), which the new process inherits.
    assert_command_result('win_shell', environment, 'chain value\r\n')
    assert_command_result('win_shell', stdin, 'line: piped\r\n')


def test_win_shell_error_exit_fails_as_on_windows(ansible, winhost, collections_path, plugin):
    winhost.filesystem.create_directory('C:\\chain')
    winhost.filesystem.write_bytes('C:\\chain\\marker', b'')
    tasks = (
        f"  - {WIN}win_shell: Write-Output before; exit 7\n"
        "    ignore_errors: true\n"
        f"  - {WIN}win_shell: Write-Output never\n"
        "    args: {creates: 'C:\\chain\\marker'}\n"
    )
    run = run_tasks(ansible, plugin, collections_path, tasks)
    assert len(run.results) == 2, run.results
    failed, skipped = run.results
    assert failed['_status'] == 'failed' and failed['msg'] == 'non-zero return code', failed
    assert_command_result('win_shell', failed, 'before\r\n', rc=7, cmd='Write-Output before; exit 7')
    assert skipped['_status'] == 'skipped' and skipped['msg'] == 'skipped, since C:\\chain\\marker exists', skipped
    assert (skipped['cmd'], skipped['rc'], skipped['changed']) == ('Write-Output never', 0, False), skipped
