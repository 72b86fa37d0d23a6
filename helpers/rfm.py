"""RFM value model (RFM 价值模型): scores, the eight classic Chinese segments, actions, and budgeted contact lists.

What
----
* :func:`rfm_scores` — R, F, M scores 1 … ``bins`` from a member summary (:func:`helpers.behavior.member_summary`):
  R from ``recency`` (days; **recent = high**), F from ``frequency`` (orders), M from ``monetary_total`` (元) or,
  with ``monetary="aov"``, from ``monetary_mean`` (客单价, 元 per order). Quantile scores or custom edges.
* :func:`rfm_segments` / :func:`rfm_table` / :func:`high_cutoffs` — the eight segments (重要价值 … 一般挽留) from
  whether each score is above a cut-off; scores + segment in one call; the cut-offs used.
* :func:`segment_actions`, :func:`segment_summary`, :func:`score_ranges` — actions, sizes and value shares, the
  raw values behind each score. :func:`fm_spearman` — how much F and M overlap.
* :func:`target_list` — the CRM / SMS list; :func:`expected_gain` / :func:`contact_plan` — whom to contact under a
  message budget, by expected net gain per member.
* :func:`segment_truth` / :func:`lapse_check` — segments checked against a synthetic world's ground truth.
* :func:`plot_shares` / :func:`segment_explorer` — member and value shares per segment, static or with controls.
* report helpers: :func:`parse_edges`, :func:`parse_threshold`, :func:`member_scores`,
  :func:`member_score_descriptions`.

Why these choices
-----------------
* **Ties.** F is heavily tied (often most members bought once), so cutting the ranking into equal groups gives
  identical members different scores depending on row order. ``ties="shared"`` (default) scores
  ``1 + floor(bins × share of members strictly worse)``: equal values share a score, independent of row order;
  some scores may stay empty (information, not a bug). ``ties="first"`` gives equal-sized groups via
  ``rank(method="first")`` (ties broken by the sorted member index, so reproducible).
* **Custom edges** (``edges={"R": [30, 90], "F": [2, 4], "M": [500, 1000]}``, days / orders / 元): for F and M a
  value equal to an edge moves up (left-closed bins); for R a recency equal to an edge stays in the more recent band.
* **High / low.** *High* means strictly above a cut-off. The default ``threshold="middle"`` is the middle of the
  score scale, (levels + 1) / 2 (scores 4–5 of 5 are high). The textbook "above the mean score" is not the default:
  with quantile scores the mean sits almost exactly on 3.0, so a rounding difference decides for the whole score-3
  band (about 20 % of members) whether it is high or low, and segments jump between monthly runs.
* **M = total or average order value.** Total spend is largely bought by frequency, so F and M (total) are highly
  rank-correlated and the "F low, M high" segments (重要发展, 重要挽留) stay tiny. ``monetary="aov"`` scores M on
  the average order value instead: M then says how much a member spends per visit, F how often.
* **Budget.** :func:`contact_plan` ranks contactable members by expected net gain
  (uplift of the segment × 客单价 × margin − cost per contact) and keeps the best ``budget`` with a positive gain:
  the list that maximises the expected gain under the budget. Ties by member id, so the list is reproducible.
* **Target list.** :func:`target_list` orders segments most important first, within a segment R + F + M
  descending, ties by member id; ``sms_contactable`` follows :func:`helpers.quality.contactable` (explicit consent
  and a phone; a member missing from the member table is *not* contactable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.widgets import toolkit

__all__ = ["rfm_scores", "rfm_segments", "rfm_table", "high_cutoffs", "parse_edges", "parse_threshold",
           "score_ranges", "score_ranges_dict", "segment_actions", "segment_summary", "segment_truth", "target_list",
           "member_scores", "member_score_descriptions", "threshold_zh", "fm_spearman", "expected_gain",
           "contact_plan", "lapse_check", "plot_shares", "segment_explorer", "SEGMENTS", "SEGMENT_RULES",
           "THRESHOLD_RULES", "THRESHOLD_ZH", "UNIT_ZH", "MONETARY", "MONETARY_ZH"]

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

#: what M measures → the member-summary column it is scored from, and its Chinese name
MONETARY = {"total": "monetary_total", "aov": "monetary_mean"}
MONETARY_ZH = {"total": "消费金额", "aov": "客单价"}
_COLUMNS = {"R": "recency", "F": "frequency", "M": "monetary_total"}


def _columns(monetary: str, columns: dict | None) -> dict:
    if monetary not in MONETARY:
        raise ValueError(f"monetary must be one of {sorted(MONETARY)}; got {monetary!r}")
    return {**_COLUMNS, "M": MONETARY[monetary], **(columns or {})}


def _quantile_score(v: pd.Series, bins: int, higher_is_better: bool, ties: str) -> np.ndarray:
    vals = v.to_numpy(float)
    n = len(vals)
    if n == 0:
        return np.zeros(0, np.int64)
    if ties == "shared":  # share of members strictly worse than each member
        s = np.sort(vals)
        worse = np.searchsorted(s, vals, side="left") if higher_is_better else n - np.searchsorted(s, vals, "right")
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
               columns: dict | None = None, monetary: str = "total") -> pd.DataFrame:
    """R, F, M scores (1 = worst … ``bins`` = best) for every member of ``summary``.

    ``edges``: optional dict with any of ``"R"``, ``"F"``, ``"M"`` → increasing inner cut-offs (days, orders, 元);
    a dimension with edges gets ``len(edges) + 1`` scores, the others stay quantile-scored. ``ties``: ``"shared"``
    (default) or ``"first"`` (module docstring). ``monetary``: ``"total"`` (M = ``monetary_total``) or ``"aov"``
    (M = ``monetary_mean``, the average order value). ``columns`` overrides source columns, e.g.
    ``{"F": "purchase_days"}``.

    Returns a DataFrame (same index) with integer ``R``, ``F``, ``M``, ``rfm_code`` (e.g. ``"545"``) and
    ``rfm_total`` (R + F + M); ``attrs["levels"]`` (scores per dimension) and ``attrs["monetary"]``.
    """
    cols = _columns(monetary, columns)
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
    df.attrs["levels"] = {dim: len(edges[dim]) + 1 if dim in edges else bins for dim in "RFM"}
    df.attrs["monetary"] = monetary
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
    """The eight classic segments from R, F, M scores: a dimension is *high* when its score is strictly above a
    cut-off. ``threshold``: ``"middle"`` (default, (levels + 1) / 2), ``"mean"`` / ``"median"`` of the members'
    scores, a fixed number, or a dict per dimension (``{"R": 3, "F": "median"}``). Returns an ordered categorical
    Series named ``segment`` (categories in :data:`SEGMENTS` order)."""
    cut = high_cutoffs(scores, threshold)
    high = {d: scores[d].to_numpy(float) > cut[d] for d in "RFM"}
    code = np.zeros(len(scores), np.int64)
    for i, (r, f, m) in enumerate(SEGMENT_RULES.values()):
        code[(high["R"] == r) & (high["F"] == f) & (high["M"] == m)] = i
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
        raise ValueError(f"rfm_threshold 只能是 middle、mean、median 或一个数字，得到 {text!r} / "
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
            raise ValueError(f"阈值写法有误（rfm_edges）：{part!r}。格式如 `R:30,90,180;F:2,4,8`，阈值须递增 / "
                             f"bad rfm_edges part {part!r}: use R:30,90,180;F:2,4,8 with increasing cut-offs")
        edges[dim] = cuts
    return edges


def rfm_table(summary: pd.DataFrame, bins: int = 5, edges: dict | None = None, *, ties: str = "shared",
              threshold="middle", monetary: str = "total") -> pd.DataFrame:
    """:func:`rfm_scores` plus the ``segment`` column, for the report's ``member_scores`` table."""
    sc = rfm_scores(summary, bins=bins, edges=edges, ties=ties, monetary=monetary)
    sc["segment"] = rfm_segments(sc, threshold=threshold)
    return sc


