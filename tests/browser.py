"""Headless Chromium on `harvest-tui serve`, for the browser test and the screenshots.

Chromium and chromium-driver come from the OS packages (Debian: apt-get install
chromium chromium-driver), driven by selenium; nothing is downloaded at run time. The
page draws the terminal on a canvas, so the screen is read as the page receives it: a
script installed before the page loads keeps every byte the app's websocket brings,
and pyte (a terminal emulator) turns them into the screen's text.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harvest_tui.sandbox import Sandbox
    from harvest_tui.sandbox.records import EndpointRec

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def missing() -> str | None:
    """Why the browser can't run here (None: it can)."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        return (
            "headless Chromium is not installed: apt-get install chromium chromium-driver "
            "(.ci/run does)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install '.[test]'"
    return None


# Keeps what the app's websocket brings (binary frames: the terminal's bytes) and the
# size the page asks for, before textual.js opens it; and what the page copies.
RECORDER = """
window.__bytes = [];
window.__size = null;
const Original = window.WebSocket;
function Recording(url, protocols) {
  const ws = protocols === undefined ? new Original(url) : new Original(url, protocols);
  const query = new URL(url, window.location.href).searchParams;
  window.__size = [Number(query.get("width")), Number(query.get("height"))];
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") window.__bytes.push(new Uint8Array(e.data));
  });
  const send = ws.send.bind(ws);
  ws.send = (data) => {
    try {
      const m = JSON.parse(data);
      if (m[0] === "resize") window.__size = [m[1].width, m[1].height];
    } catch (err) {}
    return send(data);
  };
  return ws;
}
Recording.prototype = Original.prototype;
Object.assign(Recording, Original);
window.WebSocket = Recording;
// What the page copies (xterm.js turns the app's OSC 52 into a clipboard write).
window.__copied = [];
const record = (text) => { window.__copied.push(text); return Promise.resolve(); };
if (navigator.clipboard) navigator.clipboard.writeText = record;
else Object.defineProperty(navigator, "clipboard", { value: { writeText: record } });
"""

TAKE = """
const chunks = window.__bytes.splice(0);
let s = "";
for (const c of chunks) for (let i = 0; i < c.length; i++) s += String.fromCharCode(c[i]);
return [btoa(s), window.__size];
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`harvest-tui serve ARGS` on a free loopback port: its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "harvest_tui.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("harvest-tui serve did not start listening")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()  # its tabs' apps end with it (ui/served_driver.py)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Page:
    """A browser tab on the served app: keys in, the screen's text out."""

    def __init__(self, driver: Any) -> None:
        import pyte

        self.driver = driver
        self.size = (0, 0)
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        data, size = self.driver.execute_script(TAKE)
        if size and tuple(size) != self.size and all(size):
            self.size = (int(size[0]), int(size[1]))
            self.screen.resize(self.size[1], self.size[0])
        self.stream.feed(base64.b64decode(data))
        return "\n".join(self.screen.display)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"never on the page: {what}\n{text}")
            time.sleep(0.2)

    def copied(self) -> list[str]:
        """What the page wrote to the clipboard so far."""
        return list(self.driver.execute_script("return window.__copied"))

    def press(self, *keys: str) -> None:
        """Keys typed into the terminal, as a user types them."""
        from selenium.webdriver.common.action_chains import ActionChains

        for key in keys:
            ActionChains(self.driver).send_keys(key).perform()
            time.sleep(0.05)  # keys a person's pace apart; the test waits on the screen


def walk_to_first_job(page: Page, sandbox: Sandbox) -> EndpointRec:
    """Keys down the tree (it lists by name) to the first group's first channel's first
    endpoint's first job, each level waited for on the page; that endpoint."""
    group = sandbox.store.channel_group(min(sandbox.store.groups))
    channel_name = min(group.channels)
    endpoint_name = min(group.channels[channel_name].endpoints)
    endpoint = group.channels[channel_name].endpoints[endpoint_name]
    assert endpoint.jobs, "the demo data's first endpoint has jobs"
    page.wait_for(lambda t: group.name in t, f"the group {group.name}")
    page.press("l")
    page.wait_for(lambda t: channel_name in t, f"the channel {channel_name}")
    page.press("j", "l")
    page.wait_for(lambda t: endpoint_name in t, f"the endpoint {endpoint_name}")
    page.press("j", "l")
    page.wait_for(lambda t: any(n in t for n in endpoint.jobs), "the endpoint's jobs")
    page.press("j")
    return endpoint


@contextlib.contextmanager
def chromium(url: str, size: tuple[int, int] = (1280, 800)) -> Iterator[Page]:
    """Headless Chromium (the OS's, never downloaded) showing `url`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must fetch nothing
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        driver.get(url)
        page = Page(driver)
        page.wait_for(lambda text: text.strip() != "", "the app's first frame")
        # Keys go to xterm.js's input (a click would land on a pane and focus it).
        driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        yield page
    finally:
        driver.quit()
