"""What ansible-core 2.16 to 2.18's async_wrapper.ps1 and async_watchdog.ps1 use, on the test host (issue 10, async):
a named pipe with an ACL (System.IO.Pipes), a process started through WMI that connects to it, `trap`, and
RunspaceFactory. Each row is a script with what Windows PowerShell 5.1 gives, from the documentation cited on the
row's group (.NET Framework 4.x reference source for the exception texts). Rows marked "not modelled" are errors
naming what the test host does not model, never a silent success.
"""

from __future__ import annotations

import threading

import pytest

from test_interpreter import plain, run

PRELUDE = ("using namespace System.IO.Pipes\nusing namespace System.Text\n"
           "using namespace System.Security.Principal\nusing namespace System.Security.AccessControl\n")
# A PipeSecurity that lets the current user read (what async_wrapper.ps1 builds), and a pipe name of this row's own.
SECURITY = ("$sid = [WindowsIdentity]::GetCurrent().User\n"
            "$sec = New-Object System.IO.Pipes.PipeSecurity\n"
            "$rule = New-Object System.IO.Pipes.PipeAccessRule -ArgumentList @($sid, [PipeAccessRights]::Read, "
            "[AccessControlType]::Allow)\n"
            "$sec.AddAccessRule($rule)\n"
            "$name = 'winhost-row-' + [guid]::NewGuid()\n")
SERVER = ("$server = New-Object System.IO.Pipes.NamedPipeServerStream -ArgumentList @($name, [PipeDirection]::Out, 1, "
          "[PipeTransmissionMode]::Byte, [PipeOptions]::Asynchronous, 0, 0, $sec)\n")
CLIENT = ("$client = New-Object System.IO.Pipes.NamedPipeClientStream -ArgumentList @('.', $name, [PipeDirection]::In, "
          "[PipeOptions]::None, [TokenImpersonationLevel]::Anonymous)\n")


def ok(script: str) -> list:
    rec, result = run(PRELUDE + script)
    assert result.state == "Completed", (result, rec.errors)
    assert not rec.errors, rec.errors
    return plain(rec.output)


def failing(script: str) -> str:
    rec, result = run(PRELUDE + script)
    return (str(result.error) if result.error is not None else "") + " ".join(str(e[0]) for e in rec.errors)


# learn.microsoft.com: PipeAccessRule(IdentityReference, PipeAccessRights, AccessControlType) (an Allow rule adds
# Synchronize: PipeAccessRule.AccessMaskFromRights, so its rights read "Read, Synchronize", as .NET formats a [Flags]
# value), PipeSecurity.AddAccessRule; PipeAccessRights' values.
def test_pipe_access_rule():
    assert ok(SECURITY + "$rule.PipeAccessRights.ToString(); $rule.AccessControlType.ToString()\n"
              "$rule.IdentityReference.Value -eq $sid.Value; $rule.IsInherited\n"
              "[int][PipeAccessRights]::Read; [int][PipeAccessRights]::FullControl") == [
        "Read, Synchronize", "Allow", True, False, 131209, 2032031]


# NamedPipeServerStream (CreateNamedPipe) and NamedPipeClientStream in one process: BeginWaitForConnection's
# IAsyncResult completes once a client connected (IsCompleted, AsyncWaitHandle.WaitOne), EndWaitForConnection,
# Write/Flush, the client's Read returns what is there (5 bytes of 10 asked), WaitForPipeDrain returns once the client
# has read it all, and the client reads 0 once the server closed (ERROR_BROKEN_PIPE: the end of the stream).
def test_a_named_pipe_carries_bytes_from_server_to_client():
    assert ok(SECURITY + SERVER +
              "$wait = $server.BeginWaitForConnection($null, $null); $wait.IsCompleted; $server.IsConnected\n" +
              CLIENT + "$client.Connect(5000); $client.IsConnected\n"
              "$wait.AsyncWaitHandle.WaitOne(5000); $wait.IsCompleted; $server.EndWaitForConnection($wait)\n"
              "$server.IsConnected; $server.CanWrite; $server.CanRead\n"
              "$bytes = [Encoding]::UTF8.GetBytes('hello'); $server.Write($bytes, 0, $bytes.Count); $server.Flush()\n"
              "$buf = New-Object byte[] 10; $client.Read($buf, 0, 10); [Encoding]::UTF8.GetString($buf, 0, 5)\n"
              "$server.WaitForPipeDrain(); $server.Close(); $client.Read($buf, 0, 10); $client.Close()") == [
        False, False, True, True, True, True, True, False, 5, "hello", 0]


