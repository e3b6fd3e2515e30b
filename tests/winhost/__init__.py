"""Test host standing in for a Windows Server (WinRM 3.0 + Windows PowerShell 5.1).

``from winhost import WinHost``; see wsman/server.py for the API and CONTRACT.md for the
interpreter interface.
"""

from .machine.accounts import UserDB
from .machine.knobs import HostKnobs
from .wsman.server import WinHost

__all__ = ["WinHost", "HostKnobs", "UserDB"]
