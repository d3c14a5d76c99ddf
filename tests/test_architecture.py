"""The one-way data flow holds: domain modules import neither textual nor boto3."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "harvest_tui.models",
    "harvest_tui.config",
    "harvest_tui.config_checks",
    "harvest_tui.safe_text",
    "harvest_tui.timeline",
    "harvest_tui.timefmt",
    "harvest_tui.service",
    "harvest_tui.service_worker",
    "harvest_tui.remote_service",
    "harvest_tui.service_loader",
    "harvest_tui.errors",
    "harvest_tui.cli",
]


@pytest.mark.parametrize("module", PURE)
def test_domain_modules_import_no_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('textual', 'boto3', 'botocore') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(filter(None, out.stdout.strip().split(",")))
    assert "textual" not in loaded
    # boto3 stays off the import path of everything (the service imports it lazily).
    assert "boto3" not in loaded


def test_only_the_service_imports_boto3() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "harvest_tui"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "import boto3" in p.read_text() and p.name != "service.py"
    ]
    assert offenders == []
