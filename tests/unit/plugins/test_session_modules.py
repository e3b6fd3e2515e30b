"""Unit tests of the session modules' controller-side helpers: value conversion, durations, filters, run overrides."""

from __future__ import annotations

from pypsrp.complex_objects import GenericComplexObject

from ansible_collections.psremoting.pssession.plugins.plugin_utils import run_overrides
from ansible_collections.psremoting.pssession.plugins.plugin_utils.ps_results import convert_value, dt_to_utc, plain
from ansible_collections.psremoting.pssession.plugins.plugin_utils.session_action import (
    describe_shell, matches, parse_duration,
)


def _obj(types, props=None, to_string=None, property_sets=None):
    obj = GenericComplexObject()
    obj.types = types
    obj.extended_properties = props or {}
    obj.to_string = to_string
    obj.property_sets = property_sets or []
    return obj


def test_depth_works_like_convertto_json():
    value = {'l1': {'l2': {'l3': {'l4': 1}}}}
    assert convert_value(value, 2) == {'l1': {'l2': {'l3': 'System.Collections.Hashtable'}}}
    assert convert_value(value, 0) == {'l1': 'System.Collections.Hashtable'}
    assert convert_value([[1, [2]]], 1) == [[1, 'System.Object[]']]


def test_objects_and_enums():
    custom = _obj(['System.Management.Automation.PSCustomObject'], {'Name': 'x', 'Size': 1})
    assert convert_value(custom, 2) == {'Name': 'x', 'Size': 1}
    enum = _obj(['System.DayOfWeek', 'System.Enum', 'System.ValueType', 'System.Object'], to_string='Monday', property_sets=[1])
    assert convert_value(enum, 2) == {'Type': 'System.DayOfWeek', 'String': 'Monday', 'Value': 1}
    opaque = _obj(['Deserialized.System.Diagnostics.Process'], to_string='System.Diagnostics.Process (x)')
    assert convert_value(opaque, 2) == 'System.Diagnostics.Process (x)'


def test_datetime_to_utc():
    assert dt_to_utc('2021-02-11T05:46:00.469424+01:00') == '2021-02-11T04:46:00.4694240Z'
    assert dt_to_utc('2021-02-11T04:46:00Z') == '2021-02-11T04:46:00.0000000Z'
    assert dt_to_utc('not a date') == 'not a date'


def test_plain_strips_subclasses():
    class Tagged(int):
        pass
    value = plain({'a': [Tagged(1), True], 'b': None})
    assert value == {'a': [1, True], 'b': None}
    assert type(value['a'][0]) is int  # pylint: disable=unidiomatic-typecheck


def test_durations():
    assert parse_duration('PT54000.000S') == 54000
    assert parse_duration('P0DT2H0M0S') == 7200
    assert parse_duration('') is None and parse_duration('soon') is None


def test_describe_and_filter():
    shell = {'ShellId': 'abc', 'Name': 'ITTask', 'State': 'Disconnected', 'IdleTimeOut': 'PT60S',
             'ResourceUri': 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell', 'BufferMode': 'Drop'}
    info = describe_shell(shell, None, 'ITTask')
    assert (info['state'], info['availability'], info['current'], info['configuration_name']) == (
        'Disconnected', 'None', True, 'Microsoft.PowerShell')
    assert matches(info, name='it*', states=['Disconnected'])
    assert not matches(info, states=['Opened'])
    assert describe_shell(dict(shell, State='Connected'))['availability'] == 'Busy'


def test_run_overrides_apply_to_one_run_only(tmp_path):
    run_overrides.write_override('key', {'session_name': 'ITTask', 'idle_timeout': 54000}, run='run-a', directory=str(tmp_path))
    assert run_overrides.read_override('key', run='run-a', directory=str(tmp_path)) == {'session_name': 'ITTask', 'idle_timeout': 54000}
    assert run_overrides.read_override('key', run='run-b', directory=str(tmp_path)) == {}
    run_overrides.write_override('key', {'buffer_mode': 'Drop'}, run='run-a', directory=str(tmp_path))
    assert run_overrides.read_override('key', run='run-a', directory=str(tmp_path))['buffer_mode'] == 'Drop'
    run_overrides.write_override('key', {}, run='run-a', directory=str(tmp_path), replace=True)
    assert run_overrides.read_override('key', run='run-a', directory=str(tmp_path)) == {}
