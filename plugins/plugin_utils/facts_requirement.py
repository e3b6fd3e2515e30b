# Copyright (c) 2026 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Say what to install when a Windows facts task cannot find its module.

ansible-core runs Windows facts as ``setup.ps1``, which its own routing table
(``config/ansible_builtin_runtime.yml``, ``plugin_routing.modules["setup.ps1"]``) sends to
``ansible.windows.setup``. Without that collection the task fails on the controller with
"The module ansible.legacy.setup was redirected to ansible.windows.setup, which could not be
loaded", which names the collection but not what to do. The connection's options are set before
the task's action runs, so the connection can say it first, as a warning shown with the failure.
It warns rather than fails: a play may point ``ansible_facts_modules`` at another module, a
variable the connection never sees.
"""

from __future__ import annotations

import typing as t

# The task actions that run the setup module: the implicit "Gathering Facts" task and explicit ones.
FACTS_ACTIONS = frozenset(('gather_facts', 'ansible.builtin.gather_facts', 'ansible.legacy.gather_facts',
                           'setup', 'ansible.builtin.setup', 'ansible.legacy.setup'))

INSTALL_HINT = ('Gathering facts from a Windows host needs the ansible.windows collection, which is not installed: '
                'ansible-galaxy collection install ansible.windows (or list it in requirements.yml).')


def facts_install_hint(task_keys: dict[str, t.Any] | None) -> str | None:
    """The hint to show for this task, or None when it gathers no facts or ansible.windows is there."""
    if not task_keys or task_keys.get('action') not in FACTS_ACTIONS:
        return None
    from ansible.plugins.loader import module_loader  # only for facts tasks: every other task skips the lookup
    found = module_loader.find_plugin_with_context('ansible.windows.setup', mod_type='.ps1')
    return None if found.resolved else INSTALL_HINT
