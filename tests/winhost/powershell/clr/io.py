"""Types of System.IO (and the hash providers Ansible's modules construct) declared through the registry:
FileInfo, DirectoryInfo, FileSystemInfo, FileAttributes, FileShare, SearchOption, File.GetAttributes /
SetAttributes, and `New-Object System.Security.Cryptography.SHA1CryptoServiceProvider` and its kin.

The rest of System.IO.File, Directory and Path is dotnet.py's; a static member not declared here falls
through to it (members.invoke_static asks the registry first)."""

from __future__ import annotations

import typing

from .. import fileinfo, typeregistry
from ..dotnet import HashAlgorithm, current_runspace, method_exception, resolve_native_path, void
from ...machine.disk import FSError
from ..shouldprocess import not_modelled
from ..values import to_string


def _path_arg(method: str, args: list, count: int) -> str:
    if len(args) != count:
        raise method_exception(method, len(args), f'Cannot find an overload for "{method}" and the argument count: "{len(args)}".',
                               "System.Management.Automation.MethodException")
    if args[0] is None:
        raise method_exception(method, count, "Value cannot be null.\r\nParameter name: path", "System.ArgumentNullException")
    text = to_string(args[0])
    if text.strip() == "":
        raise method_exception(method, count, "The path is not of a legal form.", "System.ArgumentException")
    return resolve_native_path(current_runspace(), text)


def _get_attributes(args: list) -> fileinfo.FileAttributes:
    """File.GetAttributes(path): FileNotFoundException / DirectoryNotFoundException for a missing item."""
    path = _path_arg("GetAttributes", args, 1)
    try:
        return fileinfo.FileAttributes(current_runspace().host.filesystem.get_attributes(path))
    except FSError as err:
        raise method_exception("GetAttributes", 1, err.message, err.exception_type) from None


def _set_attributes(args: list) -> typing.Any:
    path = _path_arg("SetAttributes", args, 2)
    try:
        current_runspace().host.filesystem.set_attributes(path, int(fileinfo.to_file_attributes(args[1])))
    except FSError as err:
        raise method_exception("SetAttributes", 2, err.message, err.exception_type) from None
    return void()


def _enum(full_name: str, names: list[str]) -> typeregistry.NetType:
    """An enum whose values the interpreter passes around by name (as dotnet.py's FileMode/FileAccess are)."""
    return typeregistry.NetType(full_name, base_types=("System.Enum", "System.ValueType", "System.Object"),
                                static_properties={n: (lambda n=n: n) for n in names})


def _is_info(kind: str) -> typing.Callable[[typing.Any], bool]:
    def check(value: typing.Any) -> bool:
        return isinstance(value, fileinfo.FileSystemInfo) and (kind == "any" or value.is_dir == (kind == "dir"))
    return check


def _attributes_equal(left: typing.Any, right: typing.Any) -> bool:
    try:
        return right is not None and int(left) == int(fileinfo.to_file_attributes(right))
    except Exception:  # pylint: disable=broad-except  # a value that is no FileAttributes is not equal
        return False


typeregistry.register(typeregistry.NetType(
    "System.IO.FileSystemInfo", base_types=("System.MarshalByRefObject", "System.Object"), instance_check=_is_info("any")))
typeregistry.register(typeregistry.NetType(
    "System.IO.FileInfo", base_types=("System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"),
    constructor=lambda args: fileinfo.new_info(False, args), instance_check=_is_info("file")))
typeregistry.register(typeregistry.NetType(
    "System.IO.DirectoryInfo", base_types=("System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"),
    constructor=lambda args: fileinfo.new_info(True, args), instance_check=_is_info("dir")))
typeregistry.register(typeregistry.NetType(
    "System.IO.FileAttributes", base_types=("System.Enum", "System.ValueType", "System.Object"),
    static_properties={name: (lambda bit=bit: fileinfo.FileAttributes(bit)) for name, bit in fileinfo.ATTRIBUTE_NAMES},
    convert=fileinfo.to_file_attributes, instance_check=lambda value: isinstance(value, fileinfo.FileAttributes),
    equals=_attributes_equal))
typeregistry.register(_enum("System.IO.FileShare", ["None", "Read", "Write", "ReadWrite", "Delete", "Inheritable"]))
typeregistry.register(_enum("System.IO.SearchOption", ["TopDirectoryOnly", "AllDirectories"]))
typeregistry.register(typeregistry.NetType(
    "System.IO.File", static_methods={"GetAttributes": _get_attributes, "SetAttributes": _set_attributes},
    instance_check=lambda value: False))
# Directory.ResolveLinkTarget came with .NET 6 ("Applies to: .NET 6 and later", learn.microsoft.com
# System.IO.Directory.ResolveLinkTarget); 2.21's exec_wrapper.ps1 reads `[Directory]::ResolveLinkTarget` to choose
# between it and following links with Get-Item.
typeregistry.declare_absent_static("System.IO.Directory", "ResolveLinkTarget")

