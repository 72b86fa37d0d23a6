"""Tests for helpers.quality: masking, keyed hashing, PII detection, the dimensions on a small world, injection, consent."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd
import pytest

from helpers import quality as q

AS_OF = pd.Timestamp("2025-12-31")


def small_world(seed: int = 1, n_members: int = 400) -> dict[str, pd.DataFrame]:
    """A small, internally consistent data set with the loader's dtypes (built here, independent of the generator)."""
    rng = np.random.default_rng(seed)
    mids = pd.array([f"M{i:06d}" for i in range(n_members)], dtype="string")
    reg = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n_members), unit="D")
    phones = [f"1{rng.integers(3, 10)}{rng.integers(0, 10)}****{i:04d}" for i in range(n_members)]
    members = pd.DataFrame({
        "member_id": mids,
        "register_ts": reg,
        "gender": pd.Categorical(rng.choice(["男", "女", "未知"], n_members)),
        "birth_year": pd.array(rng.integers(1960, 2005, n_members), dtype="Int64"),
        "city": pd.Categorical(rng.choice(["上海", "成都", "南京"], n_members)),
        "sms_consent": pd.array(rng.choice([True, False, None], n_members, p=[0.6, 0.3, 0.1]), dtype="boolean"),
        "email_consent": pd.array(rng.choice([True, False], n_members, p=[0.3, 0.7]), dtype="boolean"),
        "phone_masked": pd.array(phones, dtype="string"),
    })
    stores = pd.DataFrame({
        "store_id": pd.array(["S01", "S02", "S03", "ONLINE", "MINI"], dtype="string"),
        "store_name": pd.array(["静安店", "春熙路店", "新街口店", "线上商城", "小程序"], dtype="string"),
        "store_type": pd.Categorical(["门店", "门店", "门店", "线上商城", "小程序"]),
    })
    n_orders = n_members * 4
    who = rng.integers(0, n_members, n_orders)
    ts = reg[who] + pd.to_timedelta(rng.integers(0, 300 * 86400, n_orders), unit="s")
    ts = ts.where(ts <= AS_OF, AS_OF - pd.Timedelta(hours=1))
    ts = ts.where(ts.normalize() > reg[who].normalize(), reg[who] + pd.Timedelta(days=1))
    ts = ts.to_numpy().copy()
    ts[:3] = (AS_OF + pd.to_timedelta([9, 13, 20], unit="h")).to_numpy()  # the feed is up to date (T+0)
    store = rng.choice(stores["store_id"].to_numpy(dtype=object), n_orders)
    channel = pd.Series(store).map(dict(zip(stores["store_id"], stores["store_type"].astype(str), strict=True)))
    n_lines = rng.integers(1, 4, n_orders)
    oid = [f"O{i:08d}" for i in range(n_orders)]
    item_order = np.repeat(oid, n_lines)
    qty = rng.integers(1, 4, len(item_order))
    price = np.round(rng.uniform(5, 200, len(item_order)), 2)
    line = np.round(qty * price, 2)
    items = pd.DataFrame({
        "order_id": pd.array(item_order, dtype="string"),
        "line_no": pd.array(np.concatenate([np.arange(1, k + 1) for k in n_lines]), dtype="Int64"),
        "product_id": pd.array(rng.choice(["P1", "P2", "P3"], len(item_order)), dtype="string"),
        "quantity": pd.array(qty, dtype="Int64"),
        "unit_price": price,
        "line_amount": line,
    })
    gross = pd.Series(line).groupby(item_order).sum().reindex(oid).round(2).to_numpy()
    discount = np.round(gross * rng.choice([0, 0.05, 0.1], n_orders), 2)
    orders = pd.DataFrame({
        "order_id": pd.array(oid, dtype="string"),
        "member_id": pd.array(mids[who], dtype="string"),
        "order_ts": pd.DatetimeIndex(ts).astype("datetime64[ns]"),
        "store_id": pd.array(store, dtype="string"),
        "channel": pd.Categorical(channel),
        "payment_method": pd.Categorical(rng.choice(["微信支付", "支付宝", "现金"], n_orders)),
        "gross_amount": gross,
        "discount_amount": discount,
        "net_amount": np.round(gross - discount, 2),
        "coupon_id": pd.array(np.where(rng.random(n_orders) < 0.2, "C1", None), dtype="string"),
        "status": pd.Categorical(rng.choice(["paid", "refunded"], n_orders, p=[0.95, 0.05])),
    })
    return {"members": members, "stores": stores, "orders": orders, "order_items": items}


