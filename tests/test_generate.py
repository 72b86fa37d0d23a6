"""Tests of the synthetic retail world (helpers.synth through its facade helpers.generate): reproducibility on every
CPU, contract, integrity, the story's mechanisms (lapses before any repeat purchase, win-backs, spend that goes with
frequency and category mix, seasonality) and truth recovery."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers import generate as G
from helpers import tables as T
from helpers.synth import stable as sm
from helpers.truth import MEMBER_TRUTH_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "datasets" / "default"
SMALL = 1500  # members in the quick worlds


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def world() -> dict[str, pd.DataFrame]:
    """The committed default data set, every table and truth file."""
    out = {name: pd.read_parquet(DEFAULT / f"{name}.parquet") for name in T.TABLES}
    for name in ("member_truth", "category_cycles", "campaign_effects", "feedback_truth", "incremental_orders"):
        out[f"truth/{name}"] = pd.read_parquet(DEFAULT / "truth" / f"{name}.parquet")
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("small_a")
    G.generate_world(SMALL, 7, d)
    return d


# ------------------------------------------------------------------ reproducibility

def test_committed_default_equals_fresh_generation_byte_for_byte(tmp_path):
    assert G.main(["--members", "10000", "--seed", "20251231", "--out", str(tmp_path), "-q"]) == 0
    fresh, committed = _files(tmp_path), _files(DEFAULT)
    assert sorted(fresh) == sorted(committed), "file sets differ: regenerate datasets/default (see datasets/README.md)"
    changed = [k for k in fresh if fresh[k] != committed[k]]
    assert not changed, f"these files no longer regenerate byte for byte: {changed}"


def test_same_seed_identical_and_different_seed_differs(small, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    G.generate_world(SMALL, 7, again)
    G.generate_world(SMALL, 8, other)
    a, b, c = _files(small), _files(again), _files(other)
    assert a == b
    assert a["orders.parquet"] != c["orders.parquet"]
    assert a["members.parquet"] != c["members.parquet"]


def _one_ulp_off(kernel):
    """A kernel that plays another CPU: every result 1 ulp away (up and down alternately)."""
    def off(*args):
        r = np.asarray(kernel(*args), dtype=float)
        up = (np.arange(r.size) % 2 == 0).reshape(r.shape)
        return np.where(up, np.nextafter(r, np.inf), np.nextafter(r, -np.inf))
    return off


def test_rounding_makes_the_world_identical_on_another_cpu(small, tmp_path, monkeypatch):
    for name, kernel in list(sm.KERNELS.items()):
        monkeypatch.setitem(sm.KERNELS, name, _one_ulp_off(kernel))
    G.generate_world(SMALL, 7, tmp_path / "other_cpu")
    a, b = _files(small), _files(tmp_path / "other_cpu")
    assert [k for k in a if a[k] != b[k]] == []


def test_without_rounding_another_cpu_changes_the_world(tmp_path, monkeypatch):
    # the negative control: the same perturbation with the rounding switched off changes stored values
    monkeypatch.setattr(sm, "stable", lambda x, bits=sm.STABLE_BITS: np.asarray(x, dtype=float))
    G.generate_world(SMALL, 7, tmp_path / "a", tables=("members",))
    for name, kernel in list(sm.KERNELS.items()):
        monkeypatch.setitem(sm.KERNELS, name, _one_ulp_off(kernel))
    G.generate_world(SMALL, 7, tmp_path / "b", tables=("members",))
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["truth/member_truth.parquet"] != b["truth/member_truth.parquet"]


def test_stable_rounding_guards_decisions():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200_000)
    p = 1.0 / (1.0 + np.exp(-x))                   # a probability from a transcendental function …
    p_other = np.nextafter(p, np.inf)              # … as another CPU may return it
    u = p.copy()                                   # the worst case: a uniform draw between the two results
    assert not (u < p).any() and (u < p_other).all()  # unrounded, the Bernoulli decision flips for every one
    same = sm.stable(p) == sm.stable(p_other)
    assert same.mean() > 1 - 1e-4                  # rounded, the two agree except on a rounding boundary
    u = sm.stable(p)
    assert (u < sm.stable(p)).sum() == (u < sm.stable(p_other)).sum() - (~same).sum()
    # inverse-transform sampling through a cumulative sum picks the same bins
    w = sm.exp(rng.normal(size=(1000, 9)))
    w_other = sm.stable(np.nextafter(np.exp(np.log(w)), np.inf))
    draws = rng.random((1000, 1)) * np.cumsum(w, axis=1)[:, -1:]
    assert np.array_equal((np.cumsum(w, axis=1) < draws).sum(1), (np.cumsum(w_other, axis=1) < draws).sum(1))
    # exact: special values pass through, the result is a float64 with at most STABLE_BITS significant bits
    special = np.array([0.0, -0.0, np.inf, -np.inf, 1.0, -2.5])
    assert np.array_equal(sm.stable(special), special) and np.isnan(sm.stable(np.nan))
    mant, _ = np.frexp(sm.stable(x))
    assert np.all(np.ldexp(mant, sm.STABLE_BITS) == np.round(np.ldexp(mant, sm.STABLE_BITS)))


def test_default_size_limit_and_every_table_present():
    for name in T.TABLES:
        assert (DEFAULT / f"{name}.parquet").is_file(), name
    for name in ("member_truth", "category_cycles", "campaign_effects", "feedback_truth"):
        assert (DEFAULT / "truth" / f"{name}.parquet").is_file(), name
    total = sum(p.stat().st_size for p in (ROOT / "datasets").rglob("*") if p.is_file())
    assert total <= 25 * 2**20


def test_parquet_metadata_has_no_paths_or_times():
    for p in DEFAULT.rglob("*.parquet"):
        md = pq.read_metadata(p)
        blob = repr(md.metadata) + md.created_by
        assert str(ROOT) not in blob and "/tmp" not in blob
        assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:", blob)


# ------------------------------------------------------------------ contract

KIND_DTYPE = {"id": "string", "str": "string", "category": "category", "datetime": "datetime64[ns]",
              "money": "float64", "float": "float64", "int": "Int64", "bool": "boolean", "date": "object"}


@pytest.mark.parametrize("name", list(T.TABLES))
def test_columns_and_dtypes_match_contract(world, name):
    df = world[name]
    table = T.TABLES[name]
    assert list(df.columns) == table.column_names
    for col in table.columns:
        assert str(df[col.name].dtype) == KIND_DTYPE[col.kind], (name, col.name, df[col.name].dtype)
        s = df[col.name]
        if not col.nullable or col.required:
            assert s.notna().all(), (name, col.name)
        if col.allowed:
            assert set(s.dropna().unique()) <= set(col.allowed), (name, col.name)
        if col.min_value is not None and col.kind in ("money", "int", "float"):
            assert (s.dropna() >= col.min_value).all(), (name, col.name)
    if table.key:
        assert not df.duplicated(list(table.key)).any(), name


# ------------------------------------------------------------------ integrity

def test_referential_integrity_and_time_order(world):
    m, o, it, p, s = world["members"], world["orders"], world["order_items"], world["products"], world["stores"]
    start, end = pd.Timestamp(G.DEFAULT_START), pd.Timestamp(G.DEFAULT_AS_OF) + pd.Timedelta(days=1)
    assert set(o.member_id) <= set(m.member_id)
    assert set(it.order_id) == set(o.order_id)
    assert set(it.product_id) <= set(p.product_id)
    assert set(o.store_id) <= set(s.store_id)
    assert set(world["events"].member_id) <= set(m.member_id)
    assert set(world["events"].product_id.dropna()) <= set(p.product_id)
    cc = world["campaign_contacts"]
    assert set(cc.member_id) <= set(m.member_id) and set(cc.campaign_id) <= set(world["campaigns"].campaign_id)
    assert set(world["feedback"].member_id.dropna()) <= set(m.member_id)
    # referrers registered earlier
    reg = m.set_index("member_id").register_ts
    ref = m.dropna(subset=["referrer_id"])
    assert (ref.source_channel == "会员推荐").all()
    assert (reg.reindex(ref.referrer_id).to_numpy() < ref.register_ts.to_numpy()).all()
    assert not m.register_ts.duplicated().any()
    # no order before registration, none outside the period
    assert (o.order_ts >= o.member_id.map(reg)).all()
    assert o.order_ts.min() >= start and o.order_ts.max() < end
    assert m.register_ts.min() >= start and m.register_ts.max() < end
    ev = world["events"]
    assert ev.event_ts.max() < end and (ev.event_ts > ev.member_id.map(reg)).all()
    # store orders only in stores already open, online orders in the virtual store of their channel
    st = s.set_index("store_id")
    so = o[o.channel == "门店"]
    assert (st.store_type.reindex(so.store_id).to_numpy() == "门店").all()
    opened = pd.to_datetime(st.open_date.reindex(so.store_id)).to_numpy()
    assert (opened <= so.order_ts.dt.normalize().to_numpy()).all()
    online = o[o.channel != "门店"]
    assert (st.store_type.reindex(online.store_id).to_numpy() == online.channel.astype(str).to_numpy()).all()
    assert (o[o.channel != "门店"].payment_method != "现金").all()


def test_money_is_consistent(world):
    o, it = world["orders"], world["order_items"]
    assert np.allclose(it.line_amount, it.quantity.astype(float) * it.unit_price, atol=0.005)
    items = it.groupby("order_id").line_amount.sum().reindex(o.order_id).to_numpy()
    assert np.allclose(items, o.gross_amount, atol=0.005)
    assert np.allclose(o.net_amount, o.gross_amount - o.discount_amount, atol=0.005)
    assert (o.net_amount > 0).all() and (o.discount_amount <= o.gross_amount + 1e-9).all()
    paid = o.status == "paid"
    # 1–2 points per 元 by the tier held when ordering (exactly, against module 06's tiers: tests/test_tiers_world.py)
    lo, hi = np.floor(o.net_amount[paid] + 1e-6), np.floor(2 * o.net_amount[paid] + 1e-6)
    assert ((o.points_earned[paid] >= lo) & (o.points_earned[paid] <= hi)).all() and (o.points_earned[paid] > lo).any()
    assert (o.points_redeemed <= 100 * o.discount_amount + 1e-6).all()  # the points' value is part of the discount
    assert (o.points_earned[~paid] == 0).all()
    assert (o.points_redeemed % 100 == 0).all()
    assert not it.duplicated(["order_id", "product_id"]).any()
    lines = it.groupby("order_id").line_no.agg(["min", "max", "count"])
    assert (lines["min"] == 1).all() and (lines["max"] == lines["count"]).all()
    assert 0.02 <= (o.status == "refunded").mean() <= 0.04
    # coupon ids are the known ones
    known = {c[0] for c in G.GENERIC_COUPONS} | {G.NEW_MEMBER_COUPON[0]} | {c.coupon_id for c in G.CAMPAIGNS}
    assert set(o.coupon_id.dropna()) <= known


PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def test_no_realistic_phone_or_id_number_anywhere(world):
    for name, df in world.items():
        for col in df.columns:
            if str(df[col].dtype) in ("string", "category", "object"):
                text = "\n".join(df[col].dropna().astype(str).unique())
                assert not PHONE.search(text), (name, col, PHONE.search(text).group())
                assert not ID_CARD.search(text), (name, col)
    phones = world["members"].phone_masked.dropna()
    assert phones.str.fullmatch(r"1[3-9]\d\*{4}\d{4}").all()


# ------------------------------------------------------------------ realism and truth recovery

def test_volumes_are_realistic(world):
    o, tr = world["orders"], world["truth/member_truth"]
    assert 100_000 <= len(o) <= 250_000
    per = o.groupby("member_id").size()
    assert 3 <= per.median() <= 10 and 8 <= per.mean() <= 25
    assert 100 <= o.net_amount.mean() <= 300
    assert 2_000 <= len(world["feedback"]) <= 4_000
    assert 300 <= len(world["products"]) <= 600
    params = json.loads((DEFAULT / "truth" / "params.json").read_text(encoding="utf-8"))
    r, alpha = params["bgnbd"]["r"], params["bgnbd"]["alpha"]
    lam = tr.purchase_rate_per_day
    assert abs(lam.mean() - r / alpha) < 0.1 * r / alpha
    week = params["bgnbd_per_week"]  # the same population on a weekly clock: 7 × the daily rate
    assert abs(7 * lam.mean() - week["r"] / week["alpha"]) < 0.1 * week["r"] / week["alpha"]
    assert params["n_members"] == 10_000 and params["seed"] == 20251231


def test_net_amount_tracks_member_spend_level(world):
    o, tr = world["orders"], world["truth/member_truth"].set_index("member_id")
    per = o.groupby("member_id").net_amount.agg(["mean", "size"])
    per = per[per["size"] >= 10]
    eov = tr.expected_order_value.reindex(per.index)
    assert np.corrcoef(np.log(per["mean"]), np.log(eov))[0, 1] > 0.85
    assert 0.9 < (per["mean"] / eov).median() < 1.1


def _organic(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders of the members' own spells (campaign coupon orders can be incremental, outside any spell; the
    orders a campaign or the city programme caused are listed in truth/incremental_orders)."""
    inc = pd.read_parquet(DEFAULT / "truth" / "incremental_orders.parquet")
    caused = pd.MultiIndex.from_arrays([inc.member_id.astype(str), inc.order_ts])
    own = ~pd.MultiIndex.from_arrays([orders.member_id.astype(str), orders.order_ts]).isin(caused)
    return orders[own & (orders.coupon_id.isna() | ~orders.coupon_id.str.startswith("C")).to_numpy()]


