"""The service worker: boto3 in a process of its own, answering the UI over pipes.

Every test starts a real worker process (`python -m harvest_tui.worker`),
which makes real boto3 calls over real HTTP to the sandbox.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pilotkit import PtyApp, add_jobs, shared_worker, wait_until

from harvest_tui.backend import ListChannelGroups, ListChannels, answered
from harvest_tui.errors import ServiceError, WorkerStopped
from harvest_tui.models import HarvestJob, JobStatus
from harvest_tui.sandbox import Sandbox
from harvest_tui.service import Connection, MediaPackageService, RetryPolicy
from harvest_tui.worker.client import ServiceWorker, WorkerBackend
from harvest_tui.worker.spawn import worker_environment

CREDS = ("sandbox", "sandbox")


@pytest.fixture
def worker(service_worker: ServiceWorker) -> ServiceWorker:
    return service_worker


@pytest.fixture
def connection(sandbox: Sandbox) -> Connection:
    return Connection(
        region="us-east-1",
        endpoint_url=sandbox.endpoint_url,
        static_credentials=CREDS,
        retry=RetryPolicy(backoff_scale=0.001),  # retries in milliseconds
    )


@pytest.fixture
def remote(connection: Connection, worker: ServiceWorker) -> WorkerBackend:
    return WorkerBackend(connection, worker)


class TestCalls:
    @pytest.fixture
    def worker(self) -> ServiceWorker:
        """The app tests' shared worker: these calls leave it as they found it (the tests
        that kill, stop, close or tune a worker have one of their own)."""
        return shared_worker()

    def test_answers_match_the_service_in_process(
        self, remote: WorkerBackend, connection: Connection
    ) -> None:
        local = MediaPackageService(connection)
        assert remote.list_channel_groups() == local.list_channel_groups()
        assert remote.list_channels("live-sports") == local.list_channels("live-sports")
        jobs = remote.list_harvest_jobs("live-sports", channel="football-main")
        assert jobs == local.list_harvest_jobs("live-sports", channel="football-main")
        assert jobs and all(isinstance(j, HarvestJob) for j in jobs)
        job = remote.get_harvest_job(*jobs[0].key)
        assert job == local.get_harvest_job(*jobs[0].key)
        assert job.tags is not None and job.etag
        failed = remote.list_harvest_jobs("live-sports", status=JobStatus.FAILED)
        assert {j.status for j in failed} == {JobStatus.FAILED}
        assert remote.region == "us-east-1"
        # Each kind of resource, with its tags and manifests, crosses whole.
        g, c, e = jobs[0].key[:3]
        assert remote.get_channel_group(g) == local.get_channel_group(g)
        assert remote.get_channel(g, c) == local.get_channel(g, c)
        endpoints = remote.list_origin_endpoints(g, c)
        assert endpoints == local.list_origin_endpoints(g, c)
        endpoint = remote.get_origin_endpoint(g, c, e)
        assert endpoint == local.get_origin_endpoint(g, c, e) and endpoint.manifests

    def test_a_long_job_list_comes_page_by_page_and_whole(
        self, remote: WorkerBackend, connection: Connection, sandbox: Sandbox
    ) -> None:
        add_jobs(sandbox, 250)  # three pages
        jobs = remote.list_harvest_jobs("events-popup", channel="keynote-live")
        assert sandbox.request_counts["ListHarvestJobs"] == 3
        assert jobs == MediaPackageService(connection).list_harvest_jobs(
            "events-popup", channel="keynote-live"
        )
        assert [j.name for j in jobs] == sorted(j.name for j in jobs)
        assert sum(j.name.startswith("many-") for j in jobs) == 250

    def test_the_jobs_of_a_page_share_the_names_they_repeat(self, remote: WorkerBackend) -> None:
        """Memory: a page's jobs hold one string per group, channel, endpoint and bucket
        (interned where the worker parses them, kept shared by the trip to the app)."""
        jobs = remote.list_harvest_jobs("live-sports", channel="football-main")
        same = [j for j in jobs if j.endpoint_name == jobs[0].endpoint_name]
        assert len(same) > 1
        for field in ("group_name", "channel_name", "endpoint_name"):
            assert len({id(getattr(j, field)) for j in same}) == 1, field
        assert len({id(j.destination.bucket) for j in same}) == len(
            {j.destination.bucket for j in same}
        )

    def test_errors_arrive_whole(self, remote: WorkerBackend, sandbox: Sandbox) -> None:
        with pytest.raises(ServiceError) as info:
            remote.get_channel("live-sports", "no-such-channel")
        error = info.value
        assert error.code == "ResourceNotFoundException"
        assert error.http_status == 404 and error.request_id
        assert error.operation == "GetChannel" and error.region == "us-east-1"
        assert "refresh" in error.hint
        sandbox.faults.deny_groups.add("news-24x7")
        with pytest.raises(ServiceError) as info:
            remote.list_channels("news-24x7")
        assert info.value.code == "AccessDeniedException"

    def test_retries_are_reported_as_they_happen(
        self, remote: WorkerBackend, sandbox: Sandbox
    ) -> None:
        sandbox.faults.throttle_rate = 1.0
        seen: list[tuple[str, int, int]] = []
        with remote.retries_reported_to(lambda *a: seen.append(a)), pytest.raises(ServiceError):
            remote.list_channel_groups()
        assert seen == [("ListChannelGroups", n, 5) for n in (2, 3, 4, 5)]
        assert sandbox.request_counts["ListChannelGroups"] == 5

    def test_calls_run_side_by_side(self, remote: WorkerBackend, sandbox: Sandbox) -> None:
        """Three calls begun together all reach the endpoint while the first is still
        being answered (the sandbox holds them): the worker does not make them in turn."""
        sandbox.faults.hold()  # no call is answered until all three have arrived
        waits: list[Any] = [remote.begin(ListChannels(g)) for g in ("live-sports", "news-24x7")]
        waits.append(remote.begin(ListChannelGroups()))
        wait_until(lambda: sum(sandbox.request_counts.values()) == 3)  # made in turn: 1
        sandbox.faults.release()
        assert all(wait() for wait in waits)

    def test_a_begun_call_says_when_its_answer_is_in(
        self, remote: WorkerBackend, connection: Connection, sandbox: Sandbox
    ) -> None:
        sandbox.faults.hold()
        try:
            wait = remote.begin(ListChannelGroups())
            wait_until(lambda: sandbox.request_counts["ListChannelGroups"] == 1)
            assert not answered(wait)  # held: waiting would take time
        finally:
            sandbox.faults.release()
        wait_until(lambda: answered(wait))
        assert len(wait()) == 3
        # In process, a call starts only when waited for: never answered before.
        assert not answered(MediaPackageService(connection).begin(ListChannelGroups()))

    def test_begin_sends_at_once_here_and_defers_in_process(
        self, remote: WorkerBackend, connection: Connection, sandbox: Sandbox
    ) -> None:
        wait = remote.begin(ListChannelGroups())
        wait_until(lambda: sandbox.request_counts["ListChannelGroups"], timeout=10)
        assert sandbox.request_counts["ListChannelGroups"] == 1  # before anyone waits
        assert len(wait()) == 3
        sandbox.reset_requests()
        deferred = MediaPackageService(connection).begin(ListChannelGroups())
        assert sandbox.request_counts["ListChannelGroups"] == 0
        assert len(deferred()) == 3

    def test_only_the_service_calls_can_be_asked_for(
        self, worker: ServiceWorker, connection: Connection
    ) -> None:
        not_a_request: Any = "connect"
        call_id = worker.submit(connection, not_a_request, None)
        with pytest.raises(ServiceError) as info:
            worker.wait(call_id, 60)
        assert info.value.code == "InvalidCall"


class TestPrefetch:
    def test_the_first_call_takes_the_prefetched_answer(
        self, worker: ServiceWorker, remote: WorkerBackend, connection: Connection, sandbox
    ) -> None:
        worker.prefetch(connection, ListChannelGroups())
        first = remote.list_channel_groups()
        assert sandbox.request_counts["ListChannelGroups"] == 1
        assert [g.name for g in first] == ["events-popup", "live-sports", "news-24x7"]
        remote.list_channel_groups()  # taken once only: a refresh asks again
        assert sandbox.request_counts["ListChannelGroups"] == 2

    def test_a_stale_prefetch_is_not_used(
        self,
        worker: ServiceWorker,
        remote: WorkerBackend,
        connection: Connection,
        sandbox: Sandbox,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        worker.prefetch_fresh = 0.0  # any answer is too old to take
        call_id = worker.prefetch(connection, ListChannelGroups())
        assert worker.answered(call_id, timeout=30)
        remote.list_channel_groups()
        assert sandbox.request_counts["ListChannelGroups"] == 2

    def test_only_the_same_call_takes_it(
        self, worker: ServiceWorker, remote: WorkerBackend, sandbox: Sandbox
    ) -> None:
        other = Connection(
            region="eu-west-1", endpoint_url=sandbox.endpoint_url, static_credentials=CREDS
        )
        prefetched = worker.prefetch(other, ListChannelGroups())
        remote.list_channel_groups()
        assert worker.answered(prefetched, 10)  # the other region's call, made on its own
        assert sandbox.request_counts["ListChannelGroups"] == 2


class TestLifetime:
    def test_a_dead_worker_fails_calls_in_flight_then_calls_run_here(
        self, worker: ServiceWorker, remote: WorkerBackend, sandbox: Sandbox
    ) -> None:
        sandbox.faults.latency_ms = 2000
        wait = remote.begin(ListChannelGroups())
        wait_until(lambda: sandbox.request_counts["ListChannelGroups"] == 1)  # asked, unanswered
        os.kill(worker.proc.pid, signal.SIGKILL)
        with pytest.raises(WorkerStopped) as info:
            wait()
        assert "retry" in info.value.hint and info.value.region == "us-east-1"
        assert not worker.alive
        sandbox.faults.latency_ms = 0
        assert len(remote.list_channel_groups()) == 3  # in this process now

    def test_a_killed_worker_is_reaped_not_left_defunct(self, worker: ServiceWorker) -> None:
        os.kill(worker.proc.pid, signal.SIGKILL)
        wait_until(lambda: worker.proc.returncode is not None)  # the reader thread waited
        assert not worker.alive
        assert not os.path.exists(f"/proc/{worker.proc.pid}")

    def test_a_hung_worker_misses_its_deadline_and_reads_go_on_here(
        self, worker: ServiceWorker, connection: Connection, sandbox: Sandbox
    ) -> None:
        """A stopped (SIGSTOP) worker answers nothing: past the deadline the call is made
        in this process, the worker is killed, and later calls run here too."""
        remote = WorkerBackend(connection, worker, deadline=1.0)
        os.kill(worker.proc.pid, signal.SIGSTOP)
        try:
            groups = remote.list_channel_groups()  # would wait forever without a deadline
        finally:
            with contextlib.suppress(OSError):
                os.kill(worker.proc.pid, signal.SIGCONT)
        assert [g.name for g in groups] == ["events-popup", "live-sports", "news-24x7"]
        assert not worker.alive and worker.stop_reason is not None
        assert worker.stop_reason.code == "WorkerUnresponsive"
        wait_until(lambda: worker.proc.returncode is not None)
        assert len(remote.list_channels("live-sports")) > 0

    def test_a_hung_worker_fails_a_change_with_a_clear_message(
        self, worker: ServiceWorker, connection: Connection, sandbox: Sandbox
    ) -> None:
        """A change is not made twice: past the deadline it fails, saying why."""
        remote = WorkerBackend(connection, worker)
        job = remote.list_harvest_jobs("live-sports", status=JobStatus.QUEUED)[0]
        remote.deadline = 1.0  # only now: a loaded machine may take longer to start up
        os.kill(worker.proc.pid, signal.SIGSTOP)
        try:
            with pytest.raises(WorkerStopped) as info:
                remote.cancel_harvest_job(job)
        finally:
            with contextlib.suppress(OSError):
                os.kill(worker.proc.pid, signal.SIGCONT)
        assert info.value.code == "WorkerUnresponsive"
        assert "did not answer within 1 s" in info.value.message

    def test_the_worker_exits_when_the_app_lets_go(self, worker: ServiceWorker) -> None:
        worker.close()
        assert worker.proc.wait(10) == 0

    def test_its_malloc_arenas_are_bounded_unless_the_user_set_them(
        self, worker: ServiceWorker, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        environ = Path(f"/proc/{worker.proc.pid}/environ").read_bytes().split(b"\0")
        malloc = [v for v in environ if v.startswith(b"MALLOC")]
        assert b"MALLOC_ARENA_MAX=2" in environ, (malloc, len(environ), worker.proc.poll())
        monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
        assert worker_environment(os.environ)["MALLOC_ARENA_MAX"] == "8"

    def test_the_current_directory_is_not_on_its_path(
        self, tmp_path, connection: Connection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Started where a boto3.py lies (a download folder, a checkout), it imports the
        real boto3, not that file."""
        marker = tmp_path / "imported"
        (tmp_path / "boto3.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
        monkeypatch.chdir(tmp_path)
        worker = ServiceWorker.start()
        assert worker is not None
        try:
            assert len(WorkerBackend(connection, worker).list_channel_groups()) == 3
        finally:
            worker.close()
            worker.proc.wait(10)
        assert not marker.exists()

    def test_the_worker_writes_nothing_but_answers(self) -> None:
        """Stray output would land in the UI's terminal: the worker's stdout carries only
        frames, and it exits quietly when its input ends."""
        done = subprocess.run(
            [sys.executable, "-m", "harvest_tui.worker"],
            input=b"",
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0
        assert done.stdout == b"" and done.stderr == b""

    def test_errors_and_models_survive_pickling(self) -> None:
        error = WorkerStopped("WorkerStopped", "gone", hint="press r", region="us-east-1")
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is WorkerStopped and again.__dict__ == error.__dict__
        assert str(again) == str(error)


class TestTheCommand:
    def test_harvest_tui_calls_through_its_worker_and_ends_it(self, sandbox: Sandbox) -> None:
        """The real command: one worker child, the prefetched first list taken by the app
        (one request, not two), and no worker left once the app has quit."""
        with PtyApp(sandbox) as app:
            app.wait_for("▣ events-popup".encode())
            # The first frame waited for nothing, not even the prefetched answer.
            assert app.out.index("Loading…".encode()) < app.out.index("▣ events-popup".encode())
            workers = children_of(app.proc.pid)
            assert len(workers) == 1 and "harvest_tui.worker" in cmdline(workers[0])
            app.pump(0.5)
            assert sandbox.request_counts["ListChannelGroups"] == 1
            app.press(b"q")
            assert app.exit_code() == 0
            wait_until(lambda: not os.path.exists(f"/proc/{workers[0]}"), timeout=10)
            assert not os.path.exists(f"/proc/{workers[0]}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


def test_q_quits_at_once_while_calls_are_in_flight(sandbox: Sandbox) -> None:
    """Calls that have not been answered do not hold the app open: at q they fail at once
    (nothing is left to show them), instead of each thread waiting out its call."""
    with PtyApp(sandbox) as app:
        app.wait_for("▣ events-popup".encode())
        app.pump(0.5)
        sandbox.faults.hold()
        try:
            before = sum(sandbox.request_counts.values())
            app.press(b"r")
            deadline = time.monotonic() + 15
            while sum(sandbox.request_counts.values()) == before:
                assert time.monotonic() < deadline, "the refresh never reached the sandbox"
                app.pump(0.05)
            app.press(b"q")
            assert app.exit_code() == 0
        finally:
            sandbox.faults.release()


class TestWorkerPool:
    """The fleet view's workers (WorkerPool): started when first asked for, in turn."""

    class Stand:
        """A stand-in for a started worker: the pool only configures and closes it."""

        def __init__(self) -> None:
            self.alive, self.closed, self.debug_log = True, False, None

        def configure(self, *, debug_log: bool) -> None:
            self.debug_log = debug_log

        def close(self) -> None:
            self.closed = True

    def test_workers_start_when_first_asked_for_and_take_targets_in_turn(self) -> None:
        from harvest_tui.worker.pool import WorkerPool

        made: list[Any] = []

        def start() -> Any:
            made.append(self.Stand())
            return made[-1]

        first: Any = self.Stand()
        pool = WorkerPool(first, size=3, start=start, debug_log=True)
        assert made == [] and pool.started == []
        assert [pool.worker(i) for i in range(6)] == [first, *made, first, *made]
        assert len(made) == 2 and all(w.debug_log is True for w in made)
        pool.close()
        assert all(w.closed for w in made) and not first.closed and pool.started == []

    def test_a_worker_that_cannot_start_leaves_the_others_to_serve(self) -> None:
        from harvest_tui.worker.pool import WorkerPool

        first: Any = self.Stand()
        pool = WorkerPool(first, size=4, start=lambda: None)
        assert {id(pool.worker(i)) for i in range(8)} == {id(first)}

    @pytest.mark.parametrize(
        ("most", "cores", "workers"), [(4, 1, 1), (4, 2, 2), (4, 3, 3), (4, 16, 4), (1, 16, 1)]
    )
    def test_one_worker_per_core_up_to_the_setting(
        self, most: int, cores: int, workers: int
    ) -> None:
        from harvest_tui.worker.pool import fleet_worker_count

        assert fleet_worker_count(most, cores) == workers
