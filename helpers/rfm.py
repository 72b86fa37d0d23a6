"""RFM value model (RFM 价值模型): scores, the eight classic Chinese segments and actions per segment.

What
----
* :func:`rfm_scores` — R, F, M scores 1 … ``bins`` (default 5) from a member summary
  (:func:`helpers.behavior.member_summary`): R from ``recency`` (days since the last purchase; **recent = high**),
  F from ``frequency`` (orders), M from ``monetary_total`` (元). Quantile scores by default, or custom edges.
* :func:`rfm_segments` — the classic eight segments (重要价值 / 重要发展 / 重要保持 / 重要挽留 / 一般价值 /
  一般发展 / 一般保持 / 一般挽留) from whether each of R, F, M is high or low.
* :func:`segment_actions` — a table of what each segment looks like and the recommended action (Chinese).
* :func:`segment_summary` — members, share, spend and value share per segment.
* :func:`rfm_table` — scores + segment in one call; :func:`high_cutoffs` — the cut-off each score must exceed.
* :func:`score_ranges` — the raw values (days / orders / 元) behind every score: the thresholds a scoring used.
* :func:`segment_truth` — per segment, how many members the simulation's ground truth says are still alive.
* :func:`target_list` — the member list for CRM / SMS tools (segment, code, strategy, action, SMS consent).
* :func:`parse_edges` / :func:`parse_threshold` — the report parameters ``rfm_edges`` / ``rfm_threshold``.
* :func:`member_scores` / :func:`member_score_descriptions` — the RFM columns of the report's member table and
  their Chinese descriptions, written from the scoring (levels, edges, cut-offs, threshold rule).

Why these choices
-----------------
* **Ties.** Frequency is heavily tied (often more than half of all members bought once), so "cut the ranking into
  five equal groups" would give identical members different scores depending on row order. The default
  ``ties="shared"`` defines the score as ``1 + floor(bins × share of members strictly worse)``: equal values always
  share a score, the result does not depend on row order, and a score of k means at least (k−1)/bins of members are
  strictly worse. Where the data cannot tell members apart some scores stay empty (e.g. F has no 2 or 3) — that
  is information, not a bug. ``ties="first"`` gives the textbook equal-sized groups via ``rank(method="first")``
  (ties broken by the sorted member index, so still reproducible).
* **Custom edges** (``edges={"R": [30, 90, 180, 365], "F": [2, 4, 8, 16], "M": [500, 1000, 3000, 5000]}``) use
  business cut-offs in days / orders / 元 instead of quantiles: for F and M a value equal to an edge moves up
  (left-closed bins); for R a recency equal to an edge stays in the more recent, higher band.
* **High / low.** For the eight segments each score is compared with a cut-off and *high* means strictly above
  it. The default ``threshold="middle"`` puts the cut-off in the middle of the score scale, (levels + 1) / 2, so
  with 5 bins scores 4–5 are high and 1–3 low. The textbook rule "above the mean score" (``threshold="mean"``)
  is not the default because with quantile scores the mean score sits almost exactly on 3.0: whether it comes
  out as 2.9998 or 3.0001 decides for the whole score-3 band (about 20 % of members) whether it is high or low,
  so one member more or less can move thousands of members between segments from one month to the next.
  ``threshold="median"`` uses the median score, a number uses that fixed score.
* **Target list.** :func:`target_list` is the file a CRM / SMS tool receives: one row per member, segments in
  :data:`SEGMENTS` order (most important first), within a segment the highest R + F + M first, ties by member id;
  with a member table, ``sms_contactable`` follows :func:`helpers.quality.contactable` (explicit consent and a
  phone on file; a member missing from the member table is *not* contactable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["rfm_scores", "rfm_segments", "rfm_table", "high_cutoffs", "parse_edges", "parse_threshold",
           "score_ranges", "score_ranges_dict", "segment_actions", "segment_summary", "segment_truth", "target_list",
           "member_scores", "member_score_descriptions", "threshold_zh", "SEGMENTS", "SEGMENT_RULES",
           "THRESHOLD_RULES", "THRESHOLD_ZH", "UNIT_ZH"]

#: segment → (R high?, F high?, M high?) in the conventional order of the eight segments
SEGMENT_RULES: dict[str, tuple[bool, bool, bool]] = {
    "重要价值": (True, True, True),
    "重要发展": (True, False, True),
    "重要保持": (False, True, True),
    "重要挽留": (False, False, True),
    "一般价值": (True, True, False),
    "一般发展": (True, False, False),
    "一般保持": (False, True, False),
    "一般挽留": (False, False, False),
}
SEGMENTS = tuple(SEGMENT_RULES)

_COLUMNS = {"R": "recency", "F": "frequency", "M": "monetary_total"}


def _quantile_score(v: pd.Series, bins: int, higher_is_better: bool, ties: str) -> np.ndarray:
    vals = v.to_numpy(float)
    n = len(vals)
    if n == 0:
        return np.zeros(0, np.int64)
    if ties == "shared":
        # share of members strictly worse than each member
        s = np.sort(vals)
        if higher_is_better:
            worse = np.searchsorted(s, vals, side="left")  # strictly smaller
        else:
            worse = n - np.searchsorted(s, vals, side="right")  # strictly larger
        share = worse / n
    elif ties == "first":
        key = v if higher_is_better else -v
        share = (key.rank(method="first").to_numpy() - 1) / n
    else:
        raise ValueError("ties must be 'shared' or 'first'")
    return (1 + np.floor(bins * share + 1e-12)).clip(1, bins).astype(np.int64)


def _edge_score(v: pd.Series, edges, higher_is_better: bool) -> np.ndarray:
    e = np.asarray(edges, float)
    if np.any(np.diff(e) <= 0):
        raise ValueError("edges must be strictly increasing")
    vals = v.to_numpy(float)
    if higher_is_better:
        return (1 + np.searchsorted(e, vals, side="right")).astype(np.int64)
    return (len(e) + 1 - np.searchsorted(e, vals, side="left")).astype(np.int64)


def rfm_scores(summary: pd.DataFrame, bins: int = 5, edges: dict | None = None, *, ties: str = "shared",
               columns: dict | None = None) -> pd.DataFrame:
    """R, F, M scores (1 = worst … ``bins`` = best) for every member of ``summary``.

    Parameters
    ----------
    summary : member summary with ``recency``, ``frequency``, ``monetary_total`` (or see ``columns``).
    bins : number of quantile scores (default 5).
    edges : optional dict with any of ``"R"``, ``"F"``, ``"M"`` → increasing inner cut-offs (days, orders, 元);
        a dimension with edges gets ``len(edges) + 1`` scores, the others stay quantile-scored.
    ties : ``"shared"`` (default; equal values share a score) or ``"first"`` (equal-sized groups); see the module
        docstring.
    columns : override the source columns, e.g. ``{"F": "purchase_days"}``.

    Returns a DataFrame (same index) with integer ``R``, ``F``, ``M``, the code ``rfm_code`` (e.g. ``"545"``)
    and ``rfm_total`` (R + F + M).
    """
    cols = {**_COLUMNS, **(columns or {})}
    edges = edges or {}
    unknown = set(edges) - set("RFM")
    if unknown:
        raise ValueError(f"edges keys must be 'R', 'F', 'M'; got {sorted(unknown)}")
    missing = [c for c in cols.values() if c not in summary.columns]
    if missing:
        raise KeyError(f"summary is missing column(s) {missing}; build it with helpers.behavior.member_summary")
    out = {}
    for dim, col in cols.items():
        v = summary[col].astype(float)
        hib = dim != "R"
        out[dim] = _edge_score(v, edges[dim], hib) if dim in edges else _quantile_score(v, bins, hib, ties)
    df = pd.DataFrame(out, index=summary.index)
    df["rfm_code"] = df["R"].astype(str) + df["F"].astype(str) + df["M"].astype(str)
    df["rfm_total"] = df["R"] + df["F"] + df["M"]
    # number of possible scores per dimension: what threshold="middle" needs
    df.attrs["levels"] = {dim: len(edges[dim]) + 1 if dim in edges else bins for dim in "RFM"}
    return df


THRESHOLD_RULES = ("middle", "mean", "median")
#: Chinese names of the threshold rules and the units of R, F, M (for report text)
THRESHOLD_ZH = {"middle": "中间档", "mean": "平均分", "median": "中位数"}
UNIT_ZH = {"R": "天", "F": "单", "M": "元"}


def threshold_zh(threshold) -> str:
    """Chinese name of a threshold rule: 中间档 / 平均分 / 中位数, or 分数 3.5 for a fixed score."""
    return THRESHOLD_ZH[threshold] if isinstance(threshold, str) else f"分数 {threshold:g}"


def _threshold(s: pd.Series, threshold, levels: int | None = None) -> float:
    if threshold == "middle":
        # scores made by rfm_scores() know their scale; for hand-made scores assume 1 … highest score seen
        levels = levels if levels is not None else int(np.nanmax(s.to_numpy(float)))
        return (levels + 1) / 2
    if threshold == "mean":
        return float(s.mean())
    if threshold == "median":
        return float(s.median())
    if isinstance(threshold, int | float):
        return float(threshold)
    raise ValueError("threshold must be 'middle', 'mean', 'median' or a number")


def high_cutoffs(scores: pd.DataFrame, threshold="middle") -> dict[str, float]:
    """The score each dimension must strictly exceed to count as *high* under ``threshold`` (see
    :func:`rfm_segments`); what a report states beside the segment sizes."""
    th = threshold if isinstance(threshold, dict) else dict.fromkeys("RFM", threshold)
    levels = scores.attrs.get("levels", {})
    return {d: _threshold(scores[d], th.get(d, "middle"), levels.get(d)) for d in "RFM"}


def rfm_segments(scores: pd.DataFrame, threshold="middle") -> pd.Series:
    """The eight classic segments from R, F, M scores: each dimension is *high* when its score is strictly above
    a cut-off.

    ``threshold``: ``"middle"`` (default) — the middle of the score scale, (levels + 1) / 2, so with 5 bins
    scores 4–5 are high; ``"mean"`` / ``"median"`` — the mean / median score of the members; or a fixed number;
    or a dict per dimension, e.g. ``{"R": 3, "F": "median", "M": "mean"}``.

    Why "middle" is the default: with quantile scores the mean score sits almost exactly on 3, so under "mean"
    the whole score-3 band (~20 % of members) flips between high and low on a rounding difference of the data
    (seen on the course data: the 重要 segments jumped from 40 % to 60 % of members after a regeneration).
    Returns an ordered categorical Series named ``segment`` (categories in :data:`SEGMENTS` order).
    """
    cut = high_cutoffs(scores, threshold)
    high = {d: scores[d].to_numpy(float) > cut[d] for d in "RFM"}
    code = np.zeros(len(scores), np.int64)
    for i, (r, f, m) in enumerate(SEGMENT_RULES.values()):
        hit = (high["R"] == r) & (high["F"] == f) & (high["M"] == m)
        code[hit] = i
    return pd.Series(pd.Categorical.from_codes(code, categories=list(SEGMENTS), ordered=True), index=scores.index,
                     name="segment")


def parse_threshold(text) -> str | float:
    """A threshold from a report parameter: 'middle' / 'mean' / 'median' stay words, '3' or '3.5' becomes a
    number; anything else raises a bilingual ValueError."""
    word = str(text).strip().lower()
    if word in THRESHOLD_RULES:
        return word
    try:
        return float(word)
    except ValueError:
        raise ValueError(f"rfm_threshold 只能是 middle、mean、median 或一个数字,得到 {text!r} / "
                         "rfm_threshold must be 'middle', 'mean', 'median' or a number") from None


def parse_edges(text: str) -> dict[str, list[float]]:
    """Business cut-offs from a report parameter: ``'R:30,90;F:2,4'`` -> ``{'R': [30.0, 90.0], 'F': [2.0, 4.0]}``
    (full-width ：；， accepted); empty text -> ``{}``. Cut-offs must increase; a bad part raises a bilingual
    ValueError naming it."""
    text = str(text).replace("：", ":").replace("；", ";").replace("，", ",")
    edges: dict[str, list[float]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        dim, _, values = part.partition(":")
        dim = dim.strip().upper()
        try:
            cuts = [float(v) for v in values.split(",") if v.strip()]
        except ValueError:
            cuts = []
        if dim not in ("R", "F", "M") or not cuts or any(b <= a for a, b in zip(cuts, cuts[1:], strict=False)):
            raise ValueError(f"阈值写法有误(rfm_edges):{part!r}。格式如 R:30,90,180;F:2,4,8,阈值须递增 / "
                             f"bad rfm_edges part {part!r}: use R:30,90,180;F:2,4,8 with increasing cut-offs")
        edges[dim] = cuts
    return edges


def rfm_table(summary: pd.DataFrame, bins: int = 5, edges: dict | None = None, *, ties: str = "shared",
              threshold="middle") -> pd.DataFrame:
    """:func:`rfm_scores` plus the ``segment`` column, for the report's ``member_scores`` table."""
    sc = rfm_scores(summary, bins=bins, edges=edges, ties=ties)
    sc["segment"] = rfm_segments(sc, threshold=threshold)
    return sc


