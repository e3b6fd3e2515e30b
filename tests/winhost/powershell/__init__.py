"""A PowerShell 5.1 subset interpreter for the fake Windows host (see CONTRACT.md and STATUS.md)."""

from ..machine.services import HostServices
from .runspace import Command, InvocationResult, Runspace

__all__ = ["Runspace", "Command", "InvocationResult", "HostServices"]
