"""Answer or hand off, on public data: the protocol of ../shared/bench/answerability/README.md, through the service.

    python bench/answerability.py          # report: the service, same-run baselines, the model's trade-off and
                                           # reliability
    python bench/answerability.py --fit    # first refit app/drafters/answer_model.json on the fit split, then report

Splits (no question or article of the report split is used for any constant):
- SQuAD 2.0: each article is one account's knowledge base, one text document per paragraph. FIT_ARTICLES fit the
  model; REPORT_ARTICLES are reported. Per article: 40 answerable, 20 adversarial, 10 off-topic questions (seed 7).
- StackFAQ: the answers of odd-numbered threads are one FAQ knowledge base; questions with an even number fit,
  odd ones are reported; questions of even-numbered threads are off-topic.
- Our own businesses (bench/own_set.py): own_set.FIT_BUSINESSES fit (their answerable and uncovered questions),
  own_set.REPORT_BUSINESSES are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import statistics
import string
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
import numpy as np

from app.apikeys.scopes import ALL_SCOPES
from app.auth.principal import Principal
from app.auth.service import create_account_with_owner
from app.autoreply import preview as preview_service
from app.autoreply.schemas import PreviewRequest
from app.bootstrap import build_services
from app.config import Settings
from app.drafters.answer_model import MODEL_FILE, load_model, relative
from app.drafters.features import FEATURES, featurise, terms
from app.jobs.worker import drain
from app.kb import service as kb_service
from app.kb.components import warm_up_knowledge_base
from app.kb.models import Chunk
from app.kb.retrieval import embed_query, retrieve_sources
from app.kb.schemas import TextDocumentCreate
from ingest.language import detect_language

SQUAD = common.DEFAULT_DATA_DIR / "answerability" / "squad2-dev-public.json"
STACKFAQ = common.DEFAULT_DATA_DIR / "stackfaq"
FIT_ARTICLES = ("Normans", "1973_oil_crisis", "Packet_switching", "Harvard_University", "Scottish_Parliament")
REPORT_ARTICLES = ("Islamism", "Imperialism", "Force")
PER_ARTICLE = {"answerable": 40, "adversarial": 20, "off-topic": 10}
STACKFAQ_SAMPLE = 125  # per kind (answerable, off-topic) and split
SEED = 7
# `confidence` is the calibrated probability that the reply is right, so the bot answers when it is more likely
# right than not. A decision rule, not a tuned constant: the report prints the trade-off at other values, which an
# account chooses with min_confidence.
THRESHOLD = 0.5


def normal(text: str) -> str:
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return " ".join(text.split())


def contains(reply: str, golds: list[str]) -> bool:
    reply = normal(reply)
    return any(normal(gold) and normal(gold) in reply for gold in golds)


# --- knowledge bases -------------------------------------------------------------------------------------------

def new_account(services, name: str) -> Principal:
    with services.session_factory() as session:
        account, _ = create_account_with_owner(session, email=f"{re.sub(r'[^a-z0-9]', '', name.lower())}"
                                               f"@bench.example.com", password="password-123", account_name=name,
                                               plan="self-hosted")
        session.commit()
    return Principal(account_id=account.id, plan="self-hosted", scopes=frozenset(ALL_SCOPES))


def existing_account(services, name: str) -> Principal | None:
    from sqlmodel import select

    from app.accounts.models import Account

    with services.session_factory() as session:
        account = session.exec(select(Account).where(Account.name == name)).first()
    return Principal(account_id=account.id, plan="self-hosted", scopes=frozenset(ALL_SCOPES)) if account else None


def has_documents(services, principal: Principal) -> bool:
    from sqlmodel import select

    with services.session_factory() as session:
        return session.exec(select(Chunk.id).where(Chunk.account_id == principal.account_id)).first() is not None


def ingest(services, principal: Principal, documents: list[tuple[str, str]]) -> None:
    with services.session_factory() as session:
        for title, text in documents:
            kb_service.add_text_document(session, principal, TextDocumentCreate(title=title, text=text))
        session.commit()
    drain(services)


def squad_sets(rng: random.Random):
    data = json.loads(SQUAD.read_text())["data"]
    articles = {}
    for article in data:
        paragraphs = [p["context"] for p in article["paragraphs"]]
        answerable, adversarial = [], []
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if qa.get("is_impossible"):
                    adversarial.append((qa["question"], []))
                else:
                    answerable.append((qa["question"], [a["text"] for a in qa["answers"]]))
        articles[article["title"]] = (paragraphs, answerable, adversarial)
    sets = {}
    for title, (paragraphs, answerable, adversarial) in articles.items():
        joined = normal(" ".join(paragraphs))
        others = [(q, golds) for other, (_, ans, _) in articles.items() if other != title for q, golds in ans
                  if not any(normal(g) in joined for g in golds)]
        sets[title] = {"documents": [(f"{title} #{n + 1}", p) for n, p in enumerate(paragraphs)],
                       "answerable": rng.sample(answerable, PER_ARTICLE["answerable"]),
                       "adversarial": rng.sample(adversarial, PER_ARTICLE["adversarial"]),
                       "off-topic": [(q, []) for q, _ in rng.sample(others, PER_ARTICLE["off-topic"])]}
    return sets


def stackfaq_sets(rng: random.Random):
    corpus = [json.loads(line) for line in (STACKFAQ / "corpus.jsonl").read_text().splitlines() if line.strip()]
    queries = [json.loads(line) for line in (STACKFAQ / "queries.jsonl").read_text().splitlines() if line.strip()]
    in_kb = lambda thread: int(thread[1:]) % 2 == 1  # noqa: E731
    answers = defaultdict(list)
    for doc in corpus:
        answers[doc["_id"].split("-")[0]].append(doc["text"])
    documents = [(doc["title"], doc["text"]) for doc in corpus if in_kb(doc["_id"].split("-")[0])]
    splits = {}
    for split, parity in (("fit", 0), ("report", 1)):
        mine = [q for q in queries if int(q["_id"][1:]) % 2 == parity]
        answerable = [(q["text"], answers[q["metadata"]["thread"]]) for q in mine if in_kb(q["metadata"]["thread"])]
        off = [(q["text"], []) for q in mine if not in_kb(q["metadata"]["thread"])]
        splits[split] = {"answerable": rng.sample(answerable, min(STACKFAQ_SAMPLE, len(answerable))),
                         "adversarial": [], "off-topic": rng.sample(off, min(STACKFAQ_SAMPLE, len(off)))}
    return documents, splits


def faq_chunk(chunk: str, thread_answers: list[str]) -> bool:
    """A retrieved FAQ chunk is a hit when it holds an answer of the question's thread."""
    return any(normal(answer)[:60] in normal(chunk) for answer in thread_answers)


