"""The connection plugin's option definitions are parsed from DOCUMENTATION once, then taken from the kept copy.

Each case loads the plugin in a new Python process, as each ansible worker does, from a copy of the
laid-out collection (so that what it writes stays in tmp_path).
"""

import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.join(ROOT, '.build')

WORKER = r'''
import json, sys
from ansible import constants as C
from ansible.plugins.loader import connection_loader, init_plugin_loader
from ansible.playbook.play_context import PlayContext
import ansible.plugins.loader as loader

init_plugin_loader()
parsed = []
original = loader.PluginLoader._load_config_defs
def spy(self, name, module, path):
    if 'pssession' in name:
        parsed.append(not C.config.has_configuration_definition('connection', name))
    return original(self, name, module, path)
loader.PluginLoader._load_config_defs = spy
conn = connection_loader.get('psremoting.pssession.psrp', PlayContext(), '/dev/null')
conn.set_options(var_options={'ansible_port': 5986, 'ansible_pssession_idle_timeout': 900, 'ansible_host': 'h'})
print(json.dumps({
    'ansible_parsed': parsed,
    'definitions': C.config.get_configuration_definitions('connection', conn._load_name),
    'values': {name: conn.get_option(name) for name in ('port', 'idle_timeout', 'busy_timeout', 'protocol', 'auth', 'pipelining')},
}, sort_keys=True, default=str))
'''


def _collection_copy(tmp_path):
    dest = tmp_path / 'collections'
    shutil.copytree(os.path.join(BUILD, 'ansible_collections', 'psremoting'), dest / 'ansible_collections' / 'psremoting',
                    ignore=shutil.ignore_patterns('__pycache__'))
    return str(dest)


def _worker(collections, **env):
    environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, PYTHONPATH=collections, **env)
    environ.pop('PYTHONDONTWRITEBYTECODE', None)
    environ.update(env)
    out = subprocess.run([sys.executable, '-c', WORKER], env=environ, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _kept(collections):
    return glob.glob(os.path.join(collections, 'ansible_collections/psremoting/pssession/plugins/connection/__pycache__/psrp.options-*.json'))


def test_the_second_worker_takes_the_definitions_the_first_one_parsed(tmp_path):
    collections = _collection_copy(tmp_path)
    first = _worker(collections)
    assert first['ansible_parsed'] == [True]  # nothing kept yet: ansible parsed DOCUMENTATION
    assert len(_kept(collections)) == 1
    second = _worker(collections)
    assert second['ansible_parsed'] == [False]  # ansible found the definitions and parsed nothing
    assert second['definitions'] == first['definitions']
    assert second['values'] == first['values'] == {
        'port': 5986, 'idle_timeout': 900, 'busy_timeout': 30, 'protocol': None, 'auth': 'negotiate', 'pipelining': False}


def test_a_changed_documentation_is_parsed_again(tmp_path):
    collections = _collection_copy(tmp_path)
    _worker(collections)
    plugin = os.path.join(collections, 'ansible_collections/psremoting/pssession/plugins/connection/psrp.py')
    with open(plugin, encoding='utf-8') as handle:
        text = handle.read()
    with open(plugin, 'w', encoding='utf-8') as handle:
        head, _marker, tail = text.rpartition('default: 30')  # busy_timeout's, the last option
        handle.write(head + 'default: 31' + tail)
    again = _worker(collections)
    assert again['ansible_parsed'] == [True]
    assert again['values']['busy_timeout'] == 31
    assert len(_kept(collections)) == 2


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path):
    collections = _collection_copy(tmp_path)
    for _run in range(2):
        assert _worker(collections, PYTHONDONTWRITEBYTECODE='1')['ansible_parsed'] == [True]
    assert not _kept(collections)
