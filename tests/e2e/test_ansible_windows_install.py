"""ansible.windows for the tests: scripts/test installs it into the build's collections path from the
``ansible`` wheel on PyPI (cached under .venvs/downloads), extracting that collection only and committing
nothing (e2e_support.install_ansible_windows, called by scripts/lib.sh's install_ansible_windows)."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile

from e2e_support import (ANSIBLE_PACKAGE, ANSIBLE_WINDOWS_VERSION, BUILD, DOWNLOADS, ROOT,
                         install_ansible_windows)


def test_the_build_has_ansible_windows_and_git_ignores_it():
    dest = install_ansible_windows(BUILD)
    assert dest == os.path.join(BUILD, 'ansible_collections', 'ansible', 'windows')
    with open(os.path.join(dest, 'MANIFEST.json'), encoding='utf-8') as handle:
        info = json.load(handle)['collection_info']
    assert (info['namespace'], info['name'], info['version']) == ('ansible', 'windows', ANSIBLE_WINDOWS_VERSION)
    assert os.path.isfile(os.path.join(dest, 'plugins', 'modules', 'win_ping.ps1'))
    # Nothing of it (nor the cached wheel) can be committed.
    ignored = subprocess.run(['git', '-C', ROOT, 'check-ignore', dest, DOWNLOADS], capture_output=True, text=True, check=False)
    assert ignored.stdout.split() == [dest, DOWNLOADS], ignored


def test_only_that_collection_is_extracted_and_a_second_install_reuses_it(tmp_path):
    dest = install_ansible_windows(str(tmp_path))
    # The wheel carries every collection of the ansible package; only ansible.windows is taken.
    wheel = os.path.join(DOWNLOADS, '%s-%s-py3-none-any.whl' % tuple(ANSIBLE_PACKAGE.split('==')))
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n.split('/')[2] for n in archive.namelist() if n.startswith('ansible_collections/ansible/')}
    assert {'windows', 'netcommon'} <= shipped
    assert os.listdir(tmp_path / 'ansible_collections') == ['ansible']
    assert os.listdir(tmp_path / 'ansible_collections' / 'ansible') == ['windows']
    marker = os.path.join(dest, 'plugins', 'modules', 'win_ping.ps1')
    before = os.stat(marker).st_mtime_ns
    os.utime(marker, ns=(before - 10**9, before - 10**9))
    assert install_ansible_windows(str(tmp_path)) == dest
    assert os.stat(marker).st_mtime_ns == before - 10**9  # kept, not extracted again
