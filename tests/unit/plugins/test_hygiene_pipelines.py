"""Module hygiene (plugins/plugin_utils/module_hygiene.py, TaskSession.exec_command): which commands get the
prologue and epilogue pipelines, that the module's own pipeline is sent unchanged between them, and the
"epilogue pending" lock state a task leaves when it ends between the two. Without a network: the runner
records what it is asked to run. What the scripts do in a session is tested against the test host
(tests/winhost_tests/test_interpreter_hygiene.py, tests/e2e/test_module_hygiene.py)."""

from __future__ import annotations

import re

import pytest
import requests
from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.loader import shell_loader

from ansible_collections.psremoting.pssession.plugins.plugin_utils import module_hygiene, pipelines, task_session
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import SessionLock
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import SessionKey


@pytest.fixture(scope='module')
def shell():
    plugin = shell_loader.get('powershell')
    plugin.set_options()
    return plugin


class Display:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)

    def vvv(self, msg, host=None):
        pass

    vvvvv = vvv


class Runner:
    """Records the PlannedCommands it runs; answers each with the next of ``answers`` (rc, stdout, stderr), 0 and
    no output by default, or raises what ``failures`` holds for that call (by its index)."""

    def __init__(self):
        self.ran = []
        self.answers = []
        self.failures = {}

    def run(self, planned, no_log=False):
        self.ran.append(planned)
        failure = self.failures.get(len(self.ran) - 1)
        if failure is not None:
            raise failure
        if self.answers:
            return self.answers.pop(0)
        # By default each pipeline runs cleanly; an epilogue says it put the session back.
        return (0, DONE if planned.script.startswith(module_hygiene.EPILOGUE_MARK) else b'', b'')


@pytest.fixture
def task(tmp_path):
    display = Display()
    session = task_session.TaskSession(lambda name: None, display)
    session.key = SessionKey(host='h', port=5985, path='wsman', user='u', configuration_name='Microsoft.PowerShell',
                             session_name='hygiene')
    session.lock = SessionLock(session.key.digest, directory=str(tmp_path))
    session.lock.acquire(0, 'test')
    session._state = {'shell_id': 'SHELL', 'holder': {'pid': 1}}
    session.runner = Runner()
    yield session
    session.lock.release()


def module_command(shell):
    """The command line of a pipelined module, as this ansible-core builds it (2.21 builds it in module_common,
    and its build_module_command fails on an empty command)."""
    try:
        return shell.build_module_command('', '', '')
    except IndexError:
        from ansible._internal._powershell import _script  # pylint: disable=import-outside-toplevel
        from ansible.executor.powershell import module_manifest  # pylint: disable=import-outside-toplevel
        boot = module_manifest._get_powershell_script('bootstrap_wrapper.ps1').decode()
        line = _script.get_pwsh_encoded_cmdline(script=boot, args=[], pwsh_path='powershell', disable_input=False,
                                                override_execution_policy=True)
        return line if isinstance(line, str) else ' '.join(line)


def kinds(runner):
    return [(p.kind, p.script.splitlines()[0] if p.kind == 'hygiene' else None, p.use_local_scope) for p in runner.ran]


DONE = module_hygiene.DONE_MARK.encode()
PROLOGUE = ('hygiene', module_hygiene.PROLOGUE_MARK, False)
EPILOGUE = ('hygiene', module_hygiene.EPILOGUE_MARK, False)


def test_a_module_pipeline_is_sent_unchanged_between_a_prologue_and_an_epilogue(task, shell):
    cmd = module_command(shell)
    rc, out, err = task.exec_command(cmd, b'{"manifest": 1}\n\0\0\0\0\n', False)
    assert (rc, out, err) == (0, b'', b'')
    assert kinds(task.runner) == [PROLOGUE, ('encoded', None, True), EPILOGUE]
    # The module's own pipeline: exactly what plan_command gives for it (what ansible.builtin.psrp sends).
    expected = pipelines.plan_command(cmd, b'{"manifest": 1}\n\0\0\0\0\n')
    sent = task.runner.ran[1]
    assert (sent.script, sent.input_data, sent.arguments, sent.use_local_scope) == (
        expected.script, expected.input_data, expected.arguments, expected.use_local_scope)
    assert not task.lock.read_state().get('hygiene_pending')
    assert task._display.warnings == []


def test_the_module_result_is_returned_even_when_the_module_failed(task, shell):
    task.runner.answers = [(0, b'', b''), (1, b'{"failed": true}', b'boom'), (0, DONE, b'')]
    assert task.exec_command(module_command(shell), b'{}', False) == (1, b'{"failed": true}', b'boom')
    assert kinds(task.runner)[-1] == EPILOGUE


