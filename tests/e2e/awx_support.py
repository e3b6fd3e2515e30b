"""Jobs run the way AWX runs them: ansible-runner on a private data dir, each in a container of its own.

What AWX (awx/main/tasks/jobs.py, awx/main/models/credential.py) puts in a job's private data dir,
and what this module writes:

- ``project/``: the project's files, here docs/examples/awx/project (its ansible.cfg enables the
  cleanup callback; AWX sets no ANSIBLE_CALLBACKS_ENABLED, and ansible-runner runs
  ansible-playbook in ``project/``).
- ``inventory/``: the inventory, with the group variables of docs/examples/awx/awx-setup.yml and
  the test host's address in place of server01.
- ``env/cmdline``: ``-u USER --ask-pass`` for a machine credential, and ``-e @env/FILE`` for each
  credential whose type injects extra variables (FILE: the injector templates rendered with the
  credential's inputs in a Jinja2 sandbox, every string tagged ``!unsafe``).
- ``env/passwords``: the answer to the ``SSH password:`` prompt (AWX hands ansible-runner the same
  mapping as its ``passwords`` argument).
- ``env/extravars``: the job template's extra variables and those given at launch, ``!unsafe``.
- ``env/settings``: ansible-runner settings; ``env/envvars``: the job's environment (here only what
  the execution environment image would provide: its collections path and its own /tmp).

The job runs ``ansible-runner run`` in a PID namespace of its own (``unshare``), as ``ansible-runner
worker`` runs in a new EE container for each AWX job: when it ends, every process left in the
namespace is killed, as when a container ends. Results are read from the artifacts ansible-runner
writes (``artifacts/IDENT/status``, ``rc``, ``job_events/``, ``stdout``), as AWX gets them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import typing as t

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from e2e_support import BIN, BUILD, ROOT, UNSHARE_PID, descendants

EXAMPLES = os.path.join(ROOT, 'docs', 'examples', 'awx')
# ansible-runner of this venv; the ansible-playbook it starts is the one under test (BIN on PATH).
RUNNER = os.path.join(os.path.dirname(sys.executable), 'ansible-runner')


class _UnsafeLoader(yaml.SafeLoader):
    """Reads awx-setup.yml, whose injector templates are tagged !unsafe for the playbook's own run."""


_UnsafeLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


class _UnsafeDumper(yaml.SafeDumper):
    """Writes extra variables as AWX's safe_dump does: every string !unsafe, never templated by ansible."""


_UnsafeDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar('!unsafe', value))


def awx_setup() -> list[dict[str, t.Any]]:
    with open(os.path.join(EXAMPLES, 'awx-setup.yml'), encoding='utf-8') as handle:
        [play] = yaml.load(handle, Loader=_UnsafeLoader)  # noqa: S506  # a SafeLoader with one more tag
    return play['tasks']


def awx_object(module: str, name: str) -> dict[str, t.Any]:
    """The arguments of the awx.awx task of awx-setup.yml that makes this object."""
    found = [task[module] for task in awx_setup() if module in task and task[module]['name'] == name]
    assert len(found) == 1, (module, name)
    return found[0]


def render_injectors(injectors: dict[str, t.Any], inputs: dict[str, str]) -> dict[str, t.Any]:
    """The extra variables a credential of this type injects: AWX renders each template in a sandbox."""
    env = ImmutableSandboxedEnvironment()

    def render(node: t.Any) -> t.Any:
        if isinstance(node, dict):
            return {render(k): render(v) for k, v in node.items()}
        if isinstance(node, list):
            return [render(v) for v in node]
        return env.from_string(node).render(**inputs)

    return render(injectors.get('extra_vars', {}))


