"""Member clusters (会员聚类): k-means with k chosen by silhouette and elbow, compared with a Gaussian mixture,
labels ordered by value and named in Chinese.

Why these choices:

* **k** — :func:`k_selection` computes the elbow (within-cluster sum of squares) and the silhouette for each k on
  a seeded sample; :func:`choose_k` takes the best silhouette among the k a marketing team can still act on
  (``min_k``–``max_k``, default 3–6: two groups say little, ten nobody remembers). Silhouettes are rounded to 3
  decimals before the choice, ties go to the smaller k.
* **stable labels** — k-means numbers its clusters in whatever order the initialisation found them. Here cluster
  1 is always the one with the highest mean spend per member, 2 the next (:func:`order_by_value`), so a rerun, a
  shuffled input or another machine gives the same label to the same group, and the report means one thing.
* **names** — :func:`cluster_names` names each cluster from its profile with the course's terms (高 / 中 / 低价值;
  活跃 / 沉睡 / 流失 by the median recency against the 90 / 180-day rules of module 02; 新客 for a young cluster).
* **a second opinion** — :func:`compare_gmm` fits a Gaussian mixture on the same scaled features and reports how
  far the two partitions agree (adjusted Rand index): clusters only one method finds are not worth a campaign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.segments.features import FEATURE_LABELS_ZH, one_thread, scaled, stable

__all__ = ["CLUSTER_FEATURES", "MemberSegments", "choose_k", "cluster_names", "cluster_profiles", "compare_gmm",
           "k_selection", "order_by_value"]

#: the default clustering features: recency, frequency, spend level, tenure, channel mix and trend
CLUSTER_FEATURES = ("recency", "frequency", "monetary_mean", "tenure", "online_share", "trend_90d")


def _sample_rows(n: int, sample: int | None, seed: int) -> np.ndarray:
    if sample is None or n <= sample:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))


def k_selection(X: pd.DataFrame, ks=range(2, 9), *, seed: int = 0, sample: int | None = 3000,
                n_init: int = 4) -> pd.DataFrame:
    """For each k: ``inertia`` (within-cluster sum of squares per member, the elbow) and ``silhouette`` (mean
    silhouette, rounded with :func:`stable`), both from k-means fitted on at most ``sample`` members drawn with
    ``seed`` — the choice of k needs the shape of the curves, not every member. ``X``: scaled features."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    A = X.to_numpy(float)[_sample_rows(len(X), sample, seed)]
    out = []
    with one_thread():
        for k in ks:
            if k >= len(A):
                break
            km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(A)
            lab = km.labels_
            sil = silhouette_score(A, lab) if len(set(lab)) > 1 else float("nan")
            out.append({"k": k, "inertia": float(km.inertia_) / len(A), "silhouette": float(stable(sil))})
    return pd.DataFrame(out).set_index("k")


def choose_k(selection: pd.DataFrame, *, min_k: int = 3, max_k: int = 6) -> int:
    """The k with the highest silhouette (rounded to 3 decimals; ties → smaller k) among ``min_k``…``max_k``."""
    s = selection["silhouette"]
    s = s[(s.index >= min_k) & (s.index <= max_k)].dropna()
    if s.empty:
        s = selection["silhouette"].dropna()
    if s.empty:
        raise ValueError("no k with a silhouette: too few members to cluster")
    r = s.round(3)
    return int(r[r == r.max()].index.min())


def order_by_value(labels: pd.Series, value: pd.Series) -> pd.Series:
    """Relabel clusters 1, 2, … by the mean of ``value`` per member, highest first (ties: the smaller original
    label first). Same index as ``labels``; int64."""
    lab = pd.Series(labels)
    means = pd.Series(value).reindex(lab.index).astype(float).groupby(lab.to_numpy()).mean()
    order = sorted(means.index, key=lambda c: (-means[c], c))
    mapping = {c: i + 1 for i, c in enumerate(order)}
    return lab.map(mapping).astype(np.int64).rename("cluster")


