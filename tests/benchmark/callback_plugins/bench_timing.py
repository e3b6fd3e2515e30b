# Benchmark helper: task start/end timestamps as JSON lines in $BENCH_TIMING_FILE.
from __future__ import annotations

DOCUMENTATION = """
name: bench_timing
type: aggregate
short_description: Record task timings for the benchmark
description:
  - Appends one JSON object per task start, per task result and at the end of the run to the file named by the
    BENCH_TIMING_FILE environment variable (times from time.time()).
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timing'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_TIMING_FILE')
        self._task = -1

    def _write(self, **entry):
        if self._path:
            entry['t'] = time.time()
            with open(self._path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(entry) + '\n')

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task += 1
        self._write(ev='start', task=self._task)

    def _result(self, status, result):
        self._write(ev='result', task=self._task, host=result._host.get_name(), status=status,
                    msg=str(result._result.get('msg') or result._result.get('stderr') or '')[:300])

    def v2_runner_on_ok(self, result):
        self._result('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('failed', result)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_playbook_on_stats(self, stats):
        self._write(ev='end')