def test_truth_columns_are_the_documented_ones(world):
    tr = world["truth/member_truth"]
    assert list(tr.columns) == list(MEMBER_TRUTH_COLUMNS)
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in readme for c in MEMBER_TRUTH_COLUMNS)


def test_lapsed_members_stop_buying_until_they_come_back(world):
    o, tr = _organic(world["orders"]), world["truth/member_truth"].set_index("member_id")
    last = o.groupby("member_id").order_ts.max()
    alive = tr.alive_at_as_of.astype(bool)
    assert tr.dropout_ts[alive].isna().all() and tr.dropout_ts[~alive].notna().all()
    gone = tr[~alive & tr.first_purchase_ts.notna()]
    assert (last.reindex(gone.index) <= gone.dropout_ts).all()
    # the first spell ended at lapse_ts; a won-back member buys nothing until the comeback day
    lapsed = tr[tr.lapse_ts.notna()]
    assert (lapsed.lapse_ts <= lapsed.dropout_ts.fillna(pd.Timestamp.max)).all()
    back = tr[tr.won_back.astype(bool)]
    assert back.winback_ts.notna().all() and tr.winback_ts[~tr.won_back.astype(bool)].isna().all()
    # at least 30 days after the lapse (a day or two less after hours and weekend days were drawn)
    assert (back.winback_ts >= back.lapse_ts + pd.Timedelta(days=27)).all()
    x = o.merge(back[["lapse_ts", "winback_ts"]], left_on="member_id", right_index=True)
    every = world["orders"].merge(back[["winback_ts"]], left_on="member_id", right_index=True)
    assert set(every.member_id[every.order_ts == every.winback_ts]) == set(back.index)  # the comeback order
    in_gap = (x.order_ts > x.lapse_ts) & (x.order_ts < x.winback_ts.dt.normalize())
    assert not in_gap.any()
    # never-won-back members lapsed before as-of buy nothing after the lapse
    once = tr[tr.lapse_ts.notna() & ~tr.won_back.astype(bool) & tr.first_purchase_ts.notna()]
    assert (last.reindex(once.index) <= once.lapse_ts).all()


