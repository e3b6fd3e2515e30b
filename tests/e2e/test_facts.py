"""gather_facts and ansible.windows modules over psremoting.pssession.psrp, with and without
ansible.windows (issue 11, "Facts and the modules people use").

ansible-core runs Windows facts as ``ansible.windows.setup``: the implicit "Gathering Facts" task
runs ``ansible.legacy.setup``, which for a PowerShell shell resolves to ``setup.ps1``, routed to
``ansible.windows.setup`` by ansible-core's own ``config/ansible_builtin_runtime.yml``
(``plugin_routing.modules["setup.ps1"]``) and loaded by ``ActionBase._configure_module``. So
without the collection the play stops on the controller, before anything is sent, with
ansible-core's message naming ansible.windows; with it, facts go through the same pipeline as
with ``ansible.builtin.psrp``. The test host runs the module chain (bootstrap, exec and module
wrappers, Ansible.Basic through a stand-in: tests/winhost/powershell/STATUS.md) and setup's own C#
(namespace ``Ansible.Windows.Setup``) through a stand-in over the test host's machine model
(tests/winhost/machine/system.py: a Windows Server 2019 VM), so facts are gathered through both plugins
alike, with each release's chain (2.16, 2.19, 2.21), every subset (gather_subset all), with no warning and no trip. (An HTTPS listener's certificate, which the
`winrm` subset reads from Cert:, is not modelled: the test hosts here listen over HTTP.)
"""

from __future__ import annotations

import base64
import json
import re
import shutil

import pytest

from e2e_support import COLLECTION
from test_builtin_parity import (PLUGINS, HASH_SEED, first_difference, is_exec_wrapper, normalised, sent_text,
                                 without_hygiene)

pytestmark = [
    pytest.mark.release_sensitive("facts: the release's routing of setup to ansible.windows, and where a connection plugin's warning goes"),
]


FACTS_PLAY = '- hosts: win1\n  gather_facts: true\n  tasks:\n  - ansible.builtin.raw: Write-Output after-facts\n'
NOT_LOADED = 'The module ansible.legacy.setup was redirected to ansible.windows.setup, which could not be loaded.'
# What psremoting.pssession.psrp adds, as a warning shown with that failure (plugin_utils/facts_requirement.py).
INSTALL_HINT = 'needs the ansible.windows collection, which is not installed: ansible-galaxy collection install ansible.windows'


# A line of ansible.windows' plugins/modules/setup.ps1 (3.3.0), code rather than a comment (2.16 to 2.18 strip those).
SETUP_PS1_LINE = "gather_subset = @{ type = 'list'; elements = 'str'; default = 'all' }"


