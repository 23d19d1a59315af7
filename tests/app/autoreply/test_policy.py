"""Group mentions: "@<number>" addresses the bot; only the session's own number counts, and it is not the question."""

from app.autoreply.policy import mentions, without_mention

NUMBER = "15550001111"


def test_only_the_sessions_own_number_is_a_mention():
    assert mentions(f"@{NUMBER} when are you open?", NUMBER)
    assert mentions(f"hey @{NUMBER}, when are you open?", NUMBER)
    assert not mentions(f"@{NUMBER}2 when are you open?", NUMBER)  # a longer number is someone else
    assert not mentions(f"@{NUMBER[:-1]} when are you open?", NUMBER)
    assert not mentions(f"call {NUMBER} when you are open", NUMBER)  # a number without @ is not a mention
    assert not mentions(f"@{NUMBER} hi", None)


def test_the_mention_is_dropped_from_the_question_and_other_text_kept():
    assert without_mention(f"@{NUMBER} when are you open?", NUMBER) == "when are you open?"
    assert without_mention(f"@{NUMBER} is order @12345 ready?", NUMBER) == "is order @12345 ready?"
    assert without_mention("is order @12345 ready?", None) == "is order @12345 ready?"
