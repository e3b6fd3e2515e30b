"""pypsrp is reached through one module: its private attributes, imports and hand-built WSMan bodies
are in plugin_utils/pypsrp_bridge.py and nowhere else, and imports point one way."""

from __future__ import annotations

import ast
import os
import re
import socketserver
import threading

import pypsrp
import pytest

from ansible_collections.psremoting.pssession.plugins.plugin_utils import pypsrp_bridge

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLUGINS = os.path.join(ROOT, 'plugins')
BRIDGE = os.path.join(PLUGINS, 'plugin_utils', 'pypsrp_bridge.py')


def _sources(folder: str = PLUGINS) -> dict[str, str]:
    found = {}
    for top, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(top, name)
                with open(path, encoding='utf-8') as handle:
                    found[os.path.relpath(path, ROOT)] = handle.read()
    return found


def _code(text: str) -> str:
    """The source without comments and docstring-ish prose lines (a name in a sentence is no access)."""
    lines = []
    for line in text.splitlines():
        stripped = line.split('#', 1)[0]
        lines.append(stripped)
    return '\n'.join(lines)


def pypsrp_private_names() -> set[str]:
    """Every attribute pypsrp sets or defines with a leading underscore (its private state and helpers)."""
    names = set()
    for path, text in _sources(os.path.dirname(pypsrp.__file__)).items():
        del path
        names.update(re.findall(r'self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=', text))
        names.update(re.findall(r'^\s+def (_[a-z]\w*)\(', text, flags=re.M))
    return names


PRIVATE = pypsrp_private_names()


def test_the_private_names_are_known():
    # The scan finds what the plugin relies on; if it did not, the test below could not fail.
    assert {'_command_id', '_selector_set', '_new_client', '_types'} <= PRIVATE


def _private_accesses(text: str) -> set[str]:
    code = _code(text)
    used = set(re.findall(r'(?<!self)(?<!cls)(?<!super\(\))\.(_[a-z]\w*)\b', code))
    used.update(re.findall(r'getattr\([^,]+,\s*[\'"](_[a-z]\w*)[\'"]', code))
    return used & PRIVATE


@pytest.mark.parametrize('path, text', sorted(_sources().items()), ids=lambda v: v if isinstance(v, str) and v.endswith('.py') else '')
def test_no_pypsrp_private_attribute_outside_the_bridge(path, text):
    if os.path.join(ROOT, path) == BRIDGE:
        return
    assert _private_accesses(text) == set(), '%s touches pypsrp private attributes; move that into pypsrp_bridge.py' % path


def test_the_scan_catches_an_access():
    assert _private_accesses('ps._command_id = x\nshell._selector_set\ngetattr(o, "_new_client")') == {
        '_command_id', '_selector_set', '_new_client'}
    assert _private_accesses('self._command_id = 1  # ._selector_set in a comment') == set()


def test_only_the_bridge_imports_pypsrp_or_builds_wsman_bodies():
    offenders = []
    for path, text in _sources().items():
        if os.path.join(ROOT, path) == BRIDGE:
            continue
        code = _code(text)
        if re.search(r'^\s*(from pypsrp|import pypsrp|import requests|from requests)', code, flags=re.M):
            offenders.append('%s imports pypsrp/requests' % path)
        if re.search(r'\bET\.(Sub)?Element\(|<(w|rsp|wsmv|wsen|s):', code):
            offenders.append('%s builds XML' % path)
    assert offenders == []


def test_imports_point_one_way():
    """actions -> session API (plugin_utils) -> bridge -> pypsrp: no action plugin reaches the bridge or
    the session internals, and the bridge imports nothing of the collection."""
    for path, text in _sources(os.path.join(PLUGINS, 'action')).items():
        for internal in ('pypsrp_bridge', 'pssession', 'pipelines', 'task_session'):
            assert 'plugin_utils.%s import' % internal not in text, '%s imports %s' % (path, internal)
    with open(BRIDGE, encoding='utf-8') as handle:
        assert 'ansible_collections.psremoting' not in handle.read()


# The layers of plugin_utils (docs/design.md section 3), top down. A module imports only from its own layer or
# below: the action side (what the action plugins share) through the session API, never the session's internals or
# the bridge; the internals never the API above them. SHARED: options, identity, locks, registries and the like,
# which import nothing of the layers. Every module of plugin_utils is in exactly one, so a new one must be placed.
LAYERS = {
    # The run's keeper and a worker's side of it: they run a TaskSession like the connection plugin does.
    'keeper': {'keeper', 'keeper_client'},
    'action side': {'session_action', 'resume', 'should_process'},
    'session API': {'task_session', 'session_commands', 'ps_results'},
    'session internals': {'pssession', 'pipelines', 'file_transfer', 'kept_clients', 'retry_policy'},
    'bridge': {'pypsrp_bridge'},
}
SHARED = {'cached_import', 'cancel', 'facts_requirement', 'keeper_protocol', 'module_hygiene', 'option_cache', 'run_overrides',
          'run_registry', 'session_identity', 'session_lock', 'session_options', 'transport_options'}
ORDER = list(LAYERS)


