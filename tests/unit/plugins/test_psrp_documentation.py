"""Our option table is a superset of ansible.builtin.psrp's, option for option, and renders."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.join(ROOT, '.build')
ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')

SESSION_OPTIONS = {
    'session_name': (None, 'str'),
    'idle_timeout': (None, 'int'),
    'output_buffering_mode': ('block', 'str'),
    'busy_timeout': (30, 'int'),
    'strict_session': (False, 'bool'),
    'keeper': (True, 'bool'),
}


def doc(name):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_NOCOLOR='1')
    out = subprocess.run([ANSIBLE_DOC, '-t', 'connection', '--json', name], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)[name]


@pytest.fixture(scope='module')
def docs():
    return doc('ansible.builtin.psrp'), doc('psremoting.pssession.psrp')


def test_every_builtin_option_is_there_with_the_same_settings(docs):
    builtin, ours = docs[0]['doc']['options'], docs[1]['doc']['options']
    missing = sorted(set(builtin) - set(ours))
    assert not missing
    for name, spec in builtin.items():
        for field in ('default', 'type', 'aliases', 'vars', 'env', 'ini', 'keyword', 'choices', 'cli'):
            assert ours[name].get(field) == spec.get(field), (name, field)


def test_session_options(docs):
    options = docs[1]['doc']['options']
    for name, (default, kind) in SESSION_OPTIONS.items():
        spec = options[name]
        assert spec.get('default') == default and spec['type'] == kind, name
        suffix = 'name' if name == 'session_name' else name
        assert spec['vars'][0]['name'] == 'ansible_pssession_%s' % suffix
        assert spec['env'][0]['name'] == 'ANSIBLE_PSSESSION_%s' % suffix.upper()
    # The name before 0.2.0 still works, deprecated.
    old = options['session_name']
    assert [v['name'] for v in old['vars']] == ['ansible_pssession_name', 'ansible_pssession_session_name']
    assert old['vars'][1]['deprecated']['alternatives'] == 'ansible_pssession_name'
    assert old['env'][1]['deprecated']['alternatives'] == 'ANSIBLE_PSSESSION_NAME'
    assert options['output_buffering_mode']['choices'] == ['block', 'drop']
    assert set(options) == set(docs[0]['doc']['options']) | set(SESSION_OPTIONS)


def test_examples_show_named_and_run_scoped_inventories(docs):
    examples = docs[1]['examples']
    assert 'ansible_pssession_name' in examples
    assert 'RUN-SCOPED' in examples
    assert 'ansible_connection: psremoting.pssession.psrp' in examples


def test_text_rendering():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_NOCOLOR='1')
    out = subprocess.run([ANSIBLE_DOC, '-t', 'connection', 'psremoting.pssession.psrp'], env=env, check=True, capture_output=True, text=True).stdout
    assert 'idle_timeout' in out and 'EXAMPLES' in out