def test_members_lapse_before_any_repeat_purchase(world):
    o, tr = _organic(world["orders"]), world["truth/member_truth"].set_index("member_id")
    bought = tr[tr.first_purchase_ts.notna()]
    early = bought[(bought.repeats_before_lapse == 0).fillna(False) & ~bought.won_back.astype(bool)]
    assert 0.02 < len(early) / len(bought) < 0.3
    assert set(early.lapse_cause.astype(str)) == {"lifetime"}  # dropout needs a repeat purchase; a lifetime does not
    n_orders = o.groupby("member_id").size().reindex(early.index).fillna(0)
    assert (n_orders == 1).all()  # the first order only
    # both ways of ending a spell happen, and BG/NBD's one-time buyers are not all alive
    assert set(tr.lapse_cause.dropna().astype(str)) == {"after_purchase", "lifetime"}
    per = o.groupby("member_id").size()
    one_timers = per[per == 1].index
    assert tr.alive_at_as_of.reindex(one_timers).astype(bool).mean() < 0.9


def test_some_lapsed_members_are_won_back(world):
    tr = world["truth/member_truth"]
    lapsed = tr[tr.lapse_ts.notna() & tr.first_purchase_ts.notna()]
    share = lapsed.won_back.astype(bool).mean()
    assert 0.05 < share < 0.6, share
    # won-back members can be alive again at as-of: the truth BG/NBD's P(alive) cannot see
    assert tr.alive_at_as_of[tr.won_back.astype(bool)].astype(bool).any()


