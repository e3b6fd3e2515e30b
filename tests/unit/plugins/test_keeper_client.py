"""The run's keeper, its protocol and a worker's side of it (plugin_utils/keeper*.py); end to end in tests/e2e/test_keeper.py."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.psremoting.pssession.plugins.plugin_utils import keeper_client, keeper_protocol
from ansible_collections.psremoting.pssession.plugins.plugin_utils.keeper import Recorder


def test_a_message_goes_whole_with_its_bytes():
    left, right = socket.socketpair()
    with left, right:
        payload = bytes(range(256)) * 1000  # more than a socket buffer: sent while it is read
        sender = threading.Thread(target=keeper_protocol.send, args=(left, {'op': 'exec', 'in_data_b64': keeper_protocol.encode_bytes(payload)}))
        sender.start()
        message = keeper_protocol.Reader(right).receive()
        sender.join()
        assert keeper_protocol.decode_bytes(message['in_data_b64']) == payload


@pytest.mark.parametrize('cut, partial', [(0, False), (2, True), (10, True)], ids=['nothing', 'in-the-length', 'in-the-body'])
def test_a_message_cut_off_says_whether_part_of_it_came(cut, partial):
    # After a cut in the middle the stream cannot be read on: a worker then only closes it (KeeperClient.release).
    left, right = socket.socketpair()
    with right:
        data = b'\x00\x00\x00\x20{"op": "exec", "cmd": "a longer one"}'
        left.sendall(data[:cut])
        left.close()
        reader = keeper_protocol.Reader(right)
        with pytest.raises(keeper_protocol.StreamBroken) as caught:
            reader.receive()
        assert caught.value.partial is partial and reader.partial is partial


def test_no_keeper_means_the_worker_runs_the_task(tmp_path):
    with pytest.raises(keeper_client.KeeperUnavailable):
        keeper_client.KeeperClient.connect(str(tmp_path / 'keeper-1-1.sock'))


def test_a_keeper_that_got_the_request_and_died_is_never_asked_again(tmp_path):
    path = str(tmp_path / 'k.sock')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    got = []

    def keeper_that_dies():
        conn, _address = server.accept()
        got.append(keeper_protocol.Reader(conn).receive())
        conn.close()  # as if killed while running it

    thread = threading.Thread(target=keeper_that_dies)
    thread.start()
    client = keeper_client.KeeperClient.connect(path)
    with pytest.raises(AnsibleConnectionFailure, match='may have run on the host, so it is not sent again'):
        client.request({'op': 'exec', 'cmd': 'Remove-Item x'}, 'running a command')
    thread.join()
    server.close()
    assert got == [{'op': 'exec', 'cmd': 'Remove-Item x'}]
    assert client.sock is None  # nothing more goes to it: close() has nothing to release there


def test_the_keepers_errors_are_raised_as_the_worker_would_have():
    with pytest.raises(AnsibleConnectionFailure, match='refused'):
        keeper_client.raise_error({'error': {'unreachable': True, 'msg': 'psremoting.pssession.psrp: refused'}})
    with pytest.raises(AnsibleError, match='busy') as caught:
        keeper_client.raise_error({'error': {'unreachable': False, 'msg': 'psremoting.pssession.psrp: busy'}})
    assert not isinstance(caught.value, AnsibleConnectionFailure)
    keeper_client.raise_error({'ok': {}})


def test_the_recorder_keeps_what_the_verbosity_shows():
    display = Recorder(3)
    display.warning('w')
    display.vvv('three', host='h')
    display.vvvvv('five')
    assert display.take() == [['warning', 'w', None], ['vvv', 'three', 'h']]
    assert display.take() == []


def _gone(pid):
    try:
        finished, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == pid


@pytest.mark.parametrize('deep', [False, True], ids=['lock dir', 'lock dir too long for a socket address'])
def test_one_keeper_per_run_and_it_ends_with_its_run(tmp_path, monkeypatch, deep):
    # deep: a socket path over the 107 bytes of an AF_UNIX address (a deep home directory, an AWX job's private data
    # dir): the keeper is still bound and reached, through a descriptor of the directory.
    lock_dir = tmp_path / ('l' * 120 if deep else 'locks')
    lock_dir.mkdir(mode=0o700)
    monkeypatch.setenv('ANSIBLE_PSSESSION_LOCK_DIR', str(lock_dir))
    run = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()'], stdin=subprocess.PIPE)
    try:
        keeper = keeper_client.start_keeper(run.pid)
        assert keeper
        socket_path, lock_path = keeper_protocol.keeper_paths(run.pid)
        assert (len(socket_path) >= keeper_protocol.MAX_UNIX_ADDRESS) is deep
        assert os.path.exists(socket_path)
        # Another task of the same run starts none: the first one's keeper holds the lock.
        assert keeper_client.start_keeper(run.pid) is None
        client = keeper_client.KeeperClient.connect(socket_path)  # it listens at once
        assert client.release(cancelled=False)['op'] == 'close'  # a task with nothing open: let go at once
        deadline = time.monotonic() + 60
        while not open(lock_path, encoding='ascii').read().strip() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert open(lock_path, encoding='ascii').read().strip() == str(keeper)
    finally:
        run.stdin.close()  # the run ends
        run.wait()
    deadline = time.monotonic() + 60
    while not _gone(keeper) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _gone(keeper), 'the keeper outlived its run'
    assert not os.path.exists(socket_path)


def _server(tmp_path, behaviour):
    """A keeper stand-in on a Unix socket: behaviour(conn, reader) runs on the one connection it accepts."""
    path = str(tmp_path / 'k.sock')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn, _address = server.accept()
        with conn:
            behaviour(conn, keeper_protocol.Reader(conn))
        server.close()

    thread = threading.Thread(target=serve)
    thread.start()
    return path, thread


def test_an_open_nobody_answered_is_no_keeper(tmp_path):
    # A keeper that ends (its idle time out) with the task's connection in its backlog: open runs nothing on the
    # host, so the worker opens the session itself.
    path, thread = _server(tmp_path, lambda conn, reader: reader.receive())
    client = keeper_client.KeeperClient.connect(path)
    with pytest.raises(keeper_client.KeeperUnavailable):
        client.request({'op': 'open', 'options': {}}, 'opening the session', retry_safe=True)
    thread.join()


class Interrupted(Exception):
    """What a task timeout raises in the worker (ansible's TaskTimeoutError) while it waits for the keeper."""


# The system calls socket.sendall and socket.recv block in, by machine (Linux's syscall tables).
_SOCKET_CALLS = {'x86_64': {'send': 44, 'recv': 45}, 'aarch64': {'send': 206, 'recv': 207}}


@contextlib.contextmanager
def interrupted_when_blocked_in(call):
    """Raise Interrupted in this (the main) thread once it is blocked in ``call`` ('send' or 'recv'), as a task's
    timeout or cancel does: armed on the thread's state (/proc/self/task/TID/syscall), not on a timer."""
    number = _SOCKET_CALLS.get(platform.machine(), {}).get(call)
    if number is None:
        pytest.skip('the number of the %s system call on %s is not known here' % (call, platform.machine()))
    syscall = '/proc/self/task/%d/syscall' % threading.get_native_id()
    done = threading.Event()

    def interrupt(signum, frame):
        raise Interrupted()

    def watch():
        while not done.is_set():
            with open(syscall, encoding='ascii') as handle:
                if handle.read().split()[:1] == [str(number)]:
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
                    return
            done.wait(0.005)

    previous = signal.signal(signal.SIGUSR1, interrupt)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        signal.signal(signal.SIGUSR1, previous)


def test_a_request_whose_answer_was_never_read_is_not_followed_by_another(tmp_path):
    # The keeper stand-in never answers the exec; after the interruption the stream is out of step: the worker sends
    # no other request on it (in_step), and release() has the keeper stop that command ('close' while it runs).
    said = []

    def keeper(conn, reader):
        said.append(reader.receive()['op'])  # the exec, never answered
        said.append(reader.receive()['op'])  # what the worker sends next
        keeper_protocol.send(conn, {'op': 'close', 'ok': {}, 'said': [['warning', 'stopping the command', None]]})

    path, thread = _server(tmp_path, keeper)
    client = keeper_client.KeeperClient.connect(path)
    with pytest.raises(Interrupted), interrupted_when_blocked_in('recv'):  # while request() waits for the answer
        client.request({'op': 'exec', 'cmd': 'Start-Sleep 600'}, 'running a command')
    assert client.in_step is False
    reply = client.release(cancelled=False)
    thread.join()
    assert said == ['exec', 'close'] and reply['said'][0][1] == 'stopping the command'


def test_a_request_cut_off_while_it_is_written_is_followed_by_nothing(tmp_path):
    # The worker is interrupted while it writes a request larger than the socket's buffer (the stand-in reads nothing
    # until then): half a message is on the stream, so release() writes nothing after it (a 'cancel' there would be
    # read as part of the request) and closes the socket; the keeper reads a part of the request and the end of the
    # stream, and stops the task (keeper.TaskHandler.serve).
    let_read = threading.Event()
    received = []

    def keeper(conn, reader):
        let_read.wait(60)
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                return
            received.append(chunk)

    path, thread = _server(tmp_path, keeper)
    client = keeper_client.KeeperClient.connect(path)
    request = {'op': 'exec', 'cmd': 'Set-Content', 'in_data_b64': keeper_protocol.encode_bytes(b'x' * (8 << 20))}
    try:
        with pytest.raises(Interrupted), interrupted_when_blocked_in('send'):  # more than any socket buffer holds
            client.request(request, 'running a command')
        assert client.in_step is False
        let_read.set()  # the keeper reads on: whatever release() wrote would reach it
        assert client.release(cancelled=True) is None  # nothing said: the stream is closed
    finally:
        let_read.set()
        thread.join()
    whole = json.dumps(request).encode('utf-8')
    whole = len(whole).to_bytes(4, 'big') + whole
    came = b''.join(received)
    assert 0 < len(came) < len(whole) and came == whole[:len(came)], 'not just the first %d bytes of the request' % len(came)