def cluster_profiles(features: pd.DataFrame, labels: pd.Series, columns=None) -> pd.DataFrame:
    """Per cluster: ``members``, ``share`` and the median of each feature (``columns``; default every numeric
    column of ``features``), plus ``spend_share`` when ``monetary_total`` is there."""
    cols = list(columns) if columns is not None else list(features.select_dtypes("number").columns)
    lab = labels.reindex(features.index)
    g = features[cols].astype(float).groupby(lab.to_numpy())
    prof = g.median()
    prof.insert(0, "members", g.size())
    prof.insert(1, "share", prof["members"] / prof["members"].sum())
    if "monetary_total" in features:
        spend = features["monetary_total"].astype(float).groupby(lab.to_numpy()).sum()
        prof.insert(2, "spend_share", spend / spend.sum())
    prof.index.name = "cluster"
    return prof


def cluster_names(profile: pd.DataFrame, *, active_days: int = 90, lapsed_days: int = 180,
                  new_days: int = 90) -> pd.Series:
    """A Chinese name per cluster of a :func:`cluster_profiles` table ordered by value (cluster 1 first): value
    level by position (first 高价值, last 低价值, others 中价值), activity by the median recency (≤ ``active_days``
    活跃, ≤ ``lapsed_days`` 沉睡, longer 流失) and 新客 for a median tenure ≤ ``new_days``; names that repeat get
    高频 / 低频 (median frequency against the middle cluster's) and then a number."""
    idx = list(profile.index)
    k = len(idx)
    names = {}
    for i, c in enumerate(idx):
        value = "高价值" if i == 0 else ("低价值" if i == k - 1 and k > 1 else "中价值")
        rec = float(profile.loc[c, "recency"])
        act = "活跃" if rec <= active_days else ("沉睡" if rec <= lapsed_days else "流失")
        if "tenure" in profile and float(profile.loc[c, "tenure"]) <= new_days and act == "活跃":
            act = "新客"
        names[c] = f"{value}{act}"
    counts = pd.Series(names).value_counts()
    if (counts > 1).any() and "frequency" in profile:
        mid = float(profile["frequency"].median())
        for c in idx:
            if counts[names[c]] > 1:
                names[c] += "高频" if float(profile.loc[c, "frequency"]) > mid else "低频"
    groups: dict[str, list] = {}
    for c in idx:  # names still shared: number them 1, 2, … in cluster order
        groups.setdefault(names[c], []).append(c)
    for name, members in groups.items():
        if len(members) > 1:
            for j, c in enumerate(members, start=1):
                names[c] = f"{name} {j}"  # a space between Chinese and a numeral, as the typography lint asks
    return pd.Series(names, name="cluster_name").rename_axis("cluster")


