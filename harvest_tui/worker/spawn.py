"""Starting the service worker's process. Imports nothing of the app, so that
`harvest-tui` starts it before anything else: the worker's ~0.2 s of importing botocore
and building its first client then runs on another core while the UI imports the rest
of the app and Textual (harvest_tui.worker.client wraps the process it returns).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

# -P: the current directory is not put first on sys.path (as -m would), so a boto3.py or
# harvest_tui/ where the user happens to be is not imported.
COMMAND = [sys.executable, "-P", "-m", "harvest_tui.worker"]

# glibc's malloc gives each thread that allocates an arena of its own, up to 8 per core,
# and keeps the free memory of each. The worker's calls run on many threads (up to 64
# then): in a soak its RSS grew 6.6 % in 8 minutes with them, 3.9 % with two arenas.
# (Only glibc reads this; the user's own setting wins.)
MALLOC_ARENAS = "2"


def worker_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment the worker starts with: the app's, with malloc's arenas bounded."""
    env = dict(environ)
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    return env


def spawn() -> subprocess.Popen[bytes] | None:
    """The worker's process, started now; None if it cannot be (calls then run in the
    app's own process).

    A new interpreter rather than a fork: a fork shares the UI's memory copy-on-write,
    and the UI then pays a page fault for most pages it writes during its start-up.
    """
    if not sys.executable:
        return None
    try:
        return subprocess.Popen(
            COMMAND,
            env=worker_environment(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # never the terminal: stray output corrupts the UI
            start_new_session=True,  # the terminal's signals are the UI's to handle
        )
    except OSError:
        return None


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a worker no call was sent to (the command line was not the app's after all)
    now, rather than once it has finished importing botocore and reads the end of its
    input."""
    proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()
