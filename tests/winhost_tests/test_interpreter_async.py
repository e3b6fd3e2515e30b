"""What ansible-core 2.19's async_wrapper.ps1, async_watchdog.ps1 and ansible.windows' async_status.ps1 use, on the
test host (issue 10, async): each row is a script with what Windows PowerShell 5.1 gives, from the documentation cited
on the row's group. Ansible._Async.cs is ansible-core's own, read from the installed ansible-core and compiled into
the session (its stand-in: tests/winhost/powershell/standins/ansible_async.py). Rows marked "not modelled" are errors
naming what the test host does not model, never a silent success.
"""

from __future__ import annotations

import os
import threading

import pytest

from winhost.powershell import Runspace
from winhost.powershell.standins import compile_csharp

from test_interpreter import plain, run

ASYNC_CS = os.path.join(os.path.dirname(__import__('ansible').__file__), 'module_utils', 'csharp', 'Ansible._Async.cs')
POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
PRELUDE = ("using namespace System.IO\nusing namespace System.IO.Pipes\nusing namespace System.Text\n"
           "using namespace System.Threading\nusing namespace Microsoft.Win32.SafeHandles\n"
           "using namespace System.Management.Automation\n")


def _async(script: str) -> str:
    """The script after ansible-core's own Ansible._Async.cs (read from the installed ansible-core) is compiled."""
    with open(ASYNC_CS, encoding='utf-8') as handle:
        compile_csharp([handle.read()])
    return PRELUDE + script


def ok(script: str, rs: Runspace | None = None) -> list:
    rec, result = run(script, rs)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


def failing(script: str) -> str:
    rec, result = run(script)
    return (str(result.error) if result.error is not None else "") + " ".join(str(e[0]) for e in rec.errors)


# learn.microsoft.com: AnonymousPipeServerStream(PipeDirection, HandleInheritability), ClientSafePipeHandle (a
# SafePipeHandle), PipeStream.CanRead/CanWrite/CanSeek (a pipe cannot seek), DisposeLocalCopyOfClientHandle;
# StreamWriter.Flush to a pipe with no reader left: IOException "Pipe is broken." (ERROR_BROKEN_PIPE); StreamReader
# .ReadToEnd returns at end of file, once every write handle is closed ("Anonymous Pipe Operations").
PIPES = [
    ("$p = [AnonymousPipeServerStream]::new([PipeDirection]::Out, [HandleInheritability]::Inheritable)\n"
     "$p.ClientSafePipeHandle.GetType().FullName; $p.CanWrite; $p.CanRead; $p.CanSeek",
     ["Microsoft.Win32.SafeHandles.SafePipeHandle", True, False, False]),
    # Its own client handle is a reader: the write goes into the pipe.
    ("$p = [AnonymousPipeServerStream]::new([PipeDirection]::Out, [HandleInheritability]::Inheritable)\n"
     "$w = [StreamWriter]::new($p, [UTF8Encoding]::new($false)); $w.WriteLine('x'); $w.Flush(); 'written'",
     ["written"]),
    # No reader left: the pipe is broken.
    ("$p = [AnonymousPipeServerStream]::new([PipeDirection]::Out, [HandleInheritability]::Inheritable)\n"
     "$p.DisposeLocalCopyOfClientHandle()\n"
     "$w = [StreamWriter]::new($p, [UTF8Encoding]::new($false)); $w.WriteLine('x')\n"
     "try { $w.Flush() } catch { \"$_\" }",
     ['Exception calling "Flush" with "0" argument(s): "Pipe is broken."']),
    # Every writer closed: ReadToEnd is the empty text at once.
    ("$p = [AnonymousPipeServerStream]::new([PipeDirection]::In, [HandleInheritability]::Inheritable)\n"
     "$r = [StreamReader]::new($p, [UTF8Encoding]::new($false), $false); $p.DisposeLocalCopyOfClientHandle()\n"
     "$r.ReadToEnd().Length; $r.Dispose(); $p.ClientSafePipeHandle.IsClosed",
     [0, True]),
]