def base64_scripts(pipelines) -> list[str]:
    """Every string in the pipelines' parsed input that is base64 of UTF-8 text: the scripts in the manifest."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) > 100:
            try:
                found.append(base64.b64decode(value, validate=True).decode('utf-8'))
            except (ValueError, UnicodeDecodeError):
                pass
    for pipeline in pipelines:
        walk(pipeline['input'])
    return found


@pytest.fixture(name='without_ansible_windows')
def without_ansible_windows_fixture(tmp_path):
    """A collections path holding this collection alone (scripts/test installs ansible.windows next to it in .build)."""
    shutil.copytree(COLLECTION, tmp_path / 'ansible_collections' / 'psremoting' / 'pssession',
                    ignore=shutil.ignore_patterns('__pycache__'))
    return str(tmp_path)


def without_hint(results: list[dict]) -> list[dict]:
    """The results with our install hint taken out of their warnings (and an emptied list with it)."""
    out = []
    for result in results:
        result = dict(result)
        warnings = [w for w in result.pop('warnings', []) if INSTALL_HINT not in ' '.join(w.split())]
        if warnings:
            result['warnings'] = warnings
        out.append(result)
    return out


def run_each_plugin(ansible, winhost, play: str, collections: str):
    """{plugin: (run, pipelines the host received)} of one play through each plugin."""
    out = {}
    for plugin in PLUGINS:
        winhost.control({'reset_stats': True})
        # Only that path: scripts/test puts .build (ansible.windows included) on PYTHONPATH, which ansible
        # would also scan for collections.
        env = ansible.env(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', PYTHONHASHSEED=HASH_SEED)
        run = ansible.playbook(play, env=env, ansible_connection=plugin)
        out[plugin] = (run, normalised(winhost.pipelines()))
    return out


def test_gather_facts_without_ansible_windows_fails_naming_it_before_anything_is_sent(ansible, winhost, without_ansible_windows):
    runs = run_each_plugin(ansible, winhost, FACTS_PLAY, without_ansible_windows)
    for plugin, (run, sent) in runs.items():
        assert run.rc == 2, (plugin, run)
        # The facts task failed with ansible-core's message, shown to the user; the play stopped there.
        assert [(r['_task'], r['_status']) for r in run.results] == [('Gathering Facts', 'failed')], (plugin, run)
        assert NOT_LOADED in run.results[0]['msg'], (plugin, run.results)
        assert NOT_LOADED in run.stdout, (plugin, run)
        assert 'after-facts' not in run.stdout, (plugin, run)
        # Controller-side: no pipeline reached the host.
        assert sent == [], (plugin, sent)
    builtin, ours = runs[PLUGINS[0]][0], runs[PLUGINS[1]][0]
    # Ours also says what to install; the builtin does not. Otherwise the user sees the same failure
    # (2.19 and later also carry the warning in the task's result).
    assert INSTALL_HINT in ' '.join(ours.output.split()), ours.output
    assert INSTALL_HINT not in ' '.join(builtin.output.split())
    assert without_hint(ours.results) == builtin.results, first_difference(builtin.results, without_hint(ours.results))


def test_an_ansible_windows_module_without_ansible_windows_fails_naming_it(ansible, winhost, without_ansible_windows):
    play = '- hosts: win1\n  gather_facts: false\n  tasks:\n  - ansible.windows.win_file: {path: C:\\x, state: directory}\n'
    for plugin, (run, sent) in run_each_plugin(ansible, winhost, play, without_ansible_windows).items():
        assert run.rc != 0 and not run.results, (plugin, run)  # refused when the play is parsed
        assert "couldn't resolve module/action 'ansible.windows.win_file'" in run.output, (plugin, run)
        assert sent == [], (plugin, sent)


# The facts that change from one run to the next (the clock, the time since boot): compared for their shape only.
VOLATILE = ('ansible_date_time', 'ansible_uptime_seconds', 'ansible_lastboot')
DATE_TIME_KEYS = {'date', 'day', 'epoch', 'epoch_local', 'epoch_int', 'hour', 'iso8601', 'iso8601_basic', 'iso8601_basic_short',
                  'iso8601_micro', 'minute', 'month', 'second', 'time', 'tz', 'tz_offset', 'weekday', 'weekday_number',
                  'weeknumber', 'year'}

# The facts of each subset and their types, as ansible.windows 3.3.0's setup.ps1 sets them (None: $null there on this
# machine, a workgroup server with no description). `min` is date_time, distribution, dns (no code), env, local (nothing
# without fact_path), platform, powershell_version and user.
MIN_FACTS = {
    'ansible_date_time': dict, 'ansible_distribution': str, 'ansible_distribution_version': str,
    'ansible_distribution_major_version': str, 'ansible_os_family': str, 'ansible_os_name': str,
    'ansible_os_product_type': str, 'ansible_os_installation_type': str, 'ansible_os_install_date': str,
    'ansible_env': dict, 'ansible_domain': str, 'ansible_fqdn': str, 'ansible_hostname': str, 'ansible_netbios_name': str,
    'ansible_kernel': str, 'ansible_nodename': str, 'ansible_machine_id': str, 'ansible_owner_name': str,
    'ansible_system': str, 'ansible_system_description': str, 'ansible_system_vendor': str, 'ansible_architecture': str,
    'ansible_owner_contact': str, 'ansible_reboot_pending': bool, 'ansible_architecture2': str,
    'ansible_powershell_version': int, 'ansible_user_dir': str, 'ansible_user_gecos': str, 'ansible_user_id': str,
    'ansible_user_sid': str,
}
HARDWARE_FACTS = {
    'ansible_bios_date': str, 'ansible_bios_version': str, 'ansible_product_name': str, 'ansible_product_serial': str,
    'ansible_product_uuid': str, 'ansible_memtotal_mb': int, 'ansible_memfree_mb': int, 'ansible_swaptotal_mb': int,
    'ansible_pagefiletotal_mb': int, 'ansible_pagefilefree_mb': int, 'ansible_processor': list,
    'ansible_processor_count': int, 'ansible_processor_vcpus': int, 'ansible_processor_cores': int,
    'ansible_processor_threads_per_core': int, 'ansible_lastboot': str, 'ansible_uptime_seconds': int,
    'ansible_virtualization_role': str, 'ansible_virtualization_type': str,
}
WINDOWS_DOMAIN_FACTS = {'ansible_windows_domain': str, 'ansible_windows_domain_member': bool, 'ansible_windows_domain_role': str}
NETWORK_FACTS = {'ansible_ip_addresses': list, 'ansible_interfaces': list, **WINDOWS_DOMAIN_FACTS}
INTERFACE_KEYS = {'connection_name', 'default_gateway', 'dns_domain', 'interface_index', 'interface_name', 'ipv4', 'ipv6',
                  'macaddress', 'mtu', 'speed'}
# What the controller's gather_facts action adds to the facts on some releases (2.21: _ansible_facts_gathered).
CONTROLLER_KEYS = {'_ansible_facts_gathered'}
# What the test host reports of itself elsewhere, read in the same play to check the facts against it.
HOST_PROBE = ("  - ansible.builtin.raw: \"$env:COMPUTERNAME; [Environment]::OSVersion.Version.ToString(); "
              "$PSVersionTable.PSVersion.Major; $env:USERNAME; $env:USERPROFILE; $env:NUMBER_OF_PROCESSORS\"\n")


def steady(results: list[dict]) -> list[dict]:
    """The results with the volatile facts taken out (for comparing two runs)."""
    out = []
    for result in results:
        result = json.loads(json.dumps(result))
        for name in VOLATILE:
            result.get('ansible_facts', {}).pop(name, None)
        out.append(result)
    return out


def test_gather_facts_with_ansible_windows_sends_what_the_builtin_sends(ansible, winhost, collections_path):
    runs = run_each_plugin(ansible, winhost, FACTS_PLAY, collections_path)
    (builtin, builtin_sent), (ours, ours_sent) = runs[PLUGINS[0]], runs[PLUGINS[1]]
    # Ours adds the module hygiene prologue and epilogue around the facts module's pipeline (asserted, set aside).
    ours_sent = without_hygiene(ours_sent)
    # The facts module reached the host through both: ansible.legacy.setup, run as ansible.windows' setup.ps1
    # (whose code the exec wrapper's manifest carries in base64).
    for sent in (builtin_sent, ours_sent):
        # The facts module's pipeline, then the play's raw task.
        assert [is_exec_wrapper(p) for p in sent] == [True, False], [p['commands'][0]['text'][:80] for p in sent]
        assert '"_ansible_module_name": "ansible.legacy.setup"' in sent_text(sent[:1])
        assert any(SETUP_PS1_LINE in script for script in base64_scripts(sent[:1])), 'ansible.windows setup.ps1 was not sent'
    assert len(ours_sent) == len(builtin_sent)
    # The facts module's pipeline is the same (the raw one after it differs by design: ours keeps $LASTEXITCODE apart).
    assert ours_sent[0] == builtin_sent[0], first_difference(builtin_sent[0], ours_sent[0])
    # The user sees the same through both (but for the clock).
    assert steady(ours.results) == steady(builtin.results), first_difference(steady(builtin.results), steady(ours.results))
    assert NOT_LOADED not in ours.output
    assert INSTALL_HINT not in ' '.join(ours.output.split())
    # gather_subset all: every subset ran without a warning (setup.ps1 turns a subset's error into one), every fact of
    # min, hardware and network is there with its type, and the play went on.
    for run in (builtin, ours):
        assert [(r['_task'], r['_status']) for r in run.results] == [('Gathering Facts', 'ok'), ('ansible.builtin.raw', 'ok')]
        assert without_remote_tmp(run.results[0].get('warnings', [])) == [], run.results[0]['warnings']
        facts = run.results[0]['ansible_facts']
        expected = {**MIN_FACTS, **HARDWARE_FACTS, **NETWORK_FACTS}
        assert set(facts) - CONTROLLER_KEYS == set(expected) | {'gather_subset', 'module_setup'}, sorted(set(facts) ^ set(expected))
        wrong = {name: type(facts[name]).__name__ for name, kind in expected.items() if not isinstance(facts[name], kind)}
        assert not wrong, wrong
        assert facts['gather_subset'] == ['all']
        # The interfaces but the loopback (setup.ps1 skips it), with their addresses, none of them the loopback's.
        assert facts['ansible_interfaces'] and all(set(i) == INTERFACE_KEYS for i in facts['ansible_interfaces'])
        addresses = [i[family]['address'] for i in facts['ansible_interfaces'] for family in ('ipv4', 'ipv6')]
        assert set(addresses) == set(facts['ansible_ip_addresses']) and not {'127.0.0.1', '::1'} & set(addresses)
        assert all(re.fullmatch('([0-9A-F]{2}:){5}[0-9A-F]{2}', i['macaddress']) for i in facts['ansible_interfaces'])
        assert facts['ansible_windows_domain_member'] is False and facts['ansible_windows_domain'] == 'WORKGROUP'
        # winrm: the test host listens over HTTP, so no listener has a certificate to report (no win_rm_certificate_*).
        assert run.results[1]['stdout_lines'] == ['after-facts'], run.results[1]


def without_remote_tmp(warnings: list[str]) -> list[str]:
    """The warnings but the one Ansible.Basic gives when it makes the remote temporary directory, which the test host's
    user profile lacks (the same with any module; tests/winhost/README.md, fidelity)."""
    return [w for w in warnings if not w.startswith('Module remote_tmp ')]


def test_gather_facts_min_and_hardware_agree_with_the_host_through_both_plugins(ansible, winhost, collections_path):
    """gather_subset [!all, hardware] (min is always gathered): those subsets only, without a warning or a trip, through
    both plugins alike; each fact is there with its type, and agrees with what the test host reports of itself
    elsewhere (its name, OS version, PowerShell, user, processors)."""
    play = ("- hosts: win1\n  gather_facts: true\n  gather_subset: ['!all', hardware]\n  tasks:\n"
            + HOST_PROBE)
    runs = run_each_plugin(ansible, winhost, play, collections_path)
    (builtin, _builtin_sent), (ours, _ours_sent) = runs[PLUGINS[0]], runs[PLUGINS[1]]
    assert steady(ours.results) == steady(builtin.results), first_difference(steady(builtin.results), steady(ours.results))
    for run in (builtin, ours):
        assert [(r['_task'], r['_status']) for r in run.results] == [('Gathering Facts', 'ok'), ('ansible.builtin.raw', 'ok')], \
            json.dumps(run.results)[:3000]
        assert without_remote_tmp(run.results[0].get('warnings', [])) == [], run.results[0]['warnings']
        facts = run.results[0]['ansible_facts']
        expected = {**MIN_FACTS, **HARDWARE_FACTS}
        assert set(facts) - CONTROLLER_KEYS == set(expected) | {'gather_subset', 'module_setup'}, sorted(set(facts) ^ set(expected))
        wrong = {name: type(facts[name]).__name__ for name, kind in expected.items() if not isinstance(facts[name], kind)}
        assert not wrong, wrong
        assert facts['gather_subset'] == ['!all', 'hardware'] and facts['module_setup'] is True
        computer, os_version, ps_major, user, profile, cpus = run.results[1]['stdout_lines'][:6]
        # What setup.ps1 derives from the machine, against what the host says of itself.
        assert facts['ansible_hostname'] == facts['ansible_netbios_name'] == facts['ansible_env']['COMPUTERNAME'] == computer
        assert facts['ansible_fqdn'] == facts['ansible_nodename'] == computer  # a workgroup machine: no DNS suffix
        assert facts['ansible_os_family'] == 'Windows' and facts['ansible_system'] == 'Win32NT'
        assert facts['ansible_distribution_version'] == facts['ansible_kernel'] == os_version
        assert facts['ansible_distribution_major_version'] == os_version.split('.')[0]
        assert facts['ansible_distribution'].startswith('Microsoft Windows Server')
        assert facts['ansible_os_name'] == facts['ansible_distribution'] and facts['ansible_os_product_type'] == 'server'
        assert facts['ansible_powershell_version'] == int(ps_major) == 5
        assert facts['ansible_user_id'] == user and facts['ansible_user_dir'] == profile
        assert facts['ansible_user_sid'].startswith(facts['ansible_machine_id'] + '-')  # a local account of the machine
        assert facts['ansible_processor_vcpus'] == int(cpus) == len(facts['ansible_processor']) // 3
        assert facts['ansible_processor_count'] * facts['ansible_processor_cores'] * \
            facts['ansible_processor_threads_per_core'] == facts['ansible_processor_vcpus']
        assert facts['ansible_env']['USERNAME'] == user and not any(v.endswith('\\') for v in facts['ansible_env'].values())
        assert set(facts['ansible_date_time']) == DATE_TIME_KEYS and facts['ansible_date_time']['tz'] == 'UTC'
        assert facts['ansible_date_time']['weekday'] in ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday',
                                                         'Sunday')
        assert abs(float(facts['ansible_date_time']['epoch']) - facts['ansible_date_time']['epoch_int']) <= 1
        assert facts['ansible_virtualization_type'] == 'Hyper-V' and facts['ansible_virtualization_role'] == 'guest'
        assert facts['ansible_uptime_seconds'] > 0 and facts['ansible_memtotal_mb'] >= facts['ansible_memfree_mb'] > 0


def test_local_facts_from_fact_path_through_both_plugins(ansible, winhost, collections_path):
    """fact_path (setup.ps1's `local` subset): each .json file's object and each .ps1 file's output become
    ansible_<file's base name>; other files are skipped; a fact_path that does not exist is a warning."""
    fs = winhost.filesystem
    fs.create_directory('C:\\local-facts')
    try:
        fs.write_bytes('C:\\local-facts\\custom.json', b'{"role": "web", "tier": 2, "tags": ["a", "b"]}')
        fs.write_bytes('C:\\local-facts\\dynamic.ps1', b'\xef\xbb\xbf@{ answer = 42; host = $env:COMPUTERNAME }')
        fs.write_bytes('C:\\local-facts\\notes.txt', b'not a fact')
        play = ("- hosts: win1\n  gather_facts: true\n  gather_subset: ['!all']\n  fact_path: 'C:\\local-facts'\n"
                "  tasks: []\n- hosts: win1\n  gather_facts: true\n  gather_subset: ['!all']\n"
                "  fact_path: 'C:\\no-such-facts'\n  tasks: []\n")
        runs = run_each_plugin(ansible, winhost, play, collections_path)
    finally:
        fs.remove('C:\\local-facts', recursive=True)
    (builtin, _sent), (ours, _ours_sent) = runs[PLUGINS[0]], runs[PLUGINS[1]]
    assert steady(ours.results) == steady(builtin.results), first_difference(steady(builtin.results), steady(ours.results))
    found, missing = ours.results
    assert (found['_status'], missing['_status']) == ('ok', 'ok'), json.dumps(ours.results)[:3000]
    assert without_remote_tmp(found.get('warnings', [])) == [], found['warnings']
    facts = found['ansible_facts']
    assert facts['ansible_custom'] == {'role': 'web', 'tier': 2, 'tags': ['a', 'b']}
    assert facts['ansible_dynamic'] == {'answer': 42, 'host': facts['ansible_hostname']}
    assert 'ansible_notes' not in facts
    assert without_remote_tmp(missing.get('warnings', [])) == ['Non existing path was set for local facts - C:\\no-such-facts']
    assert not {'ansible_custom', 'ansible_dynamic'} & set(missing['ansible_facts'])
