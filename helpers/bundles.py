"""Bundles from association rules (关联规则与组合推荐): which products are bought together in one order, and which
slow movers can ride along with a strong anchor.

Why mlxtend: frequent itemsets (FP-growth) and the rule metrics (support, confidence, lift, leverage, conviction)
are a kept library of the field; the course adds what the library leaves open — baskets at *order* level from
paid orders only, a rules table with exact counts and a stable order (sorted by lift, ties broken by confidence,
support and the item ids, so the CSV is identical on every run), and a bundle proposal for slow-moving products.

Definitions (one order is one basket, a product counted once per order): support(A→B) = orders with A and B ÷ all
orders; confidence = support(A ∪ B) ÷ support(A); lift = confidence ÷ support(B); leverage = support(A ∪ B) −
support(A) × support(B); conviction = (1 − support(B)) ÷ (1 − confidence), empty when confidence is 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import widgets
from helpers.behavior.purchases import paid_orders

__all__ = ["RULE_COLUMNS", "RULE_LABELS_ZH", "basket_matrix", "baskets", "mine_rules", "paid_lines", "rule_explorer",
           "slow_mover_bundles", "slow_movers"]

RULE_COLUMNS = ["antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction",
                "antecedent_support", "consequent_support", "count", "antecedent_count", "consequent_count"]
RULE_LABELS_ZH = {"antecedent": "前项", "consequent": "后项", "support": "支持度", "confidence": "置信度", "lift": "提升度",
                  "leverage": "杠杆值", "conviction": "确信度", "antecedent_support": "前项支持度",
                  "consequent_support": "后项支持度", "count": "同时购买的订单数", "antecedent_count": "含前项的订单数",
                  "consequent_count": "含后项的订单数"}


def paid_lines(orders: pd.DataFrame, order_items: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Order lines of paid orders on or before ``as_of``, joined once for every section of module 07:
    ``order_id``, ``member_id``, ``product_id`` (plain Python strings), ``ts`` (order time) and ``day`` (integer
    days since 1970-01-01), one row per order line, sorted by order and product."""
    from helpers.behavior.purchases import _days

    o = paid_orders(orders, as_of)
    o = pd.DataFrame({"order_id": o["order_id"].astype(str).to_numpy(object),
                      "member_id": o["member_id"].astype(str).to_numpy(object),
                      "ts": o["order_ts"].to_numpy(), "day": _days(o["order_ts"])})
    li = pd.DataFrame({"order_id": order_items["order_id"].astype(str).to_numpy(object),
                       "product_id": order_items["product_id"].astype(str).to_numpy(object)})
    li = li.merge(o, on="order_id", how="inner")
    return li.sort_values(["order_id", "product_id"], kind="mergesort").reset_index(drop=True)


def baskets(lines: pd.DataFrame, as_of=None, *, since_days: int | None = None) -> pd.DataFrame:
    """Distinct (order_id, product_id) of :func:`paid_lines` (with ``since_days`` and ``as_of``: only orders of
    the last ``since_days`` days up to ``as_of``): one row per product per order, sorted."""
    li = lines
    if since_days is not None and as_of is not None and len(li):
        end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        li = li[(li["ts"] >= end - pd.Timedelta(days=int(since_days))) & (li["ts"] < end)]
    coded = _sorted_codes(li)
    if coded is not None:  # lines from helpers.recommend.encode: distinct pairs by one integer key, no string work
        (o, orders), (p, products) = coded
        n = max(len(products), 1)
        key = np.sort(o * n + p)
        key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key  # distinct (np.unique hashes: slower)
        return pd.DataFrame({"order_id": pd.Categorical.from_codes(key // n, categories=orders),
                             "product_id": pd.Categorical.from_codes(key % n, categories=products)})
    li = li[["order_id", "product_id"]].drop_duplicates()
    return li.sort_values(["order_id", "product_id"], kind="mergesort").reset_index(drop=True)


def _sorted_codes(lines: pd.DataFrame):
    """((codes, ids) of order_id, (codes, ids) of product_id) when both are categoricals with sorted categories and
    no missing id (what :func:`helpers.recommend.encode` makes): codes then sort as the ids do. None otherwise."""
    out = []
    for col in ("order_id", "product_id"):
        s = lines[col]
        if not isinstance(s.dtype, pd.CategoricalDtype) or not s.cat.categories.is_monotonic_increasing:
            return None
        codes = s.cat.codes.to_numpy(np.int64)
        if len(codes) and codes.min() < 0:
            return None
        out.append((codes, s.cat.categories))
    return out


#: above this many order × product cells the basket matrix is sparse (a dense boolean matrix is one byte a cell)
DENSE_LIMIT = 200_000_000


def basket_matrix(lines: pd.DataFrame, *, min_orders: int = 1, sparse: bool | None = None) -> pd.DataFrame:
    """One-hot order × product matrix (boolean, what mlxtend's ``fpgrowth`` takes); products bought in fewer than
    ``min_orders`` orders are left out (they cannot be frequent), columns sorted by product id. Dense up to
    :data:`DENSE_LIMIT` cells (mlxtend is several times faster on a dense frame), sparse beyond it so a year of a
    large chain's orders fits in memory (``sparse`` forces either; see benchmarks/bench_marketing.py)."""
    counts = lines["product_id"].value_counts()
    keep = np.sort(counts.index[counts >= min_orders].to_numpy().astype(str))
    r, orders = pd.factorize(lines["order_id"].to_numpy(), sort=True)
    c = pd.Index(keep).get_indexer(lines["product_id"].to_numpy())
    r, orders = r[c >= 0], orders.astype(str)
    c = c[c >= 0]
    if sparse is None:
        sparse = len(orders) * len(keep) > DENSE_LIMIT
    if sparse:
        from scipy import sparse as sp

        mat = sp.csr_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(len(orders), len(keep)))
        return pd.DataFrame.sparse.from_spmatrix(mat, index=orders, columns=keep)
    mat = np.zeros((len(orders), len(keep)), dtype=bool)
    mat[r, c] = True
    return pd.DataFrame(mat, index=orders, columns=keep)


