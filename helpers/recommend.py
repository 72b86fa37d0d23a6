"""Product recommendation (个性化推荐): content-based affinity, item-item co-purchase and implicit ALS, evaluated on a
time split against two baselines computed in the same run.

Why these three: seed 001 names content-based (what a member likes: category, brand) and collaborative filtering
(members who bought this also bought that); ALS from the ``implicit`` package is the kept library for
collaborative filtering on purchase counts. Why the baselines: in a supermarket most of next month's basket is
last month's basket, so a recommender is only worth its cost when it beats "the most popular products" *and*
"what this member buys most often" (buy again) on the same members and the same held-out days.

Everything works on a member × product count matrix built from paid orders (``Interactions``); scores are rounded
with :func:`helpers.synth.stable.stable` before ranking, ties go to the smaller product id, so top-N lists are the
same on every CPU. ALS runs on one thread with a fixed ``random_state`` (deterministic; several threads update
factors in a racy order).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from helpers.synth.stable import stable

__all__ = ["METHODS_ZH", "WEIGHT_GRID", "Interactions", "Recommender", "evaluate", "held_out", "interactions",
           "rank_metrics", "top_n", "tune_weights"]

METHODS_ZH = {"popularity": "热门商品（基线）", "personal_frequency": "常买商品（基线：再次购买）",
              "content": "内容推荐（品类 / 品牌偏好）", "item_item": "物品协同（共同购买）", "als": "隐式 ALS 矩阵分解",
              "hybrid": "混合推荐"}


@dataclass
class Interactions:
    """Members × products counts (orders containing the product) of paid orders up to ``as_of``."""

    members: pd.Index
    items: pd.Index
    counts: sparse.csr_matrix
    recent: np.ndarray  # orders per product in the last 90 days before as_of (popularity)
    as_of: pd.Timestamp


def _day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).normalize().date(), "D") - np.datetime64("1970-01-01", "D"))
               .astype(np.int64))


def interactions(lines: pd.DataFrame, as_of, *, items: pd.Index | None = None, recent_days: int = 90) -> Interactions:
    """The count matrix of paid order lines (:func:`helpers.bundles.paid_lines`) on or before ``as_of``;
    ``items`` fixes the product columns (default: the products bought). Members and products in sorted order."""
    a = _day(as_of)
    li = lines.loc[lines["day"].to_numpy() <= a, ["order_id", "member_id", "product_id", "day"]]
    li = li.drop_duplicates(["order_id", "product_id"])
    members = pd.Index(np.sort(li["member_id"].unique()), name="member_id")
    items = pd.Index(np.sort(li["product_id"].unique()), name="product_id") if items is None else items
    r = members.get_indexer(li["member_id"])
    c = items.get_indexer(li["product_id"])
    ok = c >= 0
    counts = sparse.csr_matrix((np.ones(ok.sum()), (r[ok], c[ok])), shape=(len(members), len(items)))
    counts.sum_duplicates()
    rec = ok & (li["day"].to_numpy() > a - recent_days)
    recent = np.bincount(c[rec], minlength=len(items)).astype(float)
    return Interactions(members, items, counts, recent, pd.Timestamp(as_of).normalize())


def held_out(lines: pd.DataFrame, start, end) -> pd.Series:
    """member_id → set of products the member bought in paid order lines on days after ``start`` up to ``end``."""
    d = lines["day"].to_numpy()
    li = lines[(d > _day(start)) & (d <= _day(end))]
    return li.groupby("member_id")["product_id"].agg(set).sort_index()


def _scale_rows(m: np.ndarray) -> np.ndarray:
    top = m.max(axis=1, keepdims=True)
    return np.divide(m, top, out=np.zeros_like(m), where=top > 0)


class Recommender:
    """Fit once on :class:`Interactions`, then score any members with one of :data:`METHODS_ZH`.

    ``content``: the member's share of purchases per category and per brand, times the product's popularity
    within its category (needs ``products``). ``item_item``: cosine similarity of products over members,
    summed over the products the member bought. ``als``: ``implicit`` ALS on ``1 + alpha × log(1 + count)``
    confidence. ``hybrid``: buy-again counts plus item-item, ALS and content scores, each scaled to 0–1 per member, with
    ``weights`` (buy again, item-item, ALS, content; :func:`tune_weights` picks them on a validation period).
    """

    def __init__(self, *, factors: int = 32, iterations: int = 15, regularization: float = 0.05, alpha: float = 10.0,
                 weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0), seed: int = 0):
        self.factors, self.iterations, self.regularization, self.alpha = factors, iterations, regularization, alpha
        self.weights, self.seed = weights, seed

    def fit(self, data: Interactions, products: pd.DataFrame | None = None, *, als: bool = True) -> Recommender:
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

            conf = X.copy().astype(np.float32)
            conf.data = stable(1.0 + self.alpha * np.log1p(conf.data)).astype(np.float32)
            with threadpool_limits(1):
                model = AlternatingLeastSquares(factors=min(self.factors, max(1, X.shape[1] - 1)),
                                                regularization=self.regularization, iterations=self.iterations,
                                                num_threads=1, random_state=self.seed, use_gpu=False) \
                    if "use_gpu" in AlternatingLeastSquares.__init__.__code__.co_varnames else \
                    AlternatingLeastSquares(factors=min(self.factors, max(1, X.shape[1] - 1)),
                                            regularization=self.regularization, iterations=self.iterations,
                                            num_threads=1, random_state=self.seed)
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
            # ALS factors come from float32 BLAS, whose last bits depend on the CPU's kernels: 20 significant bits
            # keep the ranking the same unless two scores agree to about six digits
            s = stable(u[rows] @ v.T, bits=20)
        elif method == "hybrid":
            w1, w2, w3, w4 = self.weights
            s = w1 * _scale_rows(self.scores("personal_frequency", members))
            if self.products_ is not None and w4:
                s = s + w4 * _scale_rows(self.scores("content", members))
            s = s + w2 * _scale_rows(self.scores("item_item", members))
            if self.als_ is not None:
                s = s + w3 * _scale_rows(np.clip(self.scores("als", members), 0, None))
        else:
            raise ValueError(f"unknown method {method!r}; one of {list(METHODS_ZH)}")
        return stable(np.asarray(s, dtype=np.float64))

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


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the ``n`` best scores per row, best first, ties by the smaller column index."""
    n = min(n, scores.shape[1])
    return np.argsort(-scores, axis=1, kind="stable")[:, :n]


