"""The interpreter on the host's in-memory drive C: .NET file streams, base64, hashing, encodings,
and the FileSystem provider cmdlets, with Windows PowerShell 5.1's results and error records."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os

import pytest

from winhost.powershell import Command, HostServices, Runspace
from winhost.powershell.filesystem import FileSystem

from test_interpreter import Recorder, run

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
