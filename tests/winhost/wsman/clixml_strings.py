"""Strings in the CLIXML the test host sends, encoded as Windows PowerShell encodes them.

PowerShell's serializer (serialization.cs, ``InternalSerializer.EncodeString``) escapes, per UTF-16
code unit, every C0 control (U+0000-U+001F, tab, CR and LF included), U+007F-U+009F and every
surrogate U+D800-U+DFFF as ``_xHHHH_``, and a ``_`` followed by ``x`` or ``X`` as ``_x005F_``, so
that ``XmlConvert.DecodeName`` (and pypsrp, psrpcore) restore the original exactly. It applies
that rule to every string it writes: ``<S>`` and the other string elements, the ``N`` attribute of
properties, type names (``<TN><T>``) and ``<ToString>`` (``WriteEncodedElementString``; MS-PSRP
2.2.5.3.2 describes the ``<S>`` encoding). U+FFFE/U+FFFF are not escaped by PowerShell (its
XmlWriter refuses them), nor here.

psrpcore 0.3 (the serializer the host uses) differs in two ways: it writes ``<ToString>`` and
``<TN><T>`` raw, so a NUL there made XML no client can parse (pypsrp: "'str' object has no
attribute 'MESSAGE_TYPE'"), and its surrogate range misses the high surrogates U+D900-U+DBFF
when a Python string holds them as separate code units (as ``[char]0xDB40 + [char]0xDC67``
does), which ElementTree then writes as a character reference XML forbids (``&#56128;``).
(The NUL case is real: ConvertFrom-Json quoting ansible's exec wrapper input, which is split on four
NULs, is an error whose message holds them.) ``install()`` makes psrpcore's serializer use ``encode_string`` for all of these; it is the one
place where the host turns strings into CLIXML (every object, error, warning, information and
progress record, and host call goes through it).
"""

from __future__ import annotations

import re
import typing

# One UTF-16 code unit PowerShell escapes (a Python astral character is two of them), or a "_"
# that starts what would read as an escape.
_ENCODABLE = re.compile("_(?=[xX])|[\x00-\x1f\x7f-\x9f\ud800-\udfff\U00010000-\U0010ffff]")


def _escape(match: re.Match) -> str:
    char = match.group(0)
    if char == "_":
        return "_x005F_"
    units = char.encode("utf-16-be", "surrogatepass")
    return "".join(f"_x{units[i]:02X}{units[i + 1]:02X}_" for i in range(0, len(units), 2))


def encode_string(value: str) -> str:
    """``value`` as PowerShell writes it into CLIXML (InternalSerializer.EncodeString)."""
    return _ENCODABLE.sub(_escape, value)


def install() -> None:
    """Make psrpcore's serializer encode every string as PowerShell does (see the module's doc).

    psrpcore has no hook for this, so its private serializer is wrapped at run time (nothing in
    site-packages changes); the names it relies on are checked so that a psrpcore that renamed
    them fails here, loudly, rather than sending unencoded strings.
    """
    # pylint: disable-next=import-outside-toplevel
    from psrpcore.types import _serializer as clixml  # pylint: disable=protected-access

    serializer = getattr(clixml, "_Serializer", None)
    if serializer is None or not callable(getattr(clixml, "_serialize_string", None)):
        raise RuntimeError("psrpcore's CLIXML serializer changed: the test host cannot encode strings as PowerShell does")
    original = serializer.serialize
    if getattr(original, "encodes_as_powershell", False):
        return

    def serialize(self: typing.Any, value: typing.Any) -> typing.Any:
        element = original(self, value)
        # The elements psrpcore writes raw; each is handled once, by the serialize() call that built it
        # (nested objects come back from their own calls already encoded).
        for child in element.findall("ToString") + element.findall("TN/T"):
            if child.text:
                child.text = encode_string(child.text)
        return element

    serialize.encodes_as_powershell = True  # type: ignore[attr-defined]
    # <S>, property names (N) and ProgressRecord text: psrpcore calls this module-level function for them.
    clixml._serialize_string = encode_string  # pylint: disable=protected-access
    serializer.serialize = serialize