def test_spend_level_goes_with_purchase_rate_and_category_mix(world):
    tr = world["truth/member_truth"].set_index("member_id")
    rho = tr.purchase_rate_per_day.corr(tr.expected_order_value, method="spearman")
    assert rho >= 0.2, rho
    # light buyers leave sooner: lifetime hazard goes against the purchase rate
    assert tr.purchase_rate_per_day.corr(tr.lifetime_rate_per_day, method="spearman") < -0.2
    it, p, o = world["order_items"], world["products"], world["orders"]
    x = it.merge(p[["product_id", "category"]], on="product_id").merge(o[["order_id", "member_id"]], on="order_id")
    premium = x.category.astype(str).isin(["美妆护肤", "服饰鞋包", "数码家电", "母婴用品"])
    share = (x.line_amount * premium).groupby(x.member_id).sum() / x.line_amount.groupby(x.member_id).sum()
    assert share.corr(tr.expected_order_value.reindex(share.index), method="spearman") > 0.15
    # so the Gamma-Gamma independence check sees it in the orders too (repeat buyers, per-member mean spend)
    per = o.groupby("member_id").net_amount.agg(["size", "mean"])
    per = per[per["size"] >= 2]
    assert per["size"].corr(per["mean"], method="spearman") > 0.1


def test_small_world_has_the_same_mechanisms(small):
    tr = pd.read_parquet(small / "truth" / "member_truth.parquet")
    assert tr.purchase_rate_per_day.corr(tr.expected_order_value, method="spearman") >= 0.2
    bought = tr.first_purchase_ts.notna()
    assert ((tr.repeats_before_lapse == 0).fillna(False) & bought).sum() > 0
    assert tr.won_back.astype(bool).sum() > 0
    assert 0.2 < tr.alive_at_as_of.astype(bool)[bought].mean() < 0.8