def member_scores(table: pd.DataFrame) -> pd.DataFrame:
    """The RFM columns of the report's ``member_scores`` from an :func:`rfm_table`: ``r_score``, ``f_score``,
    ``m_score``, ``rfm_code`` and ``rfm_segment`` (text), same index. Described by
    :func:`member_score_descriptions`."""
    return pd.DataFrame({
        "r_score": table["R"], "f_score": table["F"], "m_score": table["M"],
        "rfm_code": table["rfm_code"], "rfm_segment": table["segment"].astype(str),
    }, index=table.index)


def member_score_descriptions(as_of, levels: dict, cutoffs: dict, *, edges: dict | None = None,
                              threshold="middle") -> dict[str, str]:
    """Chinese description of every column of :func:`member_scores`, written from the scoring that made them:
    ``levels`` (scores per dimension, ``scores.attrs["levels"]``), ``cutoffs`` (:func:`high_cutoffs`, the score to
    exceed for *high*), the business ``edges`` (a dimension without edges is quantile-scored with shared ties),
    the ``threshold`` rule and the ``as_of`` day the orders run to."""
    edges = edges or {}
    how = {d: (f"按业务阈值 {'、'.join(f'{v:g}' for v in edges[d])} {UNIT_ZH[d]}打分" if d in edges
               else "按分位数打分,并列共享分数(ties=shared)") for d in "RFM"}
    basis = f"依据截止日 {pd.Timestamp(as_of).date()} 及以前的全部已支付订单"
    return {
        "r_score": f"R 分(最近一次消费),1–{levels['R']} 分,越近越高;{how['R']};{basis}",
        "f_score": f"F 分(消费频次,订单数),1–{levels['F']} 分,买得越多越高;{how['F']};{basis}",
        "m_score": f"M 分(消费金额,实付金额合计,元),1–{levels['M']} 分,花得越多越高;{how['M']};{basis}",
        "rfm_code": "RFM 代码:R、F、M 三个分数依次连写的文本,如 545 表示 R=5、F=4、M=5;" + basis,
        "rfm_segment": (f"RFM 八类细分({' / '.join(SEGMENTS)});"
                        f"分数高于分界({threshold_zh(threshold)}:" + "、".join(f"{d}>{cutoffs[d]:g}" for d in "RFM")
                        + ")为高,重要 / 一般看 M 的高低;" + basis),
    }


