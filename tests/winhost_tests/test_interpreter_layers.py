"""The interpreter's import direction (tests/winhost/powershell/STATUS.md, "Layers"), read from the sources.

A module imports, at module level, only modules of its own layer or of a layer below. An import inside a
function (or class) is either in ALLOWLIST, with the cycle it breaks, or it is moved to the top of its module.
``if typing.TYPE_CHECKING:`` imports never run, so they may name any layer (annotations only).
"""

from __future__ import annotations

import ast
import collections
import functools
import pathlib

import pytest

from test_layout import WINHOST, imports_of

POWERSHELL = WINHOST / "powershell"
PACKAGE = "winhost.powershell"

# Bottom up. Names are relative to winhost.powershell ("" is the package itself); "clr.*" places every module of
# a package not named elsewhere (a new clr/ type lands with the other types).
LAYERS: list[tuple[str, set[str]]] = [
    ("front end and registries", {"errors", "typeregistry", "parser", "argmode", "syntax.nodes", "syntax.extents",
                                  "standins", "windows_commands"}),
    # dotnet.py's live objects sit below the value model: values.py is built on NetObject, ByteArray, Enumerator.
    ("live .NET objects", {"dotnet", "standins.runtime", "tripwire"}),
    ("value model", {"values", "dateparse", "formatting", "syntax", "syntax.*"}),
    ("binding and providers' base", {"scopes", "shouldprocess", "binding", "parametersets", "cmdlets",
                                     "providers.base"}),
    # fileinfo: System.IO's FileInfo/DirectoryInfo. cmdlets.runspaces is the process's runspace list, which
    # [PowerShell]::Create() (clr.automation) adds to.
    ("types and members", {"members", "formatting_objects", "fileinfo", "clr.*", "standins.*", "cmdlets.runspaces"}),
    ("session state", {"context", "providers", "providers.*", "cmdlets.variables", "cmdlets.session",
                       "cmdlets.modules"}),
    ("evaluator", {"evaluator", "ast_eval", "ast_eval.*"}),
    # native: applications on $env:Path run as a command processor (on its way from the chainrel branch).
    ("commands and cmdlets", {"commands", "cmdlets.*", "native"}),
    # System.Management.Automation's engine objects: a steppable pipeline builds command processors.
    ("engine objects", {"clr", "clr.engine"}),
    ("runspace", {"runspace", ""}),
]

# Every import inside a function, as (module, imported module): (how many, the cycle it breaks). The imported
# module is above, or imports the importer back, at module level.
ALLOWLIST: dict[tuple[str, str], tuple[int, str]] = {
    ("dotnet", "values"): (5, "values imports dotnet's NetObject/ByteArray/Enumerator; dotnet's conversions are "
                              "values' to_string/cast/as_list"),
    ("dotnet", "providers.filesystem"): (1, "providers.filesystem imports dotnet; [IO.Directory] returns its items"),
    ("members", "clr.automation"): (2, "clr.automation imports members (invoke_method, add_note); a PSObject's "
                                       "psobject view, PSMethod and script methods are clr.automation's"),
    ("commands", "clr.engine"): (1, "clr.engine's steppable pipeline imports commands; $MyInvocation's "
                                    "InvocationInfo is clr.engine's"),
    ("clr.automation", "runspace"): (1, "runspace is the top; [PowerShell]::Create() opens a nested Runspace"),
    ("standins.applications", "runspace"): (
        1, "runspace is the top; powershell.exe started by CreateProcess opens a new Runspace"),
    ("cmdlets.jobs", "runspace"): (1, "runspace is the top; Start-Job runs its script block in a new Runspace"),
    # The tables fill on first use: each family registers itself with @cmdlet / register_standin from below.
    **{("cmdlets", "cmdlets." + family): (1, "the cmdlet table loads its families, which import Cmdlet and cmdlet")
       for family in ("output", "variables", "objects", "json", "jobs", "items", "paths", "location", "utility", "content",
                      "modules", "session", "addtype", "runspaces", "cim", "services", "processes", "security")},
    **{("standins", "standins." + name): (1, "the stand-in table loads its C# sources, which import register_standin")
       for name in ("ansible_basic", "ansible_utils", "scmanager", "ansible_async", "ansible_windows_setup", "process",
                    "ansible_become")},
    ("evaluator", "commands"): (1, "commands imports evaluator (FunctionInfo, NO_INPUT); run_pipeline builds processors"),
    ("ast_eval.members", "clr.engine"): (
        1, "clr.engine imports commands, which imports evaluator and so ast_eval; $sb.GetSteppablePipeline()"),
}


def _short(module: str) -> str | None:
    """winhost.powershell.X -> X ('' for the package); None outside the interpreter."""
    if module == PACKAGE:
        return ""
    return module[len(PACKAGE) + 1:] if module.startswith(PACKAGE + ".") else None


def _own_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(POWERSHELL).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    """The layer's index, bottom 0: the module named, else its package's ``pkg.*``."""
    for index, (_name, members) in enumerate(LAYERS):
        if module in members:
            return index
    package = module.rpartition(".")[0]
    while package:
        for index, (_name, members) in enumerate(LAYERS):
            if package + ".*" in members:
                return index
        package = package.rpartition(".")[0]
    return None