def _category_gaps(world) -> pd.Series:
    o, it, p = world["orders"], world["order_items"], world["products"]
    x = it[["order_id", "product_id"]].merge(p[["product_id", "category"]], on="product_id")
    x = x.merge(o[["order_id", "member_id", "order_ts"]], on="order_id").drop_duplicates(["order_id", "category"])
    x = x.sort_values(["member_id", "category", "order_ts"])
    gap = x.groupby(["member_id", "category"], observed=True).order_ts.diff().dt.total_seconds() / 86400
    return gap.groupby(x.category.astype(str)).median()


def test_category_repurchase_cycles_are_recoverable(world):
    med = _category_gaps(world)
    true = world["truth/category_cycles"].set_index("category").true_cycle_days
    med = med.reindex(true.index)
    ratio = med / true
    # short and medium cycles within a factor 1.6; long ones are right-censored by the 3-year window
    assert ((ratio[true <= 45] > 1 / 1.6) & (ratio[true <= 45] < 1.6)).all(), ratio
    assert ((ratio > 0.4) & (ratio < 2)).all(), ratio
    assert med.rank().corr(true.rank(), method="spearman") > 0.9


def _top_brand_share(world) -> pd.Series:
    it, p, o = world["order_items"], world["products"], world["orders"]
    x = it[["order_id", "product_id"]].merge(p[["product_id", "category", "brand"]], on="product_id")
    x = x.merge(o[["order_id", "member_id"]], on="order_id")
    n = x.groupby(["member_id", "category", "brand"], observed=True).size().rename("n").reset_index()
    tot = n.groupby(["member_id", "category"], observed=True).n.transform("sum")
    n = n[tot >= 4].assign(share=lambda d: d.n / tot[tot >= 4])
    return n.groupby(["member_id", "category"], observed=True).share.max().groupby("member_id").mean()


def test_loyal_members_concentrate_on_one_brand(world):
    share = _top_brand_share(world)
    tr = world["truth/member_truth"].set_index("member_id")
    loyal = tr.loyal.reindex(share.index).astype(bool)
    assert share[loyal].mean() > share[~loyal].mean() + 0.15
    assert set(tr.archetype.astype(str)) == set(G.ARCHETYPES)


