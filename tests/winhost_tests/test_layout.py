"""The test host's import direction (tests/winhost/README.md, "Layout"), read from the sources' imports.

wsman/ (the protocol stack) -> machine/ and the engine's public API (``winhost.powershell``: Runspace, Command);
powershell/ (the engine) -> machine/ only through the host-services interface (``machine/services.py``) and
the disk types it hands out (``machine/disk.py``); machine/ -> neither of them.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

WINHOST = pathlib.Path(__file__).resolve().parent.parent / "winhost"

# What the engine may import of the machine: the interface, and the disk whose types it hands out.
ENGINE_MAY_IMPORT = {"winhost.machine.services", "winhost.machine.disk"}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(WINHOST.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = WINHOST.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: pathlib.Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names imported from it) for every import in a file, nested ones too.
    ``from pkg import sub`` counts as an import of ``pkg.sub`` when ``sub`` is a module."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [alias.name for alias in node.names]
            subs = [n for n in names if _is_module(f"{module}.{n}")]
            found.extend((node.lineno, f"{module}.{n}", []) for n in subs)
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                found.append((node.lineno, module, rest))
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _public_api() -> set[str]:
    tree = ast.parse((WINHOST / "powershell" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def violations() -> list[str]:
    """Every import that goes against the layout, as 'file:line: module (why)'."""
    public = _public_api()
    found = []
    for path in sorted(WINHOST.rglob("*.py")):
        part = path.relative_to(WINHOST).parts[0]
        where = path.relative_to(WINHOST.parent)
        for line, module, names in imports_of(path):
            if not _within(module, "winhost"):
                continue
            why = None
            if part == "machine" and not _within(module, "winhost.machine"):
                why = "the machine imports nothing of the protocol stack or the engine"
            elif part == "powershell":
                if _within(module, "winhost.wsman") or module == "winhost":
                    why = "the engine imports nothing of the protocol stack"
                elif _within(module, "winhost.machine") and module not in ENGINE_MAY_IMPORT:
                    why = "the engine sees the machine only through machine/services.py (and the disk's types)"
            elif part == "wsman":
                if _within(module, "winhost.powershell") and (module != "winhost.powershell"
                                                              or not set(names) <= public):
                    why = "the protocol stack uses only the engine's public API (winhost.powershell.__all__)"
                elif module == "winhost":
                    why = "the protocol stack does not import the package that assembles it"
            if why:
                found.append(f"{where}:{line}: {module} {sorted(names) if names else ''} ({why})")
    return found


def test_the_three_parts_exist() -> None:
    for part in ("machine", "wsman", "powershell"):
        assert (WINHOST / part / "__init__.py").is_file(), part


def test_imports_follow_the_layout() -> None:
    assert violations() == []


def _fake_tree(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    fake = tmp_path / "winhost"
    for sub in ("machine", "wsman", "powershell"):
        (fake / sub).mkdir(parents=True)
        (fake / sub / "__init__.py").write_text("", encoding="utf-8")
    for file in ("machine/disk.py", "machine/knobs.py", "wsman/faults.py", "powershell/dotnet.py"):
        (fake / file).write_text("", encoding="utf-8")
    (fake / "powershell" / "__init__.py").write_text("__all__ = ['Runspace', 'Command']\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "WINHOST", fake)
    return fake


@pytest.mark.parametrize("relative, module", [
    ("from ..machine.disk import FileSystem", "winhost.machine.disk"),
    ("from ..machine import disk", "winhost.machine.disk"),
    ("from ..powershell.dotnet import x", "winhost.powershell.dotnet"),
    ("from . import faults", "winhost.wsman.faults"),
])
def test_relative_imports_are_resolved(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, relative: str,
                                       module: str) -> None:
    """The checker itself: a relative import resolves to the module it names (else the layout test could pass by
    resolving nothing)."""
    fake = _fake_tree(tmp_path, monkeypatch)
    (fake / "wsman" / "x.py").write_text(relative + "\n", encoding="utf-8")
    assert [m for _line, m, _names in imports_of(fake / "wsman" / "x.py")] == [module]


@pytest.mark.parametrize("file, text, allowed", [
    ("machine/x.py", "from ..wsman import faults", False),
    ("machine/x.py", "def f():\n    from ..powershell import Runspace", False),
    ("machine/x.py", "from .disk import FileSystem", True),
    ("wsman/x.py", "from ..powershell.dotnet import x", False),
    ("wsman/x.py", "from ..powershell import Runspace, Command", True),
    ("wsman/x.py", "from ..powershell import values", False),
    ("wsman/x.py", "from ..machine.knobs import HostKnobs", True),
    ("powershell/x.py", "from ..wsman import faults", False),
    ("powershell/x.py", "from ..machine.knobs import HostKnobs", False),
    ("powershell/x.py", "from ..machine.disk import FSError", True),
])
def test_the_checker_flags_an_import_against_the_layout(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                                        file: str, text: str, allowed: bool) -> None:
    fake = _fake_tree(tmp_path, monkeypatch)
    (fake / file).write_text(text + "\n", encoding="utf-8")
    assert (violations() == []) is allowed, violations()


def _is_host(expr: ast.AST) -> bool:
    return (isinstance(expr, ast.Attribute) and expr.attr == "host") or (isinstance(expr, ast.Name) and expr.id == "host")


def _engine_reads_of_the_host() -> dict[str, list[str]]:
    """Every attribute the engine reads or sets on its host services (``<x>.host.NAME``, ``getattr(<x>.host, "NAME")``,
    ``setattr(...)``, and the same on a variable named ``host``), with where."""
    reads: dict[str, list[str]] = {}
    for path in sorted((WINHOST / "powershell").rglob("*.py")):
        where = path.relative_to(WINHOST.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and _is_host(node.value):
                reads.setdefault(node.attr, []).append(f"{where}:{node.lineno}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr")
                  and len(node.args) >= 2 and _is_host(node.args[0])):
                name = node.args[1].value if isinstance(node.args[1], ast.Constant) else None
                if name is None:  # a name held in a variable: HostKeptStaticField's host_attribute (below)
                    continue
                reads.setdefault(name, []).append(f"{where}:{node.lineno}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "HostKeptStaticField"
                  and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)):
                # A private static field set by reflection, kept in the host attribute it names (clr/reflection.py).
                reads.setdefault(node.args[1].value, []).append(f"{where}:{node.lineno}")
    return reads


def test_the_engine_asks_the_machine_only_what_host_services_declares() -> None:
    """The interface is explicit: whatever the engine reads or sets on ``Runspace.host`` is declared by
    machine/services.py (a slot, a method or a property), so nothing reaches the machine around it."""
    from winhost.machine.services import HostServices  # pylint: disable=import-outside-toplevel

    declared = {n for n in HostServices.__slots__ if not n.startswith("_")}
    declared |= {n for n in vars(HostServices) if not n.startswith("_")}
    reads = _engine_reads_of_the_host()
    # The scan sees the engine's real reads (else the next assertion could pass on nothing).
    assert {"filesystem", "user_name", "wsman_get", "console_output_encoding"} <= set(reads)
    assert {name: where for name, where in reads.items() if name not in declared} == {}
