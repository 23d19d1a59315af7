from app.drafters.base import StyleSpec
from app.styles.learning import learn_style
from app.styles.models import StyleProfile
from app.styles.service import to_style_spec


def test_to_style_spec_carries_every_field():
    profile = StyleProfile(account_id="a", name="n", tone="professional", formality="formal", language="de",
                           max_reply_length=300, emoji="none", greeting="Guten Tag {name},", sign_off="MfG",
                           persona="Sie sind Vera.", rules={"always": ["Siezen"], "never": ["Duzen"]},
                           examples=["Guten Tag!"])
    assert to_style_spec(profile) == StyleSpec(
        tone="professional", formality="formal", language="de", max_reply_chars=300, emoji="none",
        greeting="Guten Tag {name},", sign_off="MfG", persona="Sie sind Vera.", rules_always=["Siezen"],
        rules_never=["Duzen"], examples=["Guten Tag!"])


def test_formal_business_letters():
    samples = ["Dear Mr Smith,\nPlease find attached your invoice for the service.\nKind regards,\nVelo Verde",
               "Dear Ms Jones,\nWe would be pleased to welcome you on Monday.\nKind regards,\nVelo Verde",
               "Dear Mrs Brown,\nWe apologise for the delay with your order.\nKind regards,\nVelo Verde"]
    learned = learn_style(samples)
    assert learned.fields["formality"] == "formal" and learned.fields["tone"] == "professional"
    assert learned.fields["greeting"] == "Dear {name},"
    assert learned.fields["sign_off"] == "Kind regards,\nVelo Verde"
    assert learned.fields["emoji"] == "none"


def test_rich_emoji_and_short_messages():
    learned = learn_style(["ok 👍👍", "done 🎉🎉", "yep 😊😊", "sure thing 🙌🙌"])
    assert learned.fields["emoji"] == "rich"
    assert learned.fields["tone"] == "concise" and learned.fields["formality"] == "casual"
    assert learned.fields["greeting"] == "" and learned.stats["greeting"] is None


def test_habits_below_the_threshold_are_not_adopted():
    samples = ["Hello! Your order shipped.", "Your order is ready.", "We are closed on Sunday.",
               "Your repair is done.", "Thanks for waiting."]
    learned = learn_style(samples)
    assert learned.fields["greeting"] == ""


def test_duplicates_count_once_and_language_is_detected():
    learned = learn_style(["Hola, tu bici está lista para recoger."] * 5 + ["Hola, el taller está cerrado hoy."])
    assert learned.stats["sample_count"] == 2
    assert learned.fields["language"] == "es"


def test_length_limit_follows_the_longest_usual_messages():
    learned = learn_style(["x " * 100] * 1 + [f"message number {i} is short enough" for i in range(9)])
    assert 80 <= learned.fields["max_reply_length"] <= 4096
    assert learned.stats["typical_length"] < 40