class MemberSegments:
    """k-means on :func:`scaled` member features, clusters ordered by value (1 = highest mean spend) and named.

    ``fit(features)`` → ``labels_`` (Series 1…k by member), ``names_`` (cluster → Chinese name), ``profiles_``,
    ``silhouette_`` (sample of at most ``sample`` members), ``centers_`` (in scaled units); ``predict(features)``
    assigns new members with the fitted scaling. ``value`` is the column the order is by (``monetary_total``).
    With more than ``fit_sample`` members the centres are fitted on a seeded sample of that many and every member
    is assigned to the nearest centre (big exports: the same cost at 5M members as at 200k)."""

    def __init__(self, k: int = 4, *, features=CLUSTER_FEATURES, seed: int = 0, n_init: int = 10,
                 value: str = "monetary_total", sample: int | None = 3000, fit_sample: int | None = 200_000):
        self.k, self.features, self.seed, self.n_init, self.value, self.sample = k, tuple(features), seed, n_init, \
            value, sample
        self.fit_sample = fit_sample

    def __repr__(self) -> str:
        return f"MemberSegments(k={self.k}, features={list(self.features)}, seed={self.seed})"

    def fit(self, features: pd.DataFrame) -> MemberSegments:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        cols = [c for c in self.features if c in features.columns]
        if not cols:
            raise ValueError(f"none of the clustering features {list(self.features)} is in the table")
        if len(features) <= self.k:
            raise ValueError(f"{len(features)} members cannot form {self.k} clusters")
        X = scaled(features, cols)
        self.columns_, self.center_, self.scale_ = cols, X.attrs["center"], X.attrs["scale"]
        A = X.to_numpy()
        fit_rows = _sample_rows(len(A), self.fit_sample, self.seed)
        with one_thread():
            self.kmeans_ = KMeans(n_clusters=self.k, n_init=self.n_init, random_state=self.seed).fit(A[fit_rows])
            # more members than fit_sample: the centres come from the seeded sample, every member is assigned
            lab = self.kmeans_.labels_ if len(fit_rows) == len(A) else self.kmeans_.predict(A)
        raw = pd.Series(lab, index=features.index)
        self.labels_ = order_by_value(raw, features[self.value])
        self._map = dict(zip(raw.to_numpy(), self.labels_.to_numpy(), strict=True))
        order = sorted(self._map, key=self._map.get)
        self.centers_ = pd.DataFrame(self.kmeans_.cluster_centers_[order], columns=cols,
                                     index=pd.Index(range(1, self.k + 1), name="cluster"))
        rows = _sample_rows(len(X), self.sample, self.seed)
        with one_thread():
            sil = silhouette_score(X.to_numpy()[rows], self.labels_.to_numpy()[rows])
        self.silhouette_ = float(stable(sil))
        shown = list(dict.fromkeys([*cols, "recency", "frequency", "monetary_total", "tenure"]))
        self.profiles_ = cluster_profiles(features, self.labels_, [c for c in shown if c in features])
        self.names_ = cluster_names(self.profiles_)
        return self

    def predict(self, features: pd.DataFrame) -> pd.Series:
        X = scaled(features, self.columns_, center=self.center_, scale=self.scale_)
        with one_thread():
            raw = self.kmeans_.predict(X.to_numpy())
        return pd.Series([self._map[r] for r in raw], index=features.index, name="cluster", dtype=np.int64)

    def named_labels(self) -> pd.Series:
        return self.labels_.map(self.names_).rename("cluster_name")

    def profile_zh(self) -> pd.DataFrame:
        """:attr:`profiles_` with Chinese column names and the cluster names, for display."""
        p = self.profiles_.rename(columns={**FEATURE_LABELS_ZH, "members": "会员数", "share": "会员占比",
                                           "spend_share": "消费占比"})
        p.insert(0, "名称", self.names_)
        return p


def compare_gmm(X: pd.DataFrame, labels: pd.Series, k: int, *, seed: int = 0, sample: int | None = 3000,
                fit_sample: int | None = 200_000) -> dict:
    """A Gaussian mixture with ``k`` components on the same scaled features ``X``: ``ari`` (adjusted Rand index
    with ``labels``: 1 = same partition, 0 = chance), ``silhouette`` of the mixture's labels (sample), its
    ``sizes`` (ordered by size) and ``labels`` (Series). The mixture is fitted on at most ``fit_sample`` members
    (seeded sample; a handful of means and covariances need no more) and every member is assigned."""
    from sklearn.metrics import adjusted_rand_score, silhouette_score
    from sklearn.mixture import GaussianMixture

    A = X.to_numpy(float)
    with one_thread():
        gm = GaussianMixture(n_components=k, covariance_type="full", random_state=seed, n_init=1,
                             reg_covar=1e-4).fit(A[_sample_rows(len(A), fit_sample, seed)])
        g = gm.predict(A)
    rows = _sample_rows(len(A), sample, seed)
    with one_thread():
        sil = silhouette_score(A[rows], g[rows]) if len(set(g[rows])) > 1 else float("nan")
    return {"ari": float(stable(adjusted_rand_score(labels.reindex(X.index).to_numpy(), g))),
            "silhouette": float(stable(sil)), "sizes": sorted(np.bincount(g).tolist(), reverse=True),
            "labels": pd.Series(g, index=X.index, name="gmm")}
