"""Stage 3: pure statistics over stored judgments and ratings, returned as records.

A question is the unit throughout: its turns and samples are pooled into it (every scored judgment counts once in a
mean, so an imported FastChat run gives exactly FastChat's means) and intervals treat questions as independent.
One module per job: scores, pairwise (with Bradley–Terry), compare, agreement, rates, bias (length and position).
"""

from .agreement import ROUNDING, agreement, judge_choice
from .bias import answer_lengths, length_controlled, position_bias, self_preference
from .common import ALL, HUMAN, POOLING, Settings
from .compare import compare, gate
from .pairwise import bradley_terry_ratings, outcomes, pair_outcomes, pairwise
from .rates import HEALTH_FIELDS, health_rates, language_rates
from .scores import Obs, observations, safety_split, single_scores
from .style import answer_styles, normalised, style_controlled, style_of

__all__ = [
    "ALL",
    "HUMAN",
    "POOLING",
    "ROUNDING",
    "Settings",
    "agreement",
    "judge_choice",
    "answer_lengths",
    "length_controlled",
    "position_bias",
    "self_preference",
    "style_controlled",
    "style_of",
    "answer_styles",
    "normalised",
    "compare",
    "gate",
    "bradley_terry_ratings",
    "outcomes",
    "pair_outcomes",
    "pairwise",
    "HEALTH_FIELDS",
    "health_rates",
    "language_rates",
    "Obs",
    "observations",
    "single_scores",
    "safety_split",
]
