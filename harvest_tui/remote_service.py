"""RemoteService: MediaPackageService's calls, made by the service worker process.

The UI holds one per region when `harvest-tui` has started its worker
(service_worker.py); each call is sent to the worker and waits for its answer, and
once the worker has gone, calls run here, in MediaPackageService's own code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from harvest_tui.errors import ServiceError, WorkerStopped
from harvest_tui.service import Connection, MediaPackageService, jobs_by_name

if TYPE_CHECKING:
    from harvest_tui.service_worker import ServiceWorker

# MediaPackageService's calls that the worker makes. Each returns models (or None).
REMOTE_METHODS = (
    "list_channel_groups",
    "list_channels",
    "list_origin_endpoints",
    "list_harvest_jobs",
    "get_channel_group",
    "get_channel",
    "get_origin_endpoint",
    "get_harvest_job",
    "list_tags",
    "cancel_harvest_job",
    "create_harvest_job",
)

# Calls whose answers the worker sends page by page, as they arrive, so that it never
# holds a long list whole: (the method that yields the pages, what makes the answer).
STREAMED: dict[str, tuple[str, Callable[[Iterable[Any]], Any]]] = {
    "list_harvest_jobs": ("iter_harvest_job_pages", jobs_by_name),
}


class RemoteService(MediaPackageService):
    """MediaPackageService's calls, made by the service worker process (service_worker.py),
    or here once it has gone."""

    def __init__(self, connection: Connection, worker: ServiceWorker) -> None:
        super().__init__(connection)
        self.worker = worker

    def begin(self, method: str, *args: Any, **kwargs: Any) -> Callable[[], Any]:
        """Send the call to the worker now; the returned function waits for its answer."""
        if not self.worker.alive:  # in this process, as MediaPackageService does it
            return lambda: getattr(MediaPackageService, method)(self, *args, **kwargs)
        listener = getattr(self._local, "listener", None)
        call_id = self.worker.submit(self.connection, method, args, kwargs, listener=listener)
        return lambda: self._answer(call_id, method)

    def _answer(self, call_id: int, method: str) -> Any:
        try:
            value, region = self.worker.wait(call_id)
        except WorkerStopped as error:
            error.profile, error.region = self.profile, self.region
            raise
        except ServiceError as error:
            if error.region:
                self._region = error.region
            raise
        self._region = region or self._region
        if method in STREAMED:
            return STREAMED[method][1](value)  # value: the pages
        return value


def _forwarder(method: str) -> Callable[..., Any]:
    def forward(self: RemoteService, *args: Any, **kwargs: Any) -> Any:
        return self.begin(method, *args, **kwargs)()

    forward.__name__ = method
    forward.__doc__ = f"{method}, made by the service worker."
    return forward


# RemoteService.list_channels(...) and the rest: each one begin()s and waits.
for _method in REMOTE_METHODS:
    setattr(RemoteService, _method, _forwarder(_method))