# A second server of a name whose one instance is made: IOException "All pipe instances are busy." (ERROR_PIPE_BUSY);
# once the first closed, the name is free again.
def test_one_instance_only():
    assert ok(SECURITY + SERVER + "try { " + SERVER.strip() + " } catch { $_.Exception.InnerException.GetType().Name;"
              " \"$_\" }\n$server.Close()\n" + SERVER + "$server.IsConnected; $server.Dispose()") == [
        "IOException", 'Exception calling ".ctor" with "8" argument(s): "All pipe instances are busy."', False]


# .NET Framework 4.x NamedPipeClientStream.Connect(timeout): a name nobody serves is retried until the timeout, then
# TimeoutException; a DACL that does not grant the user GENERIC_READ: UnauthorizedAccessException (ERROR_ACCESS_DENIED,
# no path in the message); a write before a connection: InvalidOperationException; "anonymous" is reserved.
def test_connect_and_write_refusals():
    assert ok("$name = 'winhost-row-' + [guid]::NewGuid()\n" + CLIENT +
              "try { $client.Connect(0) } catch { $_.Exception.InnerException.GetType().FullName; \"$_\" }\n"
              "$client.IsConnected") == [
        "System.TimeoutException", 'Exception calling "Connect" with "1" argument(s): "The operation has timed out."',
        False]
    # A rule for SYSTEM only: the session's user may not read.
    assert ok(SECURITY.replace("$sid = [WindowsIdentity]::GetCurrent().User",
                               "$sid = [SecurityIdentifier]'S-1-5-18'") + SERVER + CLIENT +
              "try { $client.Connect(1000) } catch { $_.Exception.InnerException.GetType().FullName; \"$_\" }") == [
        "System.UnauthorizedAccessException",
        'Exception calling "Connect" with "1" argument(s): "Access to the path is denied."']
    assert ok(SECURITY + SERVER + "$b = [byte[]](1, 2)\ntry { $server.Write($b, 0, 2) } catch { \"$_\" }") == [
        'Exception calling "Write" with "3" argument(s): "Pipe hasn\'t been connected yet."']
    reserved = failing("New-Object System.IO.Pipes.NamedPipeServerStream -ArgumentList 'anonymous'")
    assert "The pipeName \"anonymous\" is reserved." in reserved, reserved


def test_pipes_not_modelled():
    assert "does not model" in failing(SECURITY + "$sec.GetAccessRules($true, $false, [SecurityIdentifier])")
    assert "message mode" in failing(SECURITY + "New-Object System.IO.Pipes.NamedPipeServerStream -ArgumentList @($name, "
                                                "[PipeDirection]::Out, 1, [PipeTransmissionMode]::Message)")
    assert "server 'other'" in failing("New-Object System.IO.Pipes.NamedPipeClientStream -ArgumentList @('other', 'x')")
    assert "does not model" in failing(SECURITY + SERVER + "$server.SafePipeHandle")


# "Create method of the Win32_Process class" without ProcessStartupInformation: a process that runs at once (here a
# powershell.exe found on the Path, as CreateProcess finds a bare program name) and outlives the call; it connects to
# this session's pipe as a client (the same user: the ACL lets it) and writes its own $PID, which is the ProcessId the
# method returned.
CHILD = ("$c = New-Object System.IO.Pipes.NamedPipeClientStream -ArgumentList @('.', 'NAME', "
         "[System.IO.Pipes.PipeDirection]::Out); $c.Connect(30000); "
         "$b = [System.Text.Encoding]::UTF8.GetBytes([string]$PID); $c.Write($b, 0, $b.Length); $c.Close()")


