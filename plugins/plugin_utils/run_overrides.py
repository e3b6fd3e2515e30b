# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the session modules change for the rest of a run: which session a host's tasks use
(``connect``), and the IdleTimeout/BufferMode its later disconnects keep (``disconnect``,
``invoke disconnected=true``).

Each task runs in its own worker process, so the choice is a small file in the controller's
lock directory, keyed by the run (the ``ansible``/``ansible-playbook`` process) and by the
session key the host's options give. It applies to the tasks of that run only; files of
runs that have ended are removed when a new one is written.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import (
    is_dead_run_of_this_controller, run_scoped_name,
)
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import lock_directory, write_private_json

FIELDS = ('session_name', 'shell_id', 'idle_timeout', 'buffer_mode')


def _path(base_digest: str, run: str, directory: str | None = None) -> str:
    digest = hashlib.sha256(('%s\0%s' % (run, base_digest)).encode('utf-8')).hexdigest()[:32]
    return os.path.join(directory or lock_directory(), 'run-%s.json' % digest)


def read_override(base_digest: str, run: str | None = None, directory: str | None = None) -> dict[str, t.Any]:
    run = run or run_scoped_name()
    try:
        with open(_path(base_digest, run, directory), encoding='utf-8') as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(value, dict) or value.get('run') != run:
        return {}
    return {k: value[k] for k in FIELDS if value.get(k) is not None}


def write_override(base_digest: str, changes: dict[str, t.Any], run: str | None = None, directory: str | None = None,
                   replace: bool = False) -> dict[str, t.Any]:
    """Merge ``changes`` into the run's override for a session key (or replace it); returns the result."""
    run = run or run_scoped_name()
    directory = directory or lock_directory()
    current = {} if replace else read_override(base_digest, run, directory)
    current.update({k: v for k, v in changes.items() if k in FIELDS})
    path = _path(base_digest, run, directory)
    write_private_json(path, dict(current, run=run))
    _prune(directory, keep=path)
    return current


def _prune(directory: str, keep: str) -> None:
    for path in glob.glob(os.path.join(directory, 'run-*.json')):
        if path == keep:
            continue
        try:
            with open(path, encoding='utf-8') as handle:
                run = json.load(handle).get('run')
        except (OSError, ValueError, AttributeError):
            continue
        if is_dead_run_of_this_controller(run):
            try:
                os.unlink(path)
            except OSError:
                pass
