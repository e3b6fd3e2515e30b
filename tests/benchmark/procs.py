"""What the benchmark reads of processes (Linux /proc) and how it runs a task as ansible runs one: in a forked worker.

Shared by bench.py (the test host's CPU, the run's keeper left behind), profile_task.py and keeper_probe.py (tasks in
forked workers, the keeper's CPU).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import types
import typing as t


def stat_fields(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (state first, then the parent's pid, ...); None if gone."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as handle:
            # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
            return handle.read().rsplit(b')', 1)[1].split()
    except (OSError, IndexError):
        return None


def parent_pid(pid: int) -> int | None:
    fields = stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid: int) -> float | None:
    """User+sys CPU seconds of a running process so far (clock ticks: 10 ms steps); None if gone."""
    fields = stat_fields(pid)
    if not fields:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def run_forked(child: t.Callable[[], dict[str, t.Any]], run_pid: int) -> tuple[dict[str, t.Any], t.Any, float]:
    """Run child() in a forked process, as ansible runs a task in a worker: a multiprocessing child of the run's
    main process ``run_pid``, which names the run-scoped session (session_identity.run_process_id). Its result
    (JSON; {'error': ...} if it raised), its rusage (wait4) and the wall seconds from fork to reap."""
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read_fd)
        multiprocessing.process._parent_process = types.SimpleNamespace(pid=run_pid)  # pylint: disable=protected-access
        result: dict[str, t.Any] = {}
        try:
            result = child()
        except Exception as err:  # pylint: disable=broad-except  # reported by the parent
            result = {'error': '%s: %s' % (type(err).__name__, ' '.join(str(err).split())[:200])}
        finally:
            os.write(write_fd, json.dumps(result).encode())
            os._exit(0)  # pylint: disable=protected-access
    os.close(write_fd)
    with os.fdopen(read_fd, 'rb') as handle:
        data = handle.read()
    _pid, _status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    return json.loads(data or b'{"error": "the worker wrote nothing"}'), usage, wall
