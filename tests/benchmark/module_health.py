"""Long-session health of module tasks (issue 11): N win_ping tasks in ONE named session, in rounds.

A measurement, not a test: it prints figures and asserts nothing. Each round is one `ansible-playbook` run of
`--per-round` ansible.windows.win_ping tasks through psremoting.pssession.psrp against one test host (its module
chain: tests/winhost/powershell/STATUS.md), all in the session `health`; before the first round and after each, a
`raw` task reports the session's runspaces (`Get-Runspace`) and whether the wrapper left anything (`$Ansible*`
variables, `Ansible.ModuleUtils.*` modules). Printed per round: wall time, seconds per module task (the round's
wall time minus a warm one-task run's, over the other tasks), the load average, and the test host's memory: it runs
in this process (the controller is a subprocess), so after a full garbage collection this process' RSS, its
allocated blocks, its live Python objects (all; those besides the robust-connection table, which keeps the last
195 s of Receives as MS-WSMV 3.1.2 says; the test host's interpreter Runspaces: the session's and the nested ones
the module wrapper makes) and the C# compiles the stand-ins served (a Windows session compiles a new assembly for
each, docs/design.md section 8). At the end, the object types that grew most from the end of round 1 to the last round.

Run (after scripts/test has laid out .build and extracted ansible.windows):
    PYTHONPATH=.build:tests .venv/bin/python tests/benchmark/module_health.py --rounds 3 --per-round 100
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import pathlib
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'e2e'))

from e2e_support import BUILD, USERS, Ansible, install_ansible_windows  # noqa: E402  # pylint: disable=wrong-import-position
from winhost import WinHost  # noqa: E402  # pylint: disable=wrong-import-position
from winhost.powershell import standins  # noqa: E402  # pylint: disable=wrong-import-position
from winhost.powershell.runspace import Runspace  # noqa: E402  # pylint: disable=wrong-import-position

PROBE = ("'runspaces=' + @(Get-Runspace).Count; "
         "'leftovers=' + (@(Get-Variable -Name Ansible* -Scope Global -ErrorAction Ignore).Count + "
         "@(Get-Module -Name Ansible.ModuleUtils.*).Count)")


def rss_mb() -> float:
    with open('/proc/self/status', encoding='ascii') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


COMPILES = [0]


def count_compiles() -> None:
    """Count the C# compiles (codedom.py calls standins.compile_csharp once per CompileAssemblyFromSource)."""
    real = standins.compile_csharp

    def counted(sources):
        COMPILES[0] += 1
        return real(sources)
    standins.compile_csharp = counted


def heap() -> tuple[str, collections.Counter]:
    """The test host's memory after a full collection: a summary line and the live objects by type."""
    gc.collect()
    objects = gc.get_objects()
    by_type = collections.Counter(type(o).__qualname__ for o in objects)
    runspaces = sum(1 for o in objects if isinstance(o, Runspace))
    # The host's OperationMessages table (MS-WSMV 3.1.2, wsman/robust.py) keeps each robust Receive's answer until
    # 195 s after its connection closed: it holds the last 195 s of tasks, as Windows does, and is shown apart.
    rows = by_type['Row']
    # Each row is 7 objects (the row, its threading.Event with Condition, lock and deque, 2 bound methods).
    line = ('RSS %.1f MB, %d allocated blocks, %d live objects (%d besides the robust table), %d interpreter Runspaces '
            'alive, %d robust-Receive rows kept, %d C# compiles so far; load %s'
            % (rss_mb(), sys.getallocatedblocks(), len(objects), len(objects) - 7 * rows, runspaces, rows, COMPILES[0],
               ' '.join('%.2f' % x for x in os.getloadavg())))
    return line, by_type


def play(tasks: int, probe: bool) -> str:
    body = '    - ansible.windows.win_ping:\n' * tasks
    if probe:
        body += '    - ansible.builtin.raw: "%s"\n' % PROBE.replace('"', '\\"')
    return '- hosts: win1\n  gather_facts: false\n  tasks:\n' + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--per-round', type=int, default=100)
    args = parser.parse_args()
    install_ansible_windows(BUILD)
    count_compiles()
    with tempfile.TemporaryDirectory() as tmp, WinHost(users=dict(USERS), auth='both') as host:
        ansible = Ansible(pathlib.Path(tmp), host)
        env = ansible.env(ANSIBLE_COLLECTIONS_PATH=BUILD)
        common = dict(ansible_connection='psremoting.pssession.psrp', ansible_pssession_name='health')

        requests: collections.Counter = collections.Counter()

        def run(tasks: int, probe: bool) -> tuple[float, list]:
            start = time.monotonic()
            result = ansible.playbook(play(tasks, probe), env=env, timeout=3600, **common)
            wall = time.monotonic() - start
            failed = [r for r in result.results if r.get('_status') != 'ok']
            if failed:
                raise SystemExit('a task failed: %s' % failed[0])
            # The host's own instruments are no part of the session: its timeline (the newest 10,000 events) and
            # pipeline recording (the newest 100) fill up over a long run. Counted, then emptied, so that the memory
            # figures are the session's.
            stats = host.stats()
            requests.update({k: v['requests'] for k, v in stats['actions'].items()})
            print('  (host instruments emptied: %d timeline events, %d recorded pipelines)'
                  % (len(stats['timeline']), len(host.pipelines())), flush=True)
            host.control({'reset_stats': True})
            return wall, result.results

        first, results = run(1, True)  # creates the session
        probe = ' '.join(results[-1]['stdout_lines'])
        line, at_start = heap()
        print('round 0: 1 task, %.2f s wall; %s; %s' % (first, probe, line), flush=True)
        base, _results = run(1, True)  # a warm one-task run: ansible's own start-up and the probe
        print('one-task run in the warm session: %.2f s wall' % base, flush=True)
        after_first = None
        for number in range(1, args.rounds + 1):
            wall, results = run(args.per_round, True)
            per_task = (wall - base) / (args.per_round - 1)
            line, by_type = heap()
            if after_first is None:
                after_first = by_type
                print('object types grown in round 1: %s' % (by_type - at_start).most_common(10), flush=True)
            print('round %d: %d tasks, %.2f s wall, %.3f s per module task; %s; %s'
                  % (number, args.per_round, wall, per_task, ' '.join(results[-1]['stdout_lines']), line), flush=True)
        grown = (by_type - after_first).most_common(10)
        print('object types grown from round 1 to round %d: %s' % (args.rounds, grown or 'none'))
        print('test host WSMan requests: %s' % dict(requests))


if __name__ == '__main__':
    main()
