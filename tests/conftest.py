"""Shared by every test directory: the re-runs of the end-to-end tests on other ansible-core releases.

scripts/test sets E2E_ANSIBLE_BIN to another release's venv (tests/e2e/e2e_support.py) and runs
pytest again. Only the end-to-end tests run ansible from there; the unit and test-host tests
import .venv's ansible-core whatever E2E_ANSIBLE_BIN says, so in such a re-run they are
deselected (pytest reports them as deselected) rather than run a second time as if they had
tested that release.

Of the end-to-end tests, a re-run keeps those marked ``release_sensitive``: what they show
depends on what ansible-core (or the newest release's Python) does around the plugins, so it
can differ between releases (tests/e2e/README.md, "Which tests the re-runs keep", says how to
choose). The others show the plugins' own logic, the same whatever release starts them, and
run once, on .venv's release. E2E_RERUN_ALL=1 re-runs every end-to-end test (when a release
is added or its pins change). Never re-run, even then: tests marked ``default_release_only``,
which run nothing of the release under test (the demo and scripts/testhost use .venv) or
install it from PyPI at length; each says why in its mark's reason.
"""

from __future__ import annotations

import os

import pytest

E2E_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'e2e') + os.sep


def _reason(item, name):
    """The reason of item's mark ``name`` (None without the mark); a mark without one is a mistake."""
    mark = item.get_closest_marker(name)
    if mark is None:
        return None
    reason = mark.kwargs.get('reason', mark.args[0] if mark.args else '')
    if not reason or not isinstance(reason, str):
        raise pytest.UsageError('%s: @pytest.mark.%s needs a reason (what it exercises of the release)' % (item.nodeid, name))
    return reason


def _rerun(item, every: bool) -> bool:
    """Whether a re-run on another release keeps item."""
    if not str(item.path).startswith(E2E_DIR):
        return False
    sensitive = _reason(item, 'release_sensitive')
    only_default = _reason(item, 'default_release_only')
    if sensitive and only_default:
        raise pytest.UsageError('%s is marked both release_sensitive and default_release_only' % item.nodeid)
    return only_default is None and (every or sensitive is not None)


def pytest_collection_modifyitems(config, items):
    if not os.environ.get('E2E_ANSIBLE_BIN'):
        for item in items:  # a mark without its reason fails every run, not only the re-runs
            _rerun(item, every=False)
        return
    every = os.environ.get('E2E_RERUN_ALL') == '1'
    keep, drop = [], []
    for item in items:
        (keep if _rerun(item, every) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
