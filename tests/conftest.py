"""Shared by every test directory: the re-runs of the end-to-end tests on other ansible-core releases.

scripts/test sets E2E_ANSIBLE_BIN to another release's venv (tests/e2e/e2e_support.py) and runs
pytest again. Only the end-to-end tests run ansible from there; the unit and test-host tests
import .venv's ansible-core whatever E2E_ANSIBLE_BIN says, so in such a re-run they are
deselected (pytest reports them as deselected) rather than run a second time as if they had
tested that release.
"""

from __future__ import annotations

import os

E2E_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'e2e') + os.sep


def pytest_collection_modifyitems(config, items):
    if not os.environ.get('E2E_ANSIBLE_BIN'):
        return
    keep, drop = [], []
    for item in items:
        (keep if str(item.path).startswith(E2E_DIR) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