def _join(items) -> str:
    return "|".join(sorted(map(str, items)))


def _incidence(lines: pd.DataFrame, min_orders: int):
    """Order × product incidence (CSR, int32 ones, one per product per order) of the products in at least
    ``min_orders`` orders, the product ids (sorted) and the number of orders."""
    from scipy import sparse as sp

    coded = _sorted_codes(lines)
    if coded is not None:  # encoded lines: the codes are the rows and columns (unused ones stay empty)
        (r, orders), (c, ids) = coded
    else:
        r, orders = pd.factorize(lines["order_id"].to_numpy(), sort=False)
        c, ids = pd.factorize(lines["product_id"].to_numpy(), sort=False)
    n, k = len(orders), len(ids)
    m = sp.csr_matrix((np.ones(len(r), dtype=np.int32), (r, c)), shape=(n, k))
    m.sum_duplicates()
    m.data[:] = 1
    counts = np.asarray(m.sum(axis=0)).ravel()
    ids = np.asarray(ids).astype(str)
    keep = np.flatnonzero(counts >= min_orders)
    keep = keep[np.argsort(ids[keep], kind="mergesort")]
    return m[:, keep].tocsc().tocsr(), ids[keep], int(np.count_nonzero(np.diff(m.indptr)))  # orders with a line


def _pair_rules(lines: pd.DataFrame, n: int, min_support: float) -> pd.DataFrame:
    """Rules of every frequent pair, both directions, counted exactly with one sparse product (B^T B of the order ×
    product incidence): ``antecedent``, ``consequent``, ``count``, ``antecedent_count``, ``consequent_count``."""
    B, ids, _ = _incidence(lines, max(1, int(np.ceil(min_support * n - 1e-9))))
    single = np.asarray(B.sum(axis=0)).ravel().astype(np.int64)
    C = (B.T @ B).tocoo()
    up = (C.row < C.col) & (C.data / n >= min_support)
    i, j, c = C.row[up], C.col[up], C.data[up].astype(np.int64)
    return pd.DataFrame({"antecedent": np.r_[ids[i], ids[j]], "consequent": np.r_[ids[j], ids[i]],
                         "count": np.r_[c, c], "antecedent_count": np.r_[single[i], single[j]],
                         "consequent_count": np.r_[single[j], single[i]]})


