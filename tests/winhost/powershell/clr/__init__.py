"""The .NET types declared through `typeregistry`, one module per namespace family.

Importing this package registers them (runspace.py does, before any script runs). A type added
here is declared once, with its accelerators, static members, constructor and conversion; its
instances' members live on its `dotnet.NetObject` subclass (or, for a value psrpcore already
models, in members.py until that moves here).
"""

from . import system  # noqa: F401  # pylint: disable=unused-import  # registers on import
from . import process  # noqa: F401  # pylint: disable=unused-import  # System.Environment, System.Console
from . import text  # noqa: F401  # pylint: disable=unused-import  # StringBuilder, StringWriter
from . import automation  # noqa: F401  # pylint: disable=unused-import  # [PowerShell]::Create()
from . import collections  # noqa: F401  # pylint: disable=unused-import  # List`1, HashSet`1
from . import engine, enums, io  # noqa: F401  # pylint: disable=unused-import  # the exec wrapper's engine objects, enums, FileInfo
from . import codedom  # noqa: F401  # pylint: disable=unused-import  # CSharpCodeProvider, CompilerParameters, Assembly
from . import regex  # noqa: F401  # pylint: disable=unused-import  # [Regex] objects, Match, Group
from . import language  # noqa: F401  # pylint: disable=unused-import  # [Parser]::ParseInput, the Ast classes
from . import delegates  # noqa: F401  # pylint: disable=unused-import  # registers on import
from . import cim  # noqa: F401  # pylint: disable=unused-import  # Microsoft.Management.Infrastructure.CimInstance, the CIM classes
from . import accesscontrol  # noqa: F401  # pylint: disable=unused-import  # FileSecurity, DirectorySecurity (an item's owner)
from . import invocation  # noqa: F401  # pylint: disable=unused-import  # an error record's InvocationInfo
from . import remoting  # noqa: F401  # pylint: disable=unused-import  # $Host's internals psrp_put_file.ps1 reflects on
from . import services  # noqa: F401  # pylint: disable=unused-import  # System.ServiceProcess.ServiceController
from . import numeric  # noqa: F401  # pylint: disable=unused-import  # System.UInt32
from . import globalization, principal, network  # noqa: F401  # pylint: disable=unused-import  # DateTimeKind, TimeZoneInfo, CultureInfo; WindowsIdentity, SIDs; IPGlobalProperties
from . import kernelobjects  # noqa: F401  # pylint: disable=unused-import  # handles, anonymous pipes, events, WaitAny (async)
from . import invocationsettings  # noqa: F401  # pylint: disable=unused-import  # PSDataCollection, PSInvocationSettings (async_watchdog.ps1)
from . import webscript  # noqa: F401  # pylint: disable=unused-import  # JavaScriptSerializer (ansible.windows async_status)
from . import security  # noqa: F401  # pylint: disable=unused-import  # SecureString, NetworkCredential, PSCredential, NullString (become)
from . import pipes  # noqa: F401  # pylint: disable=unused-import  # named pipes, PipeSecurity (2.16-2.18's async)