def fm_spearman(summary: pd.DataFrame, monetary: str = "total") -> float:
    """Spearman rank correlation of F (``frequency``) and M (total spend, or the average order value with
    ``monetary="aov"``): near 1 means M mostly repeats what F already says. NaN for fewer than two members."""
    col = _columns(monetary, None)["M"]
    if len(summary) < 2:
        return float("nan")
    return float(summary["frequency"].astype(float).corr(summary[col].astype(float), method="spearman"))


def member_scores(table: pd.DataFrame) -> pd.DataFrame:
    """The RFM columns of the report's ``member_scores`` from an :func:`rfm_table`: ``r_score``, ``f_score``,
    ``m_score``, ``rfm_code`` and ``rfm_segment`` (text), same index."""
    return pd.DataFrame({
        "r_score": table["R"], "f_score": table["F"], "m_score": table["M"],
        "rfm_code": table["rfm_code"], "rfm_segment": table["segment"].astype(str),
    }, index=table.index)


def member_score_descriptions(as_of, levels: dict, cutoffs: dict, *, edges: dict | None = None,
                              threshold="middle", monetary: str = "total") -> dict[str, str]:
    """Chinese description of every column of :func:`member_scores`, written from the scoring that made them:
    ``levels`` (``scores.attrs["levels"]``), ``cutoffs`` (:func:`high_cutoffs`), the business ``edges`` (a dimension
    without edges is quantile-scored with shared ties), the ``threshold`` rule, what M measures (``monetary``)
    and the ``as_of`` day."""
    edges = edges or {}
    how = {d: (f"按业务阈值 {'、'.join(f'{v:g}' for v in edges[d])} {UNIT_ZH[d]}打分" if d in edges
               else "按分位数打分，并列共享分数（ties=shared）") for d in "RFM"}
    basis = f"依据截止日 {pd.Timestamp(as_of).date()} 及以前的全部已支付订单"
    m_what, m_dir = (("消费金额，实付金额合计，元", "花得越多越高") if monetary == "total"
                     else ("客单价，每笔已支付订单的平均实付金额，元", "每单花得越多越高"))
    return {
        "r_score": f"R 分（最近一次消费），1–{levels['R']} 分，越近越高；{how['R']}；{basis}",
        "f_score": f"F 分（消费频次，订单数），1–{levels['F']} 分，买得越多越高；{how['F']}；{basis}",
        "m_score": f"M 分（{m_what}），1–{levels['M']} 分，{m_dir}；{how['M']}；{basis}",
        "rfm_code": "RFM 代码：R、F、M 三个分数依次连写的文本，如 545 表示 R=5、F=4、M=5；" + basis,
        "rfm_segment": (f"RFM 八类细分（{' / '.join(SEGMENTS)}）；"
                        f"分数高于分界（{threshold_zh(threshold)}：" + "、".join(f"{d}>{cutoffs[d]:g}" for d in "RFM")
                        + f"）为高，重要 / 一般看 M（{MONETARY_ZH[monetary]}）的高低；" + basis),
    }


