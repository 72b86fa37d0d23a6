"""Product recommendation (个性化推荐): content-based affinity, item-item co-purchase and implicit ALS, evaluated on a
time split against two baselines computed in the same run.

Why these three: seed 001 names content-based (what a member likes: category, brand) and collaborative filtering
(members who bought this also bought that); ALS from the ``implicit`` package is the kept library for
collaborative filtering on purchase counts. Why the baselines: in a supermarket most of next month's basket is
last month's basket, so a recommender is only worth its cost when it beats "the most popular products" *and*
"what this member buys most often" (buy again) on the same members and the same held-out days.

Everything works on a member × product count matrix built from paid orders (``Interactions``); scores are rounded
with :func:`helpers.synth.stable.stable` before ranking, ties go to the smaller product id, so top-N lists are the
same on every CPU. ALS runs in float64 with a fixed ``random_state`` (float32 factors amplify a last-bit difference
of another CPU's kernels about a hundred-fold over the iterations); one thread by default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from helpers.synth.stable import stable

__all__ = ["DEFAULT_WEIGHTS", "HYBRID_PARTS", "METHODS_ZH", "WEIGHT_GRID", "Interactions", "Recommender", "combine", "encode",
           "evaluate", "held_out", "interactions", "rank_metrics", "sample_members", "top_n", "tune_weights"]

METHODS_ZH = {"popularity": "热门商品（基线）", "personal_frequency": "常买商品（基线：再次购买）",
              "recent": "近期购买（按时间衰减）", "content": "内容推荐（品类 / 品牌偏好）", "item_item": "物品协同（共同购买）", "als": "隐式 ALS 矩阵分解",
              "hybrid": "混合推荐"}


@dataclass
class Interactions:
    """Members × products counts (orders containing the product) of paid orders up to ``as_of``."""

    members: pd.Index
    items: pd.Index
    counts: sparse.csr_matrix
    recent: np.ndarray  # orders per product in the last 90 days before as_of (popularity)
    as_of: pd.Timestamp
    decayed: sparse.csr_matrix | None = None  # orders weighted 0.5 ** (age in days / half-life): recent buying


def _day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).normalize().date(), "D") - np.datetime64("1970-01-01", "D"))
               .astype(np.int64))


def encode(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` with ``order_id``, ``member_id`` and ``product_id`` as categoricals whose categories are the sorted
    ids: every string id is hashed once here, and :func:`interactions`, :func:`held_out` and :func:`tune_weights`,
    which cut the same lines at several dates, then work on the integer codes (same results as on plain ids)."""
    out = lines.copy(deep=False)
    for col in ("order_id", "member_id", "product_id"):
        if col in out.columns and not isinstance(out[col].dtype, pd.CategoricalDtype):
            codes, ids = pd.factorize(out[col], sort=True)
            out[col] = pd.Categorical.from_codes(codes, categories=pd.Index(ids))
    return out


