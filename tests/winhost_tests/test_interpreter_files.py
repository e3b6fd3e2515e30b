"""The interpreter on the host's in-memory drive C: .NET file streams, base64, hashing, encodings,
and the FileSystem provider cmdlets, with Windows PowerShell 5.1's results and error records."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os

import pytest

from winhost.powershell import Command, HostServices, Runspace
from winhost.machine.disk import FileSystem

from test_interpreter import Recorder, run
from test_interpreter_should_process import invoke

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fresh() -> Runspace:
    return Runspace(host=HostServices(user_name="user"))


def out(script: str, rs: Runspace | None = None) -> list:
    rec, result = run(script, rs or fresh())
    assert result.state == "Completed", result
    assert rec.errors == [], rec.errors
    return rec.output


def errors(script: str, rs: Runspace | None = None) -> list[tuple]:
    rec, _result = run(script, rs or fresh())
    return [(message, fqid, category) for message, fqid, category, _info in rec.errors]


# --------------------------------------------------------------------------- .NET members

@pytest.mark.parametrize("script, expected", [
    ("[System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('héllo'))", [base64.b64encode("héllo".encode()).decode()]),
    ("[System.Convert]::ToBase64String([byte[]]@(1, 2, 3, 4, 5), 1, 3)", ["AgME"]),
    ("$b = [System.Convert]::FromBase64String('aGVsbG8='); $b.Length; $b[0]; $b.GetType().FullName", [5, 104, "System.Byte[]"]),
    ("[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('aGVsbG8='))", ["hello"]),
    ("[System.Text.Encoding]::ASCII.GetBytes('aé').Length; [System.Text.Encoding]::Unicode.GetBytes('ab').Length", [2, 4]),
    ("[System.BitConverter]::ToString([byte[]](0, 171, 255))", ["00-AB-FF"]),
    ("$a = [byte[]]::new(4); $a.Length; $a[3]; ($a -is [byte[]])", [4, 0, True]),
    ("[System.IO.Path]::Combine('C:\\x', 'y.txt'); [System.IO.Path]::GetFileName('C:\\x\\y.txt'); "
     "[System.IO.Path]::GetExtension('a.tar.gz'); [System.IO.Path]::GetDirectoryName('C:\\x\\y.txt')", ["C:\\x\\y.txt", "y.txt", ".gz", "C:\\x"]),
    ("[System.IO.Path]::GetTempPath()", ["C:\\Users\\user\\AppData\\Local\\Temp\\"]),
    ("'ABC'.ToLowerInvariant() + 'd'.ToUpperInvariant()", ["abcD"]),
])
def test_dotnet_members(script, expected):
    assert out(script) == expected


def test_sha1_transform_blocks_match_hashlib():
    data = bytes(range(256)) * 40
    script = (
        "$sha1 = [System.Security.Cryptography.SHA1]::Create(); $all = [System.Convert]::FromBase64String('%s'); "
        "$null = $sha1.TransformBlock($all, 0, 1000, $all, 0); $rest = $all.Length - 1000; $null = $sha1.TransformBlock($all, 1000, $rest, $null, 0); "
        "$final = $sha1.TransformFinalBlock([byte[]]::new(0), 0, 0); $final.Length; "
        "[System.BitConverter]::ToString($sha1.Hash).Replace('-', '').ToLowerInvariant(); "
        "[System.BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($all)).Replace('-', '')"
    ) % base64.b64encode(data).decode()
    assert out(script) == [0, hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest().upper()]


def test_hash_before_final_block_fails_like_dotnet():
    rec, _result = run("$s = [System.Security.Cryptography.SHA1]::Create(); $s.Hash", fresh())
    assert rec.errors[0][0] == 'Exception getting "Hash": "Hash must be finalized before the hash value is retrieved."'


def test_file_streams_write_read_and_seek():
    rs = fresh()
    assert out("$s = [System.IO.File]::Create('C:\\Windows\\Temp\\s.bin'); $b = [System.Text.Encoding]::UTF8.GetBytes('0123456789'); "
               "$s.Write($b, 2, 5); $s.Position; $s.Length; $s.Dispose()", rs) == [5, 5]
    assert out("$s = [System.IO.File]::OpenRead('c:\\WINDOWS\\temp\\S.BIN'); $buf = [byte[]]::new(3); $parts = @(); "
               "while (($n = $s.Read($buf, 0, $buf.Length)) -gt 0) { $parts += [System.Text.Encoding]::ASCII.GetString($buf, 0, $n) }; "
               "$s.Close(); $parts -join '|'; $s.Name", rs) == ["234|56", "C:\\Windows\\Temp\\s.bin"]
    assert out("[System.IO.File]::ReadAllText('C:\\Windows\\Temp\\s.bin'); [System.IO.File]::Exists('C:\\Windows\\Temp\\S.bin'); "
               "[System.IO.File]::Exists('C:\\Windows\\Temp'); [System.IO.Directory]::Exists('C:\\Windows\\Temp')", rs) == [
                   "23456", True, False, True]
    out("[System.IO.File]::WriteAllText('C:\\Windows\\Temp\\t.txt', \"line1`r`nline2\"); [System.IO.File]::AppendAllText('C:\\Windows\\Temp\\t.txt', '!')", rs)
    assert rs.host.filesystem.read_bytes("C:\\Windows\\Temp\\t.txt") == b"line1\r\nline2!"  # WriteAllText: UTF-8 without BOM
    assert out("[System.IO.File]::ReadAllLines('C:\\Windows\\Temp\\t.txt')", rs) == ["line1", "line2!"]


@pytest.mark.parametrize("script, message, fqid", [
    ("[System.IO.File]::OpenRead('C:\\nope.bin')",
     'Exception calling "OpenRead" with "1" argument(s): "Could not find file \'C:\\nope.bin\'."', "FileNotFoundException"),
    ("[System.IO.File]::Create('C:\\NoDir\\x.bin')",
     'Exception calling "Create" with "1" argument(s): "Could not find a part of the path \'C:\\NoDir\\x.bin\'."',
     "DirectoryNotFoundException"),
    ("[System.IO.File]::ReadAllBytes('C:\\Windows')",
     'Exception calling "ReadAllBytes" with "1" argument(s): "Access to the path \'C:\\Windows\' is denied."',
     "UnauthorizedAccessException"),
    ("[System.Convert]::FromBase64String('abc')",
     'Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a '
     'non-base 64 character, more than two padding characters, or an illegal character among the padding characters. "',
     "FormatException"),
    ("$s = [System.IO.File]::Create('C:\\Windows\\Temp\\c.bin'); $s.Dispose(); $s.Write([byte[]]::new(1), 0, 1)",
     'Exception calling "Write" with "3" argument(s): "Cannot access a closed file."', "ObjectDisposedException"),
    ("[System.IO.File]::OpenRead('C:\\Windows\\Temp\\c2.bin').Read([byte[]]::new(1), 0, 5)",
     'Exception calling "OpenRead" with "1" argument(s): "Could not find file \'C:\\Windows\\Temp\\c2.bin\'."',
     "FileNotFoundException"),
])
def test_dotnet_file_errors(script, message, fqid):
    assert errors(script)[0] == (message, fqid, "NotSpecified")


# --------------------------------------------------------------------------- cmdlets

def test_test_path_on_the_filesystem():
    rs = fresh()
    out("$null = New-Item -ItemType Directory C:\\Data\\Sub; Set-Content C:\\Data\\a.txt 'x'", rs)
    assert out("Test-Path C:\\Data; Test-Path C:\\DATA\\A.TXT; Test-Path -LiteralPath 'C:/data/a.txt' -PathType Leaf; "
               "Test-Path C:\\Data -PathType Leaf; Test-Path C:\\Data -PathType Container; Test-Path C:\\Data\\nope; "
               "Test-Path C:\\Data\\*.txt; Test-Path D:\\; Test-Path C:\\; Test-Path C:\\Windows\\System32", rs) == [
                   True, True, True, False, True, False, True, False, True, True]


def test_new_item_files_and_directories():
    rs = fresh()
    items = out("New-Item -ItemType Directory -Path C:\\Temp\\a\\b; New-Item -Path C:\\Temp\\a\\f.txt -ItemType File -Value 'hi'; "
                "New-Item -Path C:\\Temp -Name g.txt -ItemType File", rs)
    assert [i.Name for i in items] == ["b", "f.txt", "g.txt"]
    assert [str(i.PSObject.type_names[0]) for i in items] == ["System.IO.DirectoryInfo", "System.IO.FileInfo", "System.IO.FileInfo"]
    assert rs.host.filesystem.read_bytes("C:\\Temp\\a\\f.txt") == b"hi"
    assert errors("New-Item -ItemType File C:\\Temp\\a\\f.txt; New-Item -ItemType Directory C:\\Temp\\a; "
                  "New-Item -ItemType File C:\\Temp\\none\\x.txt", rs) == [
        ("The file 'C:\\Temp\\a\\f.txt' already exists.", "NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand", "WriteError"),
        ("An item with the specified name C:\\Temp\\a already exists.", "DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand",
         "ResourceExists"),
        ("Could not find a part of the path 'C:\\Temp\\none\\x.txt'.", "NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand",
         "WriteError"),
    ]
    assert [i.Name for i in out("New-Item -ItemType Directory C:\\Temp\\a -Force; New-Item -ItemType File C:\\Temp\\a\\f.txt -Force; "
                                "New-Item -ItemType File C:\\Temp\\made\\by\\force.txt -Force", rs)] == ["a", "f.txt", "force.txt"]
    assert rs.host.filesystem.read_bytes("C:\\Temp\\a\\f.txt") == b""


def test_set_add_and_get_content():
    rs = fresh()
    out("Set-Content -Path C:\\Temp.txt -Value 'one', 'two'; 'three' | Add-Content C:\\temp.TXT", rs)
    assert rs.host.filesystem.read_bytes("C:\\Temp.txt") == b"one\r\ntwo\r\nthree\r\n"
    assert out("Get-Content C:\\Temp.txt; (Get-Content C:\\Temp.txt -Raw).Length; Get-Content C:\\Temp.txt -TotalCount 1; "
               "Get-Content C:\\Temp.txt -Tail 1", rs) == ["one", "two", "three", 17, "one", "three"]
    out("Set-Content C:\\u.txt 'é' -Encoding UTF8; Set-Content C:\\n.txt 'a' -NoNewline; Set-Content C:\\w.txt 'a' -Encoding Unicode", rs)
    fs = rs.host.filesystem
    assert fs.read_bytes("C:\\u.txt") == b"\xef\xbb\xbf\xc3\xa9\r\n"
    assert fs.read_bytes("C:\\n.txt") == b"a"
    assert fs.read_bytes("C:\\w.txt") == b"\xff\xfea\x00\r\x00\n\x00"
    assert out("Get-Content C:\\u.txt; Get-Content C:\\w.txt", rs) == ["é", "a"]


def test_content_errors():
    rs = fresh()
    assert errors("Get-Content C:\\x; Get-Content C:\\Windows; Set-Content C:\\NoDir\\x.txt 'a'", rs) == [
        ("Cannot find path 'C:\\x' because it does not exist.", "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand",
         "ObjectNotFound"),
        ("Access to the path 'C:\\Windows' is denied.",
         "GetContentReaderUnauthorizedAccessError,Microsoft.PowerShell.Commands.GetContentCommand", "PermissionDenied"),
        ("Could not find a part of the path 'C:\\NoDir\\x.txt'.",
         "GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.SetContentCommand", "ObjectNotFound"),
    ]
    rec, result = run("try { Get-Content C:\\x -ErrorAction Stop } catch [System.Management.Automation.ItemNotFoundException] "
                      "{ 'caught: ' + $_.Exception.Message }", rs)
    assert result.state == "Completed" and rec.output == ["caught: Cannot find path 'C:\\x' because it does not exist."]


def test_get_child_item_and_get_item():
    rs = fresh()
    out("$null = New-Item -ItemType Directory 'C:\\Tree\\zeta', 'C:\\Tree\\Alpha'; Set-Content C:\\Tree\\b.txt 'bb'; "
        "Set-Content C:\\Tree\\A.log 'a'; Set-Content C:\\Tree\\Alpha\\inner.txt 'i'", rs)
    rows = out("Get-ChildItem C:\\Tree | ForEach-Object { $_.Name + ';' + $_.Length + ';' + $_.FullName + ';' + $_.PSIsContainer }", rs)
    # A DirectoryInfo has no Length: PowerShell's intrinsic Length of a single object (1) shows through.
    assert rows == ["Alpha;1;C:\\Tree\\Alpha;True", "zeta;1;C:\\Tree\\zeta;True", "A.log;3;C:\\Tree\\A.log;False",
                    "b.txt;4;C:\\Tree\\b.txt;False"]
    assert out("Get-ChildItem C:\\Tree -Recurse -Name", rs) == ["Alpha", "zeta", "A.log", "b.txt", "Alpha\\inner.txt"]
    assert out("(Get-ChildItem C:\\Tree -File).Name; (Get-ChildItem C:\\Tree -Filter *.txt -Recurse).FullName", rs) == [
        "A.log", "b.txt", "C:\\Tree\\b.txt", "C:\\Tree\\Alpha\\inner.txt"]
    item = out("Get-Item c:\\tree\\B.TXT", rs)[0]
    expected = ("b.txt", "C:\\Tree\\b.txt", 4, False, "C:\\Tree\\b.txt")
    assert (item.Name, item.FullName, int(item.Length), item.PSIsContainer, str(item)) == expected
    assert errors("Get-ChildItem C:\\Nope; Get-Item C:\\Tree\\nope.txt", rs) == [
        ("Cannot find path 'C:\\Nope' because it does not exist.", "PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand",
         "ObjectNotFound"),
        ("Cannot find path 'C:\\Tree\\nope.txt' because it does not exist.",
         "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound"),
    ]


def test_remove_item():
    rs = fresh()
    out("$null = New-Item -ItemType Directory C:\\R\\sub; Set-Content C:\\R\\sub\\f.txt 'x'; Set-Content C:\\R\\g.txt 'y'", rs)
    rec, _result = run("Remove-Item C:\\R", rs)
    assert rec.errors[0][0].startswith("The item at C:\\R has children and the Recurse parameter was not specified.")
    out("Remove-Item C:\\R\\g.txt", rs)
    assert out("Test-Path C:\\R\\g.txt; Remove-Item C:\\R -Recurse -Force; Test-Path C:\\R", rs) == [False, False]
    assert errors("Remove-Item C:\\R", rs) == [
        ("Cannot find path 'C:\\R' because it does not exist.", "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand",
         "ObjectNotFound")]


def test_copy_item_and_move_item_of_files():
    """FileSystemProvider.CopyFileInfoItem (`CopyTo(destination, true)`: an existing file is replaced; a directory
    destination takes the file under its name) and MoveFileInfoItem (-Force deletes an existing destination first);
    output only with -PassThru (win_copy.ps1's Copy-Item and Move-Item)."""
    rs = fresh()
    assert out("$null = New-Item C:\\d -ItemType Directory; Set-Content C:\\a.txt x; Set-Content C:\\d\\a.txt old; "
               "Copy-Item -LiteralPath C:\\a.txt -Destination C:\\d; Get-Content C:\\d\\a.txt; "
               "Copy-Item C:\\a.txt C:\\d\\b.txt -PassThru | ForEach-Object Name; Test-Path C:\\a.txt", rs) == ["x", "b.txt", True]
    assert out("Move-Item -LiteralPath C:\\a.txt -Destination C:\\d\\b.txt -Force; Get-Content C:\\d\\b.txt; "
               "Test-Path C:\\a.txt; Move-Item C:\\d\\b.txt C:\\c.txt; Test-Path C:\\c.txt", rs) == ["x", False, True]
    assert errors("Copy-Item C:\\nope.txt C:\\x.txt", rs) == [
        ("Cannot find path 'C:\\nope.txt' because it does not exist.", "PathNotFound,Microsoft.PowerShell.Commands.CopyItemCommand",
         "ObjectNotFound")]


@pytest.mark.parametrize("script, what", [
    ("Copy-Item C:\\Windows C:\\w -Recurse", "Copy-Item of a directory"),
    ("Set-Content C:\\a.txt x; Set-Content C:\\b.txt y; Move-Item C:\\a.txt C:\\b.txt", "Move-Item over an existing file"),
    ("Set-Content C:\\a.txt x; Copy-Item C:\\a.txt C:\\missing\\a.txt", "into a directory that does not exist"),
    ("Set-Content C:\\a.txt x; Copy-Item C:\\a.txt C:\\b.txt -Filter *.txt", "Copy-Item -Filter"),
])
def test_copy_and_move_trip_where_not_modelled(script, what):
    _rec, result = run(script, fresh())
    assert result.state == "Failed" and what in str(result.error) and "does not model it" in str(result.error), result


def test_get_file_hash():
    """Get-FileHash (5.1: a function of Microsoft.PowerShell.Utility.psm1): upper-case hex of the file, the algorithm's
    name upper case, the resolved path; SHA256 by default; a directory is skipped; a missing path is Resolve-Path's
    error; -Algorithm is a ValidateSet."""
    rs = fresh()
    assert out("Set-Content C:\\h.txt abc -NoNewline; $h = Get-FileHash -LiteralPath C:\\h.txt -Algorithm sha1; "
               "$h.Algorithm; $h.Hash; $h.Path; (Get-FileHash C:\\h.txt).Hash; @(Get-FileHash C:\\Windows).Count", rs) == [
        "SHA1", hashlib.sha1(b"abc").hexdigest().upper(), "C:\\h.txt", hashlib.sha256(b"abc").hexdigest().upper(), 0]
    assert errors("Get-FileHash C:\\nope.txt", rs) == [
        ("Cannot find path 'C:\\nope.txt' because it does not exist.",
         "PathNotFound,Microsoft.PowerShell.Commands.ResolvePathCommand", "ObjectNotFound")]
    assert errors("Get-FileHash C:\\h.txt -Algorithm foo", rs)[0][1] == "ParameterArgumentValidationError,Get-FileHash"


def test_filesystem_is_shared_by_runspaces_of_one_host_and_each_default_host_has_its_own():
    shared = HostServices(user_name="user", filesystem=FileSystem())
    out("Set-Content C:\\Users\\user\\shared.txt 'kept'", Runspace(host=shared))
    assert out("Get-Content C:\\Users\\user\\shared.txt", Runspace(host=shared)) == ["kept"]
    assert out("Test-Path C:\\Users\\user\\shared.txt", fresh()) == [False]
    # Relative paths: the session's location (the user's Documents), as for a new remote session.
    rs = Runspace(host=shared)
    out("Set-Content rel.txt 'r'", rs)
    assert out("Test-Path C:\\Users\\user\\Documents\\rel.txt; [System.IO.File]::ReadAllText('rel.txt')", rs) == [True, "r\r\n"]


def _transfer_module():
    spec = importlib.util.spec_from_file_location("file_transfer", os.path.join(ROOT, "plugins", "plugin_utils", "file_transfer.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_connection_plugins_transfer_scripts_run():
    transfer = _transfer_module()
    rs = fresh()
    data = os.urandom(200 * 1024 + 7)
    chunk = transfer.put_chunk_size(153600)
    chunks = [base64.b64encode(data[i:i + chunk]).decode() for i in range(0, len(data), chunk)]
    rec = Recorder()
    result = rs.invoke([Command(transfer.PUT_SCRIPT % {"path": "C:\\Windows\\Temp\\t.bin"}, is_script=True, use_local_scope=True)],
                       input=chunks, writer=rec)
    assert result.state == "Completed" and rec.errors == []
    assert rec.output == [hashlib.sha1(data).hexdigest()]
    rec = Recorder()
    script = transfer.FETCH_SCRIPT % {"path": "C:\\Windows\\Temp\\t.bin", "buffer": transfer.fetch_chunk_size(153600)}
    result = rs.invoke([Command(script, is_script=True, use_local_scope=True)], writer=rec)
    assert result.state == "Completed" and rec.errors == []
    assert rec.output[0] == "[FILE]" and rec.output[-1] == "[SHA1]" + hashlib.sha1(data).hexdigest()
    assert b"".join(base64.b64decode(c) for c in rec.output[1:-1]) == data
    # The scripts ran in a local scope: nothing is left in the session.
    assert out("$null -eq $stream; $null -eq $sha1; $null -eq $path", rs) == [True, True, True]


# --------------------------------------------------------------------------- FileInfo, DirectoryInfo, FileAttributes
# What ansible.windows' slurp, win_stat and win_file (and ansible-core's Ansible.ModuleUtils.FileUtil) use of the
# file system, with Windows PowerShell 5.1's results. C:\t holds a.txt ("hello\r\n", 7 bytes) and sub\b.bin (5 bytes).
FS_SETUP = "$null = New-Item -ItemType Directory C:\\t\\sub; Set-Content C:\\t\\a.txt 'hello'; Set-Content C:\\t\\sub\\b.bin 'xyz'"


def fs_runspace() -> Runspace:
    rs = fresh()
    out(FS_SETUP, rs)
    return rs


@pytest.mark.parametrize("script, expected", [
    # Get-Item of a file: a System.IO.FileInfo with the provider's notes.
    ("$f = Get-Item -LiteralPath C:\\t\\a.txt; $f.GetType().FullName; $f.Name; $f.Length; $f.Extension; $f.BaseName; "
     "$f.DirectoryName; $f.IsReadOnly; $f.Exists; $f.PSIsContainer; $f.Mode; $f.FullName; $f.Directory.FullName",
     ["System.IO.FileInfo", "a.txt", 7, ".txt", "a", "C:\\t", False, True, False, "-a----", "C:\\t\\a.txt", "C:\\t"]),
    ("$d = Get-Item C:\\t; $d.GetType().FullName; $d.Name; $d.Parent.Name; $d.Root.FullName; $d.Exists; $d.PSIsContainer; "
     "$d.Mode; $d.Extension; $d.PSPath",
     ["System.IO.DirectoryInfo", "t", "C:\\", "C:\\", True, True, "d-----", "", "Microsoft.PowerShell.Core\\FileSystem::C:\\t"]),
    # Attributes: a [Flags] System.IO.FileAttributes.
    ("$f = Get-Item C:\\t\\a.txt; $f.Attributes.ToString(); [int]$f.Attributes; $f.Attributes -is [System.IO.FileAttributes]; "
     "\"$($f.Attributes)\"; ($f.Attributes -split ',').Count",
     ["Archive", 32, True, "Archive", 1]),
    ("$d = Get-Item C:\\t; $d.Attributes.ToString(); $d.Attributes.HasFlag([System.IO.FileAttributes]::Directory); "
     "[bool]($d.Attributes -band [System.IO.FileAttributes]::ReparsePoint); [int]($d.Attributes -band [System.IO.FileAttributes]::Directory)",
     ["Directory", True, False, 16]),
    ("[System.IO.File]::GetAttributes('C:\\t\\a.txt').ToString(); "
     "[System.IO.File]::GetAttributes('C:\\t').HasFlag([System.IO.FileAttributes]::Directory); [Int32][System.IO.File]::GetAttributes('C:\\t')",
     ["Archive", True, 16]),
    ("([System.IO.FileAttributes]'Hidden, ReadOnly').ToString(); [int][System.IO.FileAttributes]'Hidden, ReadOnly'; "
     "[System.IO.FileAttributes]'Hidden, ReadOnly' -eq 3; ([System.IO.FileAttributes]3).ToString(); "
     "[System.IO.FileAttributes]::Directory -eq 'Directory'; ([System.IO.FileAttributes]0x30).ToString()",
     ["ReadOnly, Hidden", 3, True, "ReadOnly, Hidden", True, "Directory, Archive"]),
    # File.SetAttributes replaces the settable bits; -split ',' as win_stat reads them.
    ("[System.IO.File]::SetAttributes('C:\\t\\a.txt', 'ReadOnly, Hidden'); $f = Get-Item C:\\t\\a.txt -Force; $f.Attributes.ToString(); "
     "$f.IsReadOnly; $f.Mode; ($f.Attributes -split ',' | ForEach-Object { $_.Trim() }) -join '|'",
     ["ReadOnly, Hidden", True, "--rh--", "ReadOnly|Hidden"]),
    ("$f = Get-Item C:\\t\\a.txt; $f.IsReadOnly = $true; $f.Attributes.ToString(); $f.IsReadOnly = $false; $f.Attributes.ToString()",
     ["ReadOnly, Archive", "Archive"]),
    # New-Object FileInfo/DirectoryInfo (FileUtil's Get-AnsibleItem): no provider notes, a missing item's Attributes are -1.
    ("$n = New-Object -TypeName System.IO.FileInfo -ArgumentList 'C:\\t\\nope.txt'; $n.Exists; [int]$n.Attributes; $n.FullName; "
     "$n.Name; $n.DirectoryName; $n.ToString(); $null -eq $n.PSIsContainer",
     [False, -1, "C:\\t\\nope.txt", "nope.txt", "C:\\t", "C:\\t\\nope.txt", True]),
    ("$i = New-Object -TypeName System.IO.DirectoryInfo -ArgumentList 'C:\\t'; $i.Exists; $i.FullName; $i -is [System.IO.DirectoryInfo]; "
     "$i -is [System.IO.FileSystemInfo]; $i -is [System.IO.FileInfo]; $i.Attributes.ToString(); [System.IO.FileInfo]::new('C:\\t').Exists",
     [True, "C:\\t", True, True, False, "Directory", False]),
    # Times: settable, written through to the drive (win_file's touch sets LastWriteTime on Get-ChildItem's result).
    ("(Get-ChildItem -LiteralPath C:\\t\\a.txt).LastWriteTime = [datetime]'2021-05-06 07:08:09'; $g = Get-Item C:\\t\\a.txt; "
     "$g.LastWriteTime.ToString('yyyy-MM-dd HH:mm:ss'); $g.LastWriteTime -is [datetime]",
     ["2021-05-06 07:08:09", True]),
    ("$f = Get-Item C:\\t\\a.txt; $f.LastWriteTimeUtc = [datetime]'2020-01-02 03:04:05'; $f.CreationTimeUtc = [datetime]'2019-01-02 03:04:05'; "
     "$f.LastAccessTimeUtc = [datetime]'2022-01-02 03:04:05'; $g = Get-Item C:\\t\\a.txt; $g.LastWriteTimeUtc.ToString('yyyy-MM-dd HH:mm:ss'); "
     "$g.CreationTimeUtc.ToString('yyyy-MM-dd HH:mm:ss'); $g.LastAccessTimeUtc.ToString('yyyy-MM-dd HH:mm:ss')",
     ["2020-01-02 03:04:05", "2019-01-02 03:04:05", "2022-01-02 03:04:05"]),
    # Hidden items: left out by Get-ChildItem unless -Force; Test-Path still sees them.
    ("[System.IO.File]::SetAttributes('C:\\t\\sub\\b.bin', 'Hidden'); @(Get-ChildItem C:\\t\\sub).Count; (Get-ChildItem C:\\t\\sub -Force).Name; "
     "Test-Path -LiteralPath C:\\t\\sub\\b.bin; (Get-Item C:\\t\\sub\\b.bin -Force).Mode; @(Get-ChildItem C:\\t -Recurse -File).Count",
     [0, "b.bin", True, "---h--", 1]),
    # DirectoryInfo.EnumerateFiles (win_stat's directory size) and GetDirectories.
    ("$d = Get-Item C:\\t; $size = 0; foreach ($file in $d.EnumerateFiles('*', [System.IO.SearchOption]::AllDirectories)) { $size += $file.Length }; "
     "$size; ($d.EnumerateFiles() | ForEach-Object { $_.Name }) -join ','; $d.GetDirectories().Name; @($d.GetFiles('*.bin')).Count",
     [12, "a.txt", "sub", 0]),
    # win_stat's Get-FileChecksum and slurp's read.
    ("$sp = New-Object -TypeName System.Security.Cryptography.SHA1CryptoServiceProvider; "
     "$fp = [System.IO.File]::Open('C:\\t\\a.txt', [System.IO.Filemode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::ReadWrite); "
     "try { [System.BitConverter]::ToString($sp.ComputeHash($fp)).Replace('-', '').ToLower() } finally { $fp.Dispose() }; $sp.GetType().FullName",
     [hashlib.sha1(b"hello\r\n").hexdigest(), "System.Security.Cryptography.SHA1CryptoServiceProvider"]),
    ("$sp = New-Object -TypeName System.Security.Cryptography.MD5CryptoServiceProvider; $fp = [System.IO.File]::OpenRead('C:\\t\\a.txt'); "
     "[System.BitConverter]::ToString($sp.ComputeHash($fp)).Replace('-', '').ToLower(); $fp.Dispose()",
     [hashlib.md5(b"hello\r\n").hexdigest()]),
    # The abstract classes' static Create(), also through a derived class (PowerShell binds static members with
    # FlattenHierarchy: 2.16-2.18's put_file script calls [SHA1CryptoServiceProvider]::Create()); what each gives is
    # .NET Framework's CryptoConfig default (SHA256 -> SHA256Managed); an unknown name is not modelled, loudly.
    ("[System.Security.Cryptography.SHA1CryptoServiceProvider]::Create().GetType().FullName; "
     "[Security.Cryptography.SHA256]::Create().GetType().FullName; [Security.Cryptography.HashAlgorithm]::Create().GetType().Name; "
     "[Security.Cryptography.HashAlgorithm]::Create('MD5').GetType().Name; "
     "[BitConverter]::ToString([Security.Cryptography.SHA1]::Create().ComputeHash([byte[]]@(97))).Replace('-', '').ToLower()",
     ["System.Security.Cryptography.SHA1CryptoServiceProvider", "System.Security.Cryptography.SHA256Managed",
      "SHA1CryptoServiceProvider", "MD5CryptoServiceProvider", hashlib.sha1(b"a").hexdigest()]),
    ("[System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes('C:\\t\\a.txt')); Test-Path -LiteralPath C:\\t\\a.txt -PathType Leaf; "
     "Test-Path -LiteralPath C:\\t -PathType Container",
     [base64.b64encode(b"hello\r\n").decode(), True, True]),
    ("$null -eq (Get-Item C:\\t\\a.txt).LinkType; (Get-Item C:\\t\\a.txt).Delete(); Test-Path C:\\t\\a.txt; "
     "(New-Object System.IO.FileInfo 'C:\\t\\a.txt').Delete(); (New-Object System.IO.DirectoryInfo 'C:\\t\\sub').Delete($true); Test-Path C:\\t\\sub",
     [True, False, False]),
])
def test_file_system_info(script, expected):
    assert out(script, fs_runspace()) == expected


@pytest.mark.parametrize("script, expected", [
    ("(New-Object System.IO.FileInfo 'C:\\t\\nope.txt').Length",
     [('Exception getting "Length": "Could not find file \'C:\\t\\nope.txt\'."', "ExceptionWhenGetting", "NotSpecified")]),
    ("[System.IO.File]::GetAttributes('C:\\t\\nope.txt'); [System.IO.File]::GetAttributes('C:\\nodir\\x')",
     [('Exception calling "GetAttributes" with "1" argument(s): "Could not find file \'C:\\t\\nope.txt\'."', "FileNotFoundException",
       "NotSpecified"),
      ('Exception calling "GetAttributes" with "1" argument(s): "Could not find a part of the path \'C:\\nodir\\x\'."',
       "DirectoryNotFoundException", "NotSpecified")]),
    ("(New-Object System.IO.FileInfo 'C:\\t\\nope.txt').LastWriteTime = [datetime]'2020-01-01'",
     [('Exception setting "LastWriteTime": "Could not find file \'C:\\t\\nope.txt\'."', "ExceptionWhenSetting", "NotSpecified")]),
    # A hidden item is "not found" by Get-Item without -Force (FileSystemProvider.GetItem: ItemNotFound, an IOException).
    ("[System.IO.File]::SetAttributes('C:\\t\\a.txt', 'Hidden'); Get-Item -LiteralPath C:\\t\\a.txt",
     [("Could not find item C:\\t\\a.txt.", "ItemNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound")]),
    # The same through -Path; a wildcard that matches only a hidden item writes nothing, as any empty match.
    ("[System.IO.File]::SetAttributes('C:\\t\\a.txt', 'Hidden'); Get-Item C:\\t\\a.txt; Get-Item C:\\t\\a.t?t",
     [("Could not find item C:\\t\\a.txt.", "ItemNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "ObjectNotFound")]),
    # Remove-Item of a read-only, hidden or system item needs -Force (FileSystemProvider.RemoveFileSystemItem).
    ("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; Remove-Item -LiteralPath C:\\t\\a.txt",
     [("Cannot remove item C:\\t\\a.txt: You do not have sufficient access rights to perform this operation.",
       "RemoveFileSystemItemUnAuthorizedAccess,Microsoft.PowerShell.Commands.RemoveItemCommand", "PermissionDenied")]),
    ("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; [System.IO.File]::WriteAllText('C:\\t\\a.txt', 'x')",
     [('Exception calling "WriteAllText" with "2" argument(s): "Access to the path \'C:\\t\\a.txt\' is denied."',
       "UnauthorizedAccessException", "NotSpecified")]),
    ("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; Set-Content C:\\t\\a.txt 'x'",
     [("Access to the path 'C:\\t\\a.txt' is denied.", "GetContentWriterUnauthorizedAccessError,Microsoft.PowerShell.Commands.SetContentCommand",
       "PermissionDenied")]),
    ("[System.IO.FileAttributes]'Bogus'",
     [('Cannot convert value "Bogus" to type "System.IO.FileAttributes". Error: "Unable to match the identifier name Bogus to a valid '
       'enumerator name. Specify one of the following enumerator names and try again:\r\nReadOnly, Hidden, System, Directory, Archive, '
       'Device, Normal, Temporary, SparseFile, ReparsePoint, Compressed, Offline, NotContentIndexed, Encrypted, IntegrityStream, '
       'NoScrubData"', "RuntimeException", "InvalidArgument")]),
])
def test_file_system_info_errors(script, expected):
    assert errors(script, fs_runspace()) == expected


def test_file_system_info_members_not_modelled_are_errors():
    """SetAccessControl, Target and the other members the test host lacks: an error naming them, never $null (an item's
    owner through GetAccessControl: test_interpreter_acl.py)."""
    for script, what in [("(Get-Item C:\\t\\a.txt).CopyTo('C:\\t\\b.txt')", "The method 'CopyTo' of [System.IO.FileInfo]"),
                         ("(Get-Item C:\\t).Target", "The member 'Target' of [System.IO.DirectoryInfo]")]:
        rec, result = run(script, fs_runspace())
        assert result.state == "Failed" and rec.output == [], (script, result)
        assert str(result.error).startswith(what + " exists in Windows PowerShell 5.1 but the test host does not model it"), result
    # With the tripwire off, a property Windows has reads as $null (what a missing one reads as); a method is still an error.
    rs = Runspace(host=HostServices(user_name="user", tripwire=False))
    out(FS_SETUP, rs)
    assert out("$null -eq (Get-Item C:\\t).Target", rs) == [True]
    rec, result = run("(Get-Item C:\\t\\a.txt).CopyTo('C:\\t\\b.txt')", rs)
    assert result.state == "Failed" and "CopyTo" in str(result.error), result


def test_remove_item_force_removes_read_only_and_hidden_items():
    rs = fs_runspace()
    assert out("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; [System.IO.File]::SetAttributes('C:\\t\\sub\\b.bin', 'Hidden'); "
               "Remove-Item -LiteralPath C:\\t\\a.txt -Force; Remove-Item -LiteralPath C:\\t\\sub\\b.bin -Force; "
               "Test-Path C:\\t\\a.txt; Test-Path C:\\t\\sub\\b.bin", rs) == [False, False]


# --------------------------------------------------------------------------- -WhatIf and Out-File (win_file with --check)
# FileSystemProvider.cs / Out-File.cs call ShouldProcess with these texts (FileSystemProviderStrings NewItemAction*,
# RemoveItemAction*, FormatAndOut_out_xxx OutFile_Action); the host hears "What if: ..." (WriteLine2) and nothing changes.
@pytest.mark.parametrize("script, message", [
    ("New-Item -Path C:\\t\\n -ItemType Directory -WhatIf", 'Performing the operation "Create Directory" on target "Destination: C:\\t\\n".'),
    ("New-Item -Path C:\\t\\n.txt -ItemType File -WhatIf:$true", 'Performing the operation "Create File" on target "Destination: C:\\t\\n.txt".'),
    ("Remove-Item -LiteralPath C:\\t\\a.txt -Force -WhatIf", 'Performing the operation "Remove File" on target "C:\\t\\a.txt".'),
    ("Remove-Item -LiteralPath C:\\t\\sub -Force -Recurse -WhatIf", 'Performing the operation "Remove Directory" on target "C:\\t\\sub".'),
    ("Write-Output $null | Out-File -LiteralPath C:\\t\\o.txt -Encoding ASCII -WhatIf",
     'Performing the operation "Output to File" on target "C:\\t\\o.txt".'),
    ("$WhatIfPreference = $true; Remove-Item C:\\t\\a.txt", 'Performing the operation "Remove File" on target "C:\\t\\a.txt".'),
])
def test_filesystem_cmdlets_under_whatif_say_what_they_would_do(script, message):
    rs = fs_runspace()
    before = {p: rs.host.filesystem.exists(p) for p in ("C:\\t\\n", "C:\\t\\n.txt", "C:\\t\\a.txt", "C:\\t\\sub", "C:\\t\\o.txt")}
    rec, result = invoke(rs, script + "; 'went on'")
    assert result.state == "Completed" and rec.errors == [], (result, rec.errors)
    assert rec.output == ["went on"]
    assert rec.host_calls == [("WriteLine2", ["What if: " + message])]
    assert {p: rs.host.filesystem.exists(p) for p in before} == before


def test_out_file_writes_formatted_lines_in_its_encoding():
    rs = fs_runspace()
    fs = rs.host.filesystem
    # win_file's touch of a new file: nothing but the file (ASCII has no preamble).
    out("Write-Output $null | Out-File -LiteralPath C:\\t\\touch.txt -Encoding ASCII -WhatIf:$false", rs)
    assert fs.read_bytes("C:\\t\\touch.txt") == b""
    out("'a', 'b' | Out-File C:\\t\\u.txt; $null | Out-File C:\\t\\e.txt", rs)
    assert fs.read_bytes("C:\\t\\u.txt") == b"\xff\xfe" + "a\r\nb\r\n".encode("utf-16-le")  # 5.1's default: Unicode
    assert fs.read_bytes("C:\\t\\e.txt") == b"\xff\xfe"  # the StreamWriter's first Flush writes the preamble
    out("'c' | Out-File C:\\t\\w.txt -Encoding ascii; 'd' | Out-File C:\\t\\w.txt -Append -Encoding ascii; "
        "Out-File -FilePath C:\\t\\w.txt -InputObject 'e' -Append -Encoding ascii -NoNewline", rs)
    assert fs.read_bytes("C:\\t\\w.txt") == b"c\r\nd\r\ne"
    assert out("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; 'f' | Out-File C:\\t\\a.txt -Encoding ascii -Force; "
               "Get-Content C:\\t\\a.txt", rs) == ["f"]


@pytest.mark.parametrize("script, message, fqid, category", [
    ("'z' | Out-File C:\\t\\a.txt -NoClobber", "File C:\\t\\a.txt already exists and NoClobber was specified.",
     "NoClobber,Microsoft.PowerShell.Commands.OutFileCommand", "ResourceExists"),
    ("'z' | Out-File C:\\nodir\\x.txt", "Could not find a part of the path 'C:\\nodir\\x.txt'.",
     "FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand", "OpenError"),
    ("(Get-Item C:\\t\\a.txt).IsReadOnly = $true; 'z' | Out-File C:\\t\\a.txt", "Access to the path 'C:\\t\\a.txt' is denied.",
     "FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand", "OpenError"),
])
def test_out_file_errors_end_its_statement(script, message, fqid, category):
    """PathUtils.MasterStreamOpen's ThrowTerminatingError: the Out-File statement ends, the script goes on."""
    rs = fs_runspace()
    rec, result = run(script + "; 'went on'", rs)
    assert result.state == "Completed" and rec.output == ["went on"], result
    assert [e[:3] for e in rec.errors] == [(message, fqid, category)]
    assert out("Get-Content C:\\t\\a.txt", rs) == ["hello"]
