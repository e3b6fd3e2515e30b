"""End-to-end fixtures: the test host in this process, real ansible/ansible-playbook as subprocesses.

The collection is imported from the laid-out copy (``scripts/lib.sh layout_collection``, which
``scripts/test`` runs first): ANSIBLE_COLLECTIONS_PATH points at ``.build``.
"""

from __future__ import annotations

import os

import pytest

from e2e_support import COLLECTION, USERS, Ansible

try:
    from winhost import WinHost
except ImportError:  # pragma: no cover - the test host is part of this repository
    WinHost = None


def _interpreter_available() -> bool:
    try:
        from winhost.powershell import Command, Runspace  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        return False
    return True


def _skip_reason() -> str | None:
    if WinHost is None:
        return 'the test host (tests/winhost) cannot be imported'
    if not _interpreter_available():
        return "the test host's PowerShell interpreter (winhost.powershell) is not available"
    if not os.path.isdir(COLLECTION):
        return 'the collection is not laid out in .build (run: source scripts/lib.sh && layout_collection)'
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason is None:
        return
    marker = pytest.mark.skip(reason=reason)
    for item in items:
        if '/tests/e2e/' in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture
def winhost():
    with WinHost(users=dict(USERS), auth='both') as host:
        yield host


@pytest.fixture
def ansible(tmp_path, winhost):
    return Ansible(tmp_path, winhost)
