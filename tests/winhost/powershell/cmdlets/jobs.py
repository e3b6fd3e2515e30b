"""Background jobs: Start-Job/Get-Job/Wait-Job/Receive-Job/Stop-Job/Remove-Job (thread + child runspace)."""

# Cmdlet state is created in begin_processing, which is the cmdlet lifecycle's constructor.
# pylint: disable=attribute-defined-outside-init

from __future__ import annotations

import datetime
import re
import threading
import time
import typing
import uuid

from psrpcore.types import ErrorCategoryInfo, ErrorRecord, PSObject

from .. import values as V
from ..binding import Param
from ..errors import PSError, error_from_record
from ..evaluator import NO_INPUT
from ..members import add_note, get_property, set_property
from . import Cmdlet, cmdlet


class _JobWriter:
    """Collects a job's streams so Receive-Job can replay them in the caller's pipeline."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[str, typing.Any]] = []

    def _add(self, kind: str, value: typing.Any) -> None:
        with self.lock:
            self.items.append((kind, value))

    def write_output(self, value: typing.Any) -> None:
        self._add("output", value)

    def write_error(self, exception: typing.Any, category_info: ErrorCategoryInfo | None = None, target_object: typing.Any = None,
                    fully_qualified_error_id: str | None = None, invocation_info: typing.Any = None,
                    script_stack_trace: str | None = None, **_kwargs: typing.Any) -> None:
        record = ErrorRecord(Exception=exception, CategoryInfo=category_info or ErrorCategoryInfo(), TargetObject=target_object,
                             FullyQualifiedErrorId=fully_qualified_error_id, InvocationInfo=invocation_info)
        del script_stack_trace
        self._add("error", record)

    def write_warning(self, message: str, **_kwargs: typing.Any) -> None:
        self._add("warning", message)

    def write_verbose(self, message: str, **_kwargs: typing.Any) -> None:
        self._add("verbose", message)

    def write_debug(self, message: str, **_kwargs: typing.Any) -> None:
        self._add("debug", message)

    def write_information(self, message_data: typing.Any, source: str, time_generated: typing.Any = None,
                          tags: list | None = None, **kwargs: typing.Any) -> None:
        self._add("information", (message_data, source, time_generated, tags, kwargs))

    def write_progress(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        del args, kwargs

    def take(self, keep: bool) -> list[tuple[str, typing.Any]]:
        with self.lock:
            items = list(self.items)
            if not keep:
                self.items.clear()
            return items

    def has_data(self) -> bool:
        with self.lock:
            return bool(self.items)


class Job:
    def __init__(self, job_id: int, name: str, command: str) -> None:
        self.id = job_id
        self.name = name
        self.command = command
        self.state = "NotStarted"
        self.writer = _JobWriter()
        self.stop_event = threading.Event()
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        self.reason: ErrorRecord | None = None
        self.view = PSObject()
        self.view.PSObject.type_names = ["System.Management.Automation.PSRemotingJob", "System.Management.Automation.Job",
                                         "System.Object"]
        for key, value in (("Id", job_id), ("Name", name), ("PSJobTypeName", "BackgroundJob"), ("State", "NotStarted"),
                           ("HasMoreData", False), ("Location", "localhost"), ("Command", command),
                           ("InstanceId", _guid()), ("PSBeginTime", None), ("PSEndTime", None)):
            add_note(self.view, key, value)
        self.view.PSObject.to_string = "System.Management.Automation.PSRemotingJob"

    def set_state(self, state: str) -> None:
        self.state = state
        set_property(self.view, "State", state)
        set_property(self.view, "HasMoreData", self.writer.has_data())
        if state == "Running":
            set_property(self.view, "PSBeginTime", V.to_datetime(_now()))
        elif state in ("Completed", "Failed", "Stopped"):
            set_property(self.view, "PSEndTime", V.to_datetime(_now()))

    def refresh(self) -> None:
        set_property(self.view, "HasMoreData", self.writer.has_data())

    @property
    def finished(self) -> bool:
        return self.state in ("Completed", "Failed", "Stopped")


def _now() -> typing.Any:
    return datetime.datetime.now()


def _guid() -> str:
    return str(uuid.uuid4())


_USING = re.compile(r"\$using:([A-Za-z_][A-Za-z0-9_]*)", re.I)


def _run_job(job: Job, session: typing.Any, text: str, args: list, using: dict) -> None:
    from ..runspace import Command, Runspace  # pylint: disable=import-outside-toplevel  # runspace imports cmdlets

    child = Runspace(host=session.host, env=session.env.copy())
    child.global_scope.set_local("__using", using)
    job.set_state("Running")
    try:
        result = child.invoke([Command(text, is_script=True, use_local_scope=True, parameters=[(None, a) for a in args])],
                              writer=job.writer, stop_event=job.stop_event)
    except Exception as exc:  # pylint: disable=broad-except  # a job thread must always reach a final state
        job.reason = PSError(f"Internal interpreter error: {exc!r}", fqid="InternalInterpreterError").to_record()
        job.set_state("Failed")
        job.done.set()
        return
    if result.state == "Failed" and result.error is not None:
        job.reason = result.error
        job.writer.write_error(result.error.Exception, result.error.CategoryInfo, result.error.TargetObject,
                               result.error.FullyQualifiedErrorId)
        job.set_state("Failed")
    elif result.state == "Stopped":
        job.set_state("Stopped")
    else:
        job.set_state("Completed")
    job.done.set()


def _jobs(cmd: Cmdlet) -> list[Job]:
    return cmd.ctx.session.jobs


def _select_jobs(cmd: Cmdlet, allow_all: bool = True) -> list[Job]:  # pylint: disable=too-many-branches
    jobs = _jobs(cmd)
    selected: list[Job] = []
    if cmd.has("Job"):
        for value in V.as_list(cmd.get("Job")):
            found = next((j for j in jobs if j.view is value or (isinstance(value, PSObject) and _view_id(value) == j.id)),
                         None)
            if found is not None:
                selected.append(found)
        return selected
    if cmd.has("Id"):
        for value in V.as_list(cmd.get("Id")):
            job_id = V.cast(value, V.TypeValue("System.Int32"))
            found = next((j for j in jobs if j.id == job_id), None)
            if found is None:
                cmd.write_error(PSError(
                    f"The command cannot find a job with the job ID {job_id}. Verify the value of the Id parameter and then "
                    "try the command again.", exception_type="System.ArgumentException",
                    fqid="JobWithSpecifiedSessionNotFound", category="ObjectNotFound", reason="ArgumentException",
                    target=job_id))
                continue
            selected.append(found)
        return selected
    if cmd.has("Name"):
        for value in V.as_list(cmd.get("Name")):
            pattern = V.to_string(value)
            matches = [j for j in jobs if V.like(j.name, pattern)]
            if not matches and not any(ch in pattern for ch in "*?["):
                cmd.write_error(PSError(
                    f"The command cannot find the job because the job name {pattern} was not found. Verify the value of the "
                    "Name parameter, and then try the command again.", exception_type="System.ArgumentException",
                    fqid="JobWithSpecifiedNameNotFound", category="ObjectNotFound", reason="ArgumentException",
                    target=pattern))
            selected.extend(matches)
        return selected
    return list(jobs) if allow_all else []


def _view_id(view: PSObject) -> typing.Any:
    return get_property(view, "Id")


class _JobCmdlet(Cmdlet):
    def process_record(self, item: typing.Any) -> None:
        if item is not NO_INPUT:
            self.bound["Job"] = item
        self.handle(_select_jobs(self))

    def handle(self, jobs: list[Job]) -> None:
        raise NotImplementedError


@cmdlet("Start-Job", "Microsoft.PowerShell.Commands.StartJobCommand", aliases=("sajb",))
class StartJob(Cmdlet):
    parameters = [Param("ScriptBlock", 0, aliases=("Command",)), Param("Name"), Param("ArgumentList", aliases=("Args",)),
                  Param("InitializationScript"), Param("InputObject", pipeline=True), Param("FilePath")]

    def process_record(self, item: typing.Any) -> None:
        block = self.get("ScriptBlock")
        if not isinstance(block, V.ScriptBlock):
            raise self.terminating(PSError(
                "Cannot bind parameter 'ScriptBlock'. Cannot convert the \"" + V.to_string(block) + "\" value of type "
                f"\"{V.ps_type_name(block)}\" to type \"System.Management.Automation.ScriptBlock\".",
                exception_type="System.Management.Automation.ParameterBindingException",
                fqid="CannotConvertArgumentNoMessage", category="InvalidArgument", reason="ParameterBindingException"))
        session = self.ctx.session
        with session._lock:  # pylint: disable=protected-access
            session.job_counter[0] += 1
            job_id = session.job_counter[0]
            # Each background job also creates a child job that consumes the next id, as in Windows PowerShell.
            session.job_counter[0] += 1
        name = V.to_string(self.get("Name")) if self.has("Name") else f"Job{job_id}"
        text = block.text
        using = {m.lower(): self.engine.get_variable("$" + m) for m in _USING.findall(text)}
        job = Job(job_id, name, text.strip())
        session.jobs.append(job)
        args = V.as_list(self.get("ArgumentList"))
        thread = threading.Thread(target=_run_job, args=(job, session, text, args, using), name=f"ps-job-{job_id}",
                                  daemon=True)
        job.thread = thread
        job.set_state("Running")
        thread.start()
        self.emit(job.view)


@cmdlet("Get-Job", "Microsoft.PowerShell.Commands.GetJobCommand", aliases=("gjb",))
class GetJob(_JobCmdlet):
    parameters = [Param("Id", 0, type_name=None), Param("Name"), Param("State"), Param("Job", pipeline=True)]

    def handle(self, jobs: list[Job]) -> None:
        for job in jobs:
            job.refresh()
            if self.has("State") and job.state.lower() != V.to_string(self.get("State")).lower():
                continue
            self.emit(job.view)


@cmdlet("Wait-Job", "Microsoft.PowerShell.Commands.WaitJobCommand", aliases=("wjb",))
class WaitJob(_JobCmdlet):
    parameters = [Param("Job", 0, pipeline=True), Param("Id"), Param("Name"), Param("Timeout", type_name="int"),
                  Param("Any", switch=True), Param("Force", switch=True)]

    def begin_processing(self) -> None:
        self.collected: list[Job] = []

    def handle(self, jobs: list[Job]) -> None:
        self.collected.extend(j for j in jobs if j not in self.collected)

    def end_processing(self) -> None:
        timeout = self.get("Timeout", -1)
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        while True:
            finished = [j for j in self.collected if j.finished]
            if (self.switch("Any") and finished) or len(finished) == len(self.collected):
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            self.ctx.sleep(0.02)
        for job in self.collected:
            if job.finished:
                job.refresh()
                self.emit(job.view)


@cmdlet("Receive-Job", "Microsoft.PowerShell.Commands.ReceiveJobCommand", aliases=("rcjb",))
class ReceiveJob(_JobCmdlet):
    parameters = [Param("Job", 0, pipeline=True), Param("Id"), Param("Name"), Param("Keep", switch=True),
                  Param("Wait", switch=True), Param("AutoRemoveJob", switch=True), Param("WriteJobInResults", switch=True)]

    def handle(self, jobs: list[Job]) -> None:
        for job in jobs:
            if self.switch("Wait"):
                while not job.finished:
                    self.ctx.sleep(0.02)
            for kind, value in job.writer.take(self.switch("Keep")):
                self._replay(kind, value)
            job.refresh()
            if self.switch("AutoRemoveJob") and job.finished:
                _jobs(self).remove(job)

    def _replay(self, kind: str, value: typing.Any) -> None:
        if kind == "output":
            self.emit(value)
        elif kind == "error":
            self.ctx.report_error(_record_error(value), self.error_action)
        elif kind == "warning":
            self.ctx.write_warning(value, self.warning_action)
        elif kind == "verbose":
            self.ctx.writer.write_verbose(value)
        elif kind == "debug":
            self.ctx.writer.write_debug(value)
        elif kind == "information":
            data, source, _time, tags, _kw = value
            self.ctx.write_information(data, source, tags, "Continue")


def _record_error(record: ErrorRecord) -> PSError:
    return error_from_record(record, terminating=False)


@cmdlet("Stop-Job", "Microsoft.PowerShell.Commands.StopJobCommand", aliases=("spjb",), should_process=True)
class StopJob(_JobCmdlet):
    parameters = [Param("Job", 0, pipeline=True), Param("Id"), Param("Name"), Param("PassThru", switch=True)]

    def handle(self, jobs: list[Job]) -> None:
        for job in jobs:
            job.stop_event.set()
            job.done.wait(5)
            if self.switch("PassThru"):
                self.emit(job.view)


@cmdlet("Remove-Job", "Microsoft.PowerShell.Commands.RemoveJobCommand", aliases=("rjb",), should_process=True)
class RemoveJob(_JobCmdlet):
    parameters = [Param("Job", 0, pipeline=True), Param("Id"), Param("Name"), Param("Force", switch=True),
                  Param("State")]

    def handle(self, jobs: list[Job]) -> None:
        for job in jobs:
            if not job.finished:
                if not self.switch("Force"):
                    self.write_error(PSError(
                        f"The command cannot remove the job with the job ID {job.id} because the job is not finished. To "
                        "remove the job, first stop the job, or use the Force parameter.",
                        exception_type="System.ArgumentException", fqid="JobObjectNotFinishedCannotBeRemoved",
                        category="InvalidOperation", reason="ArgumentException", target=job.view))
                    continue
                job.stop_event.set()
                job.done.wait(5)
            if job in _jobs(self):
                _jobs(self).remove(job)