def test_wmi_starts_a_process_that_talks_over_the_pipe():
    before = {t.ident for t in threading.enumerate()}
    script = (SECURITY.replace("[PipeAccessRights]::Read", "[PipeAccessRights]::FullControl") +
              SERVER.replace("[PipeDirection]::Out", "[PipeDirection]::In") +
              "$child = \"" + CHILD.replace("$", "`$").replace("NAME", "$name") + "\"\n"
              "$enc = [Convert]::ToBase64String([Encoding]::Unicode.GetBytes($child))\n"
              "$r = Invoke-CimMethod -ClassName Win32_Process -Name Create -Arguments @{\n"
              "    CommandLine = \"powershell.exe -NonInteractive -NoProfile -ExecutionPolicy Bypass \"+\n"
              "    \"-EncodedCommand $enc\" }\n"
              "$r.ReturnValue\n$server.WaitForConnection()\n"
              "$buf = New-Object byte[] 64; $n = $server.Read($buf, 0, 64)\n"
              "[Encoding]::UTF8.GetString($buf, 0, $n) -eq [string]$r.ProcessId\n"
              "$server.Read($buf, 0, 64); $server.Close()")
    assert ok(script) == [0, True, 0]
    # The thread that ran it ends by itself once the process has ended (it closed its end: the server read 0).
    for thread in [t for t in threading.enumerate() if t.ident not in before and t.name.startswith('winhost-process-')]:
        thread.join(30)
        assert not thread.is_alive(), thread


# about_Trap: a trap handles a terminating or statement-terminating error of a statement of its block (wherever the
# trap is written in it); `continue` goes on with the next statement, `break` rethrows (the block ends), neither writes
# the error to the error stream and goes on. `$_` is the error record.
TRAPS = [
    ("trap { \"trapped $_\"; continue }\n'a'; throw 'boom'; 'b'", ["a", "trapped boom", "b"]),
    ("try { & { trap { \"trapped $_\"; break }; 'a'; throw 'boom'; 'b' } } catch { \"caught $_\" }",
     ["a", "trapped boom", "caught boom"]),
    # Written after the statement that fails, it still handles it.
    ("& { throw 'early'; 'after'; trap { \"t $_\"; continue } }", ["t early", "after"]),
    # A method's exception (statement-terminating) is trapped too.
    ("& { trap { $_.Exception.GetType().Name; continue }; [int]::Parse('x'); 'next' }",
     ["MethodInvocationException", "next"]),
]


@pytest.mark.parametrize('script, expected', TRAPS)
def test_trap(script, expected):
    assert ok(script) == expected


def test_trap_without_break_or_continue_writes_the_error():
    rec, result = run("& { trap { 'in trap' }; throw 'boom'; 'after' }")
    assert result.state == "Completed"
    assert plain(rec.output) == ["in trap", "after"]
    assert [str(e[0]) for e in rec.errors] == ["boom"]


def test_trap_not_modelled():
    assert "typed trap" in failing("trap [System.IO.IOException] { continue }; 'x'")


# RunspaceFactory.CreateRunspace() (a runspace in this process, BeforeOpen until Open()), PowerShell.Runspace set to
# it; invoking on a runspace not opened: InvalidRunspaceStateException (RunspaceStrings.RunspaceNotOpenForPipeline);
# opening it twice: RunspaceStrings.CannotOpenAgain.
def test_runspace_factory():
    assert ok("$rs = [RunspaceFactory]::CreateRunspace(); $ps = [PowerShell]::Create(); $ps.Runspace = $rs\n"
              "$null = $ps.AddScript('$x = 5; \"in $x\"')\n"
              "try { $ps.Invoke() } catch { \"$_\" }\n"
              "$rs.Open(); $ps.Invoke(); $rs.SessionStateProxy.GetVariable('x')\n"
              "try { $rs.Open() } catch { \"$_\" }") == [
        'Exception calling "Invoke" with "0" argument(s): "Cannot perform operation because the runspace is not in '
        "the 'Opened' state. Current state of runspace is 'BeforeOpen'.\"",
        "in 5", 5,
        'Exception calling "Open" with "0" argument(s): "Cannot open Runspace because the Runspace is not in the '
        'BeforeOpen state. Current state of the Runspace is Opened."']
    assert "not modelled" in failing("[RunspaceFactory]::CreateRunspace($host)")
