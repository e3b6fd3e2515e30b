"""The test host's machine: the parts a Windows computer has whatever talks to it.

Accounts, the disk (drive C:), the WSMan: settings, the clock and knobs, the stats, and the
host services the PowerShell engine is given (``services.HostServices``: the one interface
through which the engine sees the machine). ``wsman/`` and ``powershell/`` import from here;
nothing here imports either of them (tests/winhost_tests/test_layout.py checks it).
"""
