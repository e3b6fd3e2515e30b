"""C# compiled into the session, served by Python stand-ins (issue 10: "C# through stand-ins, loudly").

The test host has no C# compiler. When a script compiles C# (`Add-Type -TypeDefinition`, or
CodeDom's `CSharpCodeProvider.CompileAssemblyFromSource` as Ansible.ModuleUtils.AddType does on
Windows PowerShell 5.1), each source is recognised by the namespaces it declares and served by
the stand-in registered for that namespace: Python code that declares the same types through
`typeregistry` with the members Ansible's scripts use. A source declaring a namespace with no
stand-in fails with `NoStandIn` naming it: never a silent success.

Interface (used by the Add-Type cmdlet and the CodeDom types):
    compile_csharp(sources) -> list of the namespaces loaded; raises NoStandIn.
A stand-in module registers itself with `register_standin(namespace, loader)`; the loader gets
the source text (so a stand-in can check it is the source it models, e.g. by a marker line)
and declares its types; it may return their full names (Add-Type -PassThru lists them:
`types_of(namespaces)`).

Stand-ins: ansible_basic.py (Ansible.Basic), ansible_utils.py (the C# of Ansible.ModuleUtils.LinkUtil,
PrivilegeUtil's Ansible.Privilege, win_file's Ansible.Command), scmanager.py (ansible.windows' SCManager util, for
win_service), ansible_async.py (Ansible._Async, what 2.19's async_wrapper.ps1 asks before it starts a process),
ansible_windows_setup.py (setup.ps1's Ansible.Windows.Setup).
"""

from __future__ import annotations

import re
import typing

Loader = typing.Callable[[str], typing.Optional[typing.List[str]]]

_STANDINS: dict[str, Loader] = {}
_TYPES: dict[str, list[str]] = {}

# `namespace A.B {` or the C# 10 file-scoped `namespace A.B;`, outside comments (good enough for
# Ansible's sources, which put no `namespace` word in strings).
_NAMESPACE = re.compile(r"^\s*namespace\s+([A-Za-z_][\w.]*)\s*[{;]?", re.MULTILINE)
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


class NoStandIn(Exception):
    """C# the test host cannot run: the message names the namespace."""

    def __init__(self, namespace: str) -> None:
        super().__init__(
            f"The test host cannot compile C#: it serves compiled types through Python stand-ins, and has none for "
            f"namespace '{namespace}' (tests/winhost/powershell/standins).")
        self.namespace = namespace


def register_standin(namespace: str, loader: Loader) -> None:
    _STANDINS[namespace.lower()] = loader


def namespaces_of(source: str) -> list[str]:
    return [m.group(1) for m in _NAMESPACE.finditer(_COMMENTS.sub("", source))]


def _import_standins() -> None:
    # Imported on first use: the stand-ins import the interpreter's value model, which imports this package.
    from . import ansible_basic, ansible_utils, scmanager, ansible_async, ansible_windows_setup, process  # noqa: F401  # pylint: disable=import-outside-toplevel,unused-import
    from . import ansible_become  # noqa: F401  # pylint: disable=import-outside-toplevel,unused-import


def types_of(namespaces: typing.Sequence[str]) -> list[str]:
    """The full names of the types the stand-ins of these namespaces declared."""
    return [name for namespace in namespaces for name in _TYPES.get(namespace.lower(), [])]


def compile_csharp(sources: typing.Sequence[str]) -> list[str]:
    """Load every source through its stand-ins; nothing is loaded unless every namespace has one."""
    _import_standins()
    plan: list[tuple[Loader, str]] = []
    loaded: list[str] = []
    for source in sources:
        names = namespaces_of(source) or ["<global namespace>"]
        for namespace in names:
            loader = _STANDINS.get(namespace.lower())
            if loader is None:
                raise NoStandIn(namespace)
            plan.append((loader, source))
            loaded.append(namespace)
    for (loader, source), namespace in zip(plan, loaded):
        _TYPES[namespace.lower()] = list(loader(source) or [])
    return loaded