def test_feedback_and_retail_labels_agree_across_modules():
    from helpers import textgen

    # the text grammar writes about the catalogue's categories, in its order, and labels with the contract's
    assert textgen.RETAIL_CATEGORIES == tuple(G.CATEGORY_CYCLES)
    assert set(G.BRANDS) == set(textgen.RETAIL_CATEGORIES)
    assert textgen.CATEGORIES == T.FEEDBACK_CATEGORIES == tuple(T.CATEGORY_DEPARTMENT)


def test_campaigns_change_behaviour(world):
    o, cc, fx = world["orders"], world["campaign_contacts"], world["truth/campaign_effects"]
    camps = world["campaigns"].set_index("campaign_id")
    members = world["members"].set_index("member_id")
    assert len(camps) >= 2
    for cid, c in cc.groupby("campaign_id"):
        arms = set(c.arm.astype(str))
        if arms - {"treatment", "control"}:  # the multi-arm test (equal allocation): tests/test_experiments.py
            continue
        treat = c.arm == "treatment"
        assert 0.75 < treat.mean() < 0.85
        assert c.sent_ts[treat].notna().all() and c.sent_ts[~treat].isna().all()
        assert not c.redeemed[~treat].any() and c.opened[~treat].isna().all()
        send = c.sent_ts.min().normalize()
        end = pd.Timestamp(camps.loc[cid, "end_date"]) + pd.Timedelta(days=1)
        win = o[(o.order_ts >= send) & (o.order_ts < end)].groupby("member_id").size()
        n = c.member_id.map(win).fillna(0)
        assert n[treat].mean() > n[~treat].mean(), cid  # more orders in the treatment arm
        # purchase rate: the true effect is the chance of one incremental order, diluted by organic buyers
        buy = n > 0
        p1, p0 = buy[treat].mean(), buy[~treat].mean()
        se = np.sqrt(p1 * (1 - p1) / treat.sum() + p0 * (1 - p0) / (~treat).sum())
        fxc = fx[(fx.campaign_id == cid) & (fx.arm == "treatment")].set_index("member_id").true_uplift
        uplift = fxc.reindex(c.member_id).to_numpy()
        assert not np.isnan(uplift).any()
        expected = (uplift[treat.to_numpy()] * (1 - p0)).mean()
        assert p1 - p0 > 2 * se, (cid, p1 - p0, se)
        assert abs((p1 - p0) - expected) < 3 * se, (cid, p1 - p0, expected, se)
        if camps.loc[cid, "channel"] == "短信":
            assert members.sms_consent.reindex(c.member_id).astype(bool).all()
        # redemptions happen with the campaign coupon inside the window
        used = o[o.coupon_id == camps.loc[cid, "coupon_id"]]
        assert used.order_ts.min() >= send and used.order_ts.max() < end
        assert set(used.member_id) == set(c.member_id[c.redeemed.astype(bool)])
    assert fx.true_uplift.between(0, 1).all()


def test_feedback_labels_times_and_routing(world):
    f, t = world["feedback"], world["truth/feedback_truth"]
    assert (f.feedback_id.to_numpy() == t.feedback_id.to_numpy()).all()
    noise = (f.category.astype(str).to_numpy() != t.true_category.astype(str).to_numpy()).mean()
    assert 0.04 <= noise <= 0.11
    assert (f.department.astype(str) == f.category.astype(str).map(T.CATEGORY_DEPARTMENT)).all()
    neg = t.polarity == "negative"
    assert f.rating[neg.to_numpy()].mean() < 2.2 and f.rating[(t.polarity == "positive").to_numpy()].mean() > 4
    fr, rs = f.first_response_ts, f.resolved_ts
    assert (fr.dropna() > f.created_ts[fr.notna()]).all()
    assert (rs.dropna() >= fr[rs.notna()]).all() and fr[rs.notna()].notna().all()
    assert 0.03 < rs.isna().mean() < 0.3
    assert (f.text.str.len() > 0).all() and f.text.nunique() > 0.8 * len(f)
    assert not f.text.str.contains("占位").any()


# ------------------------------------------------------------------ API and CLI

def test_simulate_orders_matches_full_world(small):
    members, orders, truth = G.simulate_orders(SMALL, 7)
    full = pd.read_parquet(small / "orders.parquet")
    assert len(orders) == len(full) and len(members) == SMALL and len(truth) == SMALL
    for col in ("order_id", "member_id", "order_ts", "channel", "payment_method", "status", "store_id"):
        assert (orders[col].astype(str).to_numpy() == full[col].astype(str).to_numpy()).all(), col
    close = np.isclose(orders.net_amount, full.net_amount, rtol=0.03, atol=1.0).mean()
    assert close > 0.99
    assert list(orders.columns) == T.ORDERS.column_names


