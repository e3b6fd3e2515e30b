"""A PowerShell 5.1 subset interpreter for the fake Windows host (see CONTRACT.md and STATUS.md)."""

from .host import HostServices
from .runspace import Command, InvocationResult, Runspace

__all__ = ["Runspace", "Command", "InvocationResult", "HostServices"]
