# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import this collection's plugin_utils modules with Python's own source loader, so they are byte-compiled once.

Why: ansible's collection loader compiles a collection's Python from source on every import and
never reads or writes ``.pyc`` files, and ansible runs every task in a freshly forked worker that
imports the connection plugin again. For the raw-task path that was about 26 ms of CPU per task
(compiling about 2,500 lines), more than the rest of loading the plugin. ansible-core itself loads a
plugin's own file with ``importlib.util.spec_from_file_location`` (the standard ``SourceFileLoader``,
which keeps ``__pycache__``); this does the same for the plugin_utils modules the plugin needs, in
dependency order, before the plugin imports them by their usual names. Python's rules apply
unchanged: the cached bytecode is checked against the source's mtime and size, nothing is written
when the directory is read-only or PYTHONDONTWRITEBYTECODE is set (then each import compiles, as
before). A module already imported, or one this cannot locate, is left to the normal import system.
"""

from __future__ import annotations

import importlib.util
import os
import sys

PACKAGE = 'ansible_collections.psremoting.pssession.plugins.plugin_utils'
HERE = os.path.dirname(os.path.abspath(__file__))


def preload(names: list[str]) -> None:
    """Import PACKAGE.<name> for each name (dependencies first) through the standard source loader."""
    package = sys.modules.get(PACKAGE)
    for name in names:
        fullname = '%s.%s' % (PACKAGE, name)
        path = os.path.join(HERE, name + '.py')
        if fullname in sys.modules or not os.path.isfile(path):
            continue
        spec = importlib.util.spec_from_file_location(fullname, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        # As the import system does: the module is visible while it runs, and gone again if it fails.
        sys.modules[fullname] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[fullname]
            raise
        if package is not None:
            setattr(package, name, module)
