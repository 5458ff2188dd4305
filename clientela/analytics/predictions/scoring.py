"""Scores learnt from the business's own outcomes (a lead won or lost, a customer who left or
stayed), with the factors behind each score.

A logistic regression over one-hot categories (source, region...) and standardised numbers
(amount, activities...): simple enough that each score reads as a sum of contributions — the
log-odds each of the record's values adds to or takes from the average — whose largest are the
score's factors. A fifth of the outcomes is held out to measure it (ROC AUC and accuracy); the
model is then refitted on them all.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# Fewer outcomes than this (or of the rarer outcome) teach nothing worth showing.
MIN_OUTCOMES = 50
MIN_EACH = 10
HELD_OUT = 0.2
FACTORS = 3


class NotEnoughData(ValueError):
    """Too few outcomes (or all alike) to learn from."""


@dataclass(frozen=True)
class Factor:
    feature: str  # "source=web_form", "amount"
    effect: float  # log-odds added to (or taken from) the average record's


@dataclass(frozen=True)
class Score:
    probability: float
    factors: list  # the largest effects, strongest first


@dataclass
class Model:
    vectorizer: DictVectorizer
    scaler: StandardScaler
    regression: LogisticRegression
    auc: float  # on the held-out outcomes
    accuracy: float
    trained_on: int

    def score(self, rows):
        """The ``Score`` of each of ``rows`` (dicts of the features trained on)."""
        matrix = self.scaler.transform(self.vectorizer.transform(_clean(rows)))
        probabilities = self.regression.predict_proba(matrix)[:, 1]
        effects = matrix * self.regression.coef_[0]  # standardised: 0 is the average record
        names = self.vectorizer.get_feature_names_out()
        return [
            Score(float(p), _factors(names, row_effects))
            for p, row_effects in zip(probabilities, effects, strict=True)
        ]


def train(rows, outcomes):
    """A ``Model`` of ``outcomes`` (booleans) from ``rows`` (dicts: text values are
    categories, numbers are numbers, ``None`` is missing)."""
    outcomes = np.asarray(outcomes, dtype=bool)
    positives = int(outcomes.sum())
    if len(outcomes) < MIN_OUTCOMES or min(positives, len(outcomes) - positives) < MIN_EACH:
        raise NotEnoughData(
            f"scoring needs {MIN_OUTCOMES} outcomes, at least {MIN_EACH} of each kind"
        )
    rows = _clean(rows)
    train_rows, test_rows, train_y, test_y = train_test_split(
        rows, outcomes, test_size=HELD_OUT, stratify=outcomes, random_state=0
    )
    held_out = _fit(train_rows, train_y)
    probabilities = held_out.score(test_rows)
    predicted = [s.probability for s in probabilities]
    auc = roc_auc_score(test_y, predicted)
    accuracy = accuracy_score(test_y, [p >= 0.5 for p in predicted])
    final = _fit(rows, outcomes)
    final.auc, final.accuracy = float(auc), float(accuracy)
    return final


def _fit(rows, outcomes):
    vectorizer = DictVectorizer(sparse=False)
    scaler = StandardScaler()
    matrix = scaler.fit_transform(vectorizer.fit_transform(rows))
    regression = LogisticRegression(max_iter=2000, C=1.0).fit(matrix, outcomes)
    return Model(vectorizer, scaler, regression, auc=0.0, accuracy=0.0, trained_on=len(rows))


def _clean(rows):
    """Rows as the vectorizer takes them: missing values left out, categories as text."""
    return [
        {
            key: value
            if isinstance(value, int | float) and not isinstance(value, bool)
            else str(value)
            for key, value in row.items()
            if value is not None and value != ""
        }
        for row in rows
    ]


def _factors(names, effects):
    strongest = np.argsort(-np.abs(effects))[:FACTORS]
    return [Factor(str(names[i]), float(effects[i])) for i in strongest if effects[i]]
