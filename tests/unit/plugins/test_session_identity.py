"""Session keys and run-scoped names."""

import multiprocessing
import os
import subprocess
import sys

from ansible_collections.psremoting.pssession.plugins.plugin_utils import session_identity as si


def key(**over):
    values = dict(host='win1', port=5985, path='wsman', user='alice', configuration_name='Microsoft.PowerShell', session_name='s')
    values.update(over)
    return si.SessionKey(**values)


def test_every_part_of_the_key_changes_its_digest():
    base = key().digest
    for field, value in dict(host='win2', port=5986, path='wsman2', user='bob', configuration_name='JEA', session_name='t').items():
        assert key(**{field: value}).digest != base
    assert key().digest == base


def test_run_scoped_name_round_trips():
    name = si.run_scoped_name()
    controller, pid, start = si.parse_run_scoped_name(name)
    assert controller == si.controller_id()
    assert pid == os.getpid()  # the test process is not a multiprocessing child
    assert start == si.process_start_time(os.getpid())
    assert not si.is_dead_run_of_this_controller(name)


def _child_name(queue):
    queue.put(si.run_scoped_name())


def test_forked_workers_share_the_run_name_of_their_parent():
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    workers = [ctx.Process(target=_child_name, args=(queue,)) for dummy in range(2)]
    for worker in workers:
        worker.start()
    names = {queue.get(timeout=10) for dummy in workers}
    for worker in workers:
        worker.join()
    assert names == {si.run_scoped_name()}


def test_a_run_whose_process_ended_is_dead():
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    start = si.process_start_time(proc.pid)
    proc.wait()
    name = 'ansible-%s-%d-%d' % (si.controller_id(), proc.pid, start or 1)
    assert si.is_dead_run_of_this_controller(name)


def test_a_reused_pid_is_not_the_same_run():
    name = 'ansible-%s-%d-%d' % (si.controller_id(), os.getpid(), si.process_start_time(os.getpid()) + 1)
    assert si.is_dead_run_of_this_controller(name)


def test_a_process_is_alive_while_it_is_the_one_that_started_then():
    # What the run's keeper asks of its run's main process (keeper.Keeper._run_alive).
    own = os.getpid()
    start = si.process_start_time(own)
    assert si.process_is_alive(own, start)
    assert si.process_is_alive(own, None)  # no start time known: alive is enough
    assert not si.process_is_alive(own, start + 1)  # another process with this pid
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    assert not si.process_is_alive(proc.pid, None)


def test_other_controllers_and_named_sessions_are_never_reaped():
    assert not si.is_dead_run_of_this_controller('ansible-%s-%d-1' % ('0' * 12, 999999999))
    assert not si.is_dead_run_of_this_controller('build')
    assert not si.is_dead_run_of_this_controller(None)
