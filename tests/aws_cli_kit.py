"""The real AWS CLI, for the tests that run it: $HARVEST_TUI_AWS_CLI or `aws` on PATH,
checked once per test process (the tests that need it skip without it)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

# A pyenv shim: `exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@"`.
PYENV_SHIM = re.compile(r'^exec "([^"]+/pyenv)" exec ', re.MULTILINE)


def _first_lines(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(2000).decode("utf-8", "replace")
    except OSError:
        return ""


def _through_shim(found: str) -> str:
    """The script a pyenv shim runs (so that its Python is known, see `interpreter`), or
    `found` itself."""
    shim = PYENV_SHIM.search(_first_lines(found))
    if shim is None:
        return found
    try:
        done = subprocess.run(
            [shim.group(1), "which", os.path.basename(found)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return found
    real = done.stdout.strip()
    return real if done.returncode == 0 and os.access(real, os.X_OK) else found


@functools.cache
def find_aws() -> str | None:
    found = os.environ.get("HARVEST_TUI_AWS_CLI") or shutil.which("aws")
    if not found:
        return None
    found = _through_shim(found)
    try:
        ok = subprocess.run([found, "--version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found if ok else None


def interpreter(aws: str) -> str | None:
    """The Python that runs `aws`, when it is the Python CLI's script (not v2's binary)."""
    first = _first_lines(aws).split("\n", 1)[0]
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return None
