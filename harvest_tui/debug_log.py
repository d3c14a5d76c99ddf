"""The optional debug log: off by default, user-only, and never a home for credentials.

``setup(True)`` (the ``debug_log = true`` setting) sends the ``harvest_tui`` logger's
records to ``harvest-tui.log`` in platformdirs' user log directory, created with mode
0o600 in a 0o700 directory by safe_files: a symlink or anything but a regular file
there is refused (safe_files.UnsafeFileError). Nothing goes to the terminal: stray output
would corrupt the TUI. Every formatted record, tracebacks included, passes through :func:`scrub`,
which blanks anything that looks like an AWS credential.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TextIO

__all__ = ["LOGGER_NAME", "log_path", "scrub", "setup"]

LOGGER_NAME = "harvest_tui"
FILE_NAME = "harvest-tui.log"
REDACTED = "[REDACTED]"

# (pattern, replacement) pairs; each keeps the name of what it hides, so a log still says
# *that* a credential was there. Order matters: whole headers before the bare key ids.
_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: AWS4-HMAC-SHA256 Credential=AKIA.../..., SignedHeaders=..., Signature=...
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"), rf"\1{REDACTED}"),
    (
        re.compile(
            r"(?i)((?:aws_)?(?:secret_access_key|secret_key|session_token|security_token)"
            r"|x-amz-security-token|secretaccesskey|sessiontoken|accesstoken|refreshtoken"
            r"|clientsecret|password)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",;}]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)(signature=)[0-9a-f]+"), rf"\1{REDACTED}"),
    # Access key ids: long-term (AKIA), temporary (ASIA) and the other documented prefixes.
    (re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|ANPA|ANVA|AGPA|APKA)[A-Z0-9]{12,}\b"), REDACTED),
)


def scrub(text: str) -> str:
    """`text` with every credential-looking value replaced by ``[REDACTED]``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateFileHandler(logging.StreamHandler[TextIO]):
    """Appends to a user-only regular file opened by safe_files (never through a link)."""

    def __init__(self, path: Path) -> None:
        from harvest_tui.safe_files import open_private_append

        super().__init__(open_private_append(path))

    def close(self) -> None:
        self.acquire()
        try:
            self.flush()
            self.stream.close()
        finally:
            self.release()
        super().close()


def log_path() -> Path:
    """Where the debug log goes when it is on."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("harvest-tui", appauthor=False)) / FILE_NAME


def _remove_handlers(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, "_harvest_tui_debug", False):
            logger.removeHandler(handler)
            handler.close()


def setup(enabled: bool) -> Path | None:
    """Configure the ``harvest_tui`` logger; the log file's path when enabled, else None.

    Disabled (the default), the logger gets no handler and does not propagate, so nothing
    is written anywhere. Calling it again replaces the previous configuration. Raises
    OSError when the log file cannot be opened safely (the logger is then left disabled).
    """
    logger = logging.getLogger(LOGGER_NAME)
    _install(logger, logging.NullHandler(), logging.WARNING)
    if not enabled:
        return None
    path = log_path()
    handler = _PrivateFileHandler(path)  # an OSError here leaves the NullHandler
    handler.setFormatter(
        _ScrubbingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    _install(logger, handler, logging.DEBUG)
    return path


def _install(logger: logging.Logger, handler: logging.Handler, level: int) -> None:
    """Make `handler` the logger's only one of ours (no propagation: nothing on stderr)."""
    _remove_handlers(logger)
    logger.propagate = False
    handler._harvest_tui_debug = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