@pytest.mark.parametrize('script, expected', PIPES)
def test_anonymous_pipes(script, expected):
    assert ok(PRELUDE + script) == expected


# learn.microsoft.com: SafeHandle.DangerousGetHandle (an IntPtr: here its number as an Int64), SafeWaitHandle(IntPtr,
# Boolean) naming a handle of this process, ManualResetEvent.SafeWaitHandle settable, EventWaitHandle.Set (True),
# WaitHandle.WaitAny(WaitHandle[], TimeSpan): the index of the first signalled handle, WaitTimeout (258) otherwise.
# async_watchdog.ps1 signals async_wrapper.ps1's event this way.
EVENTS = [
    ("[Int64]([IntPtr]7)", [7]),
    ("[WaitHandle]::WaitTimeout", [258]),
    ("$e = [Ansible._Async.AsyncUtil]::CreateInheritableEvent()\n"
     "$m = [ManualResetEvent]::new($false)\n"
     "$m.SafeWaitHandle = [SafeWaitHandle]::new([IntPtr][Int64]$e.DangerousGetHandle(), $true)\n"
     "[WaitHandle]::WaitAny(@([Ansible._Async.ManagedWaitHandle]::new($e)), [TimeSpan]::FromMilliseconds(1))\n"
     "$m.Set()\n"
     "[WaitHandle]::WaitAny(@([Ansible._Async.ManagedWaitHandle]::new($e)), [TimeSpan]::FromSeconds(30))",
     [258, True, 0]),
    # The lowest index wins when several are signalled.
    ("$a = [ManualResetEvent]::new($true); $b = [ManualResetEvent]::new($true)\n"
     "[WaitHandle]::WaitAny(@($a, $b), [TimeSpan]::FromSeconds(1))",
     [0]),
]


@pytest.mark.parametrize('script, expected', EVENTS)
def test_events_and_waits(script, expected):
    assert ok(_async(script)) == expected


def test_set_of_a_handle_that_names_no_event_fails():
    # SetEvent on a number this process has no event under: ERROR_INVALID_HANDLE.
    text = failing(_async("$m = [ManualResetEvent]::new($false)\n"
                          "$m.SafeWaitHandle = [SafeWaitHandle]::new([IntPtr]4092, $true); $m.Set()"))
    assert "The handle is invalid" in text, text


# learn.microsoft.com: Convert.ToString(Int64, 16) (lower-case hex, a negative as its two's complement),
# Convert.ToInt32(String, 16) (the bits as a signed Int32): async_wrapper.ps1 reads WMI's UInt32 process id so;
# UInt16 (ShowWindow = [uint16]0).
NUMBERS = [
    ("[Convert]::ToString([uint32]6000, 16)", ["1770"]),
    ("[Convert]::ToInt32('1770', 16)", [6000]),
    ("[Convert]::ToInt32([Convert]::ToString([uint32]4294967295, 16), 16)", [-1]),
    ("[Convert]::ToString(-1, 16)", ["ffffffff"]),
    ("[uint16]65535 -is [uint16]; [uint16]::MaxValue; [uint16]'7' + 1", [True, 65535, 8]),
]


@pytest.mark.parametrize('script, expected', NUMBERS)
def test_numbers(script, expected):
    assert ok(script) == expected


def test_numbers_not_modelled_or_refused():
    assert "Value was either too large or too small for a UInt16." in failing("[uint16]65536")
    assert "does not model [Convert]::ToString in base 2" in failing("[Convert]::ToString(5, 2)")


# learn.microsoft.com: New-CimInstance -ClientOnly (an in-memory instance), Win32_ProcessStartup, "Create method of
# the Win32_Process class" (ReturnValue 0 and ProcessId, UInt32; CREATE_SUSPENDED 4; 9 Path Not Found), Stop-Process
# (-Id; "Cannot find a process with the process identifier n."). Ansible._Async's OpenProcessAsParent: OpenProcess
# fails with ERROR_INVALID_PARAMETER (87) for a process id that does not exist (any more).
WMI = ("$psi = New-CimInstance -ClassName Win32_ProcessStartup -ClientOnly -Property @{\n"
       "    CreateFlags = [uint32]4; ShowWindow = [uint16]0 }\n"
       "$r = Invoke-CimMethod -ClassName Win32_Process -Name Create -Arguments @{\n"
       "    CommandLine = $CMD; ProcessStartupInformation = $psi }\n")


