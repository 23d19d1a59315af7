"""What the answer decision reads off a question and a sentence: whether the sentence carries the kind of answer the
question asks for (a way to reach the business, a price, a time, an address), in the seven languages."""

import numpy as np
import pytest

from app.drafters.features import FEATURES, Candidate, featurise


def answer_kind(question: str, sentence: str, language: str = "en") -> float:
    vector = np.ones(4, dtype=np.float32) / 2
    candidate = Candidate(sentence, "", 0, 0, "", vector)
    return float(featurise(question, vector, [candidate], [0.5], language)[0, FEATURES.index("answer_kind")])


@pytest.mark.parametrize("question, sentence, language", [
    ("What is your phone number?", "Call or WhatsApp us on +44 20 7946 0958.", "en"),
    ("How much is a tune-up?", "A basic tune-up costs £45.", "en"),
    ("¿Cuánto cuesta la habitación doble?", "La habitación doble cuesta 95 € por noche.", "es"),
    ("When are you open on Sunday?", "Sunday: 11:00 to 15:00.", "en"),
    ("Wann habt ihr am Montag geöffnet?", "Montag von 11 bis 22 Uhr.", "de"),
    ("wie ist eure telefonnummer", "Reservieren Sie telefonisch unter 0761 555 0142.", "de"),  # one word in German
    ("Wat is jullie telefoonnummer?", "Bel ons op 020 123 4567.", "nl"),
    ("Tot hoe laat zijn jullie open?", "Elke dag open tot 17 uur.", "nl"),
    ("Where is the shop?", "Our shop is at 14 Canal Street, Millbrook.", "en"),
    ("Où êtes-vous ?", "Nous sommes au 12 rue de Rivoli, à Paris.", "fr"),
])
def test_a_sentence_that_carries_the_answer_asked_for_counts_for_it(question, sentence, language):
    assert answer_kind(question, sentence, language) == 1.0


@pytest.mark.parametrize("question, sentence, language", [
    ("What is your phone number?", "We are open 10.00 - 18.00 on 12/05.", "en"),  # a time and a date, no number
    ("How much is a tune-up?", "Feel free to ask in the workshop.", "en"),
    ("When are you open on Sunday?", "The frame costs €4.50 to wrap.", "en"),
    ("Where is the shop?", "Place your order within 30 days, or write to us via WhatsApp at 612.", "en"),
])
def test_a_sentence_without_it_counts_against(question, sentence, language):
    assert answer_kind(question, sentence, language) == -1.0


@pytest.mark.parametrize("question, language", [
    ("Vous avez un spa ou un sauna ?", "fr"),  # "ou" is "or", not "où"
    ("Is the hotel close to the beach?", "en"),
    ("Can I charge my car at the hotel?", "en"),
    ("Any hotels on the Costa Brava?", "en"),
])
def test_an_ordinary_question_asks_for_no_particular_kind(question, language):
    assert answer_kind(question, "Anything at all, 14 Canal Street, £12, 11:00.", language) == 0.0
