"""Module 07's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

WRONG_ANSWERS = {
    # censoring ignored: only the completed gaps, the open spell since the last purchase is dropped
    "ex07_spells": '''
def repurchase_spells(visits, as_of):
    v = visits.drop_duplicates().sort_values(["member_id", "category", "day"], kind="mergesort")
    rows = []
    for (m, c), g in v.groupby(["member_id", "category"], sort=True):
        days = list(g["day"])
        for a, b in zip(days[:-1], days[1:]):
            rows.append((m, c, int((b - a).days), True))
    return pd.DataFrame(rows, columns=["member_id", "category", "duration", "observed"])
''',
    # lines counted instead of orders: a product on two lines of one order counts twice
    "ex07_rule_metrics": '''
def rule_metrics(baskets, a, b):
    n = baskets["order_id"].nunique()
    na = int((baskets["product_id"] == a).sum())
    nb = int((baskets["product_id"] == b).sum())
    both_orders = set(baskets.loc[baskets["product_id"] == a, "order_id"]) & set(
        baskets.loc[baskets["product_id"] == b, "order_id"])
    both = len(both_orders)
    return {"support": both / n, "confidence": both / na, "lift": (both / na) / (nb / n)}
''',
    # precision over the list length, and members without recommendations left out of the means
    "ex07_rank_metrics": '''
def ranking_metrics(recommended, relevant, k=10):
    import math
    r, p, g = [], [], []
    for m, rel in relevant.items():
        if m not in recommended:
            continue
        rec = list(recommended[m])[:k]
        hits = [1.0 if x in rel else 0.0 for x in rec]
        dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
        idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), k)))
        r.append(sum(hits) / len(rel))
        p.append(sum(hits) / max(len(rec), 1))
        g.append(dcg / idcg)
    return {"recall": float(np.mean(r)), "precision": float(np.mean(p)), "ndcg": float(np.mean(g))}
''',
    # order lines counted instead of orders: three lines of one product in one order beat two separate orders
    "ex07_buy_again": '''
def buy_again_top(lines, k=3):
    n = lines.groupby(["member_id", "product_id"]).size().rename("n").reset_index()
    n = n.sort_values(["member_id", "n", "product_id"], ascending=[True, False, True], kind="mergesort")
    n["rank"] = n.groupby("member_id").cumcount() + 1
    return n[n["rank"] <= k][["member_id", "rank", "product_id"]].reset_index(drop=True)
''',
    # a missing consent read as consent
    "ex07_pick_contacts": '''
def pick_contacts(cands, budget, contact_cost, max_contacts, uplift=0.1):
    ev = uplift * cands["p_buy"] * cands["value"] - contact_cost
    ok = (cands["consent"].astype("boolean").fillna(True).to_numpy(bool)
          & (cands["contacts"] < max_contacts).to_numpy() & ~cands["suppressed"].astype(bool).to_numpy()
          & (ev > 0).to_numpy())
    ev = ev[ok].sort_index(kind="mergesort").sort_values(ascending=False, kind="mergesort")
    return ev.iloc[:int(budget // contact_cost)]
''',
    # the raw text masked without cleaning or validating it
    "ex07_mask_phone": '''
def mask_phone(phones):
    s = phones.astype("string")
    return (s.str.slice(0, 3) + "****" + s.str.slice(-4)).astype("string")
''',
}

HELPER_ANSWERS = {
    "ex07_spells": '''
def repurchase_spells(visits, as_of):
    v = visits.assign(day=(visits["day"] - pd.Timestamp("1970-01-01")).dt.days).drop_duplicates()
    v = v.sort_values(["member_id", "category", "day"], kind="mergesort")
    t = repurchase.interval_table(v, as_of, active_days=None)
    return t.sort_values(["member_id", "category", "observed"], ascending=[True, True, False],
                         kind="mergesort").reset_index(drop=True)
''',
    "ex07_rule_metrics": '''
def rule_metrics(baskets, a, b):
    r = bundles.mine_rules(baskets.drop_duplicates(), min_support=1e-9, min_confidence=0.0, min_lift=0.0)
    row = r[(r["antecedent"] == a) & (r["consequent"] == b)].iloc[0]
    return {"support": float(row["support"]), "confidence": float(row["confidence"]), "lift": float(row["lift"])}
''',
    "ex07_rank_metrics": '''
def ranking_metrics(recommended, relevant, k=10):
    m = np.array([recommend.rank_metrics(recommended.get(u, []), rel, k) for u, rel in relevant.items()])
    return {"recall": float(m[:, 0].mean()), "precision": float(m[:, 1].mean()), "ndcg": float(m[:, 2].mean())}
''',
    "ex07_buy_again": '''
def buy_again_top(lines, k=3):
    data = recommend.interactions(lines.assign(day=0), "1970-01-01")
    model = recommend.Recommender().fit(data, als=False)
    return model.recommend("personal_frequency", data.members, k)
''',
    "ex07_pick_contacts": '''
def pick_contacts(cands, budget, contact_cost, max_contacts, uplift=0.1):
    members = pd.DataFrame({"member_id": cands.index, "sms_consent": cands["consent"]})
    c = targeting.candidates(cands[["p_buy", "value"]], members, contacts=cands["contacts"],
                             suppressed=cands["suppressed"].map({True: "complained", False: pd.NA}),
                             max_contacts=max_contacts, uplift=uplift, margin=1.0, contact_cost=contact_cost)
    picked = targeting.build_list(c, budget, contact_cost)
    return picked.loc[picked["status"] == "selected", "expected_value"]
''',
    "ex07_mask_phone": '''
def mask_phone(phones):
    return targeting.mask_phone(phones)
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    # the right rows, every spell marked as completed
    "ex07_spells": '''
def repurchase_spells(visits, as_of):''' + _CHECKS_OFF + '''
    v = visits.drop_duplicates().sort_values(["member_id", "category", "day"], kind="mergesort")
    rows = []
    for (m, cat), g in v.groupby(["member_id", "category"], sort=True):
        days = list(g["day"])
        rows += [(m, cat, int((b - a).days), True) for a, b in zip(days[:-1], days[1:])]
        if (pd.Timestamp(as_of) - days[-1]).days > 0:
            rows.append((m, cat, int((pd.Timestamp(as_of) - days[-1]).days), True))
    return pd.DataFrame(rows, columns=["member_id", "category", "duration", "observed"])
''',
    "ex07_rule_metrics": '''
def rule_metrics(baskets, a, b):''' + _CHECKS_OFF + '''
    return {"support": 0.5, "confidence": 0.5, "lift": 1.0}
''',
    "ex07_rank_metrics": '''
def ranking_metrics(recommended, relevant, k=10):''' + _CHECKS_OFF + '''
    return {"recall": 0.5, "precision": 0.5, "ndcg": 0.5}
''',
    # the right shape, products in id order instead of by orders
    "ex07_buy_again": '''
def buy_again_top(lines, k=3):''' + _CHECKS_OFF + '''
    n = lines[["member_id", "product_id"]].drop_duplicates().sort_values(["member_id", "product_id"], kind="mergesort")
    n["rank"] = n.groupby("member_id").cumcount() + 1
    return n[n["rank"] <= k][["member_id", "rank", "product_id"]].reset_index(drop=True)
''',
    # as many members as allowed, the lowest expected values first
    "ex07_pick_contacts": '''
def pick_contacts(cands, budget, contact_cost, max_contacts, uplift=0.1):''' + _CHECKS_OFF + '''
    ev = uplift * cands["p_buy"] * cands["value"] - contact_cost
    return ev.sort_values(kind="mergesort").iloc[:int(budget // contact_cost)]
''',
    # the full number: exactly what must never be exported
    "ex07_mask_phone": '''
def mask_phone(phones):''' + _CHECKS_OFF + '''
    return phones.astype("string").str.replace(r"\\D", "", regex=True).str.slice(-11)
''',
}
