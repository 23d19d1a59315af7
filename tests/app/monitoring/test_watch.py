from app.monitoring.watch import matched_keywords


def test_keywords_match_whole_words_and_phrases_ignoring_case_and_spacing():
    keywords = ["urgent", "need help", "price", "$$$"]
    assert matched_keywords("URGENT: I   need\nhelp with the PRICE", keywords) == ["urgent", "need help", "price"]
    assert matched_keywords("urgently, helpful, prices", keywords) == []
    assert matched_keywords("costs $$$!", keywords) == ["$$$"]
    assert matched_keywords("¿Precio? precio.", ["precio"]) == ["precio"]