_ACTIONS = {
    "重要价值": ("最近买过、买得勤、花得多：核心会员", "专属权益与 VIP 服务，新品优先体验；保持触达但避免过度营销", "维护"),
    "重要发展": ("最近买过、花得多但次数少：高潜力", "提升复购：会员日提醒、满额返券、搭配推荐，引导升级会员等级", "发展"),
    "重要保持": ("以前常买且花得多，但最近没来：有流失迹象", "主动回访与关怀，专属回归礼包，了解未回购原因", "挽回"),
    "重要挽留": ("花得多但买得少、且久未购买：高价值会员的流失风险", "重点挽留：一对一沟通、定向优惠券、限时召回", "挽回"),
    "一般价值": ("最近常买但金额低：活跃的小额会员", "提升客单价：满减门槛、组合套装、品类交叉推荐", "发展"),
    "一般发展": ("最近买过但频次和金额都低：新会员或轻度会员", "新会员培育：首单后关怀、第二单优惠、会员权益介绍", "发展"),
    "一般保持": ("以前常买但金额低、最近没来", "低成本唤醒：积分到期提醒、签到活动、短信或小程序推送", "唤醒"),
    "一般挽留": ("久未购买、频次和金额都低：低价值的沉睡会员", "低成本触达或暂停营销，控制营销成本，定期批量唤醒", "低优先级"),
}


def segment_actions() -> pd.DataFrame:
    """Recommended actions per RFM segment (Chinese): ``R``, ``F``, ``M`` (高 / 低), ``description`` (画像),
    ``action`` (建议动作) and ``strategy`` (维护 / 发展 / 挽回 / 唤醒 / 低优先级)."""
    rows = [{"segment": seg, "R": "高" if r else "低", "F": "高" if f else "低", "M": "高" if m else "低",
             "description": _ACTIONS[seg][0], "action": _ACTIONS[seg][1], "strategy": _ACTIONS[seg][2]}
            for seg, (r, f, m) in SEGMENT_RULES.items()]
    return pd.DataFrame(rows).set_index("segment")


