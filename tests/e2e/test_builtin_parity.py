"""Modules through psremoting.pssession.psrp send what ansible.builtin.psrp sends (issue 11, part 1).

Each test runs one task twice against the same test host: through ``ansible.builtin.psrp``, then
through ``psremoting.pssession.psrp``, and compares every pipeline the host received in each run
(``WinHost.pipelines()``: the CreatePipeline commands with their script text, use-local-scope
flag, end-of-statement flag and parameters, the pipeline's flags, and each input object, as
psrpcore decoded them). The modules are ``ansible.windows`` 3.3.0's, extracted from the
``ansible`` 12.3.0 wheel on PyPI at test time (``e2e_support.install_ansible_windows``, which scripts/test calls).

What this proves: for these modules and task keywords, the plugin hands the host byte for byte
the same bootstrap script, scope, arguments and input (the exec wrapper manifest with the
module, its module_utils, arguments, environment, become and async wrappers) as the builtin,
and the task got as far as the host (each run's recording holds the exec wrapper pipeline, and
both plugins give the same task result). Ours sends two more pipelines per module, the module hygiene
prologue and epilogue around it (module_hygiene.py); they are checked to be there, in the global scope and
without any of the task's input, and set aside before the comparison. What it cannot prove: that the modules
work (test_windows_modules.py checks results against Windows'). On 2.19 the test host runs the chain up to the
module: win_ping, slurp, win_stat (of C:\\Windows, the ADMIN$ share) and win_file succeed, and the modules whose
C# utils have no stand-in fail there, tripping the tripwire by namespace (named below), identically for both
plugins; on other releases modules fail in their exec wrapper. What a module leaves in, or sees of, a long-lived
session: test_module_hygiene.py. win_copy's transfer is compared by the bytes each plugin sends (below); ``put_file``
itself by the bytes that arrive on drive C: (each plugin's put_file, driven directly).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re

import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils.file_transfer import PUT_SCRIPT
from ansible_collections.psremoting.pssession.plugins.plugin_utils.pipelines import RAW_EPILOGUE
from e2e_support import ansible_core_version, sensitive_cases, transfer_files

WIN = 'ansible.windows.'

PLUGINS = ('ansible.builtin.psrp', 'psremoting.pssession.psrp')
# No test here trips the tripwire: every module compared runs through the chain (the C# module utils through their
# stand-ins: win_command/win_shell's Process, win_service's SCManager, setup's Ansible.Windows.Setup, become's
# Ansible.Become and Ansible.AccessToken, async's Ansible._Async and 2.16 to 2.18's named pipe).


# ansible-core builds a module's CSharpModules and PowerShellModules lists, and the manifest's "scripts"
# mapping, from sets of module_utils names (executor/powershell/module_manifest.py: scan_module returns
# a set), so their order follows Python's per-process string hashing: two runs of the same ansible
# differ there whatever the connection plugin. Both runs get the same PYTHONHASHSEED instead of a
# normalisation, so the order is compared too (and so is the host's error text, which quotes it).
HASH_SEED = '1100'

# The one value ansible-core draws at random for these tasks: an async task's job id
# (module_manifest.py: 'AsyncJid': f'j{secrets.randbelow(999999999999)}'; "async_jid" in the JSON
# that 2.16 to 2.18 send as text), replaced by a placeholder in what was sent and wherever the
# results repeat it.
JID = '<async job id>'
# 2.19's async_wrapper.ps1 names the job '<jid>.<pid>' (the session's process id, each run's own): the controller's
# async_status calls send it as `jid`.
JID_IN_TEXT = re.compile(r'((?:AsyncJid|async_jid|"jid")\W+)j\d+(?:\.\d+)?')
# 2.16 to 2.18's async_wrapper.ps1 reports the id of the process it started through WMI (each run's own).
WATCHDOG_PID = re.compile(r'("ansible_async_watchdog_pid": )\d+')
# The other value drawn per run once a module succeeds: the remote temporary directory's name (win_copy's mkdtemp).
TMP_NAME = re.compile(r'ansible-tmp-\d+(?:\.\d+)?-\d+-\d+')


def _normalised_json(value):
    if isinstance(value, dict):
        return {k: JID if k in ('AsyncJid', 'async_jid', 'jid') else _normalised_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised_json(v) for v in value]
    if isinstance(value, str):
        return TMP_NAME.sub('ansible-tmp-<name>', JID_IN_TEXT.sub(lambda m: m.group(1) + JID, value))
    return value


def _normalised_input(item):
    """An input object as compared: a JSON document (2.19's exec wrapper bootstrap and manifest) parsed;
    2.16 to 2.18 send the exec wrapper and its JSON manifest as one string, parts split on four NULs
    (as the bootstrap splits it), so its JSON part is parsed too (its mappings' order is set order)."""
    if isinstance(item, str) and '\0\0\0\0' in item and item.strip('\0') and not item.startswith('{'):
        return {'parts': [_normalised_input(part) for part in item.split('\0\0\0\0')]}
    if isinstance(item, str) and item.startswith('{'):
        try:
            return {'json': _normalised_json(json.loads(item))}
        except ValueError:
            pass
    return _normalised_json(item)


def normalised(pipelines):
    out = copy.deepcopy(pipelines)
    for pipeline in out:
        pipeline['input'] = [_normalised_input(item) for item in pipeline['input']]
        for command in pipeline['commands']:  # the remote temporary directory's name in a script (2.21's cleanup)
            command['text'] = TMP_NAME.sub('ansible-tmp-<name>', command['text'])
    return out


def first_difference(a, b, path='') -> str:
    """Where two recorded values first differ, for the assertion message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key, '<missing>') != b.get(key, '<missing>'):
                return first_difference(a.get(key, '<missing>'), b.get(key, '<missing>'), '%s/%s' % (path, key))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, '%s[%d]' % (path, index))
    if isinstance(a, str) and isinstance(b, str):
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        a, b = a[max(0, at - 100):at + 200], b[max(0, at - 100):at + 200]
    return '%s: builtin %r, ours %r' % (path, str(a)[:300], str(b)[:300])


def is_exec_wrapper(pipeline) -> bool:
    """The pipeline that carries a module: the powershell shell plugin's bootstrap, fed the exec wrapper
    (2.19 and later: a JSON document named exec_wrapper; 2.16 to 2.18: $input read as $exec_wrapper_str)."""
    return ('$exec_wrapper' in pipeline['commands'][0]['text']
            or any(isinstance(item, dict) and item.get('json', {}).get('name') == 'exec_wrapper' for item in pipeline['input']))


def sent_text(pipelines) -> str:
    """Everything the pipelines' input said, as text to look for a module's or keyword's marks in (parsed
    JSON written back with json.dumps's separators, which ansible-core's own JSON uses too)."""
    def text(item):
        if isinstance(item, dict) and 'json' in item:
            return json.dumps(item['json'])
        if isinstance(item, dict) and 'parts' in item:
            return '\n'.join(text(part) for part in item['parts'])
        return str(item)
    return '\n'.join(text(item) for pipeline in pipelines for item in pipeline['input'])


def run_both(ansible, winhost, collections_path, tasks: str, *args: str, **hostvars):
    """{plugin: (results, pipelines the host received in that run)} of one play through each plugin."""
    play = '- hosts: win1\n  gather_facts: false\n  tasks:\n' + tasks
    env = ansible.env(ANSIBLE_COLLECTIONS_PATH=collections_path, PYTHONHASHSEED=HASH_SEED)
    out = {}
    for plugin in PLUGINS:
        winhost.control({'reset_stats': True})
        if winhost.filesystem.exists('C:\\parity'):  # what the first plugin's module made: each run starts alike
            winhost.filesystem.remove('C:\\parity', recursive=True)
        run = ansible.playbook(play, *args, env=env, ansible_connection=plugin, **hostvars)
        assert run.results, run
        received = winhost.pipelines()
        results = WATCHDOG_PID.sub(r'\1"<pid>"', TMP_NAME.sub('ansible-tmp-<name>', json.dumps(run.results)))
        for jid in set(re.findall(r'(?:AsyncJid|async_jid)\W+(j\d+)', json.dumps(received))):
            results = re.sub(re.escape(jid) + r'(?:\.\d+)?', JID, results)
        out[plugin] = ([_timeless(r) for r in json.loads(results)], normalised(received))
    return out


# win_command/win_shell time the process they start (start, end: [DateTime]::UtcNow; delta: the difference): each run's
# own, so compared by their form, not their value.
CLOCK_FIELDS = {'start': re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$'),
                'end': re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$'),
                'delta': re.compile(r'^\d+:\d\d:\d\d\.\d{6}$')}


def _timeless(result):
    return {k: '<%s>' % k if k in CLOCK_FIELDS and isinstance(v, str) and CLOCK_FIELDS[k].match(v) else v
            for k, v in result.items()}


HYGIENE = '# psremoting.pssession module hygiene: '


def hygiene_kind(pipeline):
    """'prologue' or 'epilogue' for the pipelines the plugin adds around a module's (module_hygiene.py), else None."""
    text = pipeline['commands'][0]['text']
    return text[len(HYGIENE):].split('\n', 1)[0] if text.startswith(HYGIENE) else None


def without_hygiene(pipelines):
    """Ours minus the prologue and epilogue, after checking that each exec wrapper pipeline, and only it, is
    sent between the two (global scope, no input: nothing of the task goes into them)."""
    kinds = [hygiene_kind(p) or ('module' if is_exec_wrapper(p) else 'other') for p in pipelines]
    for index, kind in enumerate(kinds):
        if kind == 'module':
            assert kinds[index - 1:index + 2] == ['prologue', 'module', 'epilogue'], kinds
    assert kinds.count('prologue') == kinds.count('epilogue') == kinds.count('module'), kinds
    for pipeline in pipelines:
        if hygiene_kind(pipeline):
            assert [c['use_local_scope'] for c in pipeline['commands']] == [False] and not pipeline['input'], pipeline
    return [p for p in pipelines if not hygiene_kind(p)]


def transfer_bytes(pipeline) -> bytes | None:
    """The bytes a put_file pipeline carries, else None: ours (file_transfer.PUT_SCRIPT, fed base64 chunks) or the
    builtin's from 2.19 on (psrp_put_file.ps1 through the exec wrapper: the chunks after its manifest)."""
    text = pipeline['commands'][0]['text']
    if text.split('$path = ', 1)[0] == PUT_SCRIPT.split('$path = ', 1)[0] or (
            # 2.16 to 2.18's builtin put_file: a copy script of its own, the path its argument, the chunks its input.
            '$path = $MyInvocation.UnboundArguments[0]' in text and '[System.IO.File]::Create($path)' in text):
        return b''.join(base64.b64decode(chunk) for chunk in pipeline['input'])
    manifest = next((i for i, item in enumerate(pipeline['input'])
                     if isinstance(item, dict) and 'scripts' in item.get('json', {})), None)
    if manifest is not None and [a['name'] for a in pipeline['input'][manifest]['json']['actions']] == ['psrp_put_file.ps1']:
        return b''.join(base64.b64decode(chunk) for chunk in pipeline['input'][manifest + 1:])
    return None


def assert_same_as_builtin(ansible, winhost, collections_path, tasks: str, *args: str, transferred: list | None = None,
                           **hostvars):
    sent = run_both(ansible, winhost, collections_path, tasks, *args, **hostvars)
    (builtin_results, builtin_sent), (ours_results, ours_sent) = sent[PLUGINS[0]], sent[PLUGINS[1]]
    # Ours adds the module hygiene pipelines around each module pipeline (asserted, then set aside); the rest is
    # compared with the builtin's.
    assert not any(hygiene_kind(p) for p in builtin_sent)
    ours_sent = without_hygiene(ours_sent)
    if transferred is not None:
        # File transfers differ on the wire by design: set aside, each side's bytes compared (and given back).
        builtin_bytes = [b for b in map(transfer_bytes, builtin_sent) if b is not None]
        ours_bytes = [b for b in map(transfer_bytes, ours_sent) if b is not None]
        assert ours_bytes == builtin_bytes
        transferred.extend(builtin_bytes)
        builtin_sent = [p for p in builtin_sent if transfer_bytes(p) is None]
        ours_sent = [p for p in ours_sent if transfer_bytes(p) is None]
    # The task reached the host through both plugins: each run's recording holds the module's pipeline
    # (not a controller-side error before anything was sent).
    assert any(is_exec_wrapper(p) for p in builtin_sent), builtin_results
    assert any(is_exec_wrapper(p) for p in ours_sent), ours_results
    # Every pipeline, in order: nothing more, nothing less, nothing different.
    assert len(ours_sent) == len(builtin_sent), ([p['commands'][0]['text'][:80] for p in builtin_sent],
                                                 [p['commands'][0]['text'][:80] for p in ours_sent])
    for index, (builtin, ours) in enumerate(zip(builtin_sent, ours_sent)):
        assert ours == builtin, 'pipeline %d of %d differs at %s' % (index + 1, len(builtin_sent), first_difference(builtin, ours))
    # And the user sees the same result (today: the module failing on the test host, with its errors).
    assert ours_results == builtin_results, first_difference(builtin_results, ours_results)
    return builtin_sent, builtin_results


MODULES = {
    'win_ping': WIN + 'win_ping:',
    'slurp': WIN + "slurp: {src: 'C:\\Windows\\win.ini'}",
    'win_stat': WIN + "win_stat: {path: 'C:\\Windows', get_checksum: true}",
    'win_file': WIN + "win_file: {path: 'C:\\parity\\dir', state: directory}",
    # whoami's switches (/all, ...) are not modelled by the test host (tests/winhost/powershell/standins/applications.py).
    'win_command': WIN + 'win_command: whoami',
    'win_shell': WIN + "win_shell: Get-ChildItem -LiteralPath $env:TEMP | Select-Object -First 1",
    'win_service': WIN + 'win_service: {name: WinRM, state: started}',
    # Subsets whose facts do not change between the two runs (not the clock's date_time and uptime), all modelled.
    'setup': WIN + "setup: {gather_subset: ['!all', '!min', distribution, platform, env, memory, bios, windows_domain]}",
}


# Re-run on other releases: the smallest module, the one with the biggest manifest, and a command module.
@pytest.mark.parametrize('name', sensitive_cases(sorted(MODULES), "parity: the release's exec wrapper and module manifest",
                                                 lambda name: name in ('win_ping', 'setup', 'win_command')))
def test_a_module_sends_what_the_builtin_sends(ansible, winhost, collections_path, name):
    sent = assert_same_as_builtin(ansible, winhost, collections_path, '  - %s\n' % MODULES[name])[0]
    assert [is_exec_wrapper(p) for p in sent] == [True]
    assert '"_ansible_module_name": "%s%s"' % (WIN, name) in sent_text(sent)


@pytest.mark.release_sensitive("parity: the release's action plugin and exec wrapper")
def test_win_copy_sends_what_the_builtin_sends_and_no_bytes_arrive_through_either(ansible, winhost, collections_path, tmp_path):
    """win_copy's action first runs the module in query mode, makes a remote temporary directory, transfers the file
    there and runs the module again to copy it. The whole chain runs on every release: both transfer the same bytes
    (compared apart: the transfer scripts differ by design; 2.16 to 2.18's builtin one decodes each chunk from `$input`
    in its process block and hashes it with `[SHA1CryptoServiceProvider]::Create()`) and the copy fails as on Windows,
    dest's directory missing. Nothing reaches C:\\parity. (A copy that succeeds: test_windows_modules.py.)"""
    src = tmp_path / 'payload.bin'
    data = os.urandom(70000)
    src.write_bytes(data)
    transferred: list = []
    task = "  - %swin_copy: {src: '%s', dest: 'C:\\parity\\payload.bin'}\n" % (WIN, src)
    sent, results = assert_same_as_builtin(ansible, winhost, collections_path, task, transferred=transferred)
    assert sent and transferred == [data], (len(sent), len(transferred))
    # win_copy.ps1 (ansible.windows 3.3.0): "Destination directory '$parent_dir' does not exist".
    assert results[0]['_status'] == 'failed', results
    assert results[0]['msg'].endswith("Destination directory 'C:\\parity' does not exist"), results
    assert not winhost.filesystem.exists('C:\\parity')


KEYWORDS = {
    'environment': ('    environment: {PARITY_VAR: parity value, PATH_EXTRA: "C:\\\\x"}\n', {}),
    'check_mode': ('    check_mode: true\n', {}),
    'diff': ('    diff: true\n', {}),
    'no_log': ('    no_log: true\n', {}),
    'become': ('    become: true\n    become_method: ansible.builtin.runas\n    become_user: other\n',
               {'ansible_become_password': 'Other-Passw0rd!'}),
    # poll: 0: how many async_status polls a run sends depends on how long its job takes (each run's own), so the
    # comparison is of the wrapper's pipeline; polling runs in tests/e2e/test_windows_async.py. The startup timeout
    # a slow target gets (the test host's new powershell.exe takes seconds to signal it started; 5 s by default).
    'async': ('    async: 60\n    poll: 0\n', {'ansible_win_async_startup_timeout': 120}),
}


@pytest.mark.release_sensitive("parity: the release's exec wrapper for become, async, environment, check/diff, no_log")
@pytest.mark.parametrize('keyword', sorted(KEYWORDS))
def test_a_task_keyword_sends_what_the_builtin_sends(ansible, winhost, collections_path, keyword):
    lines, hostvars = KEYWORDS[keyword]
    sent, results = assert_same_as_builtin(ansible, winhost, collections_path,
                                           '  - %swin_command: whoami\n%s' % (WIN, lines), **hostvars)
    text = sent_text([p for p in sent if is_exec_wrapper(p)])
    # The keyword is in what was sent (so the comparison above covered it).
    marks = {
        'environment': 'PARITY_VAR',
        'check_mode': '"_ansible_check_mode": true',
        'diff': '"_ansible_diff": true',
        'no_log': '"_ansible_no_log": true',
        'become': 'become_wrapper',
        'async': 'async_wrapper',
    }
    assert marks[keyword] in text
    if keyword == 'no_log':
        assert results[0]['censored'].startswith("the output has been hidden"), results
    if keyword == 'become':
        # Through both, the module ran as become_user (the details: test_windows_become.py).
        assert results[0]['stdout'].endswith('\\other\r\n'), results


@pytest.mark.release_sensitive("parity: the release's raw action")
def test_raw_is_the_one_deliberate_difference(ansible, winhost, collections_path):
    """``raw`` is where the plugin sends something else, by design (docs/design.md; the other difference is the
    module hygiene pipelines around a module's, see without_hygiene): the builtin runs
    ``<command>\\nexit $LASTEXITCODE`` in a local scope of a runspace that dies with the task; the plugin
    runs the command in the session's global scope (so what it defines stays for the next task) and
    resets $LASTEXITCODE after reading it (so one task's exit code does not become the next one's).
    Everything else about the pipeline is the same."""
    sent = run_both(ansible, winhost, collections_path, '  - ansible.builtin.raw: Write-Output parity\n')
    (builtin_results, builtin_sent), (ours_results, ours_sent) = sent[PLUGINS[0]], sent[PLUGINS[1]]
    assert len(builtin_sent) == len(ours_sent) == 1, (builtin_sent, ours_sent)
    builtin, ours = builtin_sent[0], ours_sent[0]
    assert (builtin['commands'][0]['text'], builtin['commands'][0]['use_local_scope']) == (
        'Write-Output parity\nexit $LASTEXITCODE', True)
    assert (ours['commands'][0]['text'], ours['commands'][0]['use_local_scope']) == (
        'Write-Output parity\n' + RAW_EPILOGUE, False)
    for pipeline in (builtin, ours):
        del pipeline['commands'][0]['text'], pipeline['commands'][0]['use_local_scope']
    assert ours == builtin
    assert [r['stdout_lines'] for r in ours_results] == [r['stdout_lines'] for r in builtin_results] == [['parity']]


# 2.16 to 2.18's builtin put_file runs a copy script of its own (see below); 2.19's runs psrp_put_file.ps1 through the
# exec wrapper, whose begin block lifts the host's deserialization memory quota through reflection on $Host's internals
# (in a try/catch), as the test host models it (tests/winhost/powershell/clr/remoting.py): no trip.
@pytest.mark.release_sensitive("file transfer: the release's builtin put_file")
def test_put_file_lands_the_bytes_the_builtin_sends(ansible, winhost, tmp_path):
    """File transfers differ on the wire by design (the plugin's put_file has its own transfer script,
    plugins/plugin_utils/file_transfer.py), so they are compared by bytes. win_copy gets as far as a transfer on
    the test host on some releases only (see above), ansible.builtin.script not at all (its temporary directory is
    made by scripts the test host cannot run yet), so each plugin's put_file is driven directly, as ansible's actions
    call it. From 2.19 on the builtin put_file runs
    psrp_put_file.ps1 through the real bootstrap and exec wrappers, which the test host runs: the transfer
    succeeds and its bytes are read from drive C:, and also taken from what it SENT (the base64 chunks it
    feeds that script as input after the second four-NUL marker). Before 2.19 the builtin's own copy
    script runs (its chunks are its input), and its bytes are read from drive C: too. Ours are read from drive C:."""
    src = tmp_path / 'parity.bin'
    # Bytes a text transfer would damage (a BOM, CR LF and a lone LF, NUL, every byte value), over
    # several envelopes (the host's MaxEnvelopeSizekb is 500).
    payload = b'\xef\xbb\xbfWrite-Output "parity"\r\n# \xc3\xa9\n' + bytes(range(256)) * 4000 + os.urandom(300000)
    src.write_bytes(payload)
    remote = 'C:\\Windows\\Temp\\parity.bin'

    winhost.control({'reset_stats': True})
    builtin_result = transfer_files(ansible, [['put', str(src), remote]], 'parity', PLUGINS[0])
    sent = normalised(winhost.pipelines())
    if ansible_core_version() >= (2, 19):
        assert [is_exec_wrapper(p) for p in sent] == [True], sent
        manifest = next(i for i, item in enumerate(sent[0]['input']) if isinstance(item, dict) and 'scripts' in item['json'])
        assert [a['name'] for a in sent[0]['input'][manifest]['json']['actions']] == ['psrp_put_file.ps1']
        assert sent[0]['input'][manifest]['json']['actions'][0]['params'] == {'Path': remote}
        builtin_bytes = b''.join(base64.b64decode(chunk) for chunk in sent[0]['input'][manifest + 1:])
        assert builtin_result == [{'ok': True}], builtin_result
        assert winhost.filesystem.read_bytes(remote) == payload
        winhost.filesystem.remove(remote)
    else:  # 2.16 to 2.18: a copy script of its own, fed only the base64 chunks; it runs on the test host too
        assert len(sent) == 1 and sent[0]['commands'][0]['parameters'] == [[None, remote]], sent
        builtin_bytes = b''.join(base64.b64decode(chunk) for chunk in sent[0]['input'])
        assert builtin_result == [{'ok': True}], builtin_result  # its script's SHA-1 matched the controller's
        assert winhost.filesystem.read_bytes(remote) == payload
        winhost.filesystem.remove(remote)

    assert transfer_files(ansible, [['put', str(src), remote]], 'parity', PLUGINS[1]) == [{'ok': True}]
    assert builtin_bytes == payload
    assert winhost.filesystem.read_bytes(remote) == payload