@pytest.mark.parametrize('make', ['raw', 'remove', 'file'])
def test_commands_that_do_not_run_the_exec_wrapper_get_no_hygiene_pipelines(task, shell, make):
    cmd = {'raw': '$x = 1',
           'remove': shell.remove('C:\\Temp\\ansible-tmp', recurse=True),
           'file': '%s -File "C:\\s.ps1" a' % pipelines.COMMON_ARGS}[make]
    task.exec_command(cmd, None, False)
    assert len(task.runner.ran) == 1 and task.runner.ran[0].kind != 'hygiene'


def test_the_shell_helpers_built_on_the_exec_wrapper_get_hygiene_too(shell):
    """From 2.19 on mkdtemp and expand_user run the exec wrapper (module_manifest._bootstrap_powershell_script,
    with Set-StrictMode in front): they leave its variables like a module. Before 2.19 they are plain scripts."""
    helpers = [getattr(shell, name, None) for name in ('_mkdtemp2', '_expand_user2')]
    if all(helper is not None for helper in helpers):
        commands = [shell._mkdtemp2(basefile='b', tmpdir='C:\\t').command, shell._expand_user2('~').command]
        assert [module_hygiene.runs_exec_wrapper(pipelines.plan_command(c, None).script) for c in commands] == [True, True]
    else:  # 2.16 to 2.18
        commands = [shell.mkdtemp(basefile='b', tmpdir='C:\\t'), shell.expand_user('~')]
        assert [module_hygiene.runs_exec_wrapper(pipelines.plan_command(c, None).script) for c in commands] == [False, False]


def test_a_task_that_ends_between_prologue_and_epilogue_leaves_the_epilogue_pending(task, shell):
    task.runner.failures = {1: requests.exceptions.ConnectionError('connection dropped')}
    with pytest.raises(AnsibleConnectionFailure):
        task.exec_command(module_command(shell), b'{}', False)
    assert kinds(task.runner) == [PROLOGUE, ('encoded', None, True)]
    assert task.lock.read_state()['hygiene_pending'] is True
    # The next module task's prologue undoes the earlier one first (it begins with the epilogue's text), and its
    # epilogue clears the state.
    epilogue_body = module_hygiene.epilogue_script()[len(module_hygiene.EPILOGUE_MARK):].rsplit('\n', 1)[0]  # less its DONE line
    assert module_hygiene.prologue_script().startswith(module_hygiene.PROLOGUE_MARK + epilogue_body)
    task.runner.failures = {}
    task.exec_command(module_command(shell), b'{}', False)
    assert 'hygiene_pending' not in task.lock.read_state()


def test_a_hygiene_pipeline_with_errors_is_a_warning_not_the_modules_failure(task, shell):
    task.runner.answers = [(0, b'', b''), (0, b'{"changed": false}', b''), (1, DONE, b'Remove-Module : denied\r\n')]
    assert task.exec_command(module_command(shell), b'{}', False) == (0, b'{"changed": false}', b'')
    assert len(task._display.warnings) == 1
    assert 'module epilogue' in task._display.warnings[0] and 'Remove-Module : denied' in task._display.warnings[0]
    assert 'hygiene_pending' not in task.lock.read_state()  # it ran: not tried again by the next task


def test_an_epilogue_that_does_not_say_the_session_is_put_back_stays_pending(task, shell):
    """An epilogue that ended before its last line (a terminating error), or whose stash could not be removed,
    prints no DONE_MARK: the next task runs it again, and this one is warned."""
    task.runner.answers = [(0, b'', b''), (0, b'{"changed": false}', b''), (1, b'', b'Set-Alias : denied\r\n')]
    assert task.exec_command(module_command(shell), b'{}', False) == (0, b'{"changed": false}', b'')
    assert task.lock.read_state()['hygiene_pending'] is True
    assert len(task._display.warnings) == 1 and 'Set-Alias : denied' in task._display.warnings[0]


def test_an_epilogue_that_cannot_run_keeps_the_module_result(task, shell):
    """The module ran once and its result arrived: a connection that drops on the epilogue must not turn it
    into an unreachable host (the result lost); the epilogue stays pending for the next task."""
    task.runner.answers = [(0, b'', b''), (0, b'{"changed": true}', b'')]
    task.runner.failures = {2: requests.exceptions.ConnectionError('connection dropped')}
    assert task.exec_command(module_command(shell), b'{}', False) == (0, b'{"changed": true}', b'')
    assert kinds(task.runner) == [PROLOGUE, ('encoded', None, True), EPILOGUE]
    assert task.lock.read_state()['hygiene_pending'] is True
    assert len(task._display.warnings) == 1 and 'epilogue' in task._display.warnings[0]
    assert 'ConnectionError' in task._display.warnings[0]


