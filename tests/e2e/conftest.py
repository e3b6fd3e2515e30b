"""End-to-end fixtures: the test host in this process, real ansible/ansible-playbook as subprocesses.

The collection is imported from the laid-out copy (``scripts/lib.sh layout_collection``, which
``scripts/test`` runs first): ANSIBLE_COLLECTIONS_PATH points at ``.build``.
"""

from __future__ import annotations

import os

import pytest

from e2e_support import COLLECTION, USERS, Ansible
from winhost import WinHost


def pytest_collection_modifyitems(config, items):
    """A missing layout is a setup mistake, not a reason to skip: say how to fix it."""
    del config
    if any('/tests/e2e/' in str(item.fspath) for item in items) and not os.path.isdir(COLLECTION):
        raise pytest.UsageError('the collection is not laid out in .build: run ./scripts/test, or source scripts/lib.sh && layout_collection')


@pytest.fixture
def winhost():
    with WinHost(users=dict(USERS), auth='both') as host:
        yield host


@pytest.fixture
def ansible(tmp_path, winhost):
    return Ansible(tmp_path, winhost)
