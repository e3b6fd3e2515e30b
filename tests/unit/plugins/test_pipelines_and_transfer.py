"""exec_command planning (modules vs raw), result conversion, and file transfer chunking, without a network."""

import base64
import hashlib
import os

import pytest
from ansible.plugins.loader import shell_loader

from ansible_collections.psremoting.pssession.plugins.plugin_utils import file_transfer, pipelines


@pytest.fixture(scope='module')
def shell():
    plugin = shell_loader.get('powershell')
    plugin.set_options()
    return plugin


def test_module_bootstrap_runs_in_a_local_scope_with_the_payload_as_input(shell):
    cmd = shell.build_module_command('', '', '')
    payload = b'{"module": "win_ping"}\n\0\0\0\0\nsecond line'
    planned = pipelines.plan_command(cmd, payload)
    assert planned.kind == 'encoded'
    assert planned.use_local_scope is True
    assert '$input' in planned.script and 'ConvertFrom-Json' in planned.script  # the bootstrap wrapper itself
    assert planned.input_data == ['{"module": "win_ping"}', '\0\0\0\0', 'second line']


def test_shell_helpers_run_in_a_local_scope(shell):
    planned = pipelines.plan_command(shell.remove('C:\\Temp\\ansible-tmp', recurse=True), None)
    assert planned.kind == 'encoded' and planned.use_local_scope is True
    assert "Remove-Item 'C:\\Temp\\ansible-tmp' -Force -Recurse" in planned.script


def test_file_commands_call_the_script_with_its_arguments():
    planned = pipelines.plan_command('%s -File "C:\\x y\\s.ps1" a "b c"' % pipelines.COMMON_ARGS, None)
    assert planned.kind == 'file' and planned.use_local_scope is True
    assert planned.arguments == ['C:\\x y\\s.ps1', 'a', 'b c']


def test_raw_runs_in_the_global_scope_and_keeps_the_exit_code():
    planned = pipelines.plan_command('$x = 41', None)
    assert planned.kind == 'raw' and planned.use_local_scope is False
    assert planned.script.splitlines() == ['$x = 41', pipelines.RAW_EPILOGUE]


def _utf16_b64(text):
    return base64.b64encode(text.encode('utf-16-le')).decode()


# -EncodedArguments as ansible-core 2.21 serializes ['C:\\x y\\m.ps1', 'a_xb', 'é😀\n'] (an ArrayList of strings;
# '_x' escaped as _x005F_x, a newline and each UTF-16 surrogate as _xHHHH_).
CLIXML_ARGUMENTS = ('<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04" Version="1.1.0.1"><Obj RefId="0">'
                    '<TN RefId="0"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>C:\\x y\\m.ps1</S>'
                    '<S>a_x005F_xb</S><S>é_xD83D__xDE00__x000A_</S></LST></Obj></Objs>')


def test_the_command_line_form_of_ansible_core_2_21():
    """2.21's shell plugin: lower-case interpreter, each part quoted as PowerShell quotes, optional switches."""
    cmd = "powershell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand '%s'" % _utf16_b64("Remove-Item 'C:\\a b' -Force")
    planned = pipelines.plan_command(cmd, None)
    assert planned.kind == 'encoded' and planned.use_local_scope is True
    assert planned.script == "Remove-Item 'C:\\a b' -Force" and planned.arguments is None


def test_encoded_arguments_become_the_scripts_arguments():
    cmd = ("'C:\\Program Files\\PowerShell\\7\\pwsh.exe' -NoProfile -NonInteractive -InputFormat None -EncodedCommand '%s' "
           "-EncodedArguments '%s'" % (_utf16_b64('param($Path) $Path'), _utf16_b64(CLIXML_ARGUMENTS)))
    planned = pipelines.plan_command(cmd, b'line 1\nline 2')
    assert planned.kind == 'encoded' and planned.script == 'param($Path) $Path'
    assert planned.arguments == ['C:\\x y\\m.ps1', 'a_xb', 'é\U0001F600\n']
    assert planned.input_data == ['line 1', 'line 2']


@pytest.mark.parametrize('cmd', [
    'Write-Output -EncodedCommand',  # mentions the switch, is not a command line of the shell plugin
    "powershell -NoProfile -Command 'Get-Date'",
    "powershell -NoProfile -EncodedCommand '%s' -Command x" % _utf16_b64('1'),
    'powershell -EncodedCommand not-base64!',
    "cmd.exe /c -EncodedCommand '%s'" % _utf16_b64('1'),
    "Write-Output 'unbalanced",
])
def test_other_command_lines_are_raw_scripts(cmd):
    planned = pipelines.plan_command(cmd, None)
    assert planned.kind == 'raw' and planned.use_local_scope is False
    assert planned.script.splitlines()[0] == cmd


def test_interpreters_other_than_powershell_are_refused(shell):
    with pytest.raises(Exception, match='cannot run the interpreter'):
        pipelines.plan_command(shell.build_module_command('', '', ''), b'#!/usr/bin/python\nimport x')


class FakeHost:
    def __init__(self):
        self.rc = 0
        self.ui = type('UI', (), {'stdout': [], 'stderr': []})()


class FakeError:
    def __init__(self, text):
        self.text = text
        self.fq_error = 'Microsoft.PowerShell.Commands.WriteErrorException'
        self.target_name = ''
        self.command_name = 'Write-Error'
        self.invocation_position_message = 'At line:1 char:1'
        self.message = 'NotSpecified: (:) [Write-Error], WriteErrorException'
        self.script_stacktrace = None

    def __str__(self):
        return self.text