# The CryptoServiceProvider / Managed classes win_stat's Get-FileChecksum constructs with New-Object.
_HASH_TYPES = [
    ("System.Security.Cryptography.SHA1CryptoServiceProvider", "sha1", "System.Security.Cryptography.SHA1"),
    ("System.Security.Cryptography.MD5CryptoServiceProvider", "md5", "System.Security.Cryptography.MD5"),
    ("System.Security.Cryptography.SHA256CryptoServiceProvider", "sha256", "System.Security.Cryptography.SHA256"),
    ("System.Security.Cryptography.SHA384CryptoServiceProvider", "sha384", "System.Security.Cryptography.SHA384"),
    ("System.Security.Cryptography.SHA512CryptoServiceProvider", "sha512", "System.Security.Cryptography.SHA512"),
    ("System.Security.Cryptography.SHA256Managed", "sha256", "System.Security.Cryptography.SHA256"),
    ("System.Security.Cryptography.SHA384Managed", "sha384", "System.Security.Cryptography.SHA384"),
    ("System.Security.Cryptography.SHA512Managed", "sha512", "System.Security.Cryptography.SHA512")]
_HASH_ALGORITHMS = {name: (algorithm, base) for name, algorithm, base in _HASH_TYPES}
for _name, _algorithm, _base in _HASH_TYPES:
    typeregistry.register(typeregistry.NetType(
        _name, base_types=(_base, "System.Security.Cryptography.HashAlgorithm", "System.Object"),
        constructor=lambda args, n=_name, a=_algorithm, b=_base: HashAlgorithm(a, n, b),
        instance_check=lambda value, n=_name: isinstance(value, HashAlgorithm) and value.type_names[0] == n))

# What the abstract classes' static Create() gives on .NET Framework 4.x, Windows PowerShell 5.1's runtime: the
# default implementation CryptoConfig maps the class's name to (learn.microsoft.com, CryptoConfig: "SHA1" and
# "System.Security.Cryptography.HashAlgorithm" -> SHA1CryptoServiceProvider, "MD5" -> MD5CryptoServiceProvider,
# "SHA256"/"SHA384"/"SHA512" -> the *Managed classes). Create(string) looks a name up the same way; a name not in
# this table is not modelled (Windows knows more: RIPEMD160, the keyed hashes...), not a silent $null.
_CRYPTO_CONFIG = {
    "sha": "System.Security.Cryptography.SHA1CryptoServiceProvider",
    "sha1": "System.Security.Cryptography.SHA1CryptoServiceProvider",
    "system.security.cryptography.sha1": "System.Security.Cryptography.SHA1CryptoServiceProvider",
    "system.security.cryptography.hashalgorithm": "System.Security.Cryptography.SHA1CryptoServiceProvider",
    "md5": "System.Security.Cryptography.MD5CryptoServiceProvider",
    "system.security.cryptography.md5": "System.Security.Cryptography.MD5CryptoServiceProvider",
    "sha256": "System.Security.Cryptography.SHA256Managed", "sha-256": "System.Security.Cryptography.SHA256Managed",
    "system.security.cryptography.sha256": "System.Security.Cryptography.SHA256Managed",
    "sha384": "System.Security.Cryptography.SHA384Managed", "sha-384": "System.Security.Cryptography.SHA384Managed",
    "system.security.cryptography.sha384": "System.Security.Cryptography.SHA384Managed",
    "sha512": "System.Security.Cryptography.SHA512Managed", "sha-512": "System.Security.Cryptography.SHA512Managed",
    "system.security.cryptography.sha512": "System.Security.Cryptography.SHA512Managed",
}


def _hash_create(class_name: str) -> typing.Callable[[list], HashAlgorithm]:
    def create(args: list) -> HashAlgorithm:
        if len(args) > 1:
            raise method_exception("Create", len(args), f'Cannot find an overload for "Create" and the argument count: "{len(args)}".',
                                   "System.Management.Automation.MethodException")
        key = to_string(args[0]).lower() if args else class_name.lower()
        implementation = _CRYPTO_CONFIG.get(key)
        if implementation is None:
            raise not_modelled(f"The hash algorithm name '{to_string(args[0])}' of HashAlgorithm.Create (CryptoConfig)")
        algorithm, base = _HASH_ALGORITHMS[implementation]
        return HashAlgorithm(algorithm, implementation, base)
    return create


for _base_name in ("System.Security.Cryptography.HashAlgorithm", "System.Security.Cryptography.SHA1",
                   "System.Security.Cryptography.MD5", "System.Security.Cryptography.SHA256",
                   "System.Security.Cryptography.SHA384", "System.Security.Cryptography.SHA512"):
    typeregistry.register(typeregistry.NetType(
        _base_name,
        base_types=(("System.Security.Cryptography.HashAlgorithm",) if not _base_name.endswith("HashAlgorithm") else ())
        + ("System.Object",),
        static_methods={"Create": _hash_create(_base_name)},
        instance_check=lambda value, n=_base_name: isinstance(value, HashAlgorithm) and n in value.type_names))
