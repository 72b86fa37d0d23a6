# typography: ignore-file  (the strings below are Python code, not prose)
"""Module 03's answers that must score 0 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

``WRONG_ANSWERS``: a mistake trainees really make, per exercise. ``HELPER_ANSWERS``: for every code exercise, the
answer that only calls the course helper implementing it — the test cell blocks that helper while it runs.
``SABOTAGE_ANSWERS``: for every code exercise, an answer that switches the freshly reloaded
``helpers.checks`` off from its own function body and returns a value of the right type and shape but wrong
content; only the plain ``assert`` statements that end each hidden test can catch it, so each must score 0.
"""

WRONG_ANSWERS = {
    # the textbook equal-sized cut: identical members get different scores depending on row order
    "ex03_quantile_score": '''
def quantile_score(values, bins=5, higher_is_better=True):
    key = values if higher_is_better else -values
    return (pd.qcut(key.rank(method="first"), bins, labels=False) + 1).astype("int64")
''',
    # pd.cut's default right-closed bins: a value equal to a cut-off falls into the lower band
    "ex03_edge_score": '''
def edge_score(values, edges, higher_is_better=True):
    bins = [-np.inf, *edges, np.inf]
    score = pd.cut(values, bins, labels=False) + 1
    if not higher_is_better:
        score = len(edges) + 2 - score
    return score.astype("int64")
''',
    # 重要发展 and 重要保持 swapped (R and F mixed up), the classic confusion of the eight names
    "ex03_name_segments": '''
def name_segments(scores, threshold=3):
    names = {
        (True, True, True): "重要价值", (False, True, True): "重要发展",
        (True, False, True): "重要保持", (False, False, True): "重要挽留",
        (True, True, False): "一般价值", (False, True, False): "一般发展",
        (True, False, False): "一般保持", (False, False, False): "一般挽留",
    }
    high = {d: scores[d] > threshold for d in "RFM"}
    return pd.Series([names[(bool(r), bool(f), bool(m))] for r, f, m in zip(high["R"], high["F"], high["M"])],
                     index=scores.index)
''',
    # round() instead of rounding up: Python sends .5 to the even number, round(2.5) == 2
    "ex03_top_share": '''
def top_share(monetary, top=0.2):
    k = max(1, int(round(top * len(monetary))))
    return float(monetary.sort_values(ascending=False).head(k).sum() / monetary.sum())
''',
    # the list in segment order (重要价值 first, big spenders first): the budget goes to members who buy anyway
    "ex03_choose_contacts": '''
def choose_contacts(candidates, uplift, budget=1500, margin=0.3, cost=1.0):
    order = {s: i for i, s in enumerate(["重要价值", "重要发展", "重要保持", "重要挽留",
                                         "一般价值", "一般发展", "一般保持", "一般挽留"])}
    ok = candidates[candidates["sms_contactable"]]
    ranked = ok.assign(rank=ok["segment"].map(order)).sort_values(["rank", "monetary_mean"],
                                                                  ascending=[True, False], kind="stable")
    return list(ranked.index[:budget])
''',
    # precision and recall divided by the wrong count (the flagged and the truly lapsed members swapped)
    "ex03_lapse_check": '''
def lapse_check(segments, alive):
    both = pd.DataFrame({"segment": segments.astype(str)}).join(alive.rename("alive"), how="inner")
    flagged = both["segment"].isin(["重要保持", "重要挽留", "一般保持", "一般挽留"])
    lapsed = ~both["alive"].astype(bool)
    hit = int((flagged & lapsed).sum())
    return {"precision": hit / lapsed.sum(), "recall": hit / flagged.sum(), "lapsed_share": lapsed.mean()}
''',
}

HELPER_ANSWERS = {
    "ex03_quantile_score": '''
def quantile_score(values, bins=5, higher_is_better=True):
    frame = pd.DataFrame({"recency": values, "frequency": values, "monetary_total": values})
    return rfm.rfm_scores(frame, bins=bins)["F" if higher_is_better else "R"]
''',
    "ex03_edge_score": '''
def edge_score(values, edges, higher_is_better=True):
    frame = pd.DataFrame({"recency": values, "frequency": values, "monetary_total": values})
    dim = "F" if higher_is_better else "R"
    return rfm.rfm_scores(frame, edges={dim: list(edges)})[dim]
''',
    "ex03_name_segments": '''
def name_segments(scores, threshold=3):
    return rfm.rfm_segments(scores, threshold=threshold).astype(str)
''',
    "ex03_top_share": '''
def top_share(monetary, top=0.2):
    return behavior.top_share(monetary, top)
''',
    "ex03_choose_contacts": '''
def choose_contacts(candidates, uplift, budget=1500, margin=0.3, cost=1.0):
    return rfm.contact_plan(candidates, uplift, budget, margin, cost).index
''',
    "ex03_lapse_check": '''
def lapse_check(segments, alive):
    return rfm.lapse_check(segments, alive)
''',
}


from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

SABOTAGE_ANSWERS = {
    "ex03_quantile_score": '''
def quantile_score(values, bins=5, higher_is_better=True):''' + _CHECKS_OFF + '''
    return pd.Series(1, index=values.index, dtype="int64")
''',
    "ex03_edge_score": '''
def edge_score(values, edges, higher_is_better=True):''' + _CHECKS_OFF + '''
    return pd.Series(1, index=values.index, dtype="int64")
''',
    "ex03_name_segments": '''
def name_segments(scores, threshold=3):''' + _CHECKS_OFF + '''
    return pd.Series("一般挽留", index=scores.index, name="segment")
''',
    "ex03_top_share": '''
def top_share(monetary, top=0.2):''' + _CHECKS_OFF + '''
    return 0.5
''',
    # the first `budget` candidates, contactable or not
    "ex03_choose_contacts": '''
def choose_contacts(candidates, uplift, budget=1500, margin=0.3, cost=1.0):''' + _CHECKS_OFF + '''
    return candidates.index[:budget]
''',
    "ex03_lapse_check": '''
def lapse_check(segments, alive):''' + _CHECKS_OFF + '''
    return {"precision": 0.5, "recall": 0.5, "lapsed_share": 0.5}
''',
}