def _kinds(tree: ast.Module) -> dict[int, str]:
    """line -> 'module', 'type-checking' or 'function' (inside a def, class or lambda) for every import."""
    kinds = {}

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = kind
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                inner = "function"
            elif kind == "module" and isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = "type-checking"
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                kinds[child.lineno] = kind
            visit(child, inner)

    visit(tree, "module")
    return kinds


def scan(root: pathlib.Path | None = None) -> tuple[list[tuple[str, str, str]], collections.Counter]:
    """(module-level imports that point up a layer, as (module, imported, 'file:line'); imports inside a function
    or class, counted by (module, imported))."""
    root = root or POWERSHELL
    upward, nested = [], collections.Counter()
    for path in sorted(root.rglob("*.py")):
        me = _own_name(path)
        kinds = _kinds(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for line, module, _names in imports_of(path):
            imported = _short(module)
            if imported is None or imported == me:
                continue
            if kinds[line] == "function":
                nested[(me, imported)] += 1
            elif kinds[line] == "module" and (layer_of(imported) or 0) > (layer_of(me) or 0):
                upward.append((me, imported, f"{path.relative_to(root)}:{line}"))
    return upward, nested


@functools.cache
def _scan_of_the_interpreter() -> tuple[list[tuple[str, str, str]], collections.Counter]:
    return scan()


def _modules() -> list[str]:
    return sorted(_own_name(path) for path in POWERSHELL.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert [module for module in _modules() if layer_of(module) is None] == [], \
        "place these in LAYERS (tests/winhost/powershell/STATUS.md, 'Layers')"


def test_module_level_imports_point_down() -> None:
    upward = [f"{where}: {me} ({LAYERS[layer_of(me)][0]}) -> {imported} ({LAYERS[layer_of(imported)][0]})"
              for me, imported, where in _scan_of_the_interpreter()[0]]
    assert upward == [], "a module-level import points up a layer: move the code down, or add a hook set from above"


def test_function_level_imports_are_the_allowlisted_cycles() -> None:
    _upward, nested = _scan_of_the_interpreter()
    unexpected = {f"{me} -> {imported}": count for (me, imported), count in nested.items()
                  if count > ALLOWLIST.get((me, imported), (0, ""))[0]}
    assert unexpected == {}, "an import inside a function: move it to the top of the module, or name the cycle it " \
                             "breaks in ALLOWLIST"


def test_the_allowlist_is_not_stale() -> None:
    _upward, nested = _scan_of_the_interpreter()
    stale = {f"{me} -> {imported}": (count, nested.get((me, imported), 0))
             for (me, imported), (count, _why) in ALLOWLIST.items() if nested.get((me, imported), 0) < count}
    assert stale == {}, "(allowed, found): lower the count or drop the entry"


@pytest.mark.parametrize("file, text, upward, nested", [
    ("values.py", "from .errors import PSError\n", [], {}),
    ("values.py", "from .members import get_property\n", ["values -> members"], {}),
    ("values.py", "from . import runspace\n", ["values -> runspace"], {}),
    ("values.py", "import typing\nif typing.TYPE_CHECKING:\n    from .runspace import Runspace\n", [], {}),
    ("values.py", "def f():\n    from .members import get_property\n", [], {("values", "members"): 1}),
    ("values.py", "class C:\n    def f(self):\n        from .errors import PSError\n", [], {("values", "errors"): 1}),
    ("values.py", "try:\n    from .members import x\nexcept ImportError:\n    pass\n", ["values -> members"], {}),
    ("clr/newtype.py", "from ..values import cast\nfrom .. import typeregistry\n", [], {}),
    ("clr/newtype.py", "from ..evaluator import NO_INPUT\n", ["clr.newtype -> evaluator"], {}),
    ("cmdlets/x.py", "from . import Cmdlet, cmdlet\nfrom ..evaluator import NO_INPUT\n", [], {}),
    ("ast_eval/x.py", "from ..commands import build_processor\n", ["ast_eval.x -> commands"], {}),
])
def test_the_scan_finds_what_it_checks(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, file: str, text: str,
                                       upward: list[str], nested: dict) -> None:
    """The checker itself, on a fake interpreter tree: else the layer tests could pass by seeing nothing."""
    root = tmp_path / "winhost"
    for package in ("", "powershell", "powershell/clr", "powershell/cmdlets", "powershell/ast_eval"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("", encoding="utf-8")
    for module in ("errors", "members", "runspace", "evaluator", "commands", "values", "typeregistry"):
        (root / "powershell" / f"{module}.py").write_text("", encoding="utf-8")
    (root / "powershell" / file).write_text(text, encoding="utf-8")
    monkeypatch.setitem(globals(), "POWERSHELL", root / "powershell")
    monkeypatch.setattr("test_layout.WINHOST", root)
    found_upward, found_nested = scan(root / "powershell")
    assert [f"{me} -> {imported}" for me, imported, _where in found_upward] == upward
    assert dict(found_nested) == nested