_ACTIONS = {
    "重要价值": ("最近买过、买得勤、花得多:核心会员", "专属权益与VIP服务,新品优先体验,保持高频触达但避免过度营销", "维护"),
    "重要发展": ("最近买过、花得多但次数少:高潜力", "提升复购:会员日提醒、满额返券、搭配推荐,引导加入高等级", "发展"),
    "重要保持": ("以前常买且花得多,但最近没来:有流失迹象", "主动回访与关怀,专属回归礼包,了解未回购原因", "挽回"),
    "重要挽留": ("花得多但买得少、且久未购买:高价值流失风险", "重点挽留:一对一沟通、高价值定向优惠券,限时召回", "挽回"),
    "一般价值": ("最近常买但客单价低:活跃的小额会员", "提升客单价:满减门槛、组合套装、品类交叉推荐", "发展"),
    "一般发展": ("最近买过但频次和金额都低:新客或轻度会员", "新客培育:首单后关怀、第二单优惠、会员权益介绍", "发展"),
    "一般保持": ("以前常买但金额低、最近没来", "低成本唤醒:积分到期提醒、签到活动、短信/小程序推送", "唤醒"),
    "一般挽留": ("久未购买、频次和金额都低:低价值沉睡会员", "低成本触达或暂停营销,控制营销成本,定期批量唤醒", "低优先级"),
}