class RunnerJob:
    """One AWX job: a private data dir for a job template, run by ansible-runner in a new PID namespace."""

    def __init__(self, tmp_path, host, template: str, *, machine: tuple[str, str] | None = None,
                 custom: dict[str, str] | None = None, launch_vars: dict[str, t.Any] | None = None,
                 settings: dict[str, t.Any] | None = None, playbook: str | None = None, verbosity: int = 0) -> None:
        """``playbook``: the text of a playbook the test writes into the job's project and runs in place of the
        template's (the template's credentials, variables and project settings stay)."""
        self.template = awx_object('awx.awx.job_template', template)
        self.ident = str(len(list(tmp_path.glob('job-*'))) + 1)
        self.dir = tmp_path / ('job-%s' % self.ident)
        self.artifacts = self.dir / 'artifacts' / self.ident
        shutil.copytree(os.path.join(EXAMPLES, 'project'), self.dir / 'project')
        self.playbook = self.template['playbook']
        if playbook is not None:
            self.playbook = 'test-playbook.yml'
            self._write('project/%s' % self.playbook, playbook)
        (self.dir / 'env').mkdir()
        (self.dir / 'inventory').mkdir()
        self._write('inventory/hosts.json', json.dumps(self._inventory(host)))
        cmdline: list[str] = []
        if machine:  # a Machine credential: awx/main/tasks/jobs.py RunJob.build_args and get_password_prompts
            user, password = machine
            cmdline += ['-u', user, '--ask-pass']
            self._write('env/passwords', json.dumps({r'SSH password:\s*?$': password}))
        if custom:  # a credential of the custom type: CredentialType.inject_credential, extra_vars injector
            kind = awx_object('awx.awx.credential_type', 'Windows PSRP (extra vars)')
            path = self._write('env/credential-extravars', yaml.dump(render_injectors(kind['injectors'], custom), Dumper=_UnsafeDumper))
            os.chmod(path, 0o400)
            cmdline += ['-e', '@' + path]
        if verbosity:  # the job template's verbosity: RunJob.build_args adds -v to -vvvvv
            cmdline.append('-' + 'v' * verbosity)
        self._write('env/cmdline', ' '.join(cmdline))
        extra_vars = dict(self.template.get('extra_vars') or {})
        extra_vars.update(launch_vars or {})
        self._write('env/extravars', yaml.dump(extra_vars, Dumper=_UnsafeDumper))
        # AWX's own settings (suppress_output_file aside: the stdout artifact is checked for secrets).
        self._write('env/settings', json.dumps(dict({'suppress_ansible_output': True, 'job_timeout': 0}, **(settings or {}))))
        self._write('env/envvars', json.dumps({
            # The EE image's collections (ansible-galaxy installed the collection there).
            'ANSIBLE_COLLECTIONS_PATH': BUILD,
            # The container's own /tmp: a new job starts with none of an earlier job's lock files.
            'ANSIBLE_PSSESSION_LOCK_DIR': str(self.dir / 'container-tmp' / 'ansible-pssession'),
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
            'ANSIBLE_LOCAL_TEMP': str(self.dir / 'container-tmp' / 'ansible-local'),
        }))
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def _write(self, rel: str, text: str) -> str:
        path = self.dir / rel
        path.write_text(text)
        return str(path)

    def _inventory(self, host) -> dict[str, t.Any]:
        group = awx_object('awx.awx.group', 'windows')
        variables = dict(group['variables'])
        # The test host in place of server01.example.com: loopback, plain HTTP (NTLM/Negotiate
        # encrypts the messages), its port.
        variables.update(ansible_host='127.0.0.1', ansible_port=host.port, ansible_psrp_protocol='http')
        hosts = {'win1': {}}
        return {'all': {'children': {group['name']: {'hosts': hosts, 'vars': variables}}}}

    def start(self) -> 'RunnerJob':
        env = {k: v for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'PYTHONPATH'))}
        env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
        argv = [*UNSHARE_PID, RUNNER, 'run', str(self.dir), '-p', self.playbook, '--ident', self.ident]
        self.started = time.monotonic()
        with open(self.dir / 'runner-output.txt', 'wb') as out:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def runner_pid(self) -> int:
        """ansible-runner itself: PID 1 of the job's namespace, the child of unshare."""
        assert self.proc is not None
        children = [pid for pid in descendants(self.proc.pid) if _cmdline(pid)[1:2] == [RUNNER]]
        assert children, 'ansible-runner is not running'
        return min(children)

    def pids(self) -> set[int]:
        assert self.proc is not None
        return {self.proc.pid} | descendants(self.proc.pid)

    def cancel(self, signum: int = signal.SIGINT) -> None:
        """As AWX cancels a job: receptor's `work cancel` sends SIGINT to the worker's process (a pod's
        deletion: SIGTERM, through the image's dumb-init); ansible-runner's handler makes its
        cancel_callback true, and its loop kills ansible-playbook's process group (SIGKILL)."""
        os.kill(self.runner_pid, signum)

    def wait(self, timeout: float = 240) -> 'RunnerJob':
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError('ansible-runner did not end within %ss:\n%s' % (timeout, self.output[-4000:])) from None
        self.seconds = time.monotonic() - self.started
        return self

    def run(self, timeout: float = 240) -> 'RunnerJob':
        return self.start().wait(timeout)

    @property
    def output(self) -> str:
        return (self.dir / 'runner-output.txt').read_text(errors='replace')

    @property
    def status(self) -> str:
        return (self.artifacts / 'status').read_text().strip()

    @property
    def rc(self) -> int:
        return int((self.artifacts / 'rc').read_text().strip())

    @property
    def stdout(self) -> str:
        return (self.artifacts / 'stdout').read_text(errors='replace')

    def events(self, kind: str | None = None) -> list[dict[str, t.Any]]:
        """The job events ansible-runner's callback wrote, in order (what AWX stores and shows)."""
        found = []
        for path in (self.artifacts / 'job_events').glob('*.json'):
            with open(path, encoding='utf-8') as handle:
                found.append(json.load(handle))
        found.sort(key=lambda event: event['counter'])
        return [e for e in found if kind is None or e['event'] == kind]

    def results(self) -> dict[str, dict[str, t.Any]]:
        """Each finished task's result by task name (runner_on_ok / _failed / _unreachable events)."""
        done = {}
        for event in self.events():
            if event['event'] in ('runner_on_ok', 'runner_on_failed', 'runner_on_unreachable'):
                done[event['event_data']['task']] = dict(event['event_data']['res'], _event=event['event'])
        return done

    def files_containing(self, secret: str) -> list[str]:
        """Files under the artifacts (events, stdout, the job's output) that contain secret."""
        hits = []
        for base in (self.artifacts, self.dir / 'runner-output.txt'):
            paths = [base] if base.is_file() else [p for p in base.rglob('*') if p.is_file()]
            hits += [str(p) for p in paths if secret.encode() in p.read_bytes()]
        return hits

    def __repr__(self) -> str:
        status = self.status if (self.artifacts / 'status').exists() else '(no status)'
        return 'RunnerJob(%s, status=%s)\n%s' % (self.template['name'], status, self.output[-6000:])


def _cmdline(pid: int) -> list[str]:
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().decode(errors='replace').split('\0')
    except OSError:
        return []