def faq_right(reply: str, thread_answers: list[str]) -> bool:
    """A StackFAQ reply is right when it quotes an answer of its own thread."""
    head = normal(reply)[:60]
    return bool(head) and any(head in normal(answer) for answer in thread_answers)


# --- features for fitting, and the drafter's view for the reliability table ------------------------------------

def candidate_view(services, principal: Principal, question: str, vector=None):
    """The candidates and their features exactly as the drafter sees them for this question."""
    from app.drafters.fitted import FittedExtractiveDrafter, question_language

    drafter = FittedExtractiveDrafter(services.components["embedder"])
    vector = embed_query(services, question) if vector is None else vector
    with services.session_factory() as session:
        sources = retrieve_sources(session, services, principal.account_id, question, vector)
    candidates = drafter._candidates(sources)
    features = featurise(question, vector, candidates, [s.score for s in sources],
                         question_language(question, sources), [s.semantic_score or 0.0 for s in sources])
    return sources, candidates, features


def collect(services, principal, items, kind, group, judge, rows):
    for question, golds in items:
        found, candidates, features = candidate_view(services, principal, question)
        labels = [kind == "answerable" and judge(c.text, golds) for c in candidates]
        rows.append({"group": group, "kind": kind, "features": features, "labels": np.asarray(labels, bool)})


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None):
    """A logistic regression on standardised features, returned as (coef, intercept) on the raw features."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000).fit((x - mean) / scale, y, sample_weight=weight)
    coef = model.coef_[0] / scale
    return coef, float(model.intercept_[0] - (coef * mean).sum())


def _best(scores: np.ndarray) -> tuple[int, float]:
    order = np.argsort(-scores)
    margin = scores[order[0]] - scores[order[1]] if len(order) > 1 else max(0.0, min(10.0, scores[order[0]]))
    return int(order[0]), float(margin)


def _ranker(ranked: list[dict]):
    """Stage 1: every question weighs the same, its right and its wrong candidates half each (an FAQ answer of
    ten sentences would otherwise outweigh a SQuAD question with one)."""
    weights = []
    for r in ranked:
        right = r["labels"]
        weights.append(np.where(right, 1 / max(1, right.sum()), 1 / max(1, (~right).sum())))
    return _logistic(np.vstack([relative(r["features"]) for r in ranked]), np.concatenate([r["labels"] for r in ranked]),
                     np.concatenate(weights))


def family(group: str) -> str:
    """The kind of knowledge base a fit question was asked of."""
    return "stackfaq" if group == "stackfaq" else "business" if group.startswith("business:") else "squad"


def fit(rows: list[dict]) -> dict:
    """Stage 1 ranks the candidates of a question (fit on questions with a right candidate, on features relative to
    the question's best); stage 2 says whether the top candidate is right, from its stage-1 score, its margin and
    its own features (fit on every question, with stage-1 scores from a fold that did not see the question)."""
    ranked = [r for r in rows if r["labels"].any()]
    unit_coef, unit_intercept = _ranker(ranked)
    calibration_x, calibration_y, families = [], [], []
    folds = 5
    for fold in range(folds):
        coef, intercept = _ranker([r for n, r in enumerate(rows) if n % folds != fold and r["labels"].any()])
        for n, r in enumerate(rows):
            if n % folds != fold or not len(r["features"]):
                continue
            scores = relative(r["features"]) @ coef + intercept
            best, margin = _best(scores)
            calibration_x.append([scores[best], margin, *r["features"][best]])
            calibration_y.append(bool(r["labels"][best]))
            families.append(family(r["group"]))
    # Each kind of knowledge base (SQuAD articles, the StackFAQ forum, our businesses) weighs the same, so the
    # probability is not calibrated to whichever has the most questions.
    counts = Counter(families)
    weights = np.asarray([len(families) / (len(counts) * counts[name]) for name in families])
    calibration_coef, calibration_intercept = _logistic(np.asarray(calibration_x), np.asarray(calibration_y), weights)
    return {"features": list(FEATURES), "unit_coef": [round(float(c), 5) for c in unit_coef],
            "unit_intercept": round(unit_intercept, 5),
            "calibration_coef": [round(float(c), 5) for c in calibration_coef],
            "calibration_intercept": round(calibration_intercept, 5),
            "threshold": THRESHOLD,
            "provenance": {"fitted": date.today().isoformat(), "script": "bench/answerability.py --fit",
                           "squad_articles": list(FIT_ARTICLES), "stackfaq": "even-numbered questions",
                           "businesses": sorted({r["group"].removeprefix("business:") for r in rows
                                                 if family(r["group"]) == "business"}),
                           "weighting": "each kind of knowledge base the same",
                           "questions_per_kind": dict(Counter(family(r["group"]) for r in rows)),
                           "questions": len(rows), "ranking_questions": len(ranked),
                           "candidates": int(sum(len(r["labels"]) for r in rows)),
                           "calibration": "stage-1 scores from 5-fold models that did not see the question",
                           "threshold": "a decision rule, not fitted: answer when the reply is more likely right "
                                        "than not (THRESHOLD in bench/answerability.py)"}}



# --- report -----------------------------------------------------------------------------------------------------

def ask(services, principal, question):
    started = time.perf_counter()
    result = preview_service.preview(services, principal, PreviewRequest(message=question))
    return result, (time.perf_counter() - started) * 1000


def baseline_scores(question, q, all_units):
    texts, vectors, unit_terms = all_units
    cosines = vectors @ q
    question_terms = terms(question, detect_language(question) or "en")
    n = len(texts)
    average = sum(len(t) for t in unit_terms) / max(1, n)
    bm25 = np.zeros(n)
    for term in set(question_terms):
        df = sum(1 for ts in unit_terms if term in ts)
        if not df:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, ts in enumerate(unit_terms):
            tf = ts.count(term)
            if tf:
                bm25[i] += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(ts) / average))
    best_cos, best_bm = int(np.argmax(cosines)), int(np.argmax(bm25))
    return (float(cosines[best_cos]), texts[best_cos]), (float(bm25[best_bm]), texts[best_bm])


def account_units(services, principal):
    from sqlmodel import select

    texts, vectors = [], []
    with services.session_factory() as session:
        for units, blob in session.exec(select(Chunk.units, Chunk.unit_vectors).where(
                Chunk.account_id == principal.account_id)):
            matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(units), -1) if units else None
            for i, (text, _heading, is_heading) in enumerate(units or []):
                if not is_heading and not text.endswith("?"):  # as the drafter: an FAQ's question is no answer
                    texts.append(text)
                    vectors.append(matrix[i])
    return texts, np.vstack(vectors), [terms(t) for t in texts]


def report(services, name, bases, judge, model, chunk_judge=None):
    """bases: list of (principal, sets); prints one table row set for this data set."""
    from app.drafters.fitted import FittedExtractiveDrafter, question_language

    drafter = FittedExtractiveDrafter(services.components["embedder"])
    tally = defaultdict(lambda: defaultdict(int))
    times = []
    hits, reliability, trade_off, base = [], [], [], defaultdict(list)
    embed_times, view_times = [], []
    questions = [(principal, kind, question, golds) for principal, sets in bases
                 for kind in ("answerable", "adversarial", "off-topic") for question, golds in sets[kind]]
    for principal, kind, question, golds in questions:
        result, ms = ask(services, principal, question)
        times.append(ms)
        right = not result.handoff and judge(result.reply, golds)
        tally[kind]["handoff" if result.handoff else ("right" if right else "wrong")] += 1
    units_of = {}
    for principal, kind, question, golds in questions:
        if principal.account_id not in units_of:
            units_of[principal.account_id] = account_units(services, principal)
        units = units_of[principal.account_id]
        started = time.perf_counter()
        vector = embed_query(services, question)
        embed_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found, candidates, features = candidate_view(services, principal, question, vector)
        view_times.append((time.perf_counter() - started) * 1000)
        if kind == "answerable":
            hits.append(any((chunk_judge or judge)(c.text, golds) for c in found))
        if len(features):
            scores = model.unit_scores(features)
            best = candidates[int(np.argmax(scores))].text
            confidence = model.confidence(scores, features)
            reliability.append((confidence, kind == "answerable" and judge(best, golds)))
            would_say = drafter._body(drafter._choose(candidates, scores, question_language(question, found)))
            trade_off.append((kind, confidence, kind == "answerable" and judge(would_say, golds)))
        else:
            trade_off.append((kind, 0.0, False))
        cos, bm = baseline_scores(question, vector, units)
        base["cos"].append((kind, cos[0], kind == "answerable" and judge(cos[1], golds)))
        base["bm25"].append((kind, bm[0], kind == "answerable" and judge(bm[1], golds)))
    off = tally["off-topic"]
    off_total = sum(off.values())
    service_off_rate = off["handoff"] / off_total if off_total else 1.0
    print(f"\n### {name}\n")
    print("| system | answerable right / wrong / handed off | adversarial handed off | off-topic handed off |")
    print("|---|---|---|---|")

    def share(counts, key):
        total = sum(counts.values())
        return f"{100 * counts[key] / total:.1f} %" if total else "–"

    a = tally["answerable"]
    print(f"| service (preview) | {share(a, 'right')} / {share(a, 'wrong')} / {share(a, 'handoff')} | "
          f"{share(tally['adversarial'], 'handoff')} | {share(tally['off-topic'], 'handoff')} |")
    for label, key in (("top-1 sentence by MiniLM cosine", "cos"), ("top-1 sentence by BM25", "bm25")):
        offs = sorted(score for kind, score, _ in base[key] if kind == "off-topic")
        # t: the baseline hands off the same share of off-topic questions as the service
        t = offs[min(len(offs) - 1, int(np.ceil(service_off_rate * len(offs))) - 1)] + 1e-9 if offs else 0.0
        rows = defaultdict(lambda: defaultdict(int))
        for kind, score, good in base[key]:
            rows[kind]["handoff" if score < t else ("right" if good else "wrong")] += 1
        print(f"| {label}, answer iff score >= {t:.3f} | {share(rows['answerable'], 'right')} / "
              f"{share(rows['answerable'], 'wrong')} / {share(rows['answerable'], 'handoff')} | "
              f"{share(rows['adversarial'], 'handoff')} | {share(rows['off-topic'], 'handoff')} |")
    previews = f"mean {statistics.mean(times):.1f} ms, p95 {sorted(times)[int(0.95 * (len(times) - 1))]:.1f} ms"
    print(f"\nhit@5 (answerable): {100 * sum(hits) / max(1, len(hits)):.1f} %; preview {previews}, "
          f"{len(questions)} questions; same run, bare: "
          f"query embedding {statistics.mean(embed_times):.1f} ms, retrieval + candidate features "
          f"{statistics.mean(view_times):.1f} ms (load average {os.getloadavg()[0]:.1f})")
    print("\nThe same questions at other thresholds (what min_confidence would do; the reply the drafter would "
          "send):\n")
    print("| answer when confidence >= | answerable right / wrong / handed off | adversarial handed off | "
          "off-topic handed off |")
    print("|---|---|---|---|")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        rows = defaultdict(lambda: defaultdict(int))
        for kind, confidence, good in trade_off:
            rows[kind]["handoff" if confidence < threshold else ("right" if good else "wrong")] += 1
        print(f"| {threshold:.1f} | {share(rows['answerable'], 'right')} / {share(rows['answerable'], 'wrong')} / "
              f"{share(rows['answerable'], 'handoff')} | {share(rows['adversarial'], 'handoff')} | "
              f"{share(rows['off-topic'], 'handoff')} |")
    print("\nReliability of `confidence` (every question, the best candidate whether sent or not):\n")
    print("| confidence | questions | mean confidence | share right |")
    print("|---|---|---|---|")
    edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]
    for low, high in zip(edges, edges[1:]):
        inside = [(c, r) for c, r in reliability if low <= c < high]
        if inside:
            print(f"| {low:.1f}-{min(high, 1):.1f} | {len(inside)} | {statistics.mean(c for c, _ in inside):.2f} | "
                  f"{100 * sum(r for _, r in inside) / len(inside):.1f} % |")


ROWS_FILE = "answerability-rows.pickle"


def feature_code() -> str:
    """A digest of what the kept fit rows were made from: the code that retrieves the sources, lists candidates and
    computes their features, and our own businesses' questions. Kept rows are stale when it changes, even if the
    feature names do not (the kept knowledge bases must be ingested anew after changing ingestion)."""
    import hashlib

    import own_set
    from app.drafters import features, fitted, injection
    from app.kb import retrieval
    from indexes import hybrid, keyword, keyword_segments, ranking
    from ingest import language, sentences

    sources = [Path(module.__file__) for module in (features, fitted, injection, language, sentences, retrieval,
                                                     hybrid, keyword, keyword_segments, ranking)]
    sources += [own_set.HERE / slug / "questions.json" for slug in own_set.FIT_BUSINESSES]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()


def collected(keep: Path | None):
    """The fit split's candidate features kept by an earlier run with the same feature code, if any."""
    if keep is None or not (keep / ROWS_FILE).exists():
        return None
    code, rows = pickle.loads((keep / ROWS_FILE).read_bytes())
    return rows if code == feature_code() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit app/drafters/answer_model.json first")
    parser.add_argument("--keep", type=Path, help="keep the ingested knowledge bases in this folder and reuse them "
                        "on the next run (delete it after changing ingestion)")
    args = parser.parse_args()
    import own_set  # our own businesses (bench/businesses/); it imports this module, so not at the top
    import torch

    torch.set_num_threads(1)  # as the service should run per-message work (bench/README.md, latency notes)
    rng = random.Random(SEED)
    squad = squad_sets(rng)
    faq_documents, faq = stackfaq_sets(rng)
    with tempfile.TemporaryDirectory() as directory:
        data_dir = args.keep or Path(directory)
        services = build_services(Settings(_env_file=None, data_dir=data_dir, run_workers=False))
        started = time.perf_counter()
        principals = {}
        for title, documents in [(t, squad[t]["documents"]) for t in FIT_ARTICLES + REPORT_ARTICLES] + \
                [("StackFAQ", faq_documents)]:
            principals[title] = existing_account(services, title) or new_account(services, title)
            if not has_documents(services, principals[title]):
                ingest(services, principals[title], documents)
        principals["stackfaq"] = principals["StackFAQ"]
        print(f"knowledge bases ready in {time.perf_counter() - started:.0f} s")
        if args.fit:
            rows = collected(args.keep)
            if rows is None:
                rows = []
                for title in FIT_ARTICLES:
                    for kind in ("answerable", "adversarial", "off-topic"):
                        collect(services, principals[title], squad[title][kind], kind, title,
                                lambda text, golds: contains(text, golds), rows)
                for kind in ("answerable", "off-topic"):
                    collect(services, principals["stackfaq"], faq["fit"][kind], kind, "stackfaq", faq_right_unit,
                            rows)
                businesses = own_set.load_set("fit")
                for business in businesses:
                    principal = own_set.ingested(services, [business])[business.slug]
                    for kind, items in (("answerable", business.items("answerable")),
                                        ("off-topic", business.items("uncovered"))):
                        collect(services, principal, items, kind, f"business:{business.slug}",
                                lambda text, golds: contains(text, golds), rows)
                if args.keep:
                    (args.keep / ROWS_FILE).write_bytes(pickle.dumps((feature_code(), rows)))
            fitted = fit(rows)
            MODEL_FILE.write_text(json.dumps(fitted, indent=1) + "\n")
            load_model.cache_clear()
            services.components.pop("drafters", None)
            print(f"fitted on {len(rows)} questions: {json.dumps(fitted)}")
        model = load_model()
        warm_up_knowledge_base(services)  # the model and the language detector load before any timed call
        ask(services, principals["stackfaq"], "warm up")
        print(f"\nanswer model: {MODEL_FILE.name}, fitted {model.provenance.get('fitted', '?')}, threshold "
              f"{model.threshold}")
        report(services, f"SQuAD 2.0 articles {', '.join(REPORT_ARTICLES)} (not fitted on)",
               [(principals[t], squad[t]) for t in REPORT_ARTICLES], contains, model)
        report(services, "StackFAQ, odd-numbered questions (not fitted on)", [(principals["stackfaq"], faq["report"])],
               faq_right, model, faq_chunk)
        businesses = own_set.load_set("report")
        principals = own_set.ingested(services, businesses)
        print(f"\n### Our own businesses {', '.join(b.slug for b in businesses)} (not fitted on; bench/own_set.py)")
        own_set.print_report(businesses, own_set.evaluate(services, businesses, principals), services.settings)
        # The same businesses in this script's tables: what each min_confidence would do on a business's questions.
        report(services, f"Our own businesses {', '.join(b.slug for b in businesses)}, as the tables above "
                         "(uncovered questions in the off-topic column)",
               [(principals[b.slug], {"answerable": b.items("answerable"), "adversarial": [],
                                      "off-topic": b.items("uncovered")}) for b in businesses], contains, model)


def faq_right_unit(text: str, thread_answers: list[str]) -> bool:
    return any(normal(text) and normal(text) in normal(answer) for answer in thread_answers)


if __name__ == "__main__":
    main()
