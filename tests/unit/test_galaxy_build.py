"""The collection tarball carries the collection, never a developer's local state."""

import os
import shutil
import subprocess
import sys
import tarfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")

# What a working checkout accumulates: test output, virtual environments, caches, and
# the collection layout scripts/lib.sh builds.
LOCAL_STATE = ["tests/output/junit.xml", ".venv/bin/python", ".venvs/ansible-core-2.16/bin/python", ".build/x",
               "plugins/__pycache__/x.pyc", "tests/.pytest_cache/v", ".pytest_cache/v/x"]


@pytest.fixture(name="built_tarball")
def built_tarball_fixture(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", ".venvs", ".build", "__pycache__"))
    for rel in LOCAL_STATE:
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("local state\n")
    out = tmp_path / "out"
    subprocess.run([GALAXY, "collection", "build", "--output-path", str(out), str(src)], check=True, capture_output=True)
    (tarball,) = out.glob("psremoting-pssession-*.tar.gz")
    with tarfile.open(tarball) as tar:
        return tar.getnames()


def test_tarball_has_the_collection(built_tarball):
    # galaxy.yml itself is not shipped: its content becomes MANIFEST.json.
    for required in ("MANIFEST.json", "meta/runtime.yml", "README.md", "LICENSE", "requirements.txt", "requirements-kerberos.txt", "bindep.txt"):
        assert required in built_tarball


@pytest.mark.parametrize("local_path", LOCAL_STATE)
def test_tarball_leaves_out_local_state(built_tarball, local_path):
    assert local_path not in built_tarball


def test_tarball_has_no_cache_or_environment_directories(built_tarball):
    unwanted = {".venv", ".venvs", ".build", "__pycache__", ".pytest_cache", "output"}
    assert [name for name in built_tarball if unwanted & set(name.split("/"))] == []
