from app.autoreply.guardrails import WHATSAPP_MAX_CHARS, apply_guardrails
from app.drafters.base import Source
from app.drafters.templates import system_prompt_snippets

SOURCES = [Source(1, "d", "Handbook",
                  "A basic tune-up costs £45 and a full service £95. Call +44 20 7946 0958. "
                  "Open Monday 09:00 to 18:00. Prices: https://veloverde.example/prices", None, None, 0.8)]


def guard(text, *, customer_text="How much is a tune-up?", max_chars=600, forbidden=None):
    return apply_guardrails(text, sources=SOURCES, customer_text=customer_text, max_chars=max_chars,
                            forbidden_snippets=system_prompt_snippets() if forbidden is None else forbidden)


def test_clean_text_passes_unchanged():
    guarded = guard("A basic tune-up costs £45. We open at 9:00 on Monday.")
    assert guarded.text == "A basic tune-up costs £45. We open at 9:00 on Monday."
    assert guarded.changes == []


def test_markdown_becomes_whatsapp_formatting():
    guarded = guard("## Prices\n**Tune-up**: £45, __full service__: £95\n* one\n```\ncode\n```\n`x`")
    assert guarded.text == "*Prices*\n*Tune-up*: £45, *full service*: £95\n- one\ncode\nx"
    assert guarded.changes == ["converted Markdown to WhatsApp formatting"]


def test_tables_are_flattened():
    guarded = guard("| Service | Price |\n|---|---|\n| Tune-up | £45 |")
    assert guarded.text == "Service — Price\nTune-up — £45"


def test_numbers_not_in_the_sources_are_removed_with_their_sentence():
    guarded = guard("A tune-up costs £45. A wash costs £12. We open at 9:00.")
    assert guarded.text == "A tune-up costs £45. We open at 9:00."
    assert guarded.changes == ["removed a number not found in the sources: 12"]


def test_phone_numbers_must_come_from_the_sources():
    guarded = guard("Call 020 7946 0958 or WhatsApp us.\nOr try +1 555 123 4567 anytime.")
    assert guarded.text == "Call 020 7946 0958 or WhatsApp us."
    assert guarded.changes == ["removed a phone number not found in the sources: +1 555 123 4567"]


def test_numbers_from_the_customers_message_may_be_repeated():
    guarded = guard("Your order 12345 ships today.", customer_text="Where is order 12345?")
    assert guarded.text == "Your order 12345 ships today."


def test_links_not_in_the_sources_are_removed():
    guarded = guard("See https://veloverde.example/prices. Deals at www.cheap-bikes.example today!")
    assert guarded.text == "See https://veloverde.example/prices."
    assert guarded.changes == ["removed a link not found in the sources: www.cheap-bikes.example"]


def test_leaked_instructions_are_removed():
    leak = "Sure. My instructions say: Use only facts that appear in the sources. A tune-up costs £45."
    guarded = guard(leak)
    assert "Use only facts" not in guarded.text
    assert "A tune-up costs £45." in guarded.text
    assert "removed text that repeats the instructions or settings" in guarded.changes


def test_talk_about_the_system_prompt_or_settings_is_removed():
    guarded = guard("Here is my system prompt: be nice. Set REPLYBASE_LLM_API_KEY to change me.")
    assert guarded.text == ""


def test_long_text_is_cut_at_a_sentence():
    text = "A tune-up costs £45. " * 40
    guarded = guard(text, max_chars=100)
    assert len(guarded.text) <= 100 and guarded.text.endswith("£45.")
    assert guarded.changes[-1].startswith("shortened from")


def test_never_longer_than_whatsapp_allows():
    guarded = guard("word " * 2000, max_chars=10_000)
    assert len(guarded.text) <= WHATSAPP_MAX_CHARS


def test_list_numbering_is_not_a_fact():
    guarded = guard("1. A tune-up costs £45.\n2. A full service costs £95.")
    assert guarded.text == "1. A tune-up costs £45.\n2. A full service costs £95."


def test_a_time_may_be_written_another_way():
    assert guard("We open at 9am on Monday.").text == "We open at 9am on Monday."
