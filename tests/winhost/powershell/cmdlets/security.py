"""ConvertTo-SecureString (Microsoft.PowerShell.Security): plain text to a SecureString (clr/security.py).

learn.microsoft.com powershell/module/microsoft.powershell.security/convertto-securestring (5.1): the PlainText
parameter set, `[-String] <String> -AsPlainText -Force`, the string positional or from the pipeline; ansible-core
2.19+'s exec_wrapper.ps1 pipes each secure parameter through it. Not modelled (tripwire errors naming them): the
Secure and Open parameter sets (an encrypted standard string, DPAPI or -Key/-SecureKey), and -AsPlainText without
-Force (5.1 refuses it with an error whose exact text the test host does not know).
"""

from __future__ import annotations

import typing

from .. import values as V
from ..binding import Param
from ..clr.security import SecureString
from ..tripwire import trip
from . import Cmdlet, cmdlet


@cmdlet("ConvertTo-SecureString", "Microsoft.PowerShell.Commands.ConvertToSecureStringCommand")
class ConvertToSecureString(Cmdlet):
    parameters = [Param("String", 0, pipeline=True, mandatory=True, type_name="string"),
                  Param("SecureKey", 1), Param("Key"), Param("AsPlainText", switch=True),
                  Param("Force", switch=True)]

    def process_record(self, item: typing.Any) -> None:
        if self.has("SecureKey") or self.has("Key"):
            raise self.terminating(trip("ConvertTo-SecureString -Key / -SecureKey (an encrypted standard string)"))
        if not self.switch("AsPlainText"):
            raise self.terminating(trip("ConvertTo-SecureString of an encrypted standard string (DPAPI)"))
        if not self.switch("Force"):
            raise self.terminating(trip("ConvertTo-SecureString -AsPlainText without -Force (5.1's refusal)"))
        text = self.get("String")
        self.emit(SecureString("" if text is None else V.to_string(text)))
