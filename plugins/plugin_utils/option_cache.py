# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection plugin's option definitions, kept once parsed, as Python keeps bytecode.

Why: when ansible loads a plugin it reads the option definitions from the plugin's DOCUMENTATION
(YAML, with its doc fragments: ``PluginLoader._load_config_defs``) unless the config manager already
has them. ansible-core preloads its own connection plugins in ``ansible-playbook``'s main process,
so their YAML is parsed once per run; a collection's connection plugin is loaded in every task's
freshly forked worker, and its YAML parsed there every time: about 9 ms of CPU per task for this
plugin's 370 lines, the largest part of what loading it costs more than the builtin psrp.

So the first worker that parsed them writes the definitions ansible made (``remember``, from the
config manager, i.e. ansible's own parse) as JSON next to the plugin's bytecode, in ``__pycache__``,
under a name keyed by the DOCUMENTATION text and the ansible-core release (whose doc fragments are
part of it); later workers hand them to the config manager before ansible would parse the YAML
(``register``, run while the plugin module is imported, which ansible does before reading the
definitions), and ansible then skips its parse. Python's rules for bytecode apply: nothing is written
when ``sys.dont_write_bytecode`` is set (PYTHONDONTWRITEBYTECODE) or the directory is not writable,
and then every worker parses the YAML, as before. Definitions with a template (``{{``) are never
kept: ansible-core 2.19 marks the parsed DOCUMENTATION as trusted for templating, which JSON loses.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import typing as t

from ansible import constants as C
from ansible.release import __version__ as ANSIBLE_CORE_VERSION


def cache_path(plugin_file: str, documentation: str) -> str:
    key = hashlib.sha256(('%s\0%s' % (ANSIBLE_CORE_VERSION, documentation)).encode('utf-8')).hexdigest()[:20]
    name = os.path.splitext(os.path.basename(plugin_file))[0]
    return os.path.join(os.path.dirname(os.path.abspath(plugin_file)), '__pycache__', '%s.options-%s.json' % (name, key))


def register(plugin_type: str, names: t.Sequence[str], plugin_file: str, documentation: str) -> bool:
    """Give the config manager the definitions kept by an earlier worker, if any, under each of ``names``
    (the names ansible may look them up by); whether it got them."""
    try:
        if any(C.config.has_configuration_definition(plugin_type, name) for name in names):
            return False
        with open(cache_path(plugin_file, documentation), encoding='utf-8') as handle:
            options = json.load(handle)
        if not isinstance(options, dict) or not options:
            return False
        for name in names:
            C.config.initialize_plugin_configuration_definitions(plugin_type, name, options)
        return True
    except (OSError, ValueError, AttributeError):  # none kept yet, unreadable, or a config manager without the API
        return False


def remember(plugin_type: str, name: str, plugin_file: str, documentation: str) -> None:
    """Keep the definitions ansible parsed in this process for the next workers (once; best effort)."""
    if sys.dont_write_bytecode:
        return
    path = cache_path(plugin_file, documentation)
    if os.path.exists(path):
        return
    try:
        options: t.Any = C.config.get_configuration_definitions(plugin_type, name)
        text = json.dumps(options, sort_keys=True)
    except (AttributeError, TypeError, ValueError):  # not plain data: leave it to ansible's parse
        return
    if not options or '{{' in text:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.options-', suffix='.tmp')
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)  # readable by whoever may read the plugin, as Python's bytecode files
            os.replace(tmp, path)  # whole or not at all, also with two workers writing at once
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:  # a read-only install: every worker parses the YAML, as before
        pass