@pytest.fixture(scope="module")
def world():
    return small_world()


# ---------------------------------------------------------------------------------------------------- masking

PHONE_INPUTS = ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "86 13812345678", "(+86)138-1234-5678",
                "１３８１２３４５６７８", " 138 1234 5678 "]


@pytest.mark.parametrize("raw", PHONE_INPUTS)
def test_mask_phone_spellings(raw):
    assert q.mask_phone(raw) == "138****5678"


@pytest.mark.parametrize("raw", ["1381234567", "138123456789", "12345678901", "abc", "", "电话13812345678",
                                 "138-1234-567x", "23812345678", "+1 138 1234 5678"])
def test_mask_phone_invalid_never_leaks(raw):
    assert q.mask_phone(raw) is None


def test_mask_phone_missing_and_masked():
    assert q.mask_phone(None) is None
    assert q.mask_phone(np.nan) is None
    assert q.mask_phone(pd.NA) is None
    assert q.mask_phone("138****5678") == "138****5678"


def test_mask_phone_series_hides_middle_digits():
    rng = np.random.default_rng(7)
    phones = q.fake_mobile(rng, 500)
    s = pd.Series([*phones, "bad", None, "+86 139 0000 1111"])
    masked = q.mask_phone(s)
    assert str(masked.dtype) == "string"
    for raw, m in zip(phones, masked[:500], strict=True):
        assert m == raw[:3] + "****" + raw[-4:]
        assert not re.search(r"\d{5,}", m)
    assert masked.iloc[500] is pd.NA and masked.iloc[501] is pd.NA
    assert masked.iloc[502] == "139****1111"


def test_mask_email():
    assert q.mask_email("Zhang.San@Example.com") == "Z***@example.com"
    assert q.mask_email("not-an-email") is None
    assert q.mask_email(None) is None
    s = q.mask_email(pd.Series(["a.b@c.cn", None, "x"]))
    assert s.iloc[0] == "a***@c.cn" and s.isna().tolist() == [False, True, True]


def test_mask_id_card_keeps_first6_last4():
    assert q.mask_id_card("11010119900307123X") == "110101********123X"
    assert q.mask_id_card("110101 19900307 1234") == "110101********1234"
    assert q.mask_id_card("11010119900307") is None
    masked = q.mask_id_card("110101199003071234")
    assert "19900307" not in masked


# ---------------------------------------------------------------------------------------------------- keyed hash

def test_hmac_is_the_standard_keyed_hash():
    import hashlib
    import hmac

    want = hmac.new(b"team-key", b"13812345678", hashlib.sha256).hexdigest()  # RFC 2104 HMAC of the 11 digits
    assert q.hmac_pii("+86 138-1234-5678", key="team-key", kind="phone") == want  # normalised before hashing
    assert q.hmac_pii("13812345678", key="team-key") != hashlib.sha256(b"13812345678").hexdigest()
    assert q.hmac_pii("13812345678", key="k2") != want
    assert q.hmac_pii("13812345679", key="team-key") != want
    assert q.hmac_pii("Zhang@Example.com", key="k", kind="email") == q.hmac_pii("zhang@example.com ", key="k")


def test_hmac_series_and_missing():
    s = pd.Series(["13812345678", None, "138 1234 5678", "xx"])
    h = q.hmac_pii(s, key="k", kind="phone")
    assert h.iloc[0] == h.iloc[2] and pd.isna(h.iloc[1]) and pd.isna(h.iloc[3])
    h2 = q.hmac_pii(s, key="other", kind="phone")
    assert h.iloc[0] != h2.iloc[0]


@pytest.mark.parametrize("key", ["", None])
def test_hmac_requires_key(key):
    with pytest.raises(ValueError):
        q.hmac_pii("13812345678", key=key)


