# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which run-scoped sessions a run used, for the end-of-run cleanup callback.

A task that opens a run-scoped session leaves a marker (an empty 0600 file named after the
run and the session key) in the controller's lock directory, but only when the cleanup
callback is enabled: otherwise nobody would read it. The callback, in the run's main
process, matches the hosts of the run against the markers and removes those sessions.
No credential is written: the callback takes them from the inventory and the run's prompts.
"""

from __future__ import annotations

import glob
import hashlib
import os

from ansible import constants as C

from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_identity import run_scoped_name
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_lock import lock_directory

CALLBACK = 'psremoting.pssession.cleanup'


def _prefix(directory: str | None = None) -> str:
    run = hashlib.sha256(run_scoped_name().encode('utf-8')).hexdigest()[:16]
    return os.path.join(directory or lock_directory(), 'used-%s-' % run)


def cleanup_enabled() -> bool:
    return CALLBACK in (C.CALLBACKS_ENABLED or [])


def record_use(key_digest: str, directory: str | None = None) -> None:
    """Note that this run used the run-scoped session with this key (once per run and key)."""
    if not cleanup_enabled():
        return
    try:
        os.close(os.open(_prefix(directory) + key_digest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def sessions_used_by_this_run(directory: str | None = None) -> set[str]:
    prefix = _prefix(directory)
    return {path[len(prefix):] for path in glob.glob(glob.escape(prefix) + '*')}


def forget_run(directory: str | None = None) -> None:
    for path in glob.glob(glob.escape(_prefix(directory)) + '*'):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
