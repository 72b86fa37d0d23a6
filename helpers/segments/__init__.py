"""Member segmentation and churn warning (会员细分与流失预警), module 05.

One job per file; this package re-exports every public name (``from helpers import segments``).

=================  ================================================================================================
``features``       :func:`member_features` — one row of numbers per member at a cut-off, from
                   :func:`helpers.behavior.member_summary` plus recent activity, trend and channel mix;
                   :func:`clv_columns` (module 04's P(alive) and expected purchases as features);
                   :func:`scaled` (log1p for counts and money, standardised); :func:`one_thread`
``clustering``     :func:`k_selection`, :func:`choose_k`, :class:`MemberSegments` (k-means, clusters ordered by
                   value and named in Chinese), :func:`order_by_value`, :func:`cluster_profiles`,
                   :func:`cluster_names`, :func:`compare_gmm`
``tags``           :data:`TAG_RULES`, :func:`member_tags`, :func:`tag_coverage`, :func:`tag_overlap`
``loyalty``        heavy / light × high / low loyalty: :func:`annual_spend`, :func:`brand_loyalty`,
                   :func:`loyalty_quadrants`, :func:`quadrant_agreement`, :data:`QUADRANT_ACTIONS`
``lifecycle``      :func:`lifecycle_stages` (新客 / 成长 / 成熟 / 衰退 / 沉睡 / 流失), :func:`lifecycle_transitions`
``churn``          out-of-time labels and frames (:func:`out_of_time_cutoffs`, :func:`churn_labels`,
                   :func:`churn_frame`) and :class:`ChurnModel` (logistic regression or gradient boosting,
                   calibrated)
``evaluation``     :func:`churn_metrics`, :func:`lift_at`, :func:`gains_table`, :func:`calibration_table`,
                   :func:`baseline_scores` (recency, 1 − P(alive)), :func:`compare_scores`,
                   :func:`permutation_importance`
``retention``      :func:`value_at_risk`, :func:`retention_list` (expected value, consent), :func:`threshold_summary`
``scores``         :func:`member_scores`, :func:`member_score_descriptions`, :func:`risk_band` — the report columns
``explorer``       :func:`segment_explorer`, :func:`churn_threshold_explorer` — the widgets behind one call each
=================  ================================================================================================

Terms: 流失 here is the rule-based status (no paid purchase for a while, or in the next ``horizon_days``);
BG/NBD's latent state is 存活 / 脱离 (module 04). Determinism: fixed seeds, one thread for scikit-learn's native
code, and results of transcendental functions rounded with :func:`helpers.synth.stable.stable` before any
decision (a ranking, a band, the choice of k).
"""

from __future__ import annotations

from helpers.segments.churn import (
    CHURN_FEATURES,
    ChurnModel,
    churn_frame,
    churn_labels,
    data_end,
    out_of_time_cutoffs,
)
from helpers.segments.clustering import (
    CLUSTER_FEATURES,
    MemberSegments,
    choose_k,
    cluster_names,
    cluster_profiles,
    compare_gmm,
    k_selection,
    order_by_value,
)
from helpers.segments.evaluation import (
    baseline_scores,
    calibration_table,
    churn_metrics,
    compare_scores,
    gains_table,
    lift_at,
    permutation_importance,
)
from helpers.segments.explorer import churn_threshold_explorer, segment_explorer
from helpers.segments.features import (
    FEATURE_LABELS_ZH,
    LOG_FEATURES,
    activity_windows,
    clv_columns,
    member_features,
    one_thread,
    scaled,
)
from helpers.segments.lifecycle import LIFECYCLE_STAGES, NOT_YET, lifecycle_stages, lifecycle_transitions
from helpers.segments.loyalty import (
    QUADRANT_ACTIONS,
    QUADRANTS,
    annual_spend,
    brand_loyalty,
    loyalty_quadrants,
    quadrant_agreement,
)
from helpers.segments.retention import retention_list, threshold_summary, value_at_risk
from helpers.segments.scores import (
    RISK_BAND_EDGES,
    RISK_BANDS,
    SCORE_COLUMNS,
    member_score_descriptions,
    member_scores,
    risk_band,
)
from helpers.segments.tags import FESTIVAL_WINDOWS, TAG_RULES, member_tags, tag_coverage, tag_overlap

__all__ = [
    "CHURN_FEATURES", "CLUSTER_FEATURES", "FEATURE_LABELS_ZH", "FESTIVAL_WINDOWS", "LIFECYCLE_STAGES",
    "LOG_FEATURES", "NOT_YET", "QUADRANTS", "QUADRANT_ACTIONS", "RISK_BANDS", "RISK_BAND_EDGES", "SCORE_COLUMNS",
    "TAG_RULES", "ChurnModel", "MemberSegments", "activity_windows", "annual_spend", "baseline_scores",
    "brand_loyalty", "calibration_table", "clv_columns", "choose_k", "churn_frame", "churn_labels", "churn_metrics",
    "churn_threshold_explorer", "cluster_names", "cluster_profiles", "compare_gmm", "compare_scores", "data_end",
    "gains_table", "k_selection", "lifecycle_stages", "lifecycle_transitions", "lift_at", "loyalty_quadrants",
    "member_features", "member_score_descriptions", "member_scores", "member_tags", "one_thread",
    "order_by_value", "out_of_time_cutoffs", "permutation_importance", "quadrant_agreement", "retention_list",
    "risk_band", "scaled", "segment_explorer", "tag_coverage", "tag_overlap", "threshold_summary",
    "value_at_risk",
]
