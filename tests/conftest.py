"""Shared by every test directory: the re-runs of the end-to-end tests on other ansible-core releases.

scripts/test sets E2E_ANSIBLE_BIN to another release's venv (tests/e2e/e2e_support.py) and runs
pytest again. Only the end-to-end tests run ansible from there; the unit and test-host tests
import .venv's ansible-core whatever E2E_ANSIBLE_BIN says, so in such a re-run they are
deselected (pytest reports them as deselected) rather than run a second time as if they had
tested that release. So are the end-to-end tests marked ``default_release_only``: they run
nothing of the release under test (the demo and scripts/testhost use .venv), or repeat at length
what shorter tests of the re-run already show on that release (installing the release from PyPI
for the README's newcomer flow); each says why in its mark's reason.
"""

from __future__ import annotations

import os

E2E_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'e2e') + os.sep


def pytest_collection_modifyitems(config, items):
    if not os.environ.get('E2E_ANSIBLE_BIN'):
        return
    keep, drop = [], []
    for item in items:
        e2e = str(item.path).startswith(E2E_DIR)
        (keep if e2e and item.get_closest_marker('default_release_only') is None else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
