# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """What every session module of psremoting.pssession shares."""

    DOCUMENTATION = r"""
requirements:
  - pypsrp>=0.9.1, <1.0.0 (Python library on the controller)
notes:
  - This is an action plugin; it runs on the controller and drives the host's PSSession over the
    P(psremoting.pssession.psrp#connection) connection (C(ansible_connection=psremoting.pssession.psrp)). With any other
    connection the task fails and says so.
  - The session is the one the host's tasks share (see the connection's C(session_name) option), unless a
    M(psremoting.pssession.connect) task of the same run chose another one.
  - Options shared by several session modules can be set once with C(module_defaults) and the action group
    C(group/psremoting.pssession.pssession).
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: windows
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
"""
