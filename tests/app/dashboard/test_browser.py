"""The dashboard in a real Chromium against a real service (SQLite, workers in the API process)."""

import re

import httpx
import pytest

from tests.app.dashboard.browser import log_in, require_browser, screenshot, start_browser
from tests.processes import API, FILES, Deployment, check, upload_document, wait_document_ready

sync_api = require_browser()
expect = sync_api.expect
expect.set_options(timeout=15_000)  # a loaded 2-core machine, not a slow page: failures still show in 15 s
PAGES = ("/", "/inbox", "/review", "/replies", "/kb", "/bot", "/sessions", "/webhooks", "/keys", "/account")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    # The offline embedder: what is tested is the screens, and it spares loading the model on two cores.
    with Deployment(tmp_path_factory.mktemp("dashboard"), env={"REPLYBASE_EMBEDDING_PROVIDER": "hash"}) as deployment:
        api = deployment.start_api("api", run_workers=True)
        yield api, deployment.create_account(plan="self-hosted")


@pytest.fixture(scope="module")
def browser(service):
    api, _ = service
    with sync_api.sync_playwright() as playwright:
        browser = start_browser(playwright, api.base_url)
        yield browser
        browser.browser.close()
    assert browser.left_the_service == [], "the dashboard asked for something outside the service"
    assert browser.console_errors == [], "scripts failed or the page broke its own security policy"


@pytest.fixture
def page(browser, service):
    _, account = service
    page = browser.page()
    log_in(page, account.login_email, account.login_password)
    yield page
    page.context.close()


def test_log_in_see_every_page_offline_and_log_out(browser, service):
    _, account = service
    page = browser.page(width=390, height=844)  # a phone
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.get_by_label("Email").fill(account.login_email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").filter(has_text="Incorrect email or password")).to_be_visible()
    browser.console_errors.clear()  # the refused login's 401
    log_in(page, account.login_email, account.login_password)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, "phone-" + (path.strip("/") or "home"))
    assert browser.console_errors == []
    page.get_by_text("Menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/kb")
    expect(page).to_have_url(re.compile(r"/login\?next=/kb$"))
    page.context.close()


def test_sandbox_session_pdf_becomes_ready_and_the_playground_cites_it(page):
    page.goto("/sessions")
    page.get_by_label("Name", exact=True).fill("Counter")
    page.get_by_role("button", name="Create session").click()
    expect(page.locator("#session-status")).to_have_text("working")
    session_url = page.url
    screenshot(page, "session")

    page.goto("/kb")
    page.locator(".dropzone input[type=file]").set_input_files(str(FILES / "velo_verde_handbook.pdf"))
    status = page.locator("#uploads .doc-status", has_text="velo_verde_handbook.pdf")
    expect(status).to_have_attribute("data-status", "processing")
    expect(status).to_have_attribute("data-status", "ready", timeout=120_000)
    expect(status).to_contain_text("velo_verde_handbook.pdf")
    # Two more files dropped at once: each gets its own line and its own outcome.
    page.evaluate("""([names, texts]) => {
        const drop = new DataTransfer();
        names.forEach((name, i) => drop.items.add(new File([texts[i]], name, {type: "text/plain"})));
        document.querySelector(".dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: drop, bubbles: true}));
    }""", [["returns.txt", "empty.txt"], ["Returns are accepted within 30 days with the receipt.", " "]])
    expect(page.locator("#uploads .doc-status", has_text="returns.txt")).to_have_attribute("data-status", "ready",
                                                                                      timeout=60_000)
    failed = page.locator("#uploads .doc-status", has_text="empty.txt")
    expect(failed).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(failed.locator(".reason")).not_to_be_empty()
    screenshot(page, "knowledge-base")

    page.get_by_label("Question").fill("How much is a puncture repair?")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results .source").first).to_contain_text("page")
    status.get_by_role("link", name="velo_verde_handbook.pdf").click()
    first_chunk = page.locator(".chunk").first
    first_chunk.get_by_role("button", name="Switch off").click()
    expect(first_chunk.locator(".badge", has_text="off")).to_be_visible()
    first_chunk.get_by_role("button", name="Switch on").click()
    expect(first_chunk.get_by_role("button", name="Switch off")).to_be_visible()
    screenshot(page, "document")

    page.goto(session_url.replace("/sessions/", "/bot/"))
    page.get_by_label("Customer message").fill("How much does a puncture repair cost?")
    page.get_by_role("button", name="Ask the bot").click()
    expect(page.locator("#preview-reply")).to_contain_text("12")
    expect(page.locator("#preview .sources .source").first).to_contain_text("handbook")
    screenshot(page, "playground")
    page.get_by_label("Questions your documents answer").fill("How much does a puncture repair cost? => 12")
    page.get_by_label("Questions they do not cover").fill("Do you sell pizza?")
    page.get_by_role("button", name="Test the bot").click()
    expect(page.locator("#evaluation .outcome")).to_have_text(["right", "uncovered handed off"])
    screenshot(page, "test-questions")


