"""docs/awx.md quotes the files the AWX tests run: each quoted block is what its file says."""

import os
import re

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(REPO, "docs", "awx.md")
# A fenced block whose first line names the file it quotes: ```yaml\n# docs/examples/awx/...\n
BLOCK = re.compile(r"^```[a-z]*\n# (docs/examples/awx/\S+)\n(.*?)^```$", re.M | re.S)


def _blocks():
    with open(DOC, encoding="utf-8") as handle:
        return BLOCK.findall(handle.read())


def test_the_page_quotes_the_example_files():
    quoted = {path for path, _unused in _blocks()}
    assert quoted == {
        "docs/examples/awx/execution-environment.yml",
        "docs/examples/awx/awx-setup.yml",
        "docs/examples/awx/project/ansible.cfg",
        "docs/examples/awx/project/ittask-start.yml",
        "docs/examples/awx/project/ittask-collect.yml",
    }


@pytest.mark.parametrize("path,body", _blocks(), ids=lambda value: value if value.startswith("docs/") else "")
def test_a_quoted_block_is_in_its_file(path, body):
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        text = handle.read()
    assert body in text, "docs/awx.md's block quoting %s is not a verbatim part of it" % path


def test_the_page_links_only_to_files_that_exist():
    with open(DOC, encoding="utf-8") as handle:
        links = re.findall(r"\]\(([^)#]+)\)", handle.read())
    missing = [link for link in links if not os.path.exists(os.path.join(REPO, "docs", link))]
    assert links and missing == []
