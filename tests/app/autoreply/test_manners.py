"""Conversation manners as a customer meets them: small talk is answered briefly or not at all, never handed off,
and the question after it is answered; asking for a person is recognised as a phrase, not a word."""

import pytest

GREETINGS = {"en": "Hello!", "es": "Hola", "pt": "Olá, bom dia", "fr": "Bonjour", "de": "Guten Tag",
             "it": "Buongiorno", "nl": "Goedemorgen"}
THANKS = {"en": "Great, thanks!", "es": "¡Muchas gracias!", "pt": "Obrigada", "fr": "Merci beaucoup",
          "de": "Danke schön", "it": "Grazie mille", "nl": "Dank je wel"}
STYLES = "/api/v2/ai/style-profiles"
WELCOME = {"en": "welcome", "es": "De nada", "pt": "De nada", "fr": "plaisir", "de": "Gern", "it": "Prego",
           "nl": "Graag"}


def preview(client, tenant, message, **body):
    response = client.post("/api/v2/ai/preview", json={"message": message, **body}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_small_talk_in_seven_languages_then_the_question_is_answered(knowledge, customer):
    for number, language in enumerate(GREETINGS):
        phone = f"4477009001{number:02d}"
        hello = customer(GREETINGS[language], phone=phone)
        assert hello["status"] == "sent", hello
        assert "?" in hello["reply_text"] and "colleague" not in hello["reply_text"], hello
        thanks = customer(THANKS[language], phone=phone)
        assert thanks["status"] == "sent" and WELCOME[language] in thanks["reply_text"], thanks
        answer = customer("How much does it cost to fix a puncture?", phone=phone)
        assert answer["status"] == "sent" and "£12" in answer["reply_text"], answer


def test_an_acknowledgement_gets_no_reply_and_no_handoff(client, tenant, knowledge, customer):
    for number, ack in enumerate(["ok", "👍", "Perfect 👍", "vale", "d'accord", "alles klar"]):
        phone = f"4477009002{number:02d}"
        reply = customer(ack, phone=phone)
        assert reply["status"] == "skipped" and reply["reason"] == "small talk (ack)", reply
        outbound = client.get(f"/api/v2/messages/chats/{phone}@c.us", headers=tenant.headers).json()["items"]
        assert not [m for m in outbound if m["direction"] == "out"]
        assert customer("What is your phone number?", phone=phone)["status"] == "sent"


def test_a_greeting_with_a_question_answers_the_question(client, tenant, knowledge):
    result = preview(client, tenant, "Hi there! How much does it cost to fix a puncture?")
    assert not result["handoff"] and "£12" in result["reply"], result


def test_greeting_reply_follows_the_style_profile(client, tenant, knowledge):
    profile = client.post(STYLES, headers=tenant.headers,
                          json={"name": "Warm", "greeting": "Hi {name}!", "sign_off": "— Velo Verde"})
    assert profile.status_code == 201, profile.text
    result = preview(client, tenant, "hello", style_profile_id=profile.json()["id"])
    assert not result["handoff"] and "— Velo Verde" in result["reply"]


@pytest.mark.parametrize("question", ["How do agents earn commission?", "Is the human resources office open?",
                                      "Who is the person in charge of refunds?"])
def test_ordinary_questions_with_person_words_are_not_a_handoff(client, tenant, question):
    assert preview(client, tenant, question)["reason"] != "the customer asked for a person"


@pytest.mark.parametrize("request_for_person", ["I want to talk to a human please", "Can I speak with a real person?",
                                                "Quiero hablar con una persona", "Posso falar com um atendente?",
                                                "Je voudrais parler à un conseiller",
                                                "Kann ich mit einem Menschen sprechen?",
                                                "Vorrei parlare con un operatore", "Kan ik met een medewerker praten?"])
def test_asking_for_a_person_hands_off_in_any_language(client, tenant, request_for_person):
    result = preview(client, tenant, request_for_person)
    assert result["handoff"] and result["reason"] == "the customer asked for a person"


def test_the_session_can_add_its_own_handoff_phrases(client, tenant, bot_session, customer):
    _, configure = bot_session
    configure(handoff_keywords=["speak to the owner"])
    assert customer("Could I speak to the owner?")["reason"] == "the customer asked for a person"


@pytest.mark.parametrize(("question", "in_their_language"), [
    ("¿Tenéis servicio de lavandería para mascotas?", "Lo siento"),
    ("Bieten Sie auch Kajaktouren auf dem Fluss an?", "Entschuldigung"),
    ("Vous proposez des cours de yoga le dimanche ?", "Désolé"),
])
def test_a_question_the_documents_do_not_answer_is_handed_off_in_the_customers_language(
        client, tenant, knowledge, question, in_their_language):
    result = preview(client, tenant, question)
    assert result["handoff"] and result["reply"].startswith(in_their_language), result


def test_a_short_question_whose_language_is_unclear_is_handed_off_in_the_documents_language(client, tenant,
                                                                                             run_jobs):
    text = "El hotel tiene 24 habitaciones con baño privado. El desayuno se sirve de 8:00 a 10:30."
    response = client.post("/api/v2/ai/knowledge-base/text", json={"title": "Hotel", "text": text},
                           headers=tenant.headers)
    assert response.status_code in (200, 201, 202), response.text
    run_jobs()
    result = preview(client, tenant, "¿Tienen spa o sauna?")  # lingua alone cannot tell
    assert result["handoff"] and result["reply"].startswith("Lo siento"), result


@pytest.mark.parametrize("documents, reply", [
    ("Unser Gasthaus hat täglich von 11 bis 22 Uhr geöffnet. Reservierungen nehmen wir gern telefonisch an.",
     "Wie kann ich"),
    ("Ons café is elke dag open van 9 tot 17 uur. Reserveren kan telefonisch of via de website.", "Waarmee kan ik"),
])
def test_a_greeting_of_two_languages_is_answered_in_the_documents_language(client, tenant, run_jobs, documents,
                                                                          reply):
    response = client.post("/api/v2/ai/knowledge-base/text", json={"title": "Info", "text": documents},
                           headers=tenant.headers)
    assert response.status_code in (200, 201, 202), response.text
    run_jobs()
    hello = preview(client, tenant, "Hallo!")  # German and Dutch alike
    assert not hello["handoff"] and reply in hello["reply"], hello