def test_wmi_makes_a_suspended_process_and_stop_process_ends_it():
    out = ok(_async(WMI.replace('$CMD', f"'{POWERSHELL}'") +
                    "$r.ReturnValue; $r.ProcessId.GetType().FullName\n"
                    "$h = [Ansible._Async.AsyncUtil]::OpenProcessAsParent($r.ProcessId); $h.IsInvalid\n"
                    "Stop-Process -Id $r.ProcessId -Force\n"
                    "try { [Ansible._Async.AsyncUtil]::OpenProcessAsParent($r.ProcessId) } catch { $_.Exception.InnerException.Message }"))
    assert out == [0, "System.UInt32", False,
                   "OpenProcess() failed (The parameter is incorrect, Win32ErrorCode 87 - 0x00000057)"]


def test_wmi_rows_not_found_and_not_modelled():
    assert ok(_async(WMI.replace('$CMD', "'C:\\nope\\x.exe'") + "$r.ReturnValue")) == [9]
    text = failing("Stop-Process -Id 12345 -Force")
    assert "Cannot find a process with the process identifier 12345." in text, text
    assert "does not model" in failing("New-CimInstance -ClassName Win32_Service -ClientOnly -Property @{}")
    # A process that runs (no ProcessStartupInformation) of a program not on the disk: 9 (Path Not Found). Processes
    # that run: tests/winhost_tests/test_interpreter_pipes.py.
    assert ok("(Invoke-CimMethod -ClassName Win32_Process -Name Create -Arguments @{ CommandLine = 'x' }).ReturnValue"
              ) == [9]
    assert "does not model" in failing(WMI.replace('[uint32]4', '[uint32]0').replace('$CMD', f"'{POWERSHELL}'"))
    assert "does not model" in failing("Stop-Process -Name notepad")
    # The suspended process made through WMI is never run by the test host: resuming it trips. (Its thread handle is
    # only reachable from CreateAsyncProcess with it as the parent, see below.)


# Ansible._Async.cs's CreateAsyncProcess (CreateProcessW with the handle list and, here, no parent attribute: the
# handles are this process's), ResumeThread, GetProcessExitCode, ProcessInformation.StdoutReader
# (Task.Run(() => reader.ReadToEnd())): a new powershell.exe reads its stdin from one pipe and writes to another.
NEW_PROCESS = (
    "$in = [AnonymousPipeServerStream]::new([PipeDirection]::Out, [HandleInheritability]::Inheritable)\n"
    "$out = [AnonymousPipeServerStream]::new([PipeDirection]::In, [HandleInheritability]::Inheritable)\n"
    "$err = [AnonymousPipeServerStream]::new([PipeDirection]::In, [HandleInheritability]::Inheritable)\n"
    "$utf8 = [UTF8Encoding]::new($false)\n"
    "$outReader = [StreamReader]::new($out, $utf8, $false); $errReader = [StreamReader]::new($err, $utf8, $false)\n"
    "$event = [Ansible._Async.AsyncUtil]::CreateInheritableEvent()\n"
    "$cmd = '\"" + POWERSHELL + "\" -NoProfile -Command \"$input | ForEach-Object { \\\"got $_\\\" }; exit 3\"'\n"
    "$proc = [Ansible._Async.AsyncUtil]::CreateAsyncProcess('" + POWERSHELL + "', $cmd, $in.ClientSafePipeHandle,\n"
    "    $out.ClientSafePipeHandle, $err.ClientSafePipeHandle, $event, $null, $outReader, $errReader)\n"
    "$in.DisposeLocalCopyOfClientHandle(); $out.DisposeLocalCopyOfClientHandle(); $err.DisposeLocalCopyOfClientHandle()\n"
    "[Ansible._Async.AsyncUtil]::GetProcessExitCode($proc.Process)\n"
    "[Ansible._Async.AsyncUtil]::ResumeThread($proc.Thread)\n"
    "$w = [StreamWriter]::new($in, $utf8); $w.WriteLine('a'); $w.WriteLine('b'); $w.Dispose()\n"
    "[WaitHandle]::WaitAny(@([Ansible._Async.ManagedWaitHandle]::new($event),\n"
    "    [Ansible._Async.ManagedWaitHandle]::new($proc.Process)), [TimeSpan]::FromSeconds(60))\n"
    "$proc.StdoutReader.GetAwaiter().GetResult()\n"
    "[Ansible._Async.AsyncUtil]::GetProcessExitCode($proc.Process)\n"
    "$proc.ProcessId -gt 0\n")