def test_review_mode_draft_is_edited_approved_and_shown_sent_in_the_inbox(page, service):
    api, account = service
    with api.client() as client:
        session_id = check(client.post(f"{API}/sessions", json={"name": "Review desk"}, headers=account.headers))["id"]
        document_id = upload_document(client, account, (FILES / "velo_verde_faq.txt").read_bytes(), "faq.txt")
        wait_document_ready(client, account, document_id)

    page.goto(f"/bot/{session_id}")
    page.get_by_label("Answer customers on this session").check()
    page.get_by_label("Review: write drafts for a person to approve").check()
    page.get_by_label("Wait for more messages (seconds)").fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")

    with api.client() as client:
        check(client.post(f"{API}/sandbox/inbound", headers=account.headers,
                          json={"session_id": session_id, "phone": "447700900123",
                                "message": "Are you open on Sunday?"}))
    page.goto("/review")
    draft = page.locator(".review-item textarea").first
    expect(draft).not_to_be_empty(timeout=60_000)
    screenshot(page, "review")
    draft.fill("Yes: Sunday 11:00 to 15:00, shop only. See you!")
    page.keyboard.press("Escape")  # leaves the draft; `a` approves the selected one
    page.keyboard.press("a")
    expect(page.locator("#review-queue")).to_contain_text("approved with edits")

    page.goto(f"/inbox?session_id={session_id}")
    page.get_by_text("447700900123").first.click()
    bot_message = page.locator(".bubble[data-who=bot]").last
    expect(bot_message).to_contain_text("See you!")
    expect(bot_message).to_contain_text("sent", timeout=30_000)
    expect(page.locator(".bubble[data-who=customer]")).to_contain_text("Are you open on Sunday?")
    page.get_by_role("button", name="Pause for an hour").click()
    expect(page.locator("#bot-state")).to_have_text("paused")
    page.get_by_label("Message").fill("A colleague will call you back today.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".bubble[data-who=person]").last).to_contain_text("call you back")
    screenshot(page, "conversation")


def test_a_key_created_here_works_until_it_is_revoked(page, service):
    api, _ = service
    page.goto("/keys")
    page.get_by_label("Label").fill("Zapier")
    page.get_by_label("Access").select_option("Read only")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key-value").input_value()
    assert key.startswith("mf_")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    screenshot(page, "keys")
    with httpx.Client(base_url=api.base_url) as client:
        assert client.get(f"{API}/sessions", headers={"X-API-Key": key}).status_code == 200
        page.on("dialog", lambda dialog: dialog.accept())
        page.locator("tr[data-key=Zapier]").get_by_role("button", name="Revoke").click()
        expect(page.locator("tr[data-key=Zapier]")).to_have_count(0)
        assert client.get(f"{API}/sessions", headers={"X-API-Key": key}).status_code == 401
    page.goto("/keys")
    expect(page.locator("#new-key-value")).to_have_count(0)  # shown once


def test_pages_full_of_data_still_fit_a_phone(browser, service):
    """Runs last: by now the account has sessions, documents, replies, chats and keys."""
    _, account = service
    page = browser.page(width=360, height=740)
    log_in(page, account.login_email, account.login_password)
    for path in PAGES:
        page.goto(path)
        screenshot(page, "phone-full-" + (path.strip("/") or "home"))
    page.goto("/replies")
    expect(page.locator("table.list tbody tr").first).to_contain_text("approved with edits")
    page.goto("/")
    expect(page.locator("[data-count=sent]")).to_have_text(re.compile(r"^[1-9]"))
    page.context.close()
