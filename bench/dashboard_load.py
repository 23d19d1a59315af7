"""First load of the dashboard's home page in Debian's Chromium against a real `replybase serve` (SQLite).

Each run opens a fresh browser context (empty HTTP cache) holding only the login cookies, navigates to `/` and reads
the Navigation Timing entry (start to the load event: HTML, htmx, CSS, JS). The same-run baseline is `/healthz`, a
trivial response of the same service through the same browser, so the ratio says what the page costs beyond a
round trip. Also prints the size of every shipped asset. Bounded: a fixed number of runs, each with a timeout.

    python bench/dashboard_load.py [--runs 20] [--checkout ../other-worktree]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from common import format_table

from tests.app.dashboard.browser import CHROMIUM, log_in
from tests.processes import API, FILES, REPO_ROOT, Deployment, check, upload_document, wait_document_ready

STATIC = REPO_ROOT / "app" / "dashboard" / "static"
LOAD_MS = "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()"


def first_loads(browser, base_url: str, cookies: list[dict], path: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        context = browser.new_context(base_url=base_url)
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(path, wait_until="load", timeout=30_000)
        samples.append(page.evaluate(LOAD_MS))
        context.close()
    return samples


def asset_sizes() -> list[tuple[str, int, int]]:
    return [(path.name, path.stat().st_size, len(gzip.compress(path.read_bytes())))
            for path in sorted(STATIC.iterdir()) if path.suffix in {".js", ".css"}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as root, Deployment(Path(root), checkout=args.checkout) as deployment:
        api = deployment.start_api("api", run_workers=True)
        account = deployment.create_account(plan="self-hosted")
        with api.client() as client:  # a home page with something on it
            for name in ("Shop", "Workshop", "Rentals"):
                check(client.post(f"{API}/sessions", json={"name": name}, headers=account.headers))
            wait_document_ready(client, account, upload_document(client, account,
                                                                  (FILES / "velo_verde_faq.txt").read_bytes(),
                                                                  "faq.txt"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            login = browser.new_context(base_url=api.base_url)
            page = login.new_page()
            log_in(page, account.login_email, account.login_password)
            html = page.content()
            cookies = login.cookies()
            first_loads(browser, api.base_url, cookies, "/", 3)  # warm-up: templates compiled, pages cached
            home = first_loads(browser, api.base_url, cookies, "/", args.runs)
            base = first_loads(browser, api.base_url, cookies, "/healthz", args.runs)
            browser.close()

    rows = []
    for label, samples in (("home page `/`", home), ("baseline `/healthz`", base)):
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        rows.append((label, len(samples), f"{statistics.median(samples):.0f}", f"{p95:.0f}",
                     f"{statistics.median(samples) / statistics.median(base):.1f}x"))
    print(format_table(("first load (fresh context, cold cache)", "runs", "median ms", "p95 ms", "vs baseline"),
                       rows))
    print()
    assets = asset_sizes() + [("home page HTML", len(html.encode()), len(gzip.compress(html.encode())))]
    print(format_table(("shipped asset", "bytes", "gzip bytes"), assets))
    print(f"\ntotal: {sum(a[1] for a in assets)} bytes ({sum(a[2] for a in assets)} gzipped)")


if __name__ == "__main__":
    main()