def test_create_async_process_runs_powershell_on_its_pipes():
    # STILL_ACTIVE (259) before it runs; the process (index 1) ends, its event never set; its output; its exit code.
    before = {t.ident for t in threading.enumerate()}
    assert ok(_async(NEW_PROCESS)) == [259, 1, "got a\r\ngot b\r\n", 3, True]
    # The thread that ran it ends by itself once the process has ended (the wait above saw it end).
    runners = [t for t in threading.enumerate() if t.ident not in before and t.name.startswith('winhost-process-')]
    for thread in runners:
        thread.join(30)
        assert not thread.is_alive(), thread


def test_create_async_process_refusals():
    # A handle the parent does not have (closed here): CreateProcessW's ERROR_INVALID_PARAMETER.
    text = failing(_async(
        "$in = [AnonymousPipeServerStream]::new([PipeDirection]::Out, [HandleInheritability]::Inheritable)\n"
        "$h = $in.ClientSafePipeHandle; $in.DisposeLocalCopyOfClientHandle(); $e = [Ansible._Async.AsyncUtil]::CreateInheritableEvent()\n"
        f"[Ansible._Async.AsyncUtil]::CreateAsyncProcess('{POWERSHELL}', 'x', $h, $h, $h, $e, $null, $null, $null)"))
    assert "CreateProcessW() failed (The parameter is incorrect, Win32ErrorCode 87" in text, text
    # A missing image: ERROR_FILE_NOT_FOUND.
    text = failing(_async(
        "$e = [Ansible._Async.AsyncUtil]::CreateInheritableEvent()\n"
        "[Ansible._Async.AsyncUtil]::CreateAsyncProcess('C:\\nope.exe', 'x', $e, $e, $e, $e, $null, $null, $null)"))
    assert "The system cannot find the file specified, Win32ErrorCode 2" in text, text
    assert "does not model" in failing(_async("[Ansible._Async.AsyncUtil]::ResumeThread($null)"))
    assert "does not model" in failing(_async("[Ansible._Async.ManagedWaitHandle]::new($null)"))


def test_resuming_the_wmi_parent_is_not_modelled():
    """A process made through WMI, duplicated handles into it (DuplicateHandleToProcess: the number is the target's),
    then CreateAsyncProcess with it as the parent: the new process inherits those numbers. Resuming the parent
    itself is not modelled (the test host runs no program it made suspended through WMI)."""
    out = ok(_async(
        WMI.replace('$CMD', f"'{POWERSHELL}'") +
        "$parent = [Ansible._Async.AsyncUtil]::OpenProcessAsParent($r.ProcessId)\n"
        "$e = [Ansible._Async.AsyncUtil]::CreateInheritableEvent()\n"
        "$d = [Ansible._Async.AsyncUtil]::DuplicateHandleToProcess($e, $parent)\n"
        "[Int64]$d.DangerousGetHandle() -ne [Int64]$e.DangerousGetHandle() -or $true\n"
        "[Ansible._Async.AsyncUtil]::CloseHandleInProcess($d, $parent)\n"
        "try { [Ansible._Async.AsyncUtil]::CloseHandleInProcess($d, $parent) } catch { $_.Exception.InnerException.Message }"))
    assert out == [True, "DuplicateHandle() failed to close handle (The handle is invalid, Win32ErrorCode 6 - 0x00000006)"]