def segment_actions() -> pd.DataFrame:
    """Recommended actions per RFM segment (Chinese): ``R``, ``F``, ``M`` (高 / 低), ``description`` (画像),
    ``action`` (建议动作) and ``strategy`` (维护 / 发展 / 挽回 / 唤醒 / 低优先级)."""
    rows = []
    for seg, (r, f, m) in SEGMENT_RULES.items():
        desc, act, strat = _ACTIONS[seg]
        rows.append({"segment": seg, "R": "高" if r else "低", "F": "高" if f else "低", "M": "高" if m else "低",
                     "description": desc, "action": act, "strategy": strat})
    return pd.DataFrame(rows).set_index("segment")


def segment_summary(segments: pd.Series, summary: pd.DataFrame) -> pd.DataFrame:
    """Per segment: ``members``, ``member_share``, ``monetary_total`` (元), ``value_share`` and the mean
    ``recency`` / ``frequency`` / ``monetary_total`` of its members; all eight segments listed (empty ones = 0)."""
    df = summary[["recency", "frequency", "monetary_total"]].assign(segment=segments.reindex(summary.index))
    g = df.groupby("segment", observed=False)
    out = pd.DataFrame({
        "members": g.size(),
        "monetary_total": g["monetary_total"].sum(),
        "mean_recency": g["recency"].mean(),
        "mean_frequency": g["frequency"].mean(),
        "mean_monetary": g["monetary_total"].mean(),
    })
    out.insert(1, "member_share", out["members"] / max(out["members"].sum(), 1))
    total = out["monetary_total"].sum()
    out.insert(3, "value_share", out["monetary_total"] / total if total else np.nan)
    out.index = pd.CategoricalIndex(out.index, categories=list(SEGMENTS), ordered=True, name="segment")
    return out


