"""Typical wrong answers for module 03 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

Each one is a mistake trainees really make, and each must score 0 on its exercise's test cell.
"""

WRONG_ANSWERS = {
    # timestamp arithmetic on every order: refunds and orders after as-of count, and 23:50 yesterday is "0 days"
    "ex03_recency_days": '''
def recency_days(orders, as_of):
    last = orders.groupby("member_id")["order_ts"].max()
    return (pd.Timestamp(as_of) - last).dt.days.rename("recency")
''',
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
    # round() instead of rounding up: Python sends .5 to the even number, round(2.5) == 2, so "the top 25 % of
    # 10 members" becomes 2 members (and 20 % of 997 members 199 instead of 200)
    "ex03_top_share": '''
def top_share(monetary, top=0.2):
    k = max(1, int(round(top * len(monetary))))
    return float(monetary.sort_values(ascending=False).head(k).sum() / monetary.sum())
''',
}