def _codes(s: pd.Series, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``s`` and the ids they stand for (sorted ids when ``sort``; codes of a categorical from
    :func:`encode` as they are)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(np.int64), s.cat.categories
    codes, ids = pd.factorize(s, sort=sort)
    return codes.astype(np.int64), pd.Index(ids)


def _present(codes: np.ndarray, ids: pd.Index, name: str) -> tuple[pd.Index, np.ndarray]:
    """The ids that occur (sorted, as the categories are) and each row's position among them."""
    used = np.sort(codes)
    used = used[np.r_[True, used[1:] != used[:-1]]] if len(used) else used  # distinct (np.unique hashes: slower)
    return pd.Index(ids.take(used), name=name), np.searchsorted(used, codes)


def interactions(lines: pd.DataFrame, as_of, *, items: pd.Index | None = None, recent_days: int = 90,
                 half_life_days: float = 90.0) -> Interactions:
    """The count matrix of paid order lines (:func:`helpers.bundles.paid_lines`, plain or through :func:`encode`) on or
    before ``as_of``; ``items`` fixes the product columns (default: the products bought). Members and products in
    sorted order. ``decayed`` holds the same orders weighted by 0.5 ** (days before ``as_of`` ÷ ``half_life_days``)."""
    a = _day(as_of)
    li = lines.loc[lines["day"].to_numpy() <= a, ["order_id", "member_id", "product_id", "day"]]
    o, _ = _codes(li["order_id"], sort=False)
    p, p_ids = _codes(li["product_id"])
    # one count per (order, product): the first of its lines, in their order (what drop_duplicates keeps)
    first = np.unique(o * max(len(p_ids), 1) + p, return_index=True)[1] if len(li) else np.array([], dtype=np.int64)
    first.sort()
    m, m_ids = _codes(li["member_id"])
    members, r = _present(m[first], m_ids, "member_id")
    if items is None:
        items, c = _present(p[first], p_ids, "product_id")
    else:
        c = items.get_indexer(p_ids)[p[first]] if len(first) else np.array([], dtype=np.int64)
    day = li["day"].to_numpy(np.int64)[first]
    ok = c >= 0
    counts = sparse.csr_matrix((np.ones(ok.sum()), (r[ok], c[ok])), shape=(len(members), len(items)))
    counts.sum_duplicates()
    age = (a - day[ok]).astype(float)
    w = stable(np.exp2(-age / float(half_life_days)))
    decayed = sparse.csr_matrix((w, (r[ok], c[ok])), shape=(len(members), len(items)))
    decayed.sum_duplicates()
    decayed.data = stable(decayed.data)
    rec = ok & (day > a - recent_days)
    recent = np.bincount(c[rec], minlength=len(items)).astype(float)
    return Interactions(members, items, counts, recent, pd.Timestamp(as_of).normalize(), decayed)


def held_out(lines: pd.DataFrame, start, end) -> pd.Series:
    """member_id → set of products the member bought in paid order lines on days after ``start`` up to ``end``."""
    d = lines["day"].to_numpy()
    li = lines.loc[(d > _day(start)) & (d <= _day(end)), ["member_id", "product_id"]]
    # one pass over sorted member codes instead of a pandas group per member (a Python call each)
    m, m_ids = _codes(li["member_id"])
    members, pos = _present(m, m_ids, "member_id")
    p, p_ids = _codes(li["product_id"], sort=False)
    order = np.argsort(pos, kind="stable")
    parts = np.split(np.asarray(p_ids, dtype=object)[p[order]], np.searchsorted(pos[order], np.arange(1, len(members))))
    return pd.Series([set(x) for x in parts] if len(members) else [], index=members, name="product_id", dtype=object)


def _scale_rows(m: np.ndarray) -> np.ndarray:
    top = m.max(axis=1, keepdims=True)
    return np.divide(m, top, out=np.zeros_like(m), where=top > 0)


class Recommender:
    """Fit once on :class:`Interactions`, then score any members with one of :data:`METHODS_ZH`.

    ``content``: the member's share of purchases per category and per brand, times the product's popularity
    within its category (needs ``products``). ``item_item``: cosine similarity of products over members,
    summed over the products the member bought. ``als``: ``implicit`` ALS on ``1 + alpha × log(1 + count)``
    confidence. ``recent``: buy again with recency decay (orders weighted by their age, half-life set in
    :func:`interactions`): what a member bought lately. ``hybrid``: the buy-again counts, the recent score and the
    item-item, ALS and content scores, each scaled to 0–1 per member, with ``weights`` (in the order of
    :data:`HYBRID_PARTS`; :func:`tune_weights` picks them on a validation period before the test period): the
    buy-again and recent parts keep the member's staples on the list, the collaborative and content parts bring
    products he has not bought yet.

    ``fit(..., warm=earlier_model)`` starts ALS from a model fitted on an earlier cut-off (factors matched by member
    and product id) and runs ``warm_iterations`` sweeps instead of ``iterations``: next month's model is last
    month's plus a few sweeps, which is how :func:`tune_weights`, the test model and the final model are chained.
    """

    def __init__(self, *, factors: int = 32, iterations: int = 15, regularization: float = 0.05, alpha: float = 10.0,
                 weights: tuple[float, ...] | None = None, seed: int = 0,
                 threads: int = 1, warm_iterations: int = 4):
        self.factors, self.iterations, self.regularization, self.alpha = factors, iterations, regularization, alpha
        self.weights = DEFAULT_WEIGHTS if weights is None else tuple(weights)
        self.seed, self.threads, self.warm_iterations = seed, threads, warm_iterations

    def _warm_factors(self, data: Interactions, warm: Recommender | None, factors: int):
        """Start factors taken from ``warm`` (a model fitted on an earlier cut-off), matched by member and product id;
        members and products it did not know start small and random as in a cold fit. None when ``warm`` has no
        ALS factors of the same width."""
        if warm is None or getattr(warm, "als_", None) is None or warm.als_[0].shape[1] != factors:
            return None
        rng = np.random.default_rng(self.seed)
        out = []
        for ids, old_ids, old in ((data.members, warm.data_.members, warm.als_[0]),
                                  (data.items, warm.data_.items, warm.als_[1])):
            f = rng.random((len(ids), factors)) * 0.01
            pos = old_ids.get_indexer(ids)
            f[pos >= 0] = old[pos[pos >= 0]]
            out.append(np.ascontiguousarray(f))
        return out

    def fit(self, data: Interactions, products: pd.DataFrame | None = None, *, als: bool = True,
            warm: Recommender | None = None) -> Recommender:
        self.data_ = data
        X = data.counts
        B = (X > 0).astype(np.float64)
        self.popularity_ = stable(data.recent + 1e-3 * np.asarray(X.sum(axis=0)).ravel())
        norms = np.sqrt(np.asarray(B.multiply(B).sum(axis=0)).ravel())
        sim = (B.T @ B).toarray()
        sim = sim / np.outer(np.maximum(norms, 1), np.maximum(norms, 1))
        np.fill_diagonal(sim, 0.0)
        self.similarity_ = stable(sim)
        self.products_ = None
        if products is not None and {"product_id", "category"} <= set(products.columns):
            p = products.assign(product_id=products["product_id"].astype(str)).set_index("product_id")
            p = p.reindex(data.items)
            self.products_ = p
        self.als_ = None
        if als and X.shape[0] >= 2 and X.shape[1] >= 2:
            from implicit.cpu.als import AlternatingLeastSquares
            from threadpoolctl import threadpool_limits

            conf = X.copy().astype(np.float64)
            conf.data = stable(1.0 + self.alpha * np.log1p(conf.data))
            factors = min(self.factors, max(1, X.shape[1] - 1))
            start = self._warm_factors(data, warm, factors)
            with threadpool_limits(self.threads):
                model = AlternatingLeastSquares(factors=factors, regularization=self.regularization,
                                                iterations=self.iterations if start is None else self.warm_iterations,
                                                num_threads=self.threads, random_state=self.seed, dtype=np.float64)
                if start is not None:
                    model.user_factors, model.item_factors = start
                model.fit(conf.tocsr(), show_progress=False)
            self.als_ = (np.asarray(model.user_factors, dtype=np.float64), np.asarray(model.item_factors, dtype=np.float64))
        return self

    def _rows(self, members) -> np.ndarray:
        idx = self.data_.members.get_indexer(pd.Index(members).astype(str))
        if (idx < 0).any():
            raise KeyError("members without purchases up to the cut-off cannot be scored / 截止日前没有购买的会员无法打分")
        return idx

    def scores(self, method: str, members) -> np.ndarray:
        """Members × products scores (rows in the order of ``members``), rounded for stable ranking."""
        rows = self._rows(members)
        X = self.data_.counts[rows]
        n_items = X.shape[1]
        if method == "popularity":
            s = np.tile(self.popularity_, (len(rows), 1))
        elif method == "personal_frequency":
            s = X.toarray() + 1e-6 * self.popularity_ / max(self.popularity_.max(), 1)
        elif method == "recent":
            D = self.data_.decayed[rows] if self.data_.decayed is not None else X
            # a tiny share of the plain count and of popularity breaks ties among equally recent products
            s = D.toarray() + 1e-3 * X.toarray() + 1e-6 * self.popularity_ / max(self.popularity_.max(), 1)
        elif method == "item_item":
            s = (X > 0).astype(np.float64) @ self.similarity_
            s = np.asarray(s)
        elif method == "content":
            if self.products_ is None:
                raise ValueError("content-based scores need the products table (category / brand) / 内容推荐需要商品表")
            s = np.zeros((len(rows), n_items))
            pop = self.popularity_ + 1.0
            for col, w in (("category", 1.0), ("brand", 0.5)):
                if col not in self.products_.columns:
                    continue
                codes, _ = pd.factorize(self.products_[col].astype(object).fillna("未知"))
                G = sparse.csr_matrix((np.ones(n_items), (np.arange(n_items), codes)), shape=(n_items, codes.max() + 1))
                share = np.asarray((X @ G).todense())
                share = share / np.maximum(share.sum(axis=1, keepdims=True), 1)
                within = pop / np.asarray(G @ (G.T @ pop)).ravel()
                s += w * share[:, codes] * within
        elif method == "als":
            if self.als_ is None:
                raise ValueError("ALS was not fitted / 没有拟合 ALS 模型")
            u, v = self.als_
            # ALS runs in float64: in float32 a last-bit difference of another CPU's kernels grows to ~1e-5 over
            # the iterations and moved some members' top-10; in float64 it stays ~1e-13, and 20 significant bits
            # keep the ranking the same unless two scores agree to about six digits (tests/test_marketing.py)
            return stable(u[rows] @ v.T, bits=20)  # already rounded (coarser than the final rounding below)
        elif method == "hybrid":
            return combine(self.components(members), self.weights)  # rounded by combine
        else:
            raise ValueError(f"unknown method {method!r}; one of {list(METHODS_ZH)}")
        return stable(np.asarray(s, dtype=np.float64))

    def components(self, members) -> dict:
        """The hybrid's parts for ``members``, each scaled to 0–1 per member (computed once, combined with any
        weights by :func:`combine`): ``buy_again``, ``recent``, ``item_item``, and ``als`` / ``content`` when fitted
        / known."""
        parts = {"buy_again": _scale_rows(self.scores("personal_frequency", members)),
                 "recent": _scale_rows(self.scores("recent", members)),
                 "item_item": _scale_rows(self.scores("item_item", members))}
        if self.als_ is not None:
            parts["als"] = _scale_rows(np.clip(self.scores("als", members), 0, None))
        if self.products_ is not None:
            parts["content"] = _scale_rows(self.scores("content", members))
        return parts

    def recommend(self, method: str, members, n: int = 10, *, batch: int = 20000) -> pd.DataFrame:
        """Top ``n`` products per member (``member_id``, ``rank`` 1…n, ``product_id``), best score first, ties by
        product id; computed in batches so a million members fit in memory."""
        members = pd.Index(members).astype(str)
        parts = []
        for i in range(0, len(members), batch):
            chunk = members[i:i + batch]
            top = top_n(self.scores(method, chunk), n)
            k = top.shape[1]
            parts.append(pd.DataFrame({"member_id": np.repeat(chunk.to_numpy(), k),
                                       "rank": np.tile(np.arange(1, k + 1), len(chunk)),
                                       "product_id": self.data_.items.to_numpy()[top.ravel()]}))
        if not parts:
            return pd.DataFrame({"member_id": [], "rank": [], "product_id": []})
        return pd.concat(parts, ignore_index=True)


HYBRID_PARTS = ("buy_again", "recent", "item_item", "als", "content")


def combine(parts: dict, weights) -> np.ndarray:
    """Weighted sum of :meth:`Recommender.components` (weights in the order of :data:`HYBRID_PARTS`; parts that
    are missing count as zero), rounded for stable ranking."""
    s = None
    for name, w in zip(HYBRID_PARTS, weights, strict=True):
        if name in parts and w:
            s = w * parts[name] if s is None else s + w * parts[name]
    if s is None:
        s = np.zeros_like(parts["buy_again"])
    return stable(np.asarray(s, dtype=np.float64))


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the ``n`` best scores per row, best first, ties by the smaller column index (the order a
    stable descending sort gives; a partial sort finds the candidates, so a wide catalogue costs little)."""
    m, k = scores.shape
    n = min(n, k)
    if n == 0 or m == 0:
        return np.empty((m, n), dtype=np.int64)
    if k <= 4 * n:
        return np.argsort(-scores, axis=1, kind="stable")[:, :n]
    thr = -np.partition(-scores, n - 1, axis=1)[:, n - 1]  # the n-th best score of each row
    rows, cols = np.nonzero(scores >= thr[:, None])  # every candidate, ties at the threshold included
    order = np.lexsort((cols, -scores[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, np.arange(m))
    pick = first[:, None] + np.arange(n)
    return cols[pick]


def rank_metrics(recommended: list, relevant: set, k: int = 10) -> tuple[float, float, float]:
    """recall@k, precision@k and NDCG@k (binary relevance, log2 discount) of one ranked list."""
    rec = list(recommended)[:k]
    hits = [1.0 if p in relevant else 0.0 for p in rec]
    if not relevant:
        return float("nan"), float("nan"), float("nan")
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return sum(hits) / len(relevant), sum(hits) / k, dcg / idcg


def _relevance(test: pd.Series, members: pd.Index, items: pd.Index) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Members × items incidence of the held-out purchases (products unknown to the model have no column) and the
    number of held-out products per member (unknown ones included: they are misses for every method)."""
    sets = [test[m] for m in members]
    sizes = np.array([len(x) for x in sets], dtype=np.int64)
    flat = np.array([p for x in sets for p in x], dtype=object)
    rows = np.repeat(np.arange(len(members)), sizes)
    cols = items.get_indexer(flat) if len(flat) else np.array([], dtype=np.int64)
    ok = cols >= 0
    R = sparse.csr_matrix((np.ones(ok.sum(), dtype=bool), (rows[ok], cols[ok])), shape=(len(members), len(items)))
    return R, sizes


def _list_metrics(top: np.ndarray, R: sparse.csr_matrix, sizes: np.ndarray, k: int) -> np.ndarray:
    """Per member recall@k, precision@k and NDCG@k of the ranked column indices ``top`` (the same definitions as
    :func:`rank_metrics`, vectorised)."""
    m, kk = top.shape
    if m == 0:
        return np.empty((0, 3))
    hits = np.asarray(R[np.repeat(np.arange(m), kk), top.ravel()], dtype=float).reshape(m, kk)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    idcg = np.cumsum(disc)[np.minimum(sizes, k) - 1]
    got = hits.sum(axis=1)
    return np.c_[got / sizes, got / k, (hits * disc[:kk]).sum(axis=1) / idcg]


def evaluate(model: Recommender, test: pd.Series, methods=tuple(METHODS_ZH), k: int = 10,
             batch: int = 20000) -> pd.DataFrame:
    """recall@k, precision@k, NDCG@k (means over the test members who bought before the cut-off) and coverage
    (share of the products that appear in at least one list) per method, one row per method."""
    test = test[test.map(len) > 0]
    members = pd.Index(test.index).astype(str).intersection(model.data_.members)
    R, sizes = _relevance(test, members, model.data_.items)
    rows = {}
    for method in methods:
        try:
            tops = [top_n(model.scores(method, members[i:i + batch]), k) for i in range(0, len(members), batch)]
        except ValueError:
            continue
        top = np.vstack(tops) if tops else np.empty((0, k), dtype=int)
        m = _list_metrics(top, R, sizes, k) if len(members) else np.full((1, 3), np.nan)
        rows[method] = {"members": len(members), f"recall_at_{k}": float(np.mean(m[:, 0])),
                        f"precision_at_{k}": float(np.mean(m[:, 1])), f"ndcg_at_{k}": float(np.mean(m[:, 2])),
                        "coverage": len(np.unique(top)) / max(len(model.data_.items), 1)}
    return pd.DataFrame.from_dict(rows, orient="index")


#: the hybrid's weights when there is no validation period to tune them on (a little of every part on top of buy again)
DEFAULT_WEIGHTS = (1.0, 0.0, 0.25, 0.25, 0.25)
#: hybrid weight sets tried by :func:`tune_weights` (buy again, recent, item-item, ALS, content); the first is the
#: buy-again baseline itself, so the tuned hybrid falls back to it when nothing beats it on the validation period
WEIGHT_GRID = ((1.0, 0.0, 0.0, 0.0, 0.0), (1.0, 0.5, 0.0, 0.0, 0.0), (1.0, 0.0, 0.1, 0.1, 0.1),
               (1.0, 0.0, 0.25, 0.25, 0.25), (1.0, 0.0, 0.5, 0.5, 0.5),
               (1.0, 0.0, 1.0, 1.0, 1.0), (1.0, 0.0, 2.0, 2.0, 2.0), (1.0, 0.0, 4.0, 4.0, 4.0),
               (1.0, 0.0, 1.0, 1.0, 0.0), (1.0, 0.0, 1.0, 1.0, 2.0), (1.0, 0.0, 1.0, 0.0, 1.0),
               (1.0, 0.0, 0.0, 1.0, 1.0), (1.0, 0.5, 1.0, 1.0, 1.0), (1.0, 0.5, 2.0, 2.0, 2.0))


def sample_members(members, max_members: int | None) -> pd.Index:
    """At most ``max_members`` of ``members``, evenly spaced over their sorted ids (deterministic: the same
    sample on every run and CPU; all of them when there are fewer or ``max_members`` is None)."""
    m = pd.Index(np.sort(pd.Index(members).astype(str).unique().to_numpy()))
    if max_members is None or len(m) <= max_members:
        return m
    return m[np.unique(np.linspace(0, len(m) - 1, int(max_members)).round().astype(np.int64))]


def tune_weights(lines: pd.DataFrame, products: pd.DataFrame | None, start, end, *, grid=WEIGHT_GRID,
                 seed: int = 0, factors: int = 32, k: int = 10, max_members: int | None = 20000,
                 periods: int = 3, batch: int = 20000, iterations: int = 8, warm_iterations: int = 4,
                 return_model: bool = False) -> tuple:
    """The hybrid weights with the best recall@k on a validation period *before* the test period: trained on
    purchases up to ``start``, scored on the purchases after ``start`` up to ``end`` (ties: the earlier set in
    ``grid``). With ``periods`` > 1 the same is done for as many earlier periods of the same length, each with its
    own model, and the recall is the mean over all their members (one month is a small sample: the choice between
    close weight sets flips with it). Returns the weights and the validation table (one row per weight set:
    recall@k, NDCG@k, members). The test period is never looked at, so the test comparison with the baselines
    stays honest.

    Scale: with more than ``max_members`` buyers up to ``start`` the tuning runs on a deterministic sample of them
    (:func:`sample_members`; their purchases only), and each part of the hybrid is computed once per batch and
    combined with every weight set, so the grid costs little more than one evaluation. The periods are fitted
    oldest first, each ALS starting from the previous period's factors (:meth:`Recommender.fit` with ``warm``):
    the first fit runs ``iterations`` sweeps, the next ones ``warm_iterations``, which reach the quality of a
    15-sweep cold fit at a third of its cost. With ``return_model`` the last fitted model (trained up to ``start``)
    comes third, to start the test-period model from."""
    d = lines["day"].to_numpy()
    before = lines.loc[d <= _day(start), "member_id"]
    keep = sample_members(before, max_members)
    if len(keep) < len(pd.Index(before).unique()):
        lines = lines[lines["member_id"].isin(keep)]
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    sums, n, model = np.zeros((len(grid), 2)), 0, None
    for q in reversed(range(max(1, int(periods)))):  # the oldest period first: each model warm-starts the next
        s0, e0 = start - q * (end - start), end - q * (end - start)
        data = interactions(lines, s0)
        test = held_out(lines, s0, e0)
        members = pd.Index(test.index).astype(str).intersection(data.members)
        if len(members) == 0:
            continue
        model = Recommender(seed=seed, factors=factors, iterations=iterations,
                            warm_iterations=warm_iterations).fit(data, products, warm=model)
        R, sizes = _relevance(test, members, data.items)
        for i in range(0, len(members), batch):
            parts = model.components(members[i:i + batch])
            for j, w in enumerate(grid):
                m = _list_metrics(top_n(combine(parts, w), k), R[i:i + batch], sizes[i:i + batch], k)
                sums[j] += m[:, [0, 2]].sum(axis=0)
        n += len(members)
    table = pd.DataFrame({"weights": list(grid), f"recall_at_{k}": sums[:, 0] / max(n, 1),
                          f"ndcg_at_{k}": sums[:, 1] / max(n, 1), "members": n})
    if not n:
        table[[f"recall_at_{k}", f"ndcg_at_{k}"]] = np.nan
    scores = stable(table[f"recall_at_{k}"].fillna(-1).to_numpy())
    best = tuple(grid[int(np.argmax(scores))]) if len(scores) else tuple(grid[0])
    return (best, table, model) if return_model else (best, table)
