"""System.Func`2: a script block cast to a delegate (`[Func[[Object], [Int32]]]{ ... }`).

PowerShell converts a ScriptBlock to any delegate type (LanguagePrimitives' ConvertScriptBlockToDelegate);
invoking the delegate runs the block with the delegate's arguments as `$args` and converts its result
to the delegate's return type. Ansible.Basic accepts such a delegate as an option's `type`/`elements`.
"""

from __future__ import annotations

import typing

from .. import typeregistry
from .. import values as V
from ..dotnet import NetObject
from ..errors import PSError, method_exception
from ..standins import runtime
from ..typeregistry import net_method


class Delegate(NetObject):
    def __init__(self, block: V.ScriptBlock, net_type: str, result_type: str) -> None:
        self.block = block
        self.net_type = net_type
        self.result_type = result_type
        self.type_names = [net_type, "System.MulticastDelegate", "System.Delegate", "System.Object"]

    def invoke(self, args: list) -> typing.Any:
        """Run the block in the calling session. As a delegate PowerShell runs it with every exception propagated to
        the caller (ScriptBlock.InvokeAsDelegateHelper: propagateAllExceptionsToTop), so a statement-terminating
        error in it is the delegate's exception: the interpreter's try depth gives that."""
        engine = runtime.current_engine()
        engine.ctx.try_depth += 1
        try:
            value = engine.invoke_script_block_value(self.block, list(args))
        finally:
            engine.ctx.try_depth -= 1
        return V.cast(value, V.resolve_type(self.result_type))

    def _invoke_method(self, method: str, args: tuple) -> typing.Any:
        try:
            return self.invoke(list(args))
        except PSError as err:
            raise method_exception(method, len(args), err.message, err.exception_type) from None

    @net_method("Invoke")
    def _invoke(self, *args: typing.Any) -> typing.Any:
        return self._invoke_method("Invoke", args)

    @net_method("DynamicInvoke")
    def _dynamic_invoke(self, *args: typing.Any) -> typing.Any:
        return self._invoke_method("DynamicInvoke", args)

    def to_string(self) -> str:
        return self.net_type


def _close_func(args: list[str]) -> typing.Any:
    closed = "System.Func`2[[" + args[0] + "],[" + args[1] + "]]"

    def convert(value: typing.Any) -> typing.Any:
        if isinstance(value, Delegate):
            return value
        if isinstance(value, V.ScriptBlock):
            return Delegate(value, closed, args[1])
        raise PSError(f'Cannot convert the "{V.to_string(value)}" value of type "{V.ps_type_name(value)}" to type '
                      f'"{closed}".', fqid="ConvertToFinalInvalidCastException", category="InvalidArgument")

    return typeregistry.NetType("", base_types=("System.MulticastDelegate", "System.Delegate", "System.Object"),
                                convert=convert, instance_check=lambda v: isinstance(v, Delegate))


typeregistry.register(typeregistry.NetType("System.Func`2", close=_close_func))
