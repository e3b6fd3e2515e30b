"""System.Web.Script.Serialization.JavaScriptSerializer (System.Web.Extensions), as ansible.windows' async_status.ps1
reads a job's results file with it: `New-Object ...JavaScriptSerializer`, `MaxJsonLength`, `DeserializeObject(string)`.

learn.microsoft.com JavaScriptSerializer.DeserializeObject: a JSON object becomes Dictionary<string, object>, an array
object[] (ArrayList in an object slot as Ansible.Basic sees it, standins/ansible_basic.py), numbers Int32/Int64 (a
fraction is Decimal on Windows, Double here), and text that is not JSON an ArgumentException "Invalid JSON primitive:
...". Known difference: the type resolves in any session here; on Windows it resolves once System.Web.Extensions is
loaded, which Windows PowerShell 5.1's ConvertFrom-Json/ConvertTo-Json do (they use this serializer), and ansible-core's
exec wrapper runs ConvertFrom-Json on its manifest before any module. Deserialize<T>, Serialize, converters and
RecursionLimit are not modelled.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject
from ..errors import method_exception
from ..shouldprocess import not_modelled
from ..standins.ansible_basic import CSharpException, from_json


class JavaScriptSerializer(NetObject):
    type_names = ["System.Web.Script.Serialization.JavaScriptSerializer", "System.Object"]

    def __init__(self) -> None:
        self.max_json_length = 2097152  # the documented default (4 MB of Unicode text)

    def get_member(self, name: str) -> typing.Any:
        if name.lower() == "maxjsonlength":
            return self.max_json_length
        return typeregistry.MISSING

    def set_member(self, name: str, value: typing.Any) -> bool:
        if name.lower() == "maxjsonlength":
            self.max_json_length = int(V.to_number(value))
            return True
        raise not_modelled(f"JavaScriptSerializer.{name}")

    def call(self, name: str, args: list) -> typing.Any:
        if name.lower() == "deserializeobject" and len(args) == 1:
            text = "" if args[0] is None else V.to_string(args[0])
            if not text.strip():
                raise not_modelled("JavaScriptSerializer.DeserializeObject of an empty text")
            if len(text) > self.max_json_length:
                raise method_exception(name, 1, "Error during serialization or deserialization using the JSON "
                                       "JavaScriptSerializer. The length of the string exceeds the value set on the "
                                       "maxJsonLength property.", "System.ArgumentException")
            try:
                return from_json(text)
            except CSharpException as exc:  # not JSON: "Invalid JSON primitive: ..."
                raise method_exception(name, 1, exc.message, "System.ArgumentException") from None
        return super().call(name, args)

    def to_string(self) -> str:
        return self.type_names[0]


typeregistry.register(typeregistry.NetType(
    "System.Web.Script.Serialization.JavaScriptSerializer", base_types=("System.Object",),
    constructor=lambda args: JavaScriptSerializer() if not args else not_modelled("a JavaScriptSerializer with a resolver")))