def segment_summary(segments: pd.Series, summary: pd.DataFrame) -> pd.DataFrame:
    """Per segment: ``members``, ``member_share``, ``monetary_total`` (元), ``value_share`` (share of total spend)
    and the mean ``recency`` / ``frequency`` / ``monetary_total`` of its members; all eight listed (empty = 0)."""
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
    ``min`` and ``max`` raw value (R in days, F in orders, M in 元) and the number of ``members``: the thresholds
    a scoring actually used. M is read from the column the scores were made from (``scores.attrs["monetary"]``);
    ``columns`` overrides as in :func:`rfm_scores`. Rows ordered R, F, M and by score ascending."""
    cols = _columns(scores.attrs.get("monetary", "total"), columns)
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
    """The member list for CRM / SMS tools: one row per member of ``table`` (an :func:`rfm_table` indexed by member
    id) with ``member_id``, ``segment``, ``rfm_code``, ``strategy``, ``action`` and — when ``members`` has the
    consent column for ``channel`` — ``<channel>_contactable`` (:func:`helpers.quality.contactable`; a member absent
    from ``members`` or listed twice with one row saying no is not contactable; without the column it is left
    out: no consent information is not consent). Order: segments in :data:`SEGMENTS` order, within a segment
    ``rfm_total`` descending, ties by member id; index 0 … n−1."""
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


def expected_gain(candidates: pd.DataFrame, uplift: dict, margin: float = 0.3, cost: float = 1.0) -> pd.Series:
    """Expected net gain of contacting each member (元): ``uplift[segment]`` (extra purchase probability a
    contact brings, e.g. from a randomised pilot; a segment not in ``uplift`` gets 0) × ``monetary_mean``
    (客单价, 元) × ``margin`` (gross margin) − ``cost`` (message + offer per contact). Named ``expected_gain``."""
    rate = candidates["segment"].astype(str).map({str(k): float(v) for k, v in uplift.items()}).fillna(0.0)
    gain = rate * candidates["monetary_mean"].astype(float) * margin - cost
    return gain.rename("expected_gain")


def contact_plan(candidates: pd.DataFrame, uplift: dict, budget: int = 1500, margin: float = 0.3,
                 cost: float = 1.0, contactable: str = "sms_contactable") -> pd.DataFrame:
    """Whom to contact with ``budget`` messages: the contactable members (column ``contactable`` True; without
    that column nobody is — no consent information is not consent) with a positive :func:`expected_gain`, best
    first, at most ``budget`` of them; ties by member id. This list has the largest total expected gain any list
    of at most ``budget`` contactable members can have. Returns ``candidates``' rows (index = member id) with the
    ``expected_gain`` column, in contact order."""
    gain = expected_gain(candidates, uplift, margin, cost)
    ok = (candidates[contactable].fillna(False).astype(bool) if contactable in candidates.columns
          else pd.Series(False, index=candidates.index))
    chosen = candidates.assign(expected_gain=gain)[ok.to_numpy() & (gain > 0).to_numpy()]
    chosen = chosen.sort_index(kind="mergesort").sort_values("expected_gain", ascending=False, kind="mergesort")
    return chosen.head(max(int(budget), 0))


def segment_truth(segments: pd.Series, truth: pd.DataFrame, summary: pd.DataFrame | None = None,
                  alive: bool = True) -> pd.DataFrame:
    """Segments checked against a synthetic world's ground truth (``truth/member_truth.parquet``, indexed by member
    id): per segment (all eight) ``members`` found in the truth, ``alive_share`` (share still alive at the as-of
    date, ``alive_at_as_of``; left out when ``alive`` is False, e.g. truth drawn for another day),
    ``true_order_value`` (mean ``expected_order_value``, 元) and, with ``summary``, ``observed_order_value`` (mean
    observed ``monetary_mean`` of all members of the segment). Real data has no truth: for teaching only."""
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


def lapse_check(segments: pd.Series, alive: pd.Series) -> dict[str, float]:
    """How well "R low" (the 保持 / 挽留 segments) flags members who truly dropped out (``alive`` False), over the
    members found in both: ``precision`` (share of flagged members who dropped out), ``recall`` (share of dropped-out
    members who are flagged), ``lapsed_share`` (share of all who dropped out, the precision of flagging at random)
    and ``members``. A share whose denominator is 0 is NaN."""
    r_low = [s for s, (r, _f, _m) in SEGMENT_RULES.items() if not r]
    both = pd.DataFrame({"segment": segments.astype(str)}).join(alive.rename("alive"), how="inner")
    flagged = both["segment"].isin(r_low).to_numpy()
    lapsed = ~both["alive"].astype(bool).to_numpy()

    def share(num: int, den: int) -> float:
        return num / den if den else float("nan")

    return {"precision": share(int((flagged & lapsed).sum()), int(flagged.sum())),
            "recall": share(int((flagged & lapsed).sum()), int(lapsed.sum())),
            "lapsed_share": share(int(lapsed.sum()), len(both)), "members": float(len(both))}


def plot_shares(shares: pd.DataFrame, title: str, ax=None):
    """Bar pairs per segment: ``member_share`` and ``value_share`` (columns of :func:`segment_summary`)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    ax = ax or plt.subplots(figsize=(10, 4.5))[1]
    x = np.arange(len(shares))
    member, value = shares["member_share"].to_numpy(float), shares["value_share"].fillna(0).to_numpy(float)
    ax.bar(x - 0.2, member, width=0.4, label="人数占比")
    ax.bar(x + 0.2, value, width=0.4, label="价值（消费金额）占比")
    for xi, (m, v) in enumerate(zip(member, value, strict=True)):
        ax.annotate(f"{m:.0%}", (xi - 0.2, m), ha="center", va="bottom", fontsize="small")
        ax.annotate(f"{v:.0%}", (xi + 0.2, v), ha="center", va="bottom", fontsize="small")
    ax.set_xticks(x, [str(s) for s in shares.index])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=title, xlabel="RFM 细分", ylabel="占比")
    ax.legend()
    return ax


