"""The fitted answer decision: a logistic regression ranks the candidate sentences of a question (which one is the
answer?), and a second one turns the best candidate's score, its margin over the runner-up and its own features into
the probability that quoting it is right.

The constants live in answer_model.json, written by `python bench/answerability.py --fit` (the data, splits and
date are recorded in the file and in bench/README.md, "How the bot decides"); nothing here is hand-tuned."""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.drafters.features import FEATURES

MODEL_FILE = Path(__file__).with_name("answer_model.json")


@dataclass(frozen=True)
class AnswerModel:
    unit_coef: np.ndarray
    unit_intercept: float
    calibration_coef: np.ndarray  # on [best score, its margin over the runner-up, *the best candidate's features]
    calibration_intercept: float
    threshold: float  # answer when the calibrated probability of being right reaches it
    provenance: dict

    def unit_scores(self, features: np.ndarray) -> np.ndarray:
        """Per candidate, a score that ranks it against the question's other candidates (higher: the answer)."""
        return relative(features) @ self.unit_coef + self.unit_intercept

    def confidence(self, scores: np.ndarray, features: np.ndarray) -> float:
        """The probability that quoting the best candidate answers the question right."""
        if scores.size == 0:
            return 0.0
        order = np.argsort(-scores)
        best = int(order[0])
        margin = float(scores[best] - scores[order[1]]) if scores.size > 1 else float(np.clip(scores[best], 0, 10))
        inputs = np.concatenate([[scores[best], margin], features[best]])
        z = float(self.calibration_coef @ inputs + self.calibration_intercept)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def relative(features: np.ndarray) -> np.ndarray:
    """Each feature as its distance to the question's best value: the ranker compares candidates of one question,
    so how close the question is to the knowledge base at all is left to the second model."""
    return features - features.max(axis=0, keepdims=True) if len(features) else features


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> AnswerModel:
    data = json.loads(path.read_text())
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(f"{path.name} was fitted on features {data['features']}, not {list(FEATURES)}: "
                           "refit with python bench/answerability.py --fit")
    return AnswerModel(np.asarray(data["unit_coef"], dtype=np.float32), float(data["unit_intercept"]),
                       np.asarray(data["calibration_coef"], dtype=np.float64), float(data["calibration_intercept"]),
                       float(data["threshold"]), data.get("provenance", {}))
