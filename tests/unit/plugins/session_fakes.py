"""Fakes shared by the unit tests of plugin_utils: a WSMan client that records, and a clock that only
moves when slept on (the code under test takes ``sleep`` and ``clock`` arguments for this)."""

from __future__ import annotations


class FakeWSMan:
    """Stands for pypsrp's WSMan: records the shells deleted, sends nothing."""

    def __init__(self, **_overrides):
        self.deleted = []
        self.session_id = 'S'

    def delete(self, resource_uri, selector_set=None):
        del resource_uri
        self.deleted.append(str(selector_set))

    def close(self):
        pass


class Clock:
    """A monotonic clock (call it) whose time passes only through sleep(): waits take no real time."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0, 'a wait of %r s would be a busy loop' % seconds
        self.now += seconds
