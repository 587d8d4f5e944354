"""Stage 3: pure statistics over stored judgments and ratings, returned as records.

A question is the unit throughout: its turns and samples are pooled into it (every scored judgment counts once in a
mean, so an imported FastChat run gives exactly FastChat's means) and intervals treat questions as independent.
One module per job: scores, pairwise (with Bradley–Terry), compare, agreement, rates.
"""

from .agreement import ROUNDING, AgreementRow, agreement
from .common import ALL, HUMAN, POOLING, Settings
from .compare import CompareCell, compare
from .pairwise import PairCell, RatingRow, bradley_terry_ratings, outcomes, pair_outcomes, pairwise
from .rates import HEALTH_FIELDS, HealthRate, LanguageRate, health_rates, language_rates
from .scores import LeaderRow, Obs, ScoreCell, observations, single_scores

__all__ = [
    "ALL", "HUMAN", "POOLING", "ROUNDING", "Settings", "AgreementRow", "agreement", "CompareCell", "compare", "PairCell",
    "RatingRow", "bradley_terry_ratings", "outcomes", "pair_outcomes", "pairwise", "HEALTH_FIELDS", "HealthRate",
    "LanguageRate", "health_rates", "language_rates", "LeaderRow", "Obs", "ScoreCell", "observations", "single_scores",
]