def test_names_go_into_the_scripts_as_single_quoted_literals():
    # The preference defaults are PowerShell expressions in one-element arrays, so $null and $false survive.
    assert "'ErrorActionPreference' = @(, 'Continue')" in module_hygiene.prologue_script()
    assert "'OFS' = $null" in module_hygiene.prologue_script()


def test_every_cmdlet_in_the_scripts_is_called_by_its_module_qualified_name():
    """A function or alias the session defined must not run in place of a cmdlet the scripts call."""
    for script in (module_hygiene.prologue_script(), module_hygiene.epilogue_script()):
        for match in re.finditer(r'(?<![\w\\.$-])([A-Z][a-z]+-[A-Z][A-Za-z]+)\b', script):
            before = script[max(0, match.start() - 40):match.start()]
            assert before.endswith('\\'), 'unqualified %s in: %s' % (match.group(1), before + match.group(1))


@pytest.fixture
def fresh_wrapper(monkeypatch):
    """module_hygiene looks for the bootstrap wrapper once per process (as a worker does), and warns once: both
    start afresh for the test and after it."""
    module_hygiene._bootstrap_wrapper.cache_clear()
    monkeypatch.setattr(module_hygiene, '_off_warned', False)
    yield
    module_hygiene._bootstrap_wrapper.cache_clear()


def _off_warnings(task):
    return [w for w in task._display.warnings if 'module hygiene between tasks is off' in w]


def _renamed(monkeypatch):
    """A later ansible-core whose module_manifest has no _get_powershell_script any more."""
    from ansible.executor.powershell import module_manifest  # pylint: disable=import-outside-toplevel
    monkeypatch.delattr(module_manifest, '_get_powershell_script')
    monkeypatch.setattr(module_hygiene, '_core_version', lambda: (2, 99))


def _unrecognised(monkeypatch):
    """A later ansible-core whose function gives something that is not the bootstrap wrapper it knows."""
    from ansible.executor.powershell import module_manifest  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(module_manifest, '_get_powershell_script', lambda name: b'& $somewhere_else', raising=False)
    monkeypatch.setattr(module_hygiene, '_core_version', lambda: (2, 99))


def _old_file_unrecognised(monkeypatch):
    """2.16 to 2.18's path: the file read as it is, and not what it used to be."""
    monkeypatch.setattr(module_hygiene, '_core_version', lambda: (2, 18))
    monkeypatch.setattr(module_hygiene.pkgutil, 'get_data', lambda package, name: b'# nothing of the wrapper\n')


@pytest.mark.parametrize('change, why', [
    (_renamed, 'has no module_manifest._get_powershell_script'),
    (_unrecognised, 'is not one it recognises'),
    (_old_file_unrecognised, 'is not one it recognises'),
], ids=['function-renamed', 'wrapper-unrecognised', 'file-unrecognised'])
def test_a_wrapper_that_cannot_be_had_turns_hygiene_off_with_one_warning_and_tasks_run(
        task, shell, fresh_wrapper, monkeypatch, change, why):
    cmd = module_command(shell)  # built before the change: ansible-core's own use of the function is not under test
    change(monkeypatch)
    task.runner.answers = [(0, b'{"changed": true}', b''), (0, b'{"changed": false}', b'')]
    assert task.exec_command(cmd, b'{}', False) == (0, b'{"changed": true}', b'')
    assert task.exec_command(cmd, b'{}', False) == (0, b'{"changed": false}', b'')
    # The module pipelines ran as sent, without a prologue or epilogue around them.
    assert kinds(task.runner) == [('encoded', None, True), ('encoded', None, True)]
    [warning] = _off_warnings(task)  # once per process, not once per command
    assert warning.startswith('psremoting.pssession.psrp: module hygiene between tasks is off: ') and why in warning, warning
    assert task._display.warnings == [warning]


def test_the_wrapper_of_this_ansible_core_is_recognised_without_a_warning(task, shell, fresh_wrapper):
    task.exec_command(module_command(shell), b'{}', False)
    assert kinds(task.runner) == [PROLOGUE, ('encoded', None, True), EPILOGUE]
    assert _off_warnings(task) == []