# async_watchdog.ps1: PSDataCollection<T>.Complete, a hashtable cast to PSInvocationSettings (about_Object_Creation),
# PowerShell.BeginInvoke(input, settings, callback, state), AsyncWaitHandle.WaitOne(ms), IsCompleted, EndInvoke.
def test_begin_invoke_with_settings():
    out = ok(PRELUDE + "$ps = [PowerShell]::Create(); $null = $ps.AddScript('\"hi\"; 1 + 1')\n"
             "$in = [PSDataCollection[object]]::new(); $in.Complete(); $in.IsOpen\n"
             "$s = [PSInvocationSettings]@{ Host = $host }\n"
             "$r = $ps.BeginInvoke($in, $s, $null, $null); $r.AsyncWaitHandle.WaitOne(1000); $r.IsCompleted\n"
             "@($ps.EndInvoke($r) | Out-String) -join \"`n\"")
    assert out == [False, True, True, "hi\r\n2\r\n"]


def test_begin_invoke_not_modelled():
    # The input still open: more input may come.
    assert "not modelled" in failing(PRELUDE + "$ps = [PowerShell]::Create(); $null = $ps.AddScript('1')\n"
                                     "$in = [PSDataCollection[object]]::new()\n"
                                     "$ps.BeginInvoke($in, [PSInvocationSettings]@{ Host = $host }, $null, $null)")
    assert "not modelled" in failing(PRELUDE + "[PSInvocationSettings]@{ AddToHistory = $true }")


# The language: `& $x.M()` invokes what the method returns (Parser.cs: an expression after `&` when the name starts
# with `$`); ParseInput(script with named blocks).GetScriptBlock().Ast is the script's ScriptBlockAst.
LANGUAGE = [
    ("$sb = { param($a) \"got $a\" }; $p = @{ a = 1 }\n& $sb.Ast.GetScriptBlock() @p\n& $sb.Ast.GetScriptBlock()",
     ["got 1", "got "]),
    # With an argument after it (a space before `(` makes `(2)` an argument of the script block itself).
    ("$sb = { param($a) \"got $a\" }\n& $sb.Ast.GetScriptBlock() 5\n& $sb (2)", ["got 5", "got 2"]),
    ("$t = @'\nusing namespace System.Collections\nparam($a)\nbegin { function f { 'f' } }\n"
     "end { \"end $a \" + [IDictionary].Name }\n'@\n"
     "$sb = [System.Management.Automation.Language.Parser]::ParseInput($t, 'n', [ref]$null, [ref]$null).GetScriptBlock()\n"
     "$sb.Ast.GetType().Name\n& $sb.Ast.GetScriptBlock() -a 2\n",
     ["ScriptBlockAst", "end 2 IDictionary"]),
]


@pytest.mark.parametrize('script, expected', LANGUAGE)
def test_language(script, expected):
    assert ok(script) == expected


# ansible.windows' async_status.ps1: JavaScriptSerializer.DeserializeObject (Dictionary<string, object>,
# ContainsKey), MaxJsonLength; text that is not JSON: ArgumentException "Invalid JSON primitive: ...".
def test_javascript_serializer():
    out = ok("$jss = New-Object System.Web.Script.Serialization.JavaScriptSerializer\n"
             "$jss.MaxJsonLength; $jss.MaxJsonLength = [int]::MaxValue\n"
             "$d = $jss.DeserializeObject('{\"started\": true, \"n\": 3}')\n"
             "$d.ContainsKey('started'); $d['finished'] = 1; $d.Count; $d['n']")
    assert out == [2097152, True, 3, 3]
    assert "Invalid JSON primitive" in failing("(New-Object System.Web.Script.Serialization.JavaScriptSerializer)"
                                               ".DeserializeObject('x{')")
