# Copyright (c) 2025 psremoting.pssession contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what pypsrp received from a pipeline into ansible.windows.win_powershell's return shapes.

pypsrp hands us deserialized CLIXML: Python primitives, lists, dicts, and GenericComplexObject
for everything else (PSCustomObject, .NET objects, enums). ``convert_value`` makes them
JSON-friendly with a depth limit that works like Windows PowerShell 5.1's ConvertTo-Json
(what win_powershell's ``depth`` documents): an object nested deeper than ``depth`` is
replaced by its string form. The streams become the lists win_powershell returns:
``error`` (records with message, category_info, fully_qualified_error_id, exception,
script_stack_trace, target_object, ...), ``warning``/``verbose``/``debug`` (messages),
``information`` (message_data, source, time_generated, tags), ``host_out``/``host_err``.
"""

from __future__ import annotations

import datetime
import re
import typing as t
import uuid

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pipelines import format_error

from ansible_collections.psremoting.pssession.plugins.plugin_utils.pypsrp_bridge import (
    HAS_PYPSRP, ComplexObject, GenericComplexObject, command_id_of, is_running as _is_running, type_names,
)

# System.Management.Automation.ErrorCategory, by value.
ERROR_CATEGORIES = (
    'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument', 'InvalidData',
    'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented', 'NotInstalled',
    'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError', 'PermissionDenied',
    'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError', 'WriteError', 'FromStdErr', 'SecurityError',
    'ProtocolError', 'ConnectionError', 'AuthenticationError', 'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
)

# PSInvocationState values, as PowerShell names them.
STATE_NAMES = {0: 'NotStarted', 1: 'Running', 2: 'Stopping', 3: 'Stopped', 4: 'Completed', 5: 'Failed', 6: 'Disconnected'}

_DT = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$')


def state_name(state: t.Any) -> str:
    return STATE_NAMES.get(int(state), str(state)) if state is not None else 'NotStarted'


def _strip_deserialized(name: str) -> str:
    return name[len('Deserialized.'):] if name.startswith('Deserialized.') else name


def _type_names(obj: t.Any) -> list[str]:
    return [_strip_deserialized(n) for n in type_names(obj)]


def _is_enum(obj: t.Any) -> bool:
    return 'System.Enum' in _type_names(obj)


def _string_of(obj: t.Any) -> str:
    """What PowerShell's ToString() gave for a value (its serialized ToString), or a fallback."""
    if isinstance(obj, GenericComplexObject):
        if obj.to_string is not None:
            return to_text(obj.to_string)
        names = _type_names(obj)
        return names[0] if names else 'System.Object'
    if isinstance(obj, dict):
        return 'System.Collections.Hashtable'
    if isinstance(obj, (list, tuple)):
        return 'System.Object[]'
    return to_text(obj, nonstring='simplerepr')


def dt_to_utc(text: t.Any) -> t.Any:
    """A serialized DateTime (round-trip text) as ISO 8601 in UTC with 7 fraction digits, like .ToString('o')."""
    if not isinstance(text, str):
        return text
    match = _DT.match(text)
    if not match:
        return text
    base, fraction, zone = match.groups()
    fraction = (fraction or '').ljust(7, '0')[:7]
    stamp = datetime.datetime.strptime(base, '%Y-%m-%dT%H:%M:%S').replace(microsecond=int(fraction[:6]))
    if zone and zone != 'Z':
        sign = 1 if zone[0] == '+' else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        stamp -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    return '%s.%s%sZ' % (stamp.strftime('%Y-%m-%dT%H:%M:%S'), '%06d' % stamp.microsecond, fraction[6])


def convert_value(value: t.Any, depth: int, level: int = 0) -> t.Any:
    """A JSON-friendly copy of a deserialized value; objects nested deeper than ``depth`` become strings."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if HAS_PYPSRP and isinstance(value, GenericComplexObject) and _is_enum(value):
        number = value.property_sets[0] if value.property_sets else None
        return {'Type': _type_names(value)[0], 'String': _string_of(value), 'Value': number}
    if level > depth:
        return _string_of(value)
    if isinstance(value, dict):
        return {to_text(k, nonstring='simplerepr'): convert_value(v, depth, level + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [convert_value(v, depth, level + 1) for v in value]
    if HAS_PYPSRP and isinstance(value, GenericComplexObject):
        props: dict[str, t.Any] = {}
        for source in (value.adapted_properties, value.extended_properties):
            for key, item in source.items():
                props[to_text(key)] = convert_value(item, depth, level + 1)
        if not props:
            if value.property_sets:  # a primitive wrapped with type names (e.g. a string with NoteProperties)
                return convert_value(value.property_sets[0], depth, level)
            return _string_of(value)
        return props
    if HAS_PYPSRP and isinstance(value, ComplexObject):
        return to_text(value, nonstring='simplerepr')
    return to_text(value, nonstring='simplerepr')


def plain(value: t.Any) -> t.Any:
    """A copy of task arguments with plain Python types (ansible-core tags its values; pypsrp's serializer needs the bare types)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return str(value)


def _prop(obj: t.Any, name: str) -> t.Any:
    if isinstance(obj, GenericComplexObject):
        for source in (obj.adapted_properties, obj.extended_properties):
            if name in source:
                return source[name]
    return None


def convert_exception(exc: t.Any, fallback_message: str | None = None, nesting: int = 0) -> dict[str, t.Any] | None:
    if exc is None:
        if fallback_message is None:
            return None
        return {'message': fallback_message, 'type': 'System.Exception', 'help_link': None, 'source': None, 'hresult': None,
                'inner_exception': None}
    message = _prop(exc, 'Message')
    if message is None:
        message = fallback_message if fallback_message is not None else _string_of(exc)
    names = _type_names(exc)
    hresult = _prop(exc, 'HResult')
    inner = _prop(exc, 'InnerException')
    return {
        'message': to_text(message),
        'type': names[0] if names else 'System.Exception',
        'help_link': _prop(exc, 'HelpLink'),
        'source': _prop(exc, 'Source'),
        'hresult': int(hresult) if isinstance(hresult, int) else hresult,
        'inner_exception': convert_exception(inner, nesting=nesting + 1) if inner is not None and nesting < 8 else None,
    }


def convert_error(record: t.Any, depth: int) -> dict[str, t.Any]:
    """One ErrorRecord in win_powershell's shape."""
    category = getattr(record, 'category', None)
    category_id = int(category) if isinstance(category, int) else 0
    details = None
    if getattr(record, 'details_message', None) or getattr(record, 'action', None):
        details = {'message': record.details_message, 'recommended_action': getattr(record, 'action', None)}
    message = to_text(record)
    iteration = getattr(record, 'pipeline_iteration_info', None)
    return {
        'output': format_error(record, verbose=True),
        'error_details': details,
        'exception': convert_exception(getattr(record, 'exception', None), message),
        'target_object': convert_value(getattr(record, 'target_object', None), depth),
        'category_info': {
            'category': ERROR_CATEGORIES[category_id] if 0 <= category_id < len(ERROR_CATEGORIES) else str(category_id),
            'category_id': category_id,
            'activity': getattr(record, 'activity', None) or '',
            'reason': getattr(record, 'reason', None) or '',
            'target_name': getattr(record, 'target_name', None) or '',
            'target_type': getattr(record, 'target_type', None) or '',
        },
        'fully_qualified_error_id': getattr(record, 'fq_error', None),
        'script_stack_trace': getattr(record, 'script_stacktrace', None),
        'pipeline_iteration_info': list(iteration) if isinstance(iteration, (list, tuple)) else [],
    }


def convert_information(record: t.Any, depth: int) -> dict[str, t.Any]:
    tags = getattr(record, 'tags', None) or []
    return {
        'message_data': convert_value(getattr(record, 'message_data', None), depth),
        'source': getattr(record, 'source', None),
        'time_generated': dt_to_utc(getattr(record, 'time_generated', None)),
        'tags': [to_text(tag) for tag in tags],
    }


def _host_text(record: t.Any) -> str:
    """The text a Write-Host information record (tag PSHOST) put on the host."""
    data = getattr(record, 'message_data', None)
    no_newline = bool(_prop(data, 'NoNewLine'))
    message = _prop(data, 'Message')
    text = to_text(message) if message is not None else _string_of(data)
    return text if no_newline else text + '\r\n'


def stream_results(ps: t.Any, host: t.Any, depth: int) -> dict[str, t.Any]:
    """output, error, warning, verbose, debug, information, host_out, host_err of a pipeline."""
    streams = ps.streams
    host_out = ''.join(host.ui.stdout) if host is not None else ''
    host_err = ''.join(host.ui.stderr) if host is not None else ''
    if not host_out:
        # The host forwarded no UI calls (the test host makes none): Write-Host's text is in its
        # information records, tagged PSHOST.
        host_out = ''.join(_host_text(r) for r in streams.information if 'PSHOST' in (getattr(r, 'tags', None) or []))
    return {
        'output': [convert_value(o, depth) for o in ps.output],
        'error': [convert_error(e, depth) for e in streams.error],
        'warning': [to_text(getattr(r, 'message', r)) for r in streams.warning],
        'verbose': [to_text(getattr(r, 'message', r)) for r in streams.verbose],
        'debug': [to_text(getattr(r, 'message', r)) for r in streams.debug],
        'information': [convert_information(r, depth) for r in streams.information],
        'host_out': host_out,
        'host_err': host_err,
    }


def empty_streams() -> dict[str, t.Any]:
    return {'output': [], 'error': [], 'warning': [], 'verbose': [], 'debug': [], 'information': [], 'host_out': '', 'host_err': ''}


def clear_host(host: t.Any) -> None:
    if host is not None:
        host.ui.stdout = []
        host.ui.stderr = []
        host.rc = 0


def pipeline_state(ps: t.Any) -> str:
    """The pipeline's PSInvocationState as PowerShell names it (Running, Completed, Failed, Stopped, ...)."""
    return state_name(ps.state)


def pipeline_outcome(ps: t.Any) -> tuple[bool, list[t.Any], str]:
    """(completed without error records, its output objects, its error records or state as text)."""
    ok = ps.state is not None and state_name(ps.state) == 'Completed' and not ps.streams.error
    errors = '; '.join(to_text(e) for e in ps.streams.error) or state_name(ps.state)
    return ok, list(ps.output), errors


def stream_volume(ps: t.Any) -> int:
    """How many records of all streams a pipeline has received so far."""
    streams = ps.streams
    return (len(ps.output) + len(streams.error) + len(streams.warning) + len(streams.verbose) + len(streams.debug)
            + len(streams.information) + len(streams.progress))


def is_running(ps: t.Any) -> bool:
    """Whether the pipeline is still Running (or Stopping) as far as this client knows."""
    return _is_running(ps)


def pipeline_command_id(ps: t.Any) -> str:
    """The host's CommandId of a started pipeline (upper case, as WSMan Enumerate gives it)."""
    return command_id_of(ps)
