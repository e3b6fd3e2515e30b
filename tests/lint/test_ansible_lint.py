"""ansible-lint, production profile, on every playbook a user reads: demo/, docs/examples/, the
playbooks and task lists in README.md, docs/*.md and roles/*/README.md, each plugin's EXAMPLES,
and the collection's roles.

ansible-lint runs from its own virtual environment (``scripts/lib.sh ensure_lint_venv``, exact
pins in tests/lint-requirements.txt; built on first use), with ``--offline`` and in a network
namespace without a network (``unshare --net``), so it can never reach Galaxy or anything else.
EXAMPLES and Markdown blocks are copied to files first; task lists are wrapped in a play so that
``ansible-playbook --syntax-check`` (which ansible-lint runs) resolves every module name against
the laid-out collection, and against ``ansible.windows`` (the README's Windows-module playbook
names its modules), extracted at test time from the ``ansible`` package on PyPI as the
end-to-end tests do (``tests/e2e/e2e_support.extract_ansible_windows``), never committed.
"""

from __future__ import annotations

import ast
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import textwrap

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, '.build')
FENCE = re.compile(r'^```ya?ml\n(.*?)^```$', re.M | re.S)


class _AnsibleYaml(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML as ansible reads it: its own tags (!unsafe, as AWX writes extra vars; !vault) are plain values here."""


for _tag in ('!unsafe', '!vault'):
    _AnsibleYaml.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def _load(text):
    return yaml.load(text, Loader=_AnsibleYaml)  # nosec: a SafeLoader with two scalar tags


def ansible_windows_path(root: str) -> str:
    """A collections path holding ansible.windows (from the ansible package on PyPI, as tests/e2e gets it)."""
    spec = importlib.util.spec_from_file_location('e2e_support', os.path.join(ROOT, 'tests', 'e2e', 'e2e_support.py'))
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    support.extract_ansible_windows(os.path.join(root, 'ansible_collections', 'ansible', 'windows'))
    return root


def lint_venv() -> str:
    """The ansible-lint venv: built (or reused) by the same function scripts use, never skipped."""
    proc = subprocess.run(['bash', '-c', 'source scripts/lib.sh && ensure_lint_venv'], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, 'could not build the ansible-lint venv:\n%s' % proc.stderr[-4000:]
    venv = proc.stdout.strip().splitlines()[-1]
    assert os.access(os.path.join(venv, 'bin', 'ansible-lint'), os.X_OK), venv
    return venv


def _as_playbook(text: str, title: str) -> str | None:
    """A playbook as written; a task list as written, indented into a play; anything else
    (inventories, requirements, option fragments) None."""
    data = _load(text)
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if all('hosts' in item or 'ansible.builtin.import_playbook' in item for item in data):
        return text if text.startswith('---') else '---\n' + text
    # A file's excerpt may begin with a comment naming the file, at column 0: it would stop dedent.
    text = ''.join(line for line in text.splitlines(True) if not line.startswith('#'))
    body = ''.join(('    ' + line if line.strip() else line) for line in textwrap.dedent(text).strip('\n').splitlines(True))
    return '---\n- name: %s\n  hosts: windows\n  gather_facts: false\n  tasks:\n%s\n' % (title, body)


def _is_playbook(path: str) -> bool:
    with open(path, encoding='utf-8') as handle:
        data = _load(handle)
    return isinstance(data, list) and all(isinstance(item, dict) and 'hosts' in item for item in data)


def _plugin_examples():
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', '*', '*.py'))):
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'EXAMPLES' for t in node.targets):
                yield os.path.relpath(path, ROOT), node.value.value


def _markdown_blocks():
    documents = glob.glob(os.path.join(ROOT, 'docs', '*.md')) + glob.glob(os.path.join(ROOT, 'roles', '*', 'README.md'))
    for path in [os.path.join(ROOT, 'README.md')] + sorted(documents):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        for number, match in enumerate(FENCE.finditer(text), 1):
            yield '%s-block%d' % (os.path.relpath(path, ROOT), number), match.group(1)


def collect(workdir: str) -> tuple[dict[str, str], list[str]]:
    """Copies what is linted under workdir: {copy: where it comes from}, and what was left out and why."""
    linted: dict[str, str] = {}
    left_out: list[str] = []
    playbooks = glob.glob(os.path.join(ROOT, 'demo', '*.yml')) + glob.glob(os.path.join(ROOT, 'docs', 'examples', '**', '*.yml'), recursive=True)
    for path in sorted(playbooks):
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding='utf-8') as handle:
            if 'awx.awx.' in handle.read():
                left_out.append(rel)  # AWX's own collection: see below
                continue
        copy = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copyfile(path, copy)
        linted[copy] = rel
    # The collection's roles, whole (ansible-lint counts each of their YAML files).
    for role in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'tasks'))):
        rel = os.path.relpath(os.path.dirname(role), ROOT)
        shutil.copytree(os.path.dirname(role), os.path.join(workdir, rel))
        linted[os.path.join(workdir, rel)] = rel
    extracted = os.path.join(workdir, 'extracted')
    os.makedirs(extracted)
    sources = [(name + '-EXAMPLES', text) for name, text in _plugin_examples()] + list(_markdown_blocks())
    for source, text in sources:
        if 'awx.awx.' in text:
            # AWX's own objects (awx.awx, the AWX collection): not installable offline here, so
            # syntax-check cannot resolve its modules. tests/unit/test_awx_docs.py checks these blocks.
            left_out.append(source)
            continue
        try:
            playbook = _as_playbook(text, 'Lint ' + source)
        except yaml.YAMLError as exc:
            raise AssertionError('%s is not valid YAML: %s' % (source, exc)) from None
        if playbook is None:
            left_out.append(source)
            continue
        copy = os.path.join(extracted, re.sub(r'[^A-Za-z0-9.-]+', '_', source) + '.yml')
        with open(copy, 'w', encoding='utf-8') as handle:
            handle.write(playbook)
        linted[copy] = source
    return linted, left_out


def test_ansible_lint_production_profile_is_clean(tmp_path):
    # ansible-playbook --syntax-check resolves psremoting.pssession.* there (and ansible.windows.*, see ansible_windows_path).
    assert os.path.isdir(os.path.join(BUILD, 'ansible_collections', 'psremoting', 'pssession')), \
        'the collection is not laid out in .build: run ./scripts/test, or source scripts/lib.sh && layout_collection'
    venv = lint_venv()
    workdir = str(tmp_path / 'lint')
    linted, left_out = collect(workdir)
    # What is not a playbook or task list: inventories, requirements, option fragments, the
    # callback's ansible.cfg snippet (comments only). Listed so that a playbook never drops out.
    print('not linted as playbooks:', left_out)
    collections = BUILD + os.pathsep + ansible_windows_path(str(tmp_path / 'collections'))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, PATH=os.path.join(venv, 'bin') + os.pathsep + os.environ['PATH'],
               HOME=str(tmp_path / 'home'), NO_COLOR='1')
    env.pop('ANSIBLE_CONFIG', None)
    argv = ['unshare', '--net', os.path.join(venv, 'bin', 'ansible-lint'), '-v', '--offline', '--profile', 'production', '--format', 'pep8',
            '--nocolor', '--project-dir', workdir, *sorted(os.path.relpath(p, workdir) for p in linted)]
    proc = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, check=False, timeout=600)
    report = proc.stdout + proc.stderr
    for copy, source in linted.items():
        report = report.replace(os.path.relpath(copy, workdir), source)
    assert proc.returncode == 0, report
    assert re.search(r'^Passed: 0 failure\(s\), 0 warning\(s\) in \d+ files processed', report, re.M), report
    assert "Profile 'production' was required, and it passed." in report, report
    # Every playbook and role went through ansible-playbook --syntax-check: none silently dropped.
    checked = set(re.findall(r'Executing syntax check on (?:playbook|role) (\S+)', report))
    expected = {source for copy, source in linted.items() if os.path.isdir(copy) or _is_playbook(copy)}
    assert checked == expected, report