def _mlxtend_rules(lines: pd.DataFrame, n: int, min_support: float, min_confidence: float,
                   max_len: int) -> pd.DataFrame | None:
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    m = basket_matrix(lines, min_orders=max(1, int(np.ceil(min_support * n - 1e-9))))
    if m.shape[1] < 2:
        return None
    freq = fpgrowth(m, min_support=min_support, use_colnames=True, max_len=max_len)
    if (freq["itemsets"].map(len) >= 2).sum() == 0:
        return None
    rules = association_rules(freq, num_itemsets=n, metric="confidence", min_threshold=min_confidence)
    # counts are recomputed from integers: supports are count / n exactly, metrics follow from the counts
    item_count = {frozenset(s): int(round(v * n)) for s, v in zip(freq["itemsets"], freq["support"], strict=True)}
    return pd.DataFrame({
        "antecedent": rules["antecedents"].map(_join), "consequent": rules["consequents"].map(_join),
        "count": [item_count[frozenset(a) | frozenset(c)] for a, c in zip(rules["antecedents"], rules["consequents"], strict=True)],
        "antecedent_count": [item_count[frozenset(a)] for a in rules["antecedents"]],
        "consequent_count": [item_count[frozenset(c)] for c in rules["consequents"]],
    })


def mine_rules(lines: pd.DataFrame, *, min_support: float = 0.002, min_confidence: float = 0.05,
               min_lift: float = 1.0, max_len: int = 2, method: str = "auto") -> pd.DataFrame:
    """Association rules at order level, columns :data:`RULE_COLUMNS`: product ids joined by "|", the metrics,
    and exact order counts. Only rules with support ≥ ``min_support`` (a share of the orders, so the threshold
    scales with the number of baskets), confidence ≥ ``min_confidence`` and lift ≥ ``min_lift``. Sorted by lift,
    then confidence, support (descending), antecedent and consequent (ascending): a stable order, identical on
    every run.

    ``method``: ``"mlxtend"`` (FP-growth + ``association_rules``), ``"pairs"`` (pairs only: every pair of frequent
    products counted at once with a sparse matrix product — exact, the same table, and minutes faster on millions
    of orders; needs ``max_len`` 2) or ``"auto"``: mlxtend while the one-hot basket matrix is small enough to be
    dense (:data:`DENSE_LIMIT`), pairs beyond it when ``max_len`` is 2 (see benchmarks/bench_marketing.py)."""
    if method not in ("auto", "mlxtend", "pairs"):
        raise ValueError(f"method must be 'auto', 'mlxtend' or 'pairs', not {method!r}")
    if method == "pairs" and max_len != 2:
        raise ValueError("method='pairs' mines pairs only: use max_len=2 or method='mlxtend'")
    n = int(lines["order_id"].nunique())
    empty = pd.DataFrame({c: pd.Series(dtype=object if c in ("antecedent", "consequent") else
                                       ("int64" if "count" in c else float)) for c in RULE_COLUMNS})
    if n == 0:
        return empty
    if method == "auto":
        cells = n * int(lines["product_id"].nunique())
        method = "pairs" if max_len == 2 and cells > DENSE_LIMIT else "mlxtend"
    out = _pair_rules(lines, n, min_support) if method == "pairs" else \
        _mlxtend_rules(lines, n, min_support, min_confidence, max_len)
    if out is None or out.empty:
        return empty
    # every metric is one division of exact integers: A → B and B → A get bit-identical lift and leverage
    c, ca, cb = (out[k].to_numpy(np.int64) for k in ("count", "antecedent_count", "consequent_count"))
    out["support"], out["antecedent_support"], out["consequent_support"] = c / n, ca / n, cb / n
    conf = c / ca
    out["confidence"] = conf
    out["lift"] = (c * n) / (ca * cb)
    out["leverage"] = (c * n - ca * cb) / (n * n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["conviction"] = np.where(c < ca, ((n - cb) * ca) / (n * np.maximum(ca - c, 1)), np.nan)
    out = out[(out["lift"] >= min_lift) & (out["confidence"] >= min_confidence)]
    out = out.sort_values(["lift", "confidence", "support", "antecedent", "consequent"],
                          ascending=[False, False, False, True, True], kind="mergesort")
    return out[RULE_COLUMNS].reset_index(drop=True)


def slow_movers(lines: pd.DataFrame, products: pd.DataFrame | None = None, *, share: float = 0.2) -> pd.Index:
    """The slowest ``share`` of products by orders in ``lines`` (products in the catalogue never bought count as
    0 orders): ceil(share × n) products, fewest orders first, ties by product id."""
    counts = lines["product_id"].value_counts()
    ids = counts.index.astype(str)
    if products is not None:
        ids = ids.union(pd.Index(products["product_id"].astype(str)))
    c = counts.reindex(ids).fillna(0)
    c = c.sort_index(kind="mergesort").sort_values(kind="mergesort")
    k = int(np.ceil(share * len(c) - 1e-9))
    return pd.Index(c.index[:k], name="product_id")


def slow_mover_bundles(lines: pd.DataFrame, slow: pd.Index, *, anchor_share: float = 0.2, min_lift: float = 1.2,
                       min_count: int = 5) -> pd.DataFrame:
    """For each slow mover, the anchor to bundle it with: a popular product (the top ``anchor_share`` of products
    by orders) bought together with it in at least ``min_count`` orders, highest lift first (ties: more orders
    together, then product id). Slow movers are too rare for a global support threshold, so the pairs are counted
    directly (order × product incidence, one sparse product): lift = n × together ÷ (orders with the slow mover ×
    orders with the anchor), confidence = together ÷ orders with the anchor (anchor → slow mover). One row per slow
    mover that has an anchor: ``slow_mover``, ``anchor``, ``lift``, ``confidence``, ``count``."""
    from scipy import sparse

    cols = ["slow_mover", "anchor", "lift", "confidence", "count"]
    counts = lines["product_id"].value_counts()
    counts = counts.sort_index(kind="mergesort").sort_values(ascending=False, kind="mergesort")
    popular = pd.Index(counts.index[:int(np.ceil(anchor_share * len(counts) - 1e-9))]).difference(pd.Index(slow))
    slow_in = pd.Index(slow).intersection(counts.index)
    if len(popular) == 0 or len(slow_in) == 0:
        return pd.DataFrame({c: [] for c in cols})
    r, orders = pd.factorize(lines["order_id"].to_numpy(), sort=True)
    n = len(orders)

    def incidence(ids):
        c = pd.Index(ids).get_indexer(lines["product_id"].to_numpy())
        ok = c >= 0
        return sparse.csr_matrix((np.ones(ok.sum()), (r[ok], c[ok])), shape=(n, len(ids)))

    together = (incidence(slow_in).T @ incidence(popular)).tocoo()
    pairs = pd.DataFrame({"slow_mover": slow_in[together.row], "anchor": popular[together.col],
                          "count": together.data.astype(np.int64)})
    pairs = pairs[pairs["count"] >= min_count]
    ns = counts.reindex(pairs["slow_mover"]).to_numpy(float)
    na = counts.reindex(pairs["anchor"]).to_numpy(float)
    pairs["lift"] = n * pairs["count"].to_numpy(float) / (ns * na)
    pairs["confidence"] = pairs["count"].to_numpy(float) / na
    pairs = pairs[pairs["lift"] >= min_lift]
    pairs = pairs.sort_values(["slow_mover", "lift", "count", "anchor"], ascending=[True, False, False, True],
                              kind="mergesort").drop_duplicates("slow_mover")
    return pairs[cols].reset_index(drop=True)


def _show_rules(rules: pd.DataFrame, min_support: float, min_confidence: float, top: int,
                names: dict | None) -> pd.DataFrame:
    from IPython.display import display

    r = rules[(rules["support"] >= min_support) & (rules["confidence"] >= min_confidence)]
    print(f"支持度 ≥ {min_support:.4f}、置信度 ≥ {min_confidence:.2f}：共 {len(r):,} 条规则，按提升度显示前 {min(top, len(r))} 条")
    view = r.head(top).copy()
    if names:
        for col in ("antecedent", "consequent"):
            view[col] = view[col].map(lambda s: "、".join(names.get(p, p) for p in s.split("|")))
    display(view[["antecedent", "consequent", "support", "confidence", "lift", "count"]]
            .rename(columns=RULE_LABELS_ZH).round(4))
    return r


def rule_explorer(rules: pd.DataFrame, *, min_support: float = 0.002, min_confidence: float = 0.1, top: int = 10,
                  names: dict | None = None, interactive: bool = True):
    """Sliders for minimum support and confidence over mined rules; the top rules by lift are redrawn. Shows and
    returns the widget box, or without a widget frontend prints the static view and returns the filtered rules."""
    w = widgets.toolkit(interactive)
    if w is None:
        return _show_rules(rules, min_support, min_confidence, top, names)
    hi = float(max(rules["support"].max() if len(rules) else 0.01, min_support))
    sup = w.FloatSlider(value=min_support, min=0.0, max=hi, step=hi / 100, readout_format=".4f",
                        description="最小支持度", continuous_update=False)
    conf = w.FloatSlider(value=min_confidence, min=0.0, max=1.0, step=0.01, description="最小置信度",
                         continuous_update=False)
    return widgets.controls_view(w, [w.HBox([sup, conf])],
                                 lambda: _show_rules(rules, float(sup.value), float(conf.value), top, names),
                                 watch=[sup, conf])
