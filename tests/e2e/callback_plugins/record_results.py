# Test helper: records every task result of a run as JSON lines in $RECORD_RESULTS_FILE.
from __future__ import annotations

DOCUMENTATION = """
name: record_results
type: aggregate
short_description: Record task results as JSON lines (end-to-end tests)
description:
  - Appends one JSON object per task result to the file named by the RECORD_RESULTS_FILE environment variable.
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        path = os.environ.get('RECORD_RESULTS_FILE')
        if not path:
            return
        data = dict(result._result)
        entry = {'status': status, 'host': result._host.get_name(), 'task': result._task.get_name(), 'result': data}
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(entry, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._record('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record('failed', result)

    def v2_runner_on_unreachable(self, result):
        self._record('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._record('skipped', result)
