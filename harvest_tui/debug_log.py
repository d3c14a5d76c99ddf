"""The optional debug log: off by default, user-only, and never a home for credentials.

``setup(True)`` (the ``debug_log = true`` setting) sends the ``harvest_tui`` logger's
records to ``harvest-tui.log`` in platformdirs' user log directory, created with mode
0o600 in a 0o700 directory. Nothing goes to the terminal: stray output would corrupt
the TUI. Every formatted record, tracebacks included, passes through :func:`scrub`,
which blanks anything that looks like an AWS credential.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

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
    is written anywhere. Calling it again replaces the previous configuration.
    """
    logger = logging.getLogger(LOGGER_NAME)
    _remove_handlers(logger)
    logger.propagate = False
    if not enabled:
        logger.setLevel(logging.WARNING)
        null = logging.NullHandler()
        null._harvest_tui_debug = True  # type: ignore[attr-defined]
        logger.addHandler(null)
        return None
    path = log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Create (or tighten) the file as user-only before the handler opens it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    handler = logging.FileHandler(path, encoding="utf-8", delay=False)
    handler._harvest_tui_debug = True  # type: ignore[attr-defined]
    handler.setFormatter(
        _ScrubbingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return path