def score_ranges(summary: pd.DataFrame, scores: pd.DataFrame, columns: dict | None = None) -> pd.DataFrame:
    """The raw values behind every score: one row per (``dimension``, ``score``) that has members, with the
    ``min`` and ``max`` raw value (R in days, F in orders, M in 元) and the number of ``members``.

    These are the thresholds a scoring actually used (for quantile scores they move with the data); the report
    stores them beside the segment sizes. ``columns`` overrides the source columns as in :func:`rfm_scores`.
    Rows are ordered R, F, M and by score ascending; scores nobody has are not listed."""
    cols = {**_COLUMNS, **(columns or {})}
    rows = []
    for dim, col in cols.items():
        g = summary[col].astype(float).groupby(scores[dim].reindex(summary.index)).agg(["min", "max", "size"])
        for score, r in g.sort_index().iterrows():
            rows.append({"dimension": dim, "score": int(score), "min": float(r["min"]), "max": float(r["max"]),
                         "members": int(r["size"])})
    return pd.DataFrame(rows, columns=["dimension", "score", "min", "max", "members"])


def score_ranges_dict(ranges: pd.DataFrame) -> dict:
    """:func:`score_ranges` as nested plain types for ``metrics.json``:
    ``{"R": {"5": {"min": 0.0, "max": 11.0, "members": 1840}, ...}, "F": {...}, "M": {...}}``."""
    return {d: {str(int(r.score)): {"min": float(r.min), "max": float(r.max), "members": int(r.members)}
                for r in ranges[ranges["dimension"] == d].itertuples()} for d in "RFM"}


