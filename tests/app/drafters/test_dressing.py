from app.drafters.base import StyleSpec, Turn
from app.drafters.dressing import dress, fit_sentences, greeting_line


def test_greeting_takes_the_customers_name():
    assert greeting_line(StyleSpec(greeting="Hi {name}!"), "Anna", []) == "Hi Anna!"
    assert greeting_line(StyleSpec(greeting="Hi {name}!"), None, []) == "Hi!"
    assert greeting_line(StyleSpec(greeting="Hello"), "Anna", []) == "Hello Anna,"
    assert greeting_line(StyleSpec(greeting="Good morning!"), None, []) == "Good morning!"
    assert greeting_line(StyleSpec(greeting="Hi {name}!"), "Anna", [Turn("business", "Hi!")]) == ""


def test_rich_emoji_adds_some_and_none_removes_all():
    rich = dress("We are open.", StyleSpec(emoji="rich", greeting="Hi!"), customer_name=None, history=[])
    assert rich == "Hi! 😊\n\nWe are open. 👍"
    plain = dress("We are open 🎉.", StyleSpec(emoji="none", sign_off="Bye 👋"), customer_name=None, history=[])
    assert plain == "We are open.\n\nBye"


def test_fit_keeps_whole_sentences():
    assert fit_sentences("One two. Three four. Five six.", 20) == "One two. Three four."
    assert fit_sentences("A very long sentence without any end in sight at all", 20) == "A very long…"
