"""Campaign targeting (精准营销名单): whom to contact under a budget, with consent, frequency caps and suppression,
and an export for SMS tools that carries masked phone numbers only.

Why rules in this order: a contact list is a legal and a trust question before it is an optimisation — members
who did not consent (PIPL), who were contacted too often lately (frequency cap from ``campaign_contacts``), who
complained recently or have left are removed first, each with a reason that can be counted; only then does the
budget buy the members with the highest expected value: uplift × P(buy) × order value × margin − contact cost.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers import widgets

__all__ = ["EXCLUSION_ZH", "MASKED_PHONE", "build_list", "campaign_list_builder", "candidates", "contact_counts",
           "mask_phone", "member_score_descriptions", "member_scores", "sms_export", "suppression"]

#: a masked mainland mobile number: 3 digits, 4 asterisks, 4 digits
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")
EXCLUSION_ZH = {"no_consent": "未同意短信营销", "capped": "近期联系次数已达上限", "complained": "近期投诉",
                "lapsed": "已流失", "not_positive": "期望价值不为正", "over_budget": "超出预算", "selected": "入选"}


def _ids(s) -> pd.Series:
    return pd.Series(s).astype(str)


def contact_counts(campaign_contacts: pd.DataFrame | None, as_of, *, cap_days: int = 30) -> pd.Series:
    """Marketing contacts actually sent per member in the ``cap_days`` days up to ``as_of`` (control-arm rows and
    rows without a send time are not contacts). Empty without the table."""
    if campaign_contacts is None or "sent_ts" not in campaign_contacts.columns:
        return pd.Series(dtype="int64", name="contacts")
    c = campaign_contacts
    a = pd.Timestamp(as_of).normalize()
    sent = c["sent_ts"]
    mask = sent.notna() & (sent < a + pd.Timedelta(days=1)) & (sent >= a - pd.Timedelta(days=int(cap_days) - 1))
    if "arm" in c.columns:
        mask &= (c["arm"].astype("string") != "control").fillna(True)
    return _ids(c.loc[mask, "member_id"]).value_counts().sort_index().rename("contacts")


def suppression(members_index: pd.Index, as_of, *, recency: pd.Series | None = None,
                feedback: pd.DataFrame | None = None, complaint_days: int = 30, max_rating: int = 2,
                lapsed_days: int = 365) -> pd.Series:
    """Reason to suppress each member (``complained`` / ``lapsed``) or missing: a feedback with rating ≤
    ``max_rating`` in the last ``complaint_days`` days up to ``as_of``; no paid purchase for more than
    ``lapsed_days`` days (``recency``, days since the last purchase; members without it are not judged)."""
    out = pd.Series(pd.NA, index=members_index, dtype="string", name="suppressed")
    if recency is not None:
        lapsed = recency.reindex(members_index) > lapsed_days
        out[lapsed.fillna(False).to_numpy(bool)] = "lapsed"
    if feedback is not None and {"member_id", "created_ts", "rating"} <= set(feedback.columns):
        a = pd.Timestamp(as_of).normalize()
        f = feedback[(feedback["created_ts"] < a + pd.Timedelta(days=1))
                     & (feedback["created_ts"] >= a - pd.Timedelta(days=int(complaint_days) - 1))]
        bad = set(_ids(f.loc[(f["rating"] <= max_rating).fillna(False).to_numpy(bool), "member_id"]))
        out[members_index.isin(bad)] = "complained"
    return out


def candidates(scores: pd.DataFrame, members: pd.DataFrame | None, *, contacts: pd.Series | None = None,
               suppressed: pd.Series | None = None, max_contacts: int = 2, uplift: float = 0.1,
               margin: float = 0.3, contact_cost: float = 0.1, consent_column: str = "sms_consent") -> pd.DataFrame:
    """Every scored member with ``expected_value`` and ``status``: the first exclusion that applies
    (no_consent, capped, complained / lapsed, not_positive) or ``eligible``.

    ``scores`` (index member_id) has ``p_buy`` (probability of buying in the campaign window; without it
    ``1 − churn_risk``) and ``value`` (expected order value or CLV, 元). Expected value = ``uplift × p_buy ×
    value × margin − contact_cost``. Consent missing or the members table absent means no consent."""
    s = scores.copy()
    s.index = s.index.astype(str)
    p = s["p_buy"] if "p_buy" in s.columns else 1 - s["churn_risk"]
    s["expected_value"] = uplift * p.astype(float) * s["value"].astype(float) * margin - contact_cost
    if members is not None and consent_column in members.columns:
        consent = members.set_index(_ids(members["member_id"]).to_numpy())[consent_column].astype("boolean")
        ok = consent.reindex(s.index).fillna(False).to_numpy(bool)
    else:
        ok = np.zeros(len(s), dtype=bool)
    s["consent"] = ok
    s["contacts"] = (contacts if contacts is not None else pd.Series(dtype="int64")).reindex(s.index).fillna(0) \
        .astype("int64")
    s["suppressed"] = (suppressed if suppressed is not None else pd.Series(dtype="string")).reindex(s.index) \
        .astype("string")
    s["status"] = _status(s, max_contacts)
    return s


def _status(s: pd.DataFrame, max_contacts: int) -> np.ndarray:
    sup = s["suppressed"]
    return np.select([~s["consent"].to_numpy(bool), s["contacts"].to_numpy() >= max_contacts,
                      sup.notna().to_numpy(), ~(s["expected_value"] > 0).to_numpy()],
                     ["no_consent", "capped", sup.fillna("").astype(str).to_numpy(), "not_positive"],
                     default="eligible")


def build_list(cands: pd.DataFrame, budget: float, contact_cost: float) -> pd.DataFrame:
    """The contact list: eligible members by expected value (highest first, ties by member id), at most
    ``budget // contact_cost`` of them (everyone eligible when the contact is free). ``status`` becomes
    ``selected`` or ``over_budget`` on the returned copy of all candidates; selected rows first, in list order."""
    c = cands.sort_index(kind="mergesort").sort_values("expected_value", ascending=False, kind="mergesort").copy()
    eligible = c["status"] == "eligible"
    limit = len(c) if contact_cost <= 0 else int(budget // contact_cost)
    rank = eligible.cumsum()
    c.loc[eligible & (rank <= limit), "status"] = "selected"
    c.loc[eligible & (rank > limit), "status"] = "over_budget"
    return pd.concat([c[c["status"] == "selected"], c[c["status"] != "selected"]])


def sms_export(selected: pd.DataFrame, members: pd.DataFrame, *, offer: str = "") -> pd.DataFrame:
    """The file an SMS tool imports: ``member_id``, ``phone_masked``, ``offer``, in list order. Only masked
    numbers leave the workbook: a value that is present but not like ``123****4567`` raises ValueError naming the
    member (never written out); members without a number are left out (``attrs["no_phone"]`` counts them)."""
    m = members.set_index(_ids(members["member_id"]).to_numpy())
    ids = pd.Index(selected.index.astype(str))
    phone = m["phone_masked"].reindex(ids).astype("string") if "phone_masked" in m.columns else \
        pd.Series(pd.NA, index=ids, dtype="string")
    bad = phone.notna() & ~phone.fillna("").str.fullmatch(MASKED_PHONE.pattern)
    if bad.any():
        first = phone.index[bad.to_numpy()][0]
        raise ValueError(f"members: column phone_masked of member {first} is not a masked number like 138****1234 / "
                         f"会员 {first} 的 phone_masked 不是脱敏号码，拒绝导出")
    keep = phone.notna().to_numpy()
    out = pd.DataFrame({"member_id": ids[keep], "phone_masked": phone[keep].astype(str).to_numpy(), "offer": offer})
    out.attrs["no_phone"] = int((~keep).sum())
    return out


def _summary(cands: pd.DataFrame, budget: float, contact_cost: float, max_contacts: int) -> pd.DataFrame:
    c = cands.copy()
    c["status"] = _status(c, max_contacts)  # the slider's cap
    picked = build_list(c, budget, contact_cost)
    sel = picked[picked["status"] == "selected"]
    table = picked["status"].map(EXCLUSION_ZH).value_counts().rename("会员数").rename_axis("状态")
    print(f"预算 {budget:,.0f} 元、每人 {contact_cost:g} 元、近期最多联系 {max_contacts} 次：入选 {len(sel):,} 人，"
          f"期望增量毛利 {sel['expected_value'].sum() + contact_cost * len(sel):,.0f} 元，成本 {contact_cost * len(sel):,.0f} 元")
    from IPython.display import display

    display(table.to_frame())
    return picked


def campaign_list_builder(cands: pd.DataFrame, *, budget: float = 500.0, contact_cost: float = 0.1,
                          max_contacts: int = 2, interactive: bool = True):
    """Budget and frequency-cap controls over the candidates (:func:`candidates`); the list size, expected value
    and the count per exclusion reason are redrawn on Apply. Without a widget frontend prints the static view and
    returns the built list."""
    w = widgets.toolkit(interactive)
    if w is None:
        return _summary(cands, budget, contact_cost, max_contacts)
    b = w.FloatText(value=budget, description="预算（元）")
    cap = w.IntSlider(value=max_contacts, min=0, max=10, description="联系上限", continuous_update=False)
    go = w.Button(description="生成名单")
    return widgets.controls_view(w, [w.HBox([b, cap, go])],
                                 lambda: _summary(cands, float(b.value), contact_cost, int(cap.value)), button=go)


def mask_phone(phones: pd.Series) -> pd.Series:
    """``138****1234`` for an 11-digit mainland mobile number (spaces, hyphens and a ``+86`` / ``86`` prefix are
    ignored); missing for anything else, so an unrecognised value is never exported half-masked."""
    digits = phones.astype("string").str.replace(r"[\s\-]", "", regex=True).str.replace(r"^\+?86(?=\d{11}$)", "",
                                                                                          regex=True)
    ok = digits.str.fullmatch(r"1\d{10}").fillna(False).to_numpy(bool)
    out = pd.Series(pd.NA, index=phones.index, dtype="string")
    out[ok] = digits[ok].str.slice(0, 3) + "****" + digits[ok].str.slice(7, 11)
    return out


def member_scores(index: pd.Index, *, p_buy: pd.Series | None = None, next_dates: pd.DataFrame | None = None,
                  favourite: pd.Series | None = None, recommendations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Module 07's member_scores columns for ``index``: ``p_buy_30d``, ``next_purchase_date``,
    ``favourite_category`` and ``recommendations`` (the top product ids joined by "|" in rank order, from a
    ``member_id`` / ``rank`` / ``product_id`` frame). Parts not computed are left out (the report keeps them empty)."""
    idx = pd.Index(index.astype(str), name="member_id")
    out = pd.DataFrame(index=idx)
    if p_buy is not None:
        out["p_buy_30d"] = p_buy.reindex(idx).astype(float)
    if next_dates is not None:
        out["next_purchase_date"] = next_dates["next_purchase_date"].reindex(idx)
    if favourite is not None:
        out["favourite_category"] = favourite.reindex(idx).astype("string")
    if recommendations is not None:
        r = recommendations.sort_values(["member_id", "rank"], kind="mergesort")
        out["recommendations"] = r.groupby("member_id")["product_id"].agg("|".join).reindex(idx).astype("string")
    return out


def member_score_descriptions(as_of, *, top: int = 3, method: str = "hybrid") -> dict[str, str]:
    """Chinese descriptions of the member_scores columns, written from the rules that made them."""
    a = pd.Timestamp(as_of).date()
    return {
        "p_buy_30d": f"截止日 {a} 之后 30 天内有已支付订单的校准概率（0 到 1；逻辑回归 + 保序校准，按时间外推训练）",
        "next_purchase_date": f"预计下次购买日：最近一次购买日加会员自己的购买间隔中位数；截至 {a} 已过期但沉默不到 3 个间隔的记为 "
                              f"{(pd.Timestamp(as_of) + pd.Timedelta(days=1)).date()}，更久的留空（已流失）",
        "favourite_category": f"截至 {a} 购买天数最多的品类（并列时取名称排序在前的品类）",
        "recommendations": f"推荐的前 {top} 个商品编号（用 | 分隔，按推荐顺序；方法：{method}，含会员买过的商品）",
    }