def target_list(table: pd.DataFrame, actions: pd.DataFrame | None = None, members: pd.DataFrame | None = None,
                channel: str = "sms") -> pd.DataFrame:
    """The member list for CRM / SMS tools: one row per member of ``table`` (from :func:`rfm_table`, indexed by
    member id) with ``member_id``, ``segment``, ``rfm_code``, ``strategy``, ``action`` and — when ``members`` has
    the consent column for ``channel`` — ``<channel>_contactable``.

    Order: segments in :data:`SEGMENTS` order (重要价值 first), within a segment ``rfm_total`` descending, ties by
    member id; the index is 0 … n−1. ``actions`` defaults to :func:`segment_actions`. Contactability comes from
    :func:`helpers.quality.contactable` (explicit consent only; for SMS also a phone on file); a member absent from
    ``members`` is not contactable, and a member listed twice is contactable only if every row says so.
    Without ``members`` (or without its consent column) the contactable column is left out: no consent
    information is not consent."""
    from helpers import quality

    if channel not in quality.CONSENT_COLUMNS:
        raise ValueError(f"unknown channel {channel!r}; use one of {sorted(quality.CONSENT_COLUMNS)} / 未知渠道")
    actions = segment_actions() if actions is None else actions
    df = table[["segment", "rfm_code", "rfm_total"]].copy()
    df.index = df.index.rename("member_id")
    df = df.reset_index()
    df["segment"] = df["segment"].astype(str)
    df = df.join(actions[["strategy", "action"]].set_axis(actions.index.astype(str)), on="segment")
    # after the join: joining on a categorical key would turn it back into plain strings
    df["segment"] = pd.Categorical(df["segment"], categories=list(SEGMENTS), ordered=True)
    if members is not None and "member_id" in members.columns and quality.CONSENT_COLUMNS[channel] in members.columns:
        ok = quality.contactable(members, channel)
        by_member = ok.groupby(members["member_id"].astype(str).to_numpy()).all()
        df[f"{channel}_contactable"] = df["member_id"].astype(str).map(by_member).fillna(False).astype(bool)
    df = df.sort_values(["segment", "rfm_total", "member_id"], ascending=[True, False, True], kind="mergesort")
    return df.drop(columns="rfm_total").reset_index(drop=True)


def segment_truth(segments: pd.Series, truth: pd.DataFrame, summary: pd.DataFrame | None = None,
                  alive: bool = True) -> pd.DataFrame:
    """Segments checked against a synthetic world's ground truth (``truth/member_truth.parquet``, indexed by
    member id): per segment (all eight listed) ``members`` found in the truth, ``alive_share`` — the share of them
    still alive at the as-of date (``alive_at_as_of``; left out when ``alive`` is False, e.g. because the truth was
    drawn for another as-of date), ``true_order_value`` — their mean true order value (``expected_order_value``,
    元) and, with ``summary``, ``observed_order_value`` — the mean observed ``monetary_mean`` of all members of the
    segment. Real data has no truth; this is for teaching and for checking the method."""
    joined = segments.rename("segment").to_frame().join(truth, how="inner")
    g = joined.groupby("segment", observed=False)
    out = pd.DataFrame({"members": g.size()})
    if alive and "alive_at_as_of" in joined.columns:
        out["alive_share"] = g["alive_at_as_of"].mean().astype(float)
    if "expected_order_value" in joined.columns:
        out["true_order_value"] = g["expected_order_value"].mean().astype(float)
    if summary is not None:
        out["observed_order_value"] = (summary["monetary_mean"].astype(float)
                                       .groupby(segments.reindex(summary.index), observed=False).mean())
    out = out.reindex(list(SEGMENTS))
    out["members"] = out["members"].fillna(0).astype(int)
    out.index = pd.CategoricalIndex(out.index, categories=list(SEGMENTS), ordered=True, name="segment")
    return out
