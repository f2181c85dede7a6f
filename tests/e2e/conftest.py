"""Browser tests: Debian's Chromium, driven by Playwright, against `liaison serve` on the demo world.

Strategy: one server per session on a fresh SQLite demo world (its users all have the demo
password); each test gets its own browser context, so its own cookies, and logs in as the demo
users it needs. Tests change the world (grants, messages), so each uses data of its own.
A failing test leaves a screenshot in tests/e2e/screenshots/. Chromium missing skips these
tests, unless CI requires them (LIAISON_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from liaison.demo.world import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Chromium's own calls home are refused on a closed network, and would slow every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"liaison serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"liaison serve did not come up in {seconds} s:\n{log.read_text()[-3000:]}")


class World:
    """The server's demo world: its URL, and the CLI run against the same database."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def cli(self, *args: str) -> str:
        """Run `liaison ARGS` on the server's database; its output, or the test fails with it."""
        liaison = str(Path(sys.executable).with_name("liaison"))
        done = subprocess.run([liaison, *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"liaison {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
        return done.stdout


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[World]:
    """A server on a fresh demo world, with a pair in the review queue, for the whole session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("LIAISON_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (LIAISON_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed; install Debian's chromium to run the browser tests")
    folder = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": f"sqlite:///{folder / 'liaison.db'}",
        "LIAISON_SHARED_DATA": str(shared_data),
        "LIAISON_PORT": str(port),
    }
    liaison = str(Path(sys.executable).with_name("liaison"))
    for command in (["init"], ["demo"], ["xref", "ncb_es_trafficking", "ncb_ua_trafficking"]):
        subprocess.run([liaison, *command], env=env, check=True, capture_output=True)
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([liaison, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    # localhost, not 127.0.0.1: browsers keep Secure cookies there without TLS, as in `make run`.
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url, process, log)
        yield World(url, env)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def server(world: World) -> str:
    """The base URL of the server on the demo world."""
    return world.url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver; it never downloads a browser."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, server: str) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test, so a fixture knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


class Browsing:
    """A test's browser: new pages share its cookies; screenshots of every page on failure."""

    def __init__(self, browser: Browser, server: str) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.refused: list[str] = []
        """What the pages' Content-Security-Policy refused: a page of ours that trips it is broken."""

    def page(self, user: str | None = None, *, phone: bool = False) -> Page:
        """A new page in a context of its own, logged in as `user` when given."""
        context = self.browser.new_context(viewport=PHONE if phone else DESK)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        if user is not None:
            login(page, self.server, user)
        return page

    def screenshots(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        for number, context in enumerate(self.contexts):
            for index, page in enumerate(context.pages):
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
                page.screenshot(path=str(SCREENSHOTS / f"{safe}-{number}-{index}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(request: pytest.FixtureRequest, browser: Browser, server: str) -> Iterator[Browsing]:
    """Pages for one test, closed after it, with screenshots when it failed."""
    session = Browsing(browser, server)
    yield session
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        session.screenshots(request.node.name)
    session.close()
    assert not session.refused, f"the Content-Security-Policy refused: {session.refused}"


def login(page: Page, server: str, user: str) -> None:
    """Log in through the login form as a demo user and land on the dashboard."""
    page.goto(f"{server}/app/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def wait_until(page: Page, expression: str, seconds: float = 15.0) -> None:
    """Poll a page expression until it holds; Playwright's wait_for_function evaluates strings with
    `eval`, which the pages' Content-Security-Policy rightly refuses.
    """
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {seconds} s: {expression}")
        page.wait_for_timeout(100)