def rank_metrics(recommended: list, relevant: set, k: int = 10) -> tuple[float, float, float]:
    """recall@k, precision@k and NDCG@k (binary relevance, log2 discount) of one ranked list."""
    rec = list(recommended)[:k]
    hits = [1.0 if p in relevant else 0.0 for p in rec]
    if not relevant:
        return float("nan"), float("nan"), float("nan")
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return sum(hits) / len(relevant), sum(hits) / k, dcg / idcg


def evaluate(model: Recommender, test: pd.Series, methods=tuple(METHODS_ZH), k: int = 10) -> pd.DataFrame:
    """recall@k, precision@k, NDCG@k (means over the test members who bought before the cut-off) and coverage
    (share of the products that appear in at least one list) per method, one row per method."""
    members = pd.Index(test.index).astype(str).intersection(model.data_.members)
    relevant = [test[m] for m in members]
    item_ids = model.data_.items.to_numpy()
    rows = {}
    for method in methods:
        try:
            tops = [top_n(model.scores(method, members[i:i + 20000]), k) for i in range(0, len(members), 20000)]
        except ValueError:
            continue
        top = np.vstack(tops) if tops else np.empty((0, k), dtype=int)
        m = np.array([rank_metrics(item_ids[t], rel, k) for t, rel in zip(top, relevant, strict=True)]) if len(members) else \
            np.full((1, 3), np.nan)
        rows[method] = {"members": len(members), f"recall_at_{k}": float(np.nanmean(m[:, 0])),
                        f"precision_at_{k}": float(np.nanmean(m[:, 1])), f"ndcg_at_{k}": float(np.nanmean(m[:, 2])),
                        "coverage": len(np.unique(top)) / max(len(item_ids), 1)}
    return pd.DataFrame.from_dict(rows, orient="index")


#: hybrid weight sets tried by :func:`tune_weights` (buy again, item-item, ALS, content); the first is buy-again alone
WEIGHT_GRID = ((1.0, 0.0, 0.0, 0.0), (1.0, 0.5, 0.5, 0.5), (1.0, 1.0, 1.0, 1.0), (1.0, 0.25, 0.25, 0.25),
               (1.0, 0.5, 0.0, 0.5), (1.0, 0.0, 0.5, 0.5))


def tune_weights(lines: pd.DataFrame, products: pd.DataFrame | None, start, end, *, grid=WEIGHT_GRID,
                 seed: int = 0, factors: int = 32, k: int = 10) -> tuple[tuple, pd.DataFrame]:
    """The hybrid weights with the best recall@k on a validation period *before* the test period: trained on
    purchases up to ``start``, scored on the purchases after ``start`` up to ``end`` (ties: the earlier set in
    ``grid``). Returns the weights and the validation table (one row per weight set). The test period is never
    looked at, so the test comparison with the baselines stays honest."""
    data = interactions(lines, start)
    test = held_out(lines, start, end)
    model = Recommender(seed=seed, factors=factors).fit(data, products)
    rows = []
    for w in grid:
        model.weights = w
        ev = evaluate(model, test, methods=("hybrid",), k=k)
        rows.append({"weights": w, f"recall_at_{k}": float(ev[f"recall_at_{k}"].iloc[0]) if len(ev) else np.nan})
    table = pd.DataFrame(rows)
    scores = table[f"recall_at_{k}"].fillna(-1).to_numpy()
    best = grid[int(np.argmax(stable(scores)))] if len(scores) else grid[0]
    return best, table
