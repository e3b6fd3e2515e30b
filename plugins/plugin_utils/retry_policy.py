# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection's one retry policy: how often, how long to wait, and which faults are retried.

Built once per task from ``reconnection_retries`` and ``reconnection_backoff``; everything that sends
a request again uses it (opening the session, a dropped Receive and the new connection it needs,
listing sessions), and pypsrp's own retries are off (``pypsrp_bridge.new_wsman``). With
``reconnection_retries: 0`` nothing is ever sent twice.

Retried: transport faults (the connection was refused, dropped or timed out). Never retried:
authentication failures, a refused TLS certificate, an HTTP error answer, a WSMan fault; and
never a request that could run something twice (a Command: see PipelineRunner.start).
"""

from __future__ import annotations

import time
import typing as t

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import is_retryable

T = t.TypeVar('T')


class RetryPolicy:
    """Read-only once made. A plain class, not a dataclass or NamedTuple: each of ansible's forked workers loads
    the plugin anew for every task, and defining those costs 0.3 to 0.6 ms each there (docs/performance.md)."""

    __slots__ = ('retries', 'backoff', 'sleep')

    def __init__(self, retries: int = 0, backoff: float = 2.0, sleep: t.Callable[[float], None] = time.sleep) -> None:
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def __repr__(self) -> str:
        return 'RetryPolicy(retries=%r, backoff=%r)' % (self.retries, self.backoff)

    @classmethod
    def from_settings(cls, settings: dict[str, t.Any], sleep: t.Callable[[float], None] = time.sleep) -> RetryPolicy:
        """From the connection's transport settings (transport_options.transport_settings, checked there)."""
        return cls(int(settings.get('reconnection_retries') or 0), float(settings.get('reconnection_backoff') or 0), sleep)

    def retryable(self, err: BaseException) -> bool:
        return is_retryable(err)

    def delay(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (1, 2, ...): backoff, then doubling."""
        return self.backoff * 2 ** (retry - 1)

    def gives_up(self, err: BaseException, failures: int) -> bool:
        """Whether the ``failures``-th consecutive failure (1, 2, ...) with ``err`` is final."""
        return failures > self.retries or not self.retryable(err)

    def wait_before(self, retry: int) -> None:
        delay = self.delay(retry)
        if delay > 0:
            self.sleep(delay)

    def call(self, action: t.Callable[[], T], log: t.Callable[[str], None] | None = None, what: str = 'request') -> T:
        """Run ``action``, trying again after a retryable fault up to ``retries`` times. For requests that
        cannot do anything twice (an Enumerate, say)."""
        failures = 0
        while True:
            try:
                return action()
            except Exception as err:  # pylint: disable=broad-except  # re-raised unless retryable
                failures += 1
                if self.gives_up(err, failures):
                    raise
                if log:
                    log('PSRP %s failed (%s), trying again in %ss (%d of %d)'
                        % (what, type(err).__name__, self.delay(failures), failures, self.retries))
                self.wait_before(failures)