def _plugin_utils_imports(text: str) -> set[str]:
    """The plugin_utils modules a source imports (`from ...plugin_utils.X import` and `from ...plugin_utils import X`,
    also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith('plugins.plugin_utils'):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and '.plugin_utils.' in node.module:
            found.add(node.module.rsplit('.', 1)[1])
    return found


def _layer(module: str) -> int:
    """Its position, top (0) down; SHARED below every layer."""
    for index, name in enumerate(ORDER):
        if module in LAYERS[name]:
            return index
    return len(ORDER)


def test_every_plugin_utils_module_has_a_layer():
    modules = {name[:-3] for name in os.listdir(os.path.join(PLUGINS, 'plugin_utils')) if name.endswith('.py') and name != '__init__.py'}
    placed = set().union(SHARED, *LAYERS.values())
    assert modules == placed, 'place %s in a layer; %s are gone' % (sorted(modules - placed), sorted(placed - modules))


def test_plugin_utils_imports_point_down():
    offenders = []
    for path, text in _sources(os.path.join(PLUGINS, 'plugin_utils')).items():
        module = os.path.basename(path)[:-3]
        for imported in _plugin_utils_imports(text):
            if _layer(imported) < _layer(module):
                offenders.append('%s imports %s' % (module, imported))
            elif module in LAYERS['action side'] | LAYERS['keeper'] and _layer(imported) > ORDER.index('session API') and imported not in SHARED:
                offenders.append('%s (%s) imports %s past the session API' % (module, ORDER[_layer(module)], imported))
            elif module in SHARED and imported not in SHARED:
                offenders.append('%s (shared) imports %s' % (module, imported))
    assert offenders == []


def test_the_layer_scan_finds_imports():
    text = ('from ansible_collections.psremoting.pssession.plugins.plugin_utils.pssession import x\n'
            'def f():\n    from ansible_collections.psremoting.pssession.plugins.plugin_utils import module_hygiene, ps_results\n')
    assert _plugin_utils_imports(text) == {'pssession', 'module_hygiene', 'ps_results'}


@pytest.mark.parametrize('protocol, expected', [('2.3', 512000), ('2.2', 512000), ('2.1', 153600), (None, 153600)])
def test_a_pool_taken_back_as_the_same_client_uses_the_envelope_size_its_protocol_allows(protocol, expected):
    # Reconnect has no SESSION_CAPABILITY exchange, on which pypsrp raises the envelope to 500 KB for protocol 2.2+;
    # without the same rule a session's later tasks would send 150 KB envelopes (3x the requests for files and modules).
    wsman = pypsrp_bridge.new_wsman(server='127.0.0.1', port=1, username='u', password='p', ssl=False, auth='basic',
                                    encryption='never')
    pool = pypsrp_bridge.pool_for_shell(wsman, pypsrp_bridge.new_host(), 'Microsoft.PowerShell', 'SHELL-ID', protocol=protocol)
    assert wsman.max_envelope_size == expected
    assert pypsrp_bridge.max_payload(pool) == wsman.max_payload_size
    # pypsrp's fragments follow (its Fragmenter is made with the 150 KB size before any protocol is known).
    assert (pool._fragmenter.max_size > 300000) is (expected == 512000)  # pylint: disable=protected-access


class _RequestLineRecorder:
    """A loopback HTTP listener that keeps each request's first line and answers 500 (it stops with the test)."""

    def __init__(self):
        self.lines: list[str] = []
        self.server = socketserver.TCPServer(('127.0.0.1', 0), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self):
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                recorder.lines.append(self.rfile.readline().decode('latin-1').strip())
                while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                    pass
                self.wfile.write(b'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(name='recorder')
def recorder_fixture():
    recorder = _RequestLineRecorder()
    yield recorder
    recorder.close()


def _send_twice(server: str, port: int) -> None:
    wsman = pypsrp_bridge.new_wsman(server=server, port=port, username='u', password='p', ssl=False, auth='basic',
                                    encryption='never')
    for _attempt in range(2):
        with pytest.raises(pypsrp_bridge.TRANSPORT_ERRORS):
            wsman.transport.send(b'<x/>')


def test_every_request_goes_through_the_proxy_the_environment_names(recorder, monkeypatch):
    # The environment is read once per client (when pypsrp builds its HTTP session), not on every request:
    # what it says must still hold for every request of that client, as it does for ansible.builtin.psrp.
    for name in ('NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:%d' % recorder.port)
    monkeypatch.setenv('http_proxy', 'http://127.0.0.1:%d' % recorder.port)
    _send_twice('winhost.invalid', 5985)
    assert recorder.lines == ['POST http://winhost.invalid:5985/wsman HTTP/1.1'] * 2


def test_a_host_no_proxy_names_is_reached_directly(recorder, monkeypatch):
    for name in ('HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    for name in ('HTTP_PROXY', 'http_proxy'):
        monkeypatch.setenv(name, 'http://127.0.0.1:1')  # nothing listens there: a request through it would fail to connect
    for name in ('NO_PROXY', 'no_proxy'):
        monkeypatch.setenv(name, '127.0.0.1')
    _send_twice('127.0.0.1', recorder.port)
    assert recorder.lines == ['POST /wsman HTTP/1.1'] * 2
