"""The .NET types declared through `typeregistry`, one module per namespace family.

Importing this package registers them (runspace.py does, before any script runs). A type added
here is declared once, with its accelerators, static members, constructor and conversion; its
instances' members live on its `dotnet.NetObject` subclass (or, for a value psrpcore already
models, in members.py until that moves here).
"""

from . import system  # noqa: F401  # pylint: disable=unused-import  # registers on import
from . import environment  # noqa: F401,E402  # pylint: disable=unused-import,wrong-import-position  # module hygiene (issue 11)