def test_cli_subset_and_errors(tmp_path, capsys):
    out = tmp_path / "sub"
    assert G.main(["--members", "300", "--seed", "1", "--out", str(out), "--tables", "members,orders", "-q"]) == 0
    assert sorted(p.name for p in out.glob("*.parquet")) == ["members.parquet", "orders.parquet"]
    assert (out / "truth" / "params.json").is_file()
    assert G.main(["--members", "10", "--out", str(tmp_path / "x"), "--tables", "nope", "-q"]) == 2
    from helpers.__main__ import main as cli
    assert cli(["generate", "--members", "200", "--seed", "3", "--out", str(tmp_path / "c"), "-q"]) == 0
    assert len(pd.read_parquet(tmp_path / "c" / "members.parquet")) == 200


def test_a_one_member_world_is_written(tmp_path):
    """A world too small to draw any feedback is written without that table (absent, not header-only: the loader
    refuses a file without rows), and loads."""
    from helpers import data

    out = tmp_path / "one"
    assert G.main(["--members", "1", "--seed", "1", "--out", str(out), "-q"]) == 0
    assert len(pd.read_parquet(out / "members.parquet")) == 1
    assert not (out / "feedback.parquet").exists()
    ds = data.load(out)
    assert len(ds.members) == 1 and ds.feedback is None


def test_readme_contains_data_dictionary():
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert G.data_dictionary_markdown() in readme
    assert "python -m helpers generate --members 10000 --seed 20251231 --out datasets/default" in readme
    for name in T.TABLES:
        assert f"`{name}`" in readme


def test_seasonality_peaks_and_weekends(world):
    o = world["orders"]
    daily = o.order_ts.dt.normalize().value_counts()
    for year in (2023, 2024, 2025):
        base = daily[(daily.index >= pd.Timestamp(f"{year}-10-10")) & (daily.index <= pd.Timestamp(f"{year}-10-30"))]
        assert daily[pd.Timestamp(f"{year}-11-11")] > 2 * base.mean(), year  # 双11
        for day, factor in ((f"{year}-06-18", 1.5), (f"{year}-12-12", 1.3)):  # 618, 双12
            d = pd.Timestamp(day)
            same_weekday = daily.reindex([d + pd.Timedelta(weeks=k) for k in (-2, -1, 1, 2)]).fillna(0)
            assert daily[d] > factor * same_weekday.mean(), day
    lny = pd.Timestamp(G.LUNAR_NEW_YEAR[2025])
    holiday = daily[(daily.index >= lny) & (daily.index < lny + pd.Timedelta(days=7))].mean()
    runup = daily[(daily.index >= lny - pd.Timedelta(days=14)) & (daily.index < lny - pd.Timedelta(days=1))].mean()
    assert holiday < 0.7 * runup  # 春节 week dips after the 年货 run-up
    weekend = o.order_ts.dt.day_of_week >= 5
    assert weekend.mean() > 2 / 7 + 0.05
    reg = world["members"].register_ts.dt.year.value_counts()
    assert reg[2025] > reg[2024] > reg[2023]  # the member base grows


def test_read_truth_beside_the_data_and_only_for_its_own_day(tmp_path):
    truth = G.read_truth(DEFAULT)
    assert truth is not None and G.read_truth("") is not None  # "" = the course default, as in the notebooks
    raw = pd.read_parquet(DEFAULT / "truth" / "member_truth.parquet")
    assert truth.members.index.name == "member_id" and len(truth.members) == len(raw)
    params = json.loads((DEFAULT / "truth" / "params.json").read_text(encoding="utf-8"))
    assert truth.as_of == pd.Timestamp(params["as_of"])
    alive = truth.alive_at(params["as_of"] + " 15:00")  # any time on the truth's day
    assert alive is not None and alive.dtype == bool
    assert alive.sum() == raw["alive_at_as_of"].sum()
    assert truth.alive_at(pd.Timestamp(params["as_of"]) - pd.Timedelta(days=1)) is None
    # an analyst's own data (orders only, no truth folder) has no truth
    (tmp_path / "orders.csv").write_text("member_id,order_ts,net_amount\n", encoding="utf-8")
    assert G.read_truth(tmp_path) is None