class FakePS:
    def __init__(self, runner):
        self.runner = runner
        self.output = []
        self.streams = type('Streams', (), {'error': []})()
        self.had_errors = False
        self.state = 2  # completed
        self.scripts = []
        self.input = None

    def add_script(self, script, use_local_scope=None):
        self.scripts.append((script, use_local_scope))
        return self


class FakeRunner(pipelines.PipelineRunner):
    """Runs 'remote' scripts in Python: the put/fetch scripts of file_transfer against a dict of files."""

    def __init__(self, max_payload=1000, files=None):
        session = type('Session', (), {})()
        session.host = FakeHost()
        session.pool = type('Pool', (), {})()
        session.pool.connection = type('Conn', (), {'max_payload_size': max_payload})()
        session.endpoint = 'http://h/wsman'
        super().__init__(session)
        self.files = files if files is not None else {}
        self.pipelines = []
        self.input_objects = 0

    def new_pipeline(self):
        ps = FakePS(self)
        self.pipelines.append(ps)
        return ps

    def start(self, ps, input_data=None):
        script = ps.scripts[0][0]
        path = script.split("$path = '", 1)[1].split("'\n", 1)[0].replace("''", "'")
        if 'FromBase64String' in script:
            data = b''
            for chunk in input_data:
                for item in chunk:
                    self.input_objects += 1
                    data += base64.b64decode(item)
            self.files[path] = data
            ps.output = [hashlib.sha1(data).hexdigest()]
        else:
            size = int(script.split('[byte[]]::new(', 1)[1].split(')', 1)[0])
            if path not in self.files:
                ps.streams.error.append(FakeError('%s does not exist' % path))
                return
            data = self.files[path]
            ps.output = ['[FILE]'] + [base64.b64encode(data[i:i + size]).decode() for i in range(0, len(data), size)]
            ps.output.append('[SHA1]' + hashlib.sha1(data).hexdigest())

    def poll(self, ps):
        pass


def test_result_conversion_like_the_builtin_plugin():
    runner = FakeRunner()
    ps = FakePS(runner)
    ps.output = ['a', 1, None]
    ps.streams.error.append(FakeError('bad'))
    runner.host.ui.stdout.append('from host')
    runner.host.rc = 3
    rc, out, err = runner.result(ps)
    assert rc == 3
    assert out == b'a\r\n1\r\nNone\r\nfrom host'
    assert err.startswith(b'Write-Error : bad\r\nAt line:1 char:1\r\n    + CategoryInfo')
    assert runner.host.rc == 0 and runner.host.ui.stdout == []


def test_failed_pipeline_gives_rc_1():
    runner = FakeRunner()
    ps = FakePS(runner)
    ps.had_errors = True
    assert runner.result(ps)[0] == 1


@pytest.mark.parametrize('size', [0, 1, 749, 750, 751, 10000])
def test_put_file_in_chunks_with_checksum(tmp_path, size):
    src = tmp_path / 'src.bin'
    src.write_bytes(os.urandom(size))
    runner = FakeRunner(max_payload=1082)  # 750-byte chunks
    file_transfer.put_file(runner, str(src), "C:\\it's here.bin")
    assert runner.files["C:\\it's here.bin"] == src.read_bytes()
    assert runner.input_objects == max(1, -(-size // 750))
    assert runner.pipelines[0].scripts[0][1] is True  # local scope


def test_put_file_checksum_mismatch_fails(tmp_path, monkeypatch):
    src = tmp_path / 'src.bin'
    src.write_bytes(b'data')
    runner = FakeRunner()
    original = runner.start

    def corrupt(ps, input_data=None):
        original(ps, input_data)
        ps.output = ['0' * 40]
    monkeypatch.setattr(runner, 'start', corrupt)
    with pytest.raises(Exception, match='SHA-1 mismatch'):
        file_transfer.put_file(runner, str(src), 'C:\\x')


def test_put_missing_local_file():
    with pytest.raises(Exception, match='does not exist'):
        file_transfer.put_file(FakeRunner(), '/nonexistent/file', 'C:\\x')


@pytest.mark.parametrize('size', [0, 5, 3000, 100000])
def test_fetch_file_in_chunks_with_checksum(tmp_path, size):
    data = os.urandom(size)
    runner = FakeRunner(max_payload=5000, files={'C:\\f.bin': data})
    dest = tmp_path / 'f.bin'
    file_transfer.fetch_file(runner, 'C:\\f.bin', str(dest))
    assert dest.read_bytes() == data


def test_fetch_missing_remote_file(tmp_path):
    with pytest.raises(Exception, match='does not exist'):
        file_transfer.fetch_file(FakeRunner(), 'C:\\nope', str(tmp_path / 'x'))


def test_the_raw_epilogue_runs_under_a_strict_mode_with_no_exit_code_set():
    # A raw task that sets StrictMode where no native command has set $LASTEXITCODE: reading it as a variable is then
    # VariableIsUndefined (about_Set-StrictMode), so the task would fail; the epilogue reads it with Get-Variable.
    from winhost.powershell import Command, Runspace  # pylint: disable=import-outside-toplevel
    from winhost_tests.test_interpreter import Recorder  # pylint: disable=import-outside-toplevel

    def run(epilogue):
        recorder = Recorder()
        result = Runspace().invoke([Command('Set-StrictMode -Version Latest\n' + epilogue, is_script=True, use_local_scope=False)],
                                   writer=recorder)
        return result, [e[1] for e in recorder.errors]

    result, errors = run(pipelines.RAW_EPILOGUE)
    assert (result.state, errors, result.exit_code) == ('Completed', [], 0), result
    _result, errors = run('exit ($LASTEXITCODE, ($global:LASTEXITCODE = 0))[0]')  # the line before: the task failed
    assert errors == ['VariableIsUndefined']