def segment_explorer(summary: pd.DataFrame, *, threshold="middle", bins: int = 5, monetary: str = "total",
                     edges: dict | None = None, interactive: bool = True):
    """Controls to re-score ``summary`` and redraw :func:`plot_shares`: scoring (quantiles / business edges), the
    number of quantile bins, the three edge boxes and what M measures; ``threshold`` stays fixed. Displays and
    returns the widget box. Without ipywidgets, or with ``interactive=False`` (report runs), it prints a Chinese
    note and returns None. A kernel without a widget frontend only shows the widgets' text form: no error."""
    widgets = toolkit(interactive)
    if widgets is None:
        print("报告模式（或没有安装 ipywidgets）：不显示交互控件，上面的静态对比图给出了同样的信息。")
        return None
    import matplotlib.pyplot as plt
    from IPython.display import display

    edges = {"R": [30, 90, 180, 365], "F": [2, 4, 8, 16], "M": [500, 1000, 3000, 5000], **(edges or {})}
    text = {d: ",".join(f"{v:g}" for v in edges[d]) for d in "RFM"}

    def draw(mode: str, n_bins: int, m_kind: str, r_text: str, f_text: str, m_text: str) -> None:
        try:
            chosen = parse_edges(f"R:{r_text};F:{f_text};M:{m_text}") if mode == "edges" else None
        except ValueError as err:
            print(err)
            return
        segments = rfm_table(summary, bins=n_bins, edges=chosen, threshold=threshold, monetary=m_kind)["segment"]
        rule = "业务阈值" if chosen else f"{n_bins} 档分位数"
        plot_shares(segment_summary(segments, summary), f"细分的人数与价值占比（{rule}，M 为{MONETARY_ZH[m_kind]}，"
                    f"高低分界：{threshold_zh(threshold)}）", ax=plt.subplots(figsize=(10, 4))[1])
        plt.show()

    style = {"description_width": "initial"}
    controls = {
        "mode": widgets.ToggleButtons(options=[("分位数", "quantile"), ("业务阈值", "edges")], value="quantile",
                                      description="打分方式", style=style),
        "n_bins": widgets.IntSlider(value=int(bins), min=2, max=10, description="分位数档数", style=style),
        "m_kind": widgets.ToggleButtons(options=[(MONETARY_ZH[k], k) for k in MONETARY], value=monetary,
                                        description="M 的口径", style=style),
        **{f"{d.lower()}_text": widgets.Text(value=text[d], description=f"{d} 阈值（{UNIT_ZH[d]}）", style=style,
                                             disabled=True) for d in "RFM"},
    }

    def enable_for_mode(change) -> None:  # the slider only matters for quantiles, the boxes only for edges
        controls["n_bins"].disabled = change["new"] == "edges"
        for d in "rfm":
            controls[f"{d}_text"].disabled = change["new"] != "edges"

    controls["mode"].observe(enable_for_mode, names="value")
    box = widgets.VBox([widgets.HBox([controls["mode"], controls["n_bins"], controls["m_kind"]]),
                        widgets.HBox([controls[f"{d}_text"] for d in "rfm"]),
                        widgets.interactive_output(draw, controls)])
    display(box)
    return box
