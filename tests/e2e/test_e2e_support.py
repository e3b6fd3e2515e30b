"""The end-to-end tests' own process handling (e2e_support.py): a test that kills "every process of a run" reaches
them all, and a process a test leaves behind is found (conftest.py no_process_left_behind fails that test)."""

from __future__ import annotations

import os
import sys

from e2e_support import SUITE_MARK, Background, all_gone, descendants, suite_processes, wait_until

# A run whose process starts a child in a session of its own (as ansible-core 2.19's workers are) and ends
# without waiting for it: the child lives on as init's, no longer a descendant of the run's process, as a
# worker does whose ansible-playbook was killed just after forking it. (Its output goes elsewhere: the run's
# pipes stay open as long as a process holds them, and wait() reads them to their end.)
ORPHANING = '''
import subprocess, sys
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(sys.argv[1], 'w') as handle:
    handle.write(str(child.pid))
'''


def _orphan(tmp_path) -> tuple[Background, int]:
    pid_file = tmp_path / 'orphan.pid'
    run = Background([sys.executable, '-c', ORPHANING, str(pid_file)], dict(os.environ), str(tmp_path), str(tmp_path / 'results.jsonl'))
    assert run.wait().rc == 0
    orphan = int(pid_file.read_text())
    assert orphan not in descendants(os.getpid()), 'the child outlived its parent, out of reach of descendants()'
    return run, orphan


def test_killing_every_process_of_a_run_reaches_a_child_whose_parent_is_gone(tmp_path):
    run, orphan = _orphan(tmp_path)
    assert orphan in run.pids
    killed = run.kill_all()
    assert orphan in killed
    wait_until(lambda: all_gone([orphan]), 'the orphan to end')


def test_a_process_the_tests_started_is_found_after_its_parent_ended(tmp_path):
    run, orphan = _orphan(tmp_path)
    try:
        assert orphan in suite_processes(os.environ[SUITE_MARK])
    finally:
        run.kill_all()
    wait_until(lambda: all_gone([orphan]), 'the orphan to end')
    assert orphan not in suite_processes(os.environ[SUITE_MARK])
