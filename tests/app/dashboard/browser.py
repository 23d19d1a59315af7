"""A real Chromium (Debian's, never a downloaded build) driven by Playwright against a real `replybase serve`.

Every request that leaves the service is blocked and recorded: the dashboard must work with no network. Each page a
test visits is saved as a screenshot under test-output/dashboard/.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "dashboard"


def require_browser():
    """Playwright's sync API; the tests are skipped, saying why, where Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)",
                    allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' brings playwright")


@dataclass
class Browser:
    """One Chromium per test module; `page()` opens a tab in a fresh context (its own cookies)."""

    base_url: str
    browser: object
    left_the_service: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def page(self, width: int = 1200, height: int = 900):
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": width, "height": height})
        context.route("**/*", self._only_the_service)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        return page

    def _only_the_service(self, route) -> None:
        if route.request.url.startswith(self.base_url + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.left_the_service.append(route.request.url)
            route.abort()


def start_browser(playwright, base_url: str) -> Browser:
    return Browser(base_url, playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                        args=["--no-sandbox", "--disable-gpu"]))


def screenshot(page, name: str) -> Path:
    """Saves the whole page, after checking it fits the screen's width (nothing to scroll sideways on a phone)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
