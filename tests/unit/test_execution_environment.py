"""The execution environment of docs/awx.md: what ansible-builder makes of it and of the collection.

`ansible-builder create` writes the build context (Containerfile and _build/) without building an
image; the image build itself needs podman or docker, which this machine does not have, so it is
not run. What the build would compute is run here instead: the collection installed from its
tarball as the Containerfile's galaxy stage installs it, then the context's own introspect.py
(the builder stage's step) on it, then bindep on the result for an RPM-based image.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata

import pytest
import yaml
from ansible_builder.ee_schema import validate_schema
from bindep.depends import Depends
from packaging.requirements import Requirement

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
EXAMPLE = os.path.join(REPO, "docs", "examples", "awx", "execution-environment.yml")
RPM_PLATFORM = ["platform:rpm", "platform:redhat", "platform:centos", "platform:centos-9"]


def _load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _lines(path):
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def test_the_collection_names_its_requirements_for_ansible_builder():
    meta = _load(os.path.join(REPO, "meta", "execution-environment.yml"))
    validate_schema(meta)  # ansible-builder's own schema check; raises on anything it would refuse
    assert meta["version"] == 3
    # Relative to the collection's root, where ansible-builder's introspection looks them up.
    assert meta["dependencies"] == {"python": "requirements-kerberos.txt", "system": "bindep.txt"}
    for name in meta["dependencies"].values():
        assert os.path.isfile(os.path.join(REPO, name)), name


def test_the_kerberos_extra_pulls_gssapi_and_krb5():
    """requirements-kerberos.txt asks pypsrp for its kerberos extra; with the pinned pypsrp and pyspnego that
    extra means pyspnego[kerberos], that is gssapi and krb5 (off Windows): what bindep.txt compiles."""
    [pypsrp] = [Requirement(line) for line in _lines(os.path.join(REPO, "requirements-kerberos.txt")) if line.startswith("pypsrp")]
    assert pypsrp.extras == {"kerberos"}
    assert pypsrp.specifier.contains(metadata.version("pypsrp"))

    def extra(dist, name):
        found = []
        for text in metadata.requires(dist):
            req = Requirement(text)
            if req.marker is not None and req.marker.evaluate({"extra": name, "sys_platform": "linux"}):
                found.append(req)
        return found

    assert [(r.name, r.extras) for r in extra("pypsrp", "kerberos")] == [("pyspnego", {"kerberos"})]
    assert sorted(r.name for r in extra("pyspnego", "kerberos")) == ["gssapi", "krb5"]


@pytest.fixture(name="context", scope="module")
def context_fixture(tmp_path_factory):
    """ansible-builder create on the documented definition, with the collection tarball beside it."""
    work = tmp_path_factory.mktemp("ee")
    definition = _load(EXAMPLE)
    [entry] = definition["additional_build_files"]
    built = work / "built"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(built), REPO],
                   check=True, capture_output=True)
    [tarball] = glob.glob(str(built / "psremoting-pssession-*.tar.gz"))
    # The definition names the tarball of the collection's current version (galaxy.yml).
    assert os.path.basename(tarball) == entry["src"], "update %s to %s" % (EXAMPLE, os.path.basename(tarball))
    shutil.copy(EXAMPLE, work / "execution-environment.yml")
    shutil.copy(tarball, work / entry["src"])
    run = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context",
                          "--output-filename", "Containerfile"], cwd=work, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return work / "context"


def test_ansible_builder_writes_a_context_with_the_collection(context):
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    # The builder stage introspects the installed collections with the user's requirements and
    # bindep; the final stage installs what came out of it.
    assert ("introspect.py introspect --user-bindep=bindep.txt "
            "--write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt") in containerfile
    assert "RUN /output/scripts/install-from-bindep" in containerfile
    assert _load(context / "_build" / "requirements.yml") == {
        "collections": [{"name": "collections/psremoting-pssession-0.1.0.tar.gz", "type": "file"}]}
    assert (context / "_build" / "collections" / "psremoting-pssession-0.1.0.tar.gz").is_file()
    assert _lines(context / "_build" / "bindep.txt") == ["python3.11-devel [compile platform:rpm]"]


@pytest.fixture(name="introspected", scope="module")
def introspected_fixture(context, tmp_path_factory):
    """The galaxy stage's install and the builder stage's introspection, run from the context."""
    collections = tmp_path_factory.mktemp("usr-share-ansible-collections")
    build = context / "_build"
    # --force: the collection laid out for the other tests (ANSIBLE_COLLECTIONS_PATH) is the same version.
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--force", "-r", "requirements.yml",
                    "--collections-path", str(collections)], cwd=build, check=True, capture_output=True)
    assert (collections / "ansible_collections" / "psremoting" / "pssession" / "meta" / "execution-environment.yml").is_file()
    out = tmp_path_factory.mktemp("introspect")
    # The Containerfile's line, with the image's paths replaced by the test's.
    run = subprocess.run([sys.executable, str(build / "scripts" / "introspect.py"), "introspect", str(collections),
                          "--user-bindep", str(build / "bindep.txt"),
                          "--write-bindep", str(out / "bindep.txt"), "--write-pip", str(out / "requirements.txt")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_the_build_installs_the_collections_python_requirements(introspected):
    pip = _lines(introspected / "requirements.txt")
    assert "pypsrp[kerberos]>=0.9.1,<1.0.0  # from collection psremoting.pssession" in pip, pip
    assert "pyspnego>=0.10.0  # from collection psremoting.pssession" in pip, pip


def test_the_build_compiles_kerberos_and_the_image_keeps_its_libraries(introspected):
    text = (introspected / "bindep.txt").read_text()
    assert re.search(r"^krb5-devel \[compile platform:rpm\]  # from collection psremoting\.pssession$", text, re.M), text
    depends = Depends(text)
    # The builder stage installs the compile profile, the final image the default one.
    compile_stage = sorted(rule[0] for rule in depends.active_rules(RPM_PLATFORM + ["compile"]))
    final_image = sorted(rule[0] for rule in depends.active_rules(RPM_PLATFORM + ["default"]))
    assert compile_stage == ["gcc", "krb5-devel", "krb5-libs", "krb5-workstation", "python3-devel", "python3.11-devel"]
    assert final_image == ["krb5-libs", "krb5-workstation"]
