"""The four-principle composite index per RT (transparansi, partisipatif, akuntabilitas, keberlanjutan).

Built following the OECD/JRC *Handbook on Constructing Composite Indicators* (2008), with the features of
the R package COINr in spirit: screening by data availability, optional group-median imputation,
goalposts / distance-to-target / min-max / z-score / rank normalisation, weighted arithmetic or geometric
aggregation, audit (Spearman correlations, Cronbach's alpha), Monte Carlo uncertainty of the ranks,
strengths and weaknesses per RT, and roll-ups. The framework lives in ``config/index_framework.yml``.

Modules: ``framework`` (load/validate the YAML), ``indicators`` (raw values), ``methods`` (normalise,
aggregate, rank), ``audit``, ``uncertainty``, ``evaluate`` (the entry point :func:`evaluate_principles`).
"""

from analysis.evaluate.principles.audit import audit_index, cronbach_alpha, spearman_pair
from analysis.evaluate.principles.evaluate import (
    DEFAULT_SEED,
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    aggregate_index,
    aggregate_principles,
    evaluate_principles,
    impute_group_median,
    indicator_contributions,
    normalise_matrix,
    rollup,
    score_period,
    screen_units,
    select_rt_scope,
)
from analysis.evaluate.principles.framework import (
    PRINCIPLES,
    Framework,
    IndexOptions,
    Indicator,
    Settings,
    load_framework,
    parse_framework,
)
from analysis.evaluate.principles.indicators import compute_indicator_values, survey_means
from analysis.evaluate.principles.methods import (
    aggregate_arithmetic,
    aggregate_geometric,
    assign_category,
    normalise_distance_to_target,
    normalise_goalposts,
    normalise_minmax,
    normalise_rank,
    normalise_zscore,
    rank_descending,
    rank_intervals,
    weighted_mean_available,
)
from analysis.evaluate.principles.uncertainty import (
    RankIntervals,
    Simulation,
    competition_ranks,
    draw_weights,
    runs_per_batch,
    simulate_rank_intervals,
    simulate_ranks,
)

__all__ = [
    "DEFAULT_SEED",
    "PRINCIPLES",
    "RankIntervals",
    "STATUS_INSUFFICIENT",
    "STATUS_SCORED",
    "Framework",
    "IndexOptions",
    "Indicator",
    "Settings",
    "Simulation",
    "aggregate_arithmetic",
    "aggregate_geometric",
    "aggregate_index",
    "aggregate_principles",
    "assign_category",
    "competition_ranks",
    "audit_index",
    "compute_indicator_values",
    "cronbach_alpha",
    "draw_weights",
    "evaluate_principles",
    "impute_group_median",
    "indicator_contributions",
    "load_framework",
    "normalise_distance_to_target",
    "normalise_goalposts",
    "normalise_matrix",
    "normalise_minmax",
    "normalise_rank",
    "normalise_zscore",
    "parse_framework",
    "rank_descending",
    "rank_intervals",
    "rollup",
    "runs_per_batch",
    "score_period",
    "screen_units",
    "select_rt_scope",
    "simulate_rank_intervals",
    "simulate_ranks",
    "spearman_pair",
    "survey_means",
    "weighted_mean_available",
]
