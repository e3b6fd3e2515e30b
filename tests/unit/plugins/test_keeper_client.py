"""The run's keeper, its protocol and a worker's side of it (plugin_utils/keeper*.py); end to end in tests/e2e/test_keeper.py."""

from __future__ import annotations

import os
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


def test_one_keeper_per_run_and_it_ends_with_its_run(tmp_path, monkeypatch):
    lock_dir = tmp_path / 'locks'
    lock_dir.mkdir(mode=0o700)
    monkeypatch.setenv('ANSIBLE_PSSESSION_LOCK_DIR', str(lock_dir))
    run = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()'], stdin=subprocess.PIPE)
    try:
        keeper = keeper_client.start_keeper(run.pid)
        assert keeper
        socket_path, lock_path = keeper_protocol.keeper_paths(run.pid)
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

    def interrupt(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)  # lands while request() waits: the stand-in never answers
        with pytest.raises(Interrupted):
            client.request({'op': 'exec', 'cmd': 'Start-Sleep 600'}, 'running a command')
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert client.in_step is False
    reply = client.release(cancelled=False)
    thread.join()
    assert said == ['exec', 'close'] and reply['said'][0][1] == 'stopping the command'
