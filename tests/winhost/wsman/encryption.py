"""WinRM message encryption (MS-WSMV 2.2.9.1): the multipart/encrypted MIME body used
with NTLM/Negotiate over plain HTTP.

The body is a pair of MIME parts per message: a header part naming the protocol and the
original length, then an octet-stream part holding a little-endian length, the
signature (header) and the sealed data.  The security context (pyspnego, built with
``wrapping_winrm``) does the actual sealing.
"""

from __future__ import annotations

import re
import struct
import typing

BOUNDARY = "Encrypted Boundary"
SPNEGO_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
_LENGTH = re.compile(rb"Length=(\d+)")


class WrapContext(typing.Protocol):
    def wrap_winrm(self, data: bytes) -> tuple[bytes, bytes, int]:
        """The signature header, the encrypted data and the padding length."""

    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes:
        """The plain data of an encrypted message and its signature header."""


class EncryptionError(Exception):
    """The body could not be decrypted (bad framing or a failed signature)."""


def content_type_params(content_type: str) -> dict[str, str]:
    """Parameters of a Content-Type header value (protocol=..., boundary=...)."""
    params = {}
    for piece in content_type.split(";")[1:]:
        key, _unused, value = piece.strip().partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return params


def unwrap(ctx: WrapContext, body: bytes, boundary: str) -> bytes:
    """Decrypt a multipart/encrypted request body into the SOAP envelope bytes."""
    marker = re.compile(rb"--\s*" + re.escape(boundary.encode()) + rb"(?:--)?\r\n")
    parts = [p for p in marker.split(body) if p]
    if len(parts) % 2:
        raise EncryptionError("odd number of MIME parts")
    out = bytearray()
    for i in range(0, len(parts), 2):
        info, payload = parts[i], parts[i + 1]
        m = _LENGTH.search(info)
        if not m:
            raise EncryptionError("missing OriginalContent length")
        expected = int(m.group(1))
        prefix = b"\tContent-Type: application/octet-stream\r\n"
        if payload.startswith(prefix):
            payload = payload[len(prefix):]
        if len(payload) < 4:
            raise EncryptionError("truncated payload")
        header_len = struct.unpack("<i", payload[:4])[0]
        header = payload[4:4 + header_len]
        sealed = payload[4 + header_len:]
        try:
            plain = ctx.unwrap_winrm(header, sealed)
        except Exception as exc:  # pyspnego raises several types for a bad signature
            raise EncryptionError(str(exc)) from exc
        if len(plain) != expected:
            raise EncryptionError(f"length mismatch {len(plain)} != {expected}")
        out += plain
    return bytes(out)


def wrap(ctx: WrapContext, data: bytes, protocol: str = SPNEGO_PROTOCOL) -> tuple[str, bytes]:
    """Encrypt a response; returns (Content-Type header value, body)."""
    header, sealed, padding = ctx.wrap_winrm(data)
    body = (
        f"--{BOUNDARY}\r\n"
        f"\tContent-Type: {protocol}\r\n"
        f"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length={len(data) + padding}\r\n"
        f"--{BOUNDARY}\r\n"
        "\tContent-Type: application/octet-stream\r\n"
    ).encode() + struct.pack("<i", len(header)) + header + sealed + f"--{BOUNDARY}--\r\n".encode()
    return f'multipart/encrypted;protocol="{protocol}";boundary="{BOUNDARY}"', body
