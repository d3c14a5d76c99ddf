"""Browser mode in a real browser: `harvest-tui serve` in headless Chromium (the OS
package, through selenium and chromium-driver). Skips, saying why, where Chromium is
missing; .ci/run installs it."""

from __future__ import annotations

import re

import pytest
from browser import chromium, missing, served, walk_to_first_job

from harvest_tui.sandbox import Sandbox

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

SANDBOX_ENV = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


def test_walks_the_tree_to_a_job_shows_its_name_and_etag_and_copies(sandbox: Sandbox) -> None:
    args = ("--endpoint-url", sandbox.endpoint_url, "--region", "us-east-1")
    with served(*args, env=SANDBOX_ENV) as url, chromium(url) as page:
        page.wait_for(lambda t: "events-popup" in t and "live-sports" in t, "the groups")
        endpoint = walk_to_first_job(page, sandbox)
        text = page.wait_for(lambda t: "Harvest job" in t and "ETag" in t, "the job's detail")
        name = re.search(r"Harvest job\s+(\S+)", text)
        assert name is not None
        job = endpoint.jobs[name[1]]
        etag = job.etag(sandbox.clock.now())
        page.wait_for(lambda t: etag in t, f"the ETag {etag}")
        # Copy works in the browser: the app's OSC 52 becomes the page's clipboard write.
        page.press("e")
        page.wait_for(lambda t: "Copied ETag" in t, "the copy's notice")
        assert etag in page.copied()


def test_serve_sandbox_shows_the_tree() -> None:
    with served("--sandbox") as url, chromium(url) as page:
        text = page.wait_for(lambda t: "news-24x7" in t, "the demo account's groups")
        assert "built-in sandbox" in text
