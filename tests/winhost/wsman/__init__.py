"""WS-Management + PSRP server half of the test host (no PowerShell knowledge here)."""