def test_no_salted_hash_wording_left():
    """HMAC is a keyed hash: nothing in the package may call it salted (加盐) any more."""
    from pathlib import Path

    root = Path(q.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "salted sha" not in text.lower() and "salt=" not in text and "加盐" not in text, path.name
    assert not hasattr(q, "hash_pii")
    assert "salt" not in inspect.signature(q.hmac_pii).parameters


# ---------------------------------------------------------------------------------------------------- find_pii

#: the example number published with GB 11643-1999 (check character X); the same number with another last
#: character fails the ISO 7064 MOD 11-2 check
GB11643_EXAMPLE = "11010519491231002X"
GB11643_BAD = "110105194912310021"


def test_id_checksum_ok():
    assert q.id_checksum_ok(GB11643_EXAMPLE)
    assert q.id_checksum_ok(GB11643_EXAMPLE.lower())
    assert not q.id_checksum_ok(GB11643_BAD)
    assert not q.id_checksum_ok(GB11643_EXAMPLE[:-1])


def test_find_pii_finds_planted_and_ignores_masked():
    idno = GB11643_EXAMPLE
    df = pd.DataFrame({
        "text": ["请打电话13812345678谢谢", "已脱敏 138****5678", "邮箱 zhang@example.com", "z***@example.com",
                 f"身份证{idno}", "110101********1234", "订单O201234567890123", "+86 139-0000-1111"],
        "member_id": ["M1", "13700001111", "M3", "M4", "M5", "M6", "M7", "M8"],
        "amount": [1.0] * 8,
    })
    found = q.find_pii(df)
    got = {(r.column, r.row, r.kind) for r in found.itertuples()}
    assert got == {("text", 0, "mobile"), ("text", 2, "email"), ("text", 4, "id_card"), ("text", 7, "mobile"),
                   ("member_id", 1, "mobile")}
    # the report itself is safe to show
    assert not found["preview"].str.contains(r"\d{11}").any()
    assert "zhang@" not in " ".join(found["preview"])


def test_find_pii_id_checksum_filters_random_numbers():
    found = q.find_pii(pd.DataFrame({"t": [GB11643_EXAMPLE, GB11643_BAD]}))
    assert found["row"].tolist() == [0]


def test_find_pii_categorical_column():
    s = pd.Series(pd.Categorical(["13812345678", "ok", "13812345678", None]))
    found = q.find_pii(pd.DataFrame({"c": s}))
    assert sorted(found["row"]) == [0, 2]


# ---------------------------------------------------------------------------------------------------- dimensions

def test_report_shape_and_clean_world(world):
    rep = q.quality_report(world, as_of=AS_OF)
    assert list(rep.columns) == q.REPORT_COLUMNS
    assert set(rep["dimension"]) == set(q.DIMENSIONS)
    failing = rep[(rep["n_failed"] > 0) & (rep["check"] != "missing")]
    assert failing.empty, failing
    assert ((rep["share"] >= 0) & (rep["share"] <= 1)).all()
    text = q.quality_summary(rep)
    assert "完整性" in text and "completeness" in text


def test_each_check_detects_a_planted_problem(world):
    w = {k: v.copy() for k, v in world.items()}
    o, m = w["orders"], w["members"]
    o.loc[0, "net_amount"] = o.loc[0, "gross_amount"] + 5  # net > gross
    o.loc[1, "channel"] = "小程序" if o.loc[1, "channel"] != "小程序" else "门店"  # channel vs store
    o.loc[2, "member_id"] = "M999999"  # orphan
    m.loc[3, "birth_year"] = 1850  # implausible + below_min
    m.loc[4, "phone_masked"] = m.loc[5, "phone_masked"]  # duplicate masked phone
    m["gender"] = m["gender"].cat.add_categories(["M"])
    m.loc[6, "gender"] = "M"  # not allowed
    w["order_items"].loc[0, "line_amount"] += 1  # line vs qty*price, and gross vs items
    created = pd.to_datetime(["2025-01-01 10:00", "2025-01-02 10:00", "2025-01-03 10:00", "2025-01-04 10:00"])
    w["feedback"] = pd.DataFrame({
        "feedback_id": pd.array(["F1", "F2", "F3", "F4"], dtype="string"),
        "member_id": pd.array(["M000001", "M000002", None, "M000003"], dtype="string"),
        "created_ts": created,
        "text": pd.array(["很好", "一般", "差", "还行"], dtype="string"),
        "rating": pd.array([5, None, 7, 3], dtype="Int64"),  # NA is "not given", only the 7 is out of range
        "first_response_ts": created + pd.to_timedelta([1, -1, 2, np.nan], unit="h"),
    })
    rep = q.quality_report(w, as_of=AS_OF).set_index(["table", "column", "check"])["n_failed"]
    assert rep[("orders", "net_amount", "net_gt_gross")] == 1
    assert rep[("orders", "channel", "channel_vs_store")] == 1
    assert rep[("orders", "member_id", "orphan_key")] == 1
    assert rep[("members", "birth_year", "implausible_birth_year")] == 1
    assert rep[("members", "birth_year", "below_min")] == 1
    assert rep[("members", "phone_masked", "duplicate_masked_phone")] == 1
    assert rep[("members", "gender", "not_allowed")] == 1
    assert rep[("feedback", "rating", "out_of_range")] == 1
    assert rep[("feedback", "first_response_ts", "response_before_created")] == 1
    assert rep[("feedback", "member_id", "orphan_key")] == 0
    assert rep[("order_items", "line_amount", "line_vs_qty_price")] == 1
    assert rep[("orders", "gross_amount", "gross_vs_items")] == 1


def test_report_totals_per_dimension():
    rep = pd.DataFrame({
        "dimension": ["completeness", "completeness", "completeness", "accuracy", "accuracy", "consistency"],
        "check": ["missing_required", "missing", "missing", "negative_amount", "after_as_of", "duplicate_key"],
        "n_failed": [2, 7, 5, 0, 4, 1],
    })
    totals = q.report_totals(rep)
    assert list(totals.index) == ["completeness", "accuracy", "consistency", "timeliness", "uniqueness", "security"]
    assert totals.loc["completeness"].tolist() == [1, 1, 2, 12]  # checks, failing, problems, optional_missing
    assert totals.loc["accuracy"].tolist() == [2, 1, 4, 0]
    assert totals.loc["consistency"].tolist() == [1, 1, 1, 0]
    assert totals.loc["security"].tolist() == [0, 0, 0, 0]
    text = q.quality_summary(rep.assign(table="orders", column="x", n_checked=10, share=rep["n_failed"] / 10))
    assert "准确性 accuracy: 2 项检查 checks, 1 项有问题 failing, 4 处问题 problems" in text
    assert "另有可选字段空值 12 处" in text


def test_blank_strings_count_as_missing():
    df = pd.DataFrame({"member_id": pd.array(["M1", "", "  ", None], dtype="string"), "order_ts": pd.NaT,
                       "net_amount": [1.0, 2.0, np.nan, 3.0]})
    rep = q.completeness(df).set_index("column")
    assert rep.loc["member_id", "n_failed"] == 3
    assert rep.loc["member_id", "check"] == "missing_required"
    assert rep.loc["net_amount", "share"] == pytest.approx(0.25)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inject_then_measure_matches_truth(world, seed):
    before = q.quality_report(world, as_of=AS_OF)
    inj = q.inject_problems(world, seed=seed, as_of=AS_OF, missing=0.02, duplicates=0.01, negative_amounts=0.01,
                            future_dates=0.01, before_registration=0.01, inconsistent_totals=0.01,
                            unmasked_phones=0.02)
    assert set(inj.truth["problem"]) == set(q.PROBLEMS)
    assert (inj.truth["n_injected"] > 0).all()
    after = q.quality_report(inj.data, as_of=AS_OF)
    cmp = q.compare_with_truth(before, after, inj.truth)
    assert cmp["match"].all(), cmp
    # problems land on distinct rows
    touched = [i for p, r in inj.rows.items() if p not in ("duplicates", "unmasked_phones") for i in r]
    assert len(touched) == len(set(touched))
    # the input is not modified
    assert world["orders"]["net_amount"].min() >= 0
    # checks that nothing was planted for stay at their clean level (except the duplicates' copied optional gaps)
    key = ["dimension", "table", "column", "check"]
    other = after.merge(before, on=key, suffixes=("", "_b"))
    other = other.merge(inj.truth[key], on=key, how="left", indicator=True)
    other = other[(other["_merge"] == "left_only") & (other["check"] != "missing")]
    assert (other["n_failed"] == other["n_failed_b"]).all(), other[other["n_failed"] != other["n_failed_b"]]


def test_inject_is_deterministic(world):
    a = q.inject_problems(world, seed=5, as_of=AS_OF)
    b = q.inject_problems(world, seed=5, as_of=AS_OF)
    pd.testing.assert_frame_equal(a.data["orders"], b.data["orders"])
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_sample_by_members_keeps_whole_members_and_their_lines(world):
    """Above the cap: a seeded member sample — every kept order's member sampled, every line of a kept order kept
    and no other line, tables without members whole — and the planted problems are still found exactly on it."""
    orders = world["orders"]
    assert q.sample_by_members(world, len(orders), seed=1) is world  # at the cap: the data itself
    assert q.sample_by_members(world, 0, seed=1) is world  # 0: never sample
    with pytest.raises(ValueError, match="max_orders"):
        q.sample_by_members(world, -1)
    cap = len(orders) // 3
    got = q.sample_by_members(world, cap, seed=7)
    members = set(got["members"]["member_id"])
    assert 0 < len(members) < world["members"]["member_id"].nunique()
    assert set(got["orders"]["member_id"]) <= members
    # a member is in or out with all their orders
    kept_orders = orders[orders["member_id"].isin(members)]
    assert sorted(got["orders"]["order_id"]) == sorted(kept_orders["order_id"])
    items = world["order_items"]
    assert sorted(got["order_items"]["order_id"].unique()) == sorted(
        items.loc[items["order_id"].isin(kept_orders["order_id"]), "order_id"].unique())
    pd.testing.assert_frame_equal(got["stores"], world["stores"])
    assert 0.5 * cap < len(got["orders"]) < 1.5 * cap
    # the same members whatever the row order; another seed, other members
    shuffled = {k: v.sample(frac=1.0, random_state=3) for k, v in world.items()}
    assert set(q.sample_by_members(shuffled, cap, seed=7)["members"]["member_id"]) == members
    assert set(q.sample_by_members(world, cap, seed=8)["members"]["member_id"]) != members
    before = q.quality_report(got, as_of=AS_OF)
    inj = q.inject_problems(got, seed=2, as_of=AS_OF, missing=0.02, duplicates=0.01, negative_amounts=0.01)
    cmp = q.compare_with_truth(before, q.quality_report(inj, as_of=AS_OF), inj.truth)
    assert cmp["match"].all() and (cmp["n_injected"] > 0).all(), cmp


def test_inject_orders_only(world):
    orders = world["orders"][["member_id", "order_ts", "net_amount", "order_id", "store_id"]]
    inj = q.inject_problems(orders, seed=3, as_of=AS_OF)
    assert {"before_registration", "inconsistent_totals", "unmasked_phones"} <= set(inj.skipped)
    cmp = q.compare_with_truth(q.quality_report(orders, as_of=AS_OF), q.quality_report(inj, as_of=AS_OF), inj.truth)
    assert cmp["match"].all() and len(cmp) == 6


def test_security_counts_unmasked(world):
    inj = q.inject_problems(world, seed=1, as_of=AS_OF, unmasked_phones=0.05)
    sec = q.security(inj).set_index(["table", "column", "check"])["n_failed"]
    assert sec[("members", "phone_masked", "unmasked_mobile")] == round(0.05 * len(world["members"]))
    assert sec.drop(("members", "phone_masked", "unmasked_mobile")).sum() == 0


# ---------------------------------------------------------------------------------------------------- consent

def test_contactable_respects_consent():
    m = pd.DataFrame({
        "member_id": ["a", "b", "c", "d", "e"],
        "sms_consent": pd.array([True, False, None, True, True], dtype="boolean"),
        "email_consent": pd.array([False, True, True, None, True], dtype="boolean"),
        "phone_masked": pd.array(["138****0001", "138****0002", "138****0003", None, "139****0005"], dtype="string"),
    })
    assert q.contactable(m, "sms").tolist() == [True, False, False, False, True]
    assert q.contactable(m, "email").tolist() == [False, True, True, False, True]
    with pytest.raises(ValueError):
        q.contactable(m, "carrier-pigeon")


def test_contactable_text_flags():
    m = pd.DataFrame({"sms_consent": ["是", "否", None, "true"]})
    assert q.contactable(m, "sms").tolist() == [True, False, False, True]


def test_inject_without_order_id_skips_duplicates(world):
    orders = world["orders"][["member_id", "order_ts", "net_amount"]]
    inj = q.inject_problems(orders, seed=4, as_of=AS_OF)
    assert "duplicates" in inj.skipped
    cmp = q.compare_with_truth(q.quality_report(orders, as_of=AS_OF), q.quality_report(inj, as_of=AS_OF), inj.truth)
    assert cmp["match"].all() and set(cmp["problem"]) == {"missing_member_id", "missing_net_amount",
                                                          "negative_amounts", "future_dates"}


# ---------------------------------------------------------------------------------------------------- command line

def test_check_command(tmp_path, world, capsys):
    for name, df in world.items():
        df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    from helpers.__main__ import main as cli

    assert cli(["check", "--data-dir", str(tmp_path), "--as-of", "2025-12-31"]) == 0
    text = capsys.readouterr().out
    assert "orders" in text and "数据质量摘要" in text and "Data-quality summary" in text


def test_mask_text_keeps_chinese_punctuation():
    """Masking free text must not rewrite the member's Chinese punctuation (NFKC turned ，into ,)."""
    assert q.mask_text("请回电，１３８１２３４５６７８。（急）") == "请回电，138****5678。（急）"
    assert q.mask_text("邮箱：ｚｈａｎｇ＠example.com！") == "邮箱：z***@example.com！"
