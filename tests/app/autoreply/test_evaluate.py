"""POST /ai/evaluate: a business asks the bot its own test questions and sees what each min_confidence would do."""

EVALUATE = "/api/v2/ai/evaluate"
QUESTIONS = [{"message": "How much is a basic tune-up?", "expect": ["£45"]},
             {"message": "What's your phone number?", "expect": ["+44 20 7946 0958"]},
             {"message": "How much is a basic tune-up?", "expect": ["£99"]},  # a test written wrong: the bot says £45
             {"message": "Do you sell pizza?"}]


def test_each_question_is_judged_at_the_bots_line_and_counted_at_every_other(client, tenant, knowledge):
    response = client.post(EVALUATE, json={"questions": QUESTIONS, "lines": [0.0, 0.5, 1.0]}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["line"] == 0.5 and body["drafter"] == "extractive"  # no session: the drafter's own line
    tune_up, phone, wrong_test, pizza = body["questions"]
    assert tune_up["outcome"] == "right" and tune_up["sent"] and "£45" in tune_up["reply"]
    assert phone["outcome"] == "right"
    assert wrong_test["outcome"] == "wrong" and wrong_test["reply"] == tune_up["reply"]
    assert pizza["outcome"] == "uncovered_handed_off" and not pizza["sent"] and pizza["confidence"] < 0.5
    assert pizza["reason"] == f"confidence {pizza['confidence']:.2f} is below 0.50" and tune_up["reason"] is None
    assert pizza["drafted"] and pizza["reply"]  # what a lower line would send
    at = {line["min_confidence"]: line for line in body["lines"]}
    assert at[0.5] == {"min_confidence": 0.5, "right": 2, "wrong": 1, "handed_off": 0, "uncovered_handed_off": 1,
                       "uncovered_answered": 0}
    assert at[0.0]["uncovered_answered"] == 1  # no line: it quotes something even for pizza
    assert at[1.0]["handed_off"] == 3 and at[1.0]["uncovered_handed_off"] == 1
    assert client.get("/api/v2/ai/replies", headers=tenant.headers).json()["items"] == []  # nothing logged


def test_a_sessions_own_line_is_the_one_judged(client, tenant, knowledge, bot_session):
    session_id, configure = bot_session
    configure(min_confidence=0.0)
    body = client.post(EVALUATE, json={"questions": QUESTIONS[3:], "session_id": session_id},
                       headers=tenant.headers).json()
    assert body["line"] == 0.0 and body["questions"][0]["outcome"] == "uncovered_answered"


def test_bad_requests_are_422_and_another_accounts_session_is_404(client, tenant, other_tenant, knowledge):
    for bad in ({"questions": []}, {"questions": [{"message": "hi"}] * 101},
                {"questions": QUESTIONS, "lines": [1.5]}, {"questions": [{"message": "hi", "expect": [" "]}]}):
        response = client.post(EVALUATE, json=bad, headers=tenant.headers)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "body", bad
    theirs = client.post("/api/v2/sessions", json={"name": "Theirs"}, headers=other_tenant.headers).json()["id"]
    response = client.post(EVALUATE, json={"questions": QUESTIONS, "session_id": theirs}, headers=tenant.headers)
    assert response.status_code == 404
