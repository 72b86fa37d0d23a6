"""Tests for helpers.feedback (module 09): cleaning, segmentation, lexicon, models, routing, SLA, scoring.

Expectations are worked out by hand on small frames (hours, statuses, counts) or are properties any correct
implementation has (negation flips polarity, a held-out generated sample is classified well)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers.feedback as F
from helpers.feedback import clean, lexicon, routing, sla
from helpers.feedback import segmentation as segment


@pytest.fixture(scope="module")
def model():
    return F.default_model()


# --- cleaning ---------------------------------------------------------------------------------------------------

def test_clean_width_urls_masks_numbers_and_emoji():
    assert clean.normalize("ＡＰＰ闪退！！") == "app闪退!!"  # typography: ignore
    out = clean.clean_text("订单2024****3817，电话138****5678，看 https://shop.example.cn/a?b=1 共２９.９元😡😡！！！")  # typography: ignore
    assert "MASK" in out and "URL" in out and "NUM" in out
    assert "3817" not in out and "5678" not in out and "example" not in out and "😡" not in out
    assert "!!!" not in out and out.endswith("!")
    assert clean.emoji_of("好评👍👍[赞]") == ["👍", "👍", "[赞]"]


@pytest.mark.parametrize("text,status", [
    (None, "empty"), ("", "empty"), ("   ", "empty"), (float("nan"), "empty"), ("👍👍", "emoji_only"),
    ("good product, fast delivery", "non_chinese"), ("12345", "non_chinese"), ("é”Ÿæ–¤æ‹·", "garbled"),
    ("锟斤拷锟斤拷", "garbled"), ("鍙戠エ鏄鐨涓", "garbled"), ("东西不错", "ok"), ("APP闪退了😡", "ok"),  # typography: ignore
])
def test_text_status(text, status):
    assert clean.text_status(text) == status


# --- segmentation and keywords ----------------------------------------------------------------------------------

def test_user_dictionary_keeps_retail_terms_whole_and_drops_stopwords():
    words = segment.tokens("小程序里的满减券在会员日用不了")
    for w in ("小程序", "满减券", "会员日"):
        assert w in words
    assert "的" not in words and "在" not in words
    assert set(segment.user_words()) >= {"小程序", "满减券", "会员日", "积分兑换"}
    assert {"的", "了", "NUM".lower()} <= segment.stopwords()


def test_message_keywords_by_hand():
    # "快递" is in every document (lowest idf); "积分" in two; "破损" and "清零" in one each (min_df=1 here)
    docs = [["快递", "破损"], ["快递", "积分", "清零"], ["快递", "积分"]]
    kw = segment.message_keywords(docs, top=1, min_df=1)
    assert kw == ["破损", "清零", "积分"]
    assert segment.message_keywords([[], ["快"]], top=2, min_df=1) == ["", ""]


def test_corpus_keywords_methods():
    texts = ["快递太慢了，快递员态度差", "快递包装破损", "积分清零没有通知"] * 5
    for method in ("tfidf", "textrank"):
        kw = segment.corpus_keywords(texts, top=5, method=method)
        assert list(kw.columns) == ["word", "weight"] and 0 < len(kw) <= 5
        assert not set(kw["word"]) & segment.stopwords()
    assert segment.corpus_keywords(texts, top=3)["word"].iloc[0] == "快递"
    with pytest.raises(ValueError):
        segment.corpus_keywords(texts, method="lda")


# --- lexicon ----------------------------------------------------------------------------------------------------

def test_lexicon_negation_degree_and_contrast():
    net = lambda t: float(lexicon.lexicon_features([t])[0, 2])  # noqa: E731
    assert net("服务很热情") > 0 and net("服务不太热情") < 0
    assert net("价格贵") < 0 and net("价格一点也不贵") > 0
    assert net("非常满意") > net("满意") > net("有点满意") > 0
    assert net("虽然贵了点，但是很好吃") > 0 and net("虽然好吃，但是太贵了") < 0
    assert net("好几次都去了") == 0  # 好几次 is a count, not praise
    assert net("这次依然没让我失望") > 0 and net("从来没有失望过") > 0  # a negator a few characters before
    assert net("水果一点也不新鲜") < 0 and net("并不好用") < 0
    s = lexicon.lexicon_score(["太失望了", "没有评价", "强烈推荐"])
    assert s[0] < 0.5 and s[1] == 0.5 and s[2] > 0.5 and ((s >= 0) & (s <= 1)).all()


def test_wide_lexicon_loads_without_contradictions():
    from importlib import resources

    files = {}
    for name in lexicon.LEXICON_FILES:
        text = resources.files("helpers.feedback").joinpath("data", name).read_text(encoding="utf-8")
        assert text.startswith("#") and "Licence" in text  # every file says how it was made and its licence
        rows = [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        assert all(len(r) == 2 and -2 <= float(r[1]) <= 2 for r in rows), name
        files[name] = {w: float(v) for w, v in rows}
        assert len(files[name]) == len(rows), f"a word twice in {name}"
    wide, hand = files["sentiment_wide.tsv"], files["sentiment.tsv"]
    assert len(wide) >= 2000 and not set(wide) & set(hand)  # no word in two files, so none labelled both ways
    words = lexicon.load_lexicon()[0]
    assert len(words) == len(wide) + len(hand) >= 3000
    # polarities checked by a reader of Chinese
    for w in ("物美价廉", "回味无穷", "一丝不苟", "宾至如归", "踏实", "精致"):
        assert words[w] > 0, w
    for w in ("踩雷", "翻车", "偷工减料", "爱答不理", "粗制滥造", "敷衍"):
        assert words[w] < 0, w


def test_wide_lexicon_words_are_read_with_negation_and_detail():
    net = lambda t: float(lexicon.lexicon_features([t])[0, 2])  # noqa: E731
    assert net("做工很踏实") > 0 and net("做工不踏实") < 0
    assert net("这次又踩雷了") < 0 and net("这次没有踩雷") > 0
    assert net("包装一点也不敷衍") > 0
    d = lexicon.lexicon_detail(["物美价廉，一丝不苟，但是物流太慢了！！", "好几次", "谈不上一丝不苟"])
    col = {c: i for i, c in enumerate(lexicon.DETAIL_COLUMNS)}
    assert d[0, col["n_pos"]] == 2 and d[0, col["n_neg"]] == 1 and d[0, col["last_clause"]] < 0
    assert d[0, col["exclamations"]] == 2 and d[0, col["n_pos_strong"]] == 0
    assert (d[1] == 0).all()  # no opinion word: every column 0
    assert d[2, col["n_negated"]] == 1 and d[2, col["n_neg"]] == 1


def test_lexicon_reviews_carry_their_polarity():
    from helpers.synth.text.lexical import lexicon_reviews

    words = lexicon.load_lexicon()[0]
    pols = ["positive", "negative", "neutral"] * 200
    a = lexicon_reviews(np.random.default_rng(3), pols, words)
    assert a == lexicon_reviews(np.random.default_rng(3), pols, words)
    assert len(set(a)) > 0.9 * len(a)
    net = lexicon.lexicon_features(a)[:, 3]
    by = {p: net[[i for i, q in enumerate(pols) if q == p]].mean() for p in ("positive", "negative", "neutral")}
    assert by["positive"] > 0.2 > by["neutral"] > -0.2 > by["negative"]
    with pytest.raises(ValueError, match="polarit"):
        lexicon_reviews(np.random.default_rng(3), ["good"], words)


# --- models -----------------------------------------------------------------------------------------------------

def test_models_learn_generated_holdout(model):
    texts, cats, pols = F.training_corpus(1500, seed=99)  # another seed than the training corpus
    p = model.predict(texts)
    assert (p["category"] == np.array(cats)).mean() >= 0.80
    assert (p["sentiment"] == np.array(pols)).mean() >= 0.85
    assert ((p["sentiment_score"] >= 0) & (p["sentiment_score"] <= 1)).all()
    assert np.allclose(p["proba"].sum(axis=1), 1, atol=1e-5)


#: reviews written for this test in the register of product / restaurant / hotel reviews (not from any corpus),
#: label 1 = positive, 0 = negative
OUTSIDE = [("房间很干净，前台也热情，下次出差还住这里", 1), ("隔音太差了，一晚上没睡好", 0), ("菜的味道一般，分量还少，不会再来了", 0),
           ("东西收到了，质量不错，物流也快", 1), ("用了两天就坏了，客服也不理人", 0), ("性价比很高，推荐购买", 1),
           ("位置方便，早餐种类丰富", 1), ("和图片完全不一样，感觉被骗了", 0), ("这家的烤鱼真的好吃，环境也不错", 1),
           ("价格偏贵，味道也没有想象中好", 0), ("屏幕清晰，电池耐用，很满意", 1), ("床单有污渍，卫生间有异味，太失望了", 0),
           ("包装很精美，送朋友很有面子", 1), ("等了一个小时才上菜，服务员还爱答不理", 0), ("一点也不难吃，比我想象的好多了", 1),
           ("不推荐，质量太差，穿了一次就起球", 0), ("老板人很好，会常来的", 1), ("房间小得可怜，设施陈旧，不值这个价", 0),
           ("孩子很喜欢，已经第二次买了", 1), ("客服推来推去，问题一直没解决，很无语", 0)]


def test_sentiment_transfers_to_review_style_texts(model):
    from sklearn.metrics import roc_auc_score

    texts = [t for t, _ in OUTSIDE]
    y = np.array([y for _, y in OUTSIDE])
    s = model.predict(texts)["sentiment_score"]
    assert ((s > 0.5) == y).mean() >= 0.8
    assert roc_auc_score(y, s) >= 0.9


def _dev(name: str) -> list[str]:
    path = Path(__file__).parent / "data" / name
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def test_sentiment_on_the_projects_hand_written_reviews(model):
    """tests/data: reviews written by the project (never trained on). The easy set is plain judgements; the hard
    sets are long, mixed, pros/cons, plot descriptions, what others said — where a lexicon alone stumbles."""
    from sklearn.metrics import roc_auc_score

    # measured 0.988 / 1.000, 0.983 / 0.998, 0.975 / 1.000 (benchmarks/README.md); floors a little under
    for names, min_acc, min_auc in ((("sentiment_dev_pos.txt", "sentiment_dev_neg.txt"), 0.96, 0.995),
                                    (("sentiment_dev_hard_pos.txt", "sentiment_dev_hard_neg.txt"), 0.95, 0.98),
                                    (("sentiment_holdout_pos.txt", "sentiment_holdout_neg.txt"), 0.925, 0.99)):
        pos, neg = _dev(names[0]), _dev(names[1])
        assert len(pos) >= 20 and len(neg) >= 20
        y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        s = model.predict(pos + neg)["sentiment_score"]
        assert ((s > 0.5) == y).mean() >= min_acc, names
        assert roc_auc_score(y, s) >= min_auc, names
    assert sum(len(_dev(f"sentiment_{k}_{p}.txt")) for k in ("dev", "dev_hard", "holdout") for p in ("pos", "neg")) >= 300


def test_review_texts_carry_their_polarity_in_many_domains():
    from helpers.synth.text.general import DOMAINS, review_texts

    pols = ["positive", "negative", "neutral"] * 300
    a = review_texts(np.random.default_rng(4), pols)
    assert a == review_texts(np.random.default_rng(4), pols)  # same generator state, same texts
    assert a != review_texts(np.random.default_rng(5), pols)
    assert len(set(a)) > 0.9 * len(a) and len(DOMAINS) >= 10
    lengths = np.array([len(t) for t in a])
    assert lengths.min() <= 8 and lengths.max() >= 60  # from a bare verdict to a story
    net = lexicon.lexicon_features(a)[:, 3]
    by = {p: net[[i for i, q in enumerate(pols) if q == p]].mean() for p in ("positive", "negative", "neutral")}
    assert by["positive"] > by["neutral"] > by["negative"]
    hotel = review_texts(np.random.default_rng(6), ["positive"] * 50, domains=["hotel"] * 50)
    words = ("房", "前台", "酒店", "床", "早餐", "住", "隔音", "热水", "卫生间", "浴室", "位置", "地段", "设施", "枕头")
    assert sum(any(w in t for w in words) for t in hotel) >= 35
    with pytest.raises(ValueError, match="polarit"):
        review_texts(np.random.default_rng(0), ["good"])


def test_fit_is_deterministic():
    texts, cats, pols = F.training_corpus(600, seed=5)
    reviews = F.review_corpus(300, seed=6)
    a = F.FeedbackModel().fit(texts, cats, pols, reviews=reviews).predict(texts[:50])
    b = F.FeedbackModel().fit(texts, cats, pols, reviews=reviews).predict(texts[:50])
    assert (a["category"] == b["category"]).all() and np.array_equal(a["sentiment_score"], b["sentiment_score"])


# --- routing ----------------------------------------------------------------------------------------------------

def test_route_model_when_sure_rule_when_unsure():
    texts = ["快递三天还没到", "快递慢，东西也坏了", "没头没尾", "食品安全问题，我要打12315"]  # typography: ignore
    out = routing.route(texts, ["物流配送", None, None, "产品质量"], margin=[1.0, np.nan, np.nan, 0.05])
    assert out["department"].tolist() == ["物流部", "客服中心", "客服中心", "品控部"]
    assert out["route_source"].tolist() == ["model", "none", "none", "model"]
    out = routing.route(["积分又被清零了"], ["营销活动"], margin=[0.01])  # unsure model: the single rule decides
    assert out.loc[0, "department"] == "会员中心" and out.loc[0, "route_source"] == "rule"
    assert routing.route(texts, [None] * 4)["urgent"].tolist() == [False, False, False, True]


def test_rating_consistency_by_hand():
    got = routing.rating_consistency([5, 1, 3, None, 4, 2], ["negative", "positive", "neutral", "positive", None,
                                                              "neutral"])
    assert got.tolist() == ["contradictory", "contradictory", "consistent", "no_rating", "unscored", "adjacent"]


# --- SLA --------------------------------------------------------------------------------------------------------

def _cases() -> pd.DataFrame:
    t0 = pd.Timestamp("2025-06-01 10:00")
    h = pd.Timedelta(hours=1)
    return pd.DataFrame({
        "feedback_id": ["F1", "F2", "F3", "F4", "F5"],
        "member_id": ["M1", "M2", "M3", "M4", None],
        "channel": ["客服热线", "小程序", "小程序", "门店意见簿", "小程序"],
        "category": ["物流配送", "服务态度", "营销活动", "产品质量", "其他"],
        "created_ts": [t0, t0, t0, t0, t0 + 60 * h],
        # F1 answered in 0.5 h (target 1), resolved in 10 h (72); F2 answered in 6 h (target 4); F3 never;
        # F4 answered 2 h *before* it was written (a data error); F5 written 2 h before the as-of, unanswered
        "first_response_ts": [t0 + 0.5 * h, t0 + 6 * h, pd.NaT, t0 - 2 * h, pd.NaT],
        "resolved_ts": [t0 + 10 * h, t0 + 20 * h, pd.NaT, t0 + 30 * h, pd.NaT],
    })


def test_sla_statuses_by_hand():
    fb = _cases()
    s = sla.sla_table(fb, as_of=pd.Timestamp("2025-06-03 12:00"))
    assert s["first_response_h"].iloc[0] == 0.5 and np.isnan(s["first_response_h"].iloc[2])
    assert s["first_response_status"].tolist() == ["met", "breached", "overdue", "unknown", "open"]
    assert s["resolution_status"].tolist() == ["met", "met", "overdue", "met", "open"]
    assert s["sla_status"].tolist() == ["met", "breached", "overdue", "met", "open"]
    assert s["age_h"].tolist() == [50.0, 50.0, 50.0, 50.0, -10.0]
    summ = sla.sla_summary(s, by="channel")
    assert summ.loc["小程序", "cases"] == 3 and summ.loc["小程序", "overdue"] == 1 and summ.loc["小程序", "open"] == 1
    assert summ.loc["小程序", "first_response_met"] == 0.0  # F2 breached, F3 overdue (F5 still open)
    bl = sla.backlog(s)
    assert bl["open_total"].sum() == 2
    od = sla.overdue_list(s, fb)
    assert od["feedback_id"].tolist() == ["F3"] and od["hours_over_target"].iloc[0] == 46.0


def test_missing_time_columns_are_unknown_not_zero():
    fb = _cases().drop(columns=["first_response_ts", "resolved_ts"])
    s = sla.sla_table(fb)
    assert (s["sla_status"] == "unknown").all() and s["first_response_h"].isna().all()


def test_after_feedback_by_hand():
    scored = pd.DataFrame({"member_id": ["M1", "M2"], "sentiment": ["negative", "positive"]})
    created = pd.to_datetime(["2025-03-01", "2025-03-01"])
    orders = pd.DataFrame({"member_id": ["M1", "M1", "M1", "M2", "M2"],
                           "order_ts": pd.to_datetime(["2025-02-01", "2025-02-15", "2025-04-01", "2025-03-10",
                                                       "2025-12-01"]),
                           "status": ["paid", "paid", "refunded", "paid", "paid"]})
    out = sla.after_feedback(scored, orders, created, as_of="2025-12-31", window_days=90)
    assert out.loc["negative", "orders_before"] == 2 and out.loc["negative", "orders_after"] == 0
    assert out.loc["positive", "orders_after"] == 1 and out.loc["positive", "bought_again"] == 1.0


# --- scoring ----------------------------------------------------------------------------------------------------

def test_score_minimal_columns_and_bad_texts(model):
    fb = pd.DataFrame({"feedback_id": ["a", "b", "c", "d", "e", "f"],
                       "created_ts": pd.to_datetime(["2025-01-01"] * 6),
                       "text": ["快递太慢了，等了五天才到，非常失望", "", None, "fast delivery", "锟斤拷锟斤拷", "👍👍"]})
    out = F.score_feedback(fb, model=model)
    assert tuple(out.columns) == F.SCORED_COLUMNS and len(out) == 6
    assert out.loc[0, "predicted_category"] == "物流配送" and out.loc[0, "sentiment"] == "negative"
    assert out.loc[0, "reason"] == "" and out.loc[0, "department"] == "物流部"
    assert out["reason"].tolist()[1:] == ["空文本", "空文本", "非中文", "乱码", "只有表情"]
    assert out["predicted_category"].iloc[1:].isna().all() and out["sentiment"].iloc[1:5].isna().all()
    assert out.loc[5, "sentiment"] == "positive"
    assert (out["sla_status"] == "unknown").all() and out["member_id"].isna().all()
    with pytest.raises(ValueError, match="text"):
        F.score_feedback(fb.drop(columns="text"))


def test_score_is_deterministic_and_in_input_order(model):
    texts, _, _ = F.training_corpus(40, seed=3)
    fb = pd.DataFrame({"feedback_id": [f"x{i}" for i in range(40)], "created_ts": pd.Timestamp("2025-01-01"),
                       "text": texts})
    a, b = F.score_feedback(fb, model=model), F.score_feedback(fb.copy(), model=model)
    pd.testing.assert_frame_equal(a, b)
    assert a["feedback_id"].tolist() == fb["feedback_id"].tolist()
    assert F.score_feedback(fb.iloc[:0], model=model).empty


def test_keyword_chart_uses_the_bundled_font():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kc = F.keyword_counts([["快递", "破损"], ["快递"], ["积分"]], top=2)
    assert kc.to_dict("list") == {"word": ["快递", "破损"], "count": [2, 1]}  # tie: 破 (U+7834) before 积 (U+79EF)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns
        ax = F.plot_keywords(kc)
        ax.figure.canvas.draw()
    plt.close(ax.figure)


# --- evaluation -------------------------------------------------------------------------------------------------

def test_complaint_threshold_by_hand():
    # sorted: 0.1 neg | 0.2 neg, pos | 0.5 neg | 0.9 pos → precision 1, 2/3, 3/4, 3/5 at t = 0.1, 0.2, 0.5, 0.9
    assert F.complaint_threshold([0.9, 0.2, 0.1, 0.5, 0.2], [0, 1, 1, 1, 0], 0.75) == 0.5
    assert F.complaint_threshold([0.9, 0.2, 0.1, 0.5, 0.2], [0, 1, 1, 1, 0], 0.8) == 0.1
    assert np.isnan(F.complaint_threshold([0.3, 0.4], [0, 0], 0.5))
    assert np.isnan(F.complaint_threshold([], [], 0.5))


def test_token_score_and_agreement_by_hand():
    lex = {"好": 1.0, "差": -1.0, "满意": 2.0}
    assert F.token_score(["不", "好", "很", "差"], lex, ["不"]) == -2.0
    assert F.token_score(["满意", "不", "差"], lex, ["不", "没"]) == 3.0
    a = F.agreement(["a", "b", "b", None], ["a", "a", "b", "b"])
    # 3 rows: a/a, b/a, b/b → accuracy 2/3; F1(a) = 2·1·0.5/1.5 = 2/3, F1(b) = 2·0.5·1/1.5 = 2/3
    assert a["n"] == 3 and abs(a["accuracy"] - 2 / 3) < 1e-6 and abs(a["macro_f1"] - 2 / 3) < 1e-6


def test_member_feedback_scores_by_hand():
    scored = pd.DataFrame({"feedback_id": ["f1", "f2", "f3", "f4"], "member_id": ["M2", "M1", "M2", None],
                           "sentiment": ["negative", "positive", "neutral", "negative"]})
    t = pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-01", "2025-01-05"])
    out = F.member_feedback_scores(scored, t)
    assert out.index.tolist() == ["M1", "M2"]
    assert out["feedback_count"].tolist() == [1, 2] and out["feedback_negative"].tolist() == [0, 1]
    assert out["feedback_last_sentiment"].tolist() == ["positive", "negative"]


def test_disk_cached_model_predicts_like_a_fresh_fit(tmp_path, monkeypatch):
    from helpers.feedback import models

    monkeypatch.setenv("MEMBER_WORKBOOK_CACHE", str(tmp_path))
    fit = models.default_model.__wrapped__  # bypass the per-process cache
    # without the authored reviews: a small fit keeps the test cheap
    first = fit(800, 11, n_reviews=300, authored_weight=0)  # fits and writes the cache file
    assert len(list(tmp_path.glob("feedback_model_*.pkl"))) == 1
    again = fit(800, 11, n_reviews=300, authored_weight=0)  # read back from disk
    fresh = fit(800, 11, cache=False, n_reviews=300, authored_weight=0)
    texts = F.training_corpus(60, seed=12)[0]
    a, b, c = first.predict(texts), again.predict(texts), fresh.predict(texts)
    assert again is not first
    assert np.array_equal(a["sentiment_score"], b["sentiment_score"]) and np.array_equal(a["proba"], c["proba"])
    assert (a["category"] == c["category"]).all()
    (next(tmp_path.glob("feedback_model_*.pkl"))).write_bytes(b"damaged")
    assert (fit(800, 11, n_reviews=300, authored_weight=0).predict(texts)["category"] == a["category"]).all()  # refit
    # the authored reviews' weight is part of the cache key: another weight is another model
    assert models._fingerprint(800, 11, 300, 0) != models._fingerprint(800, 11, 300, 3.0)


def test_sla_met_rate_counts_only_known_outcomes():
    # 2 met of 4 known (met, breached, overdue, met); open and unknown are neither met nor missed
    assert F.sla_met_rate(pd.Series(["met", "breached", "open", "overdue", "unknown", "met"])) == 0.5
    assert F.sla_met_rate(pd.Series(["open", "unknown"])) is None
    assert F.sla_met_rate(pd.Series([], dtype="object")) is None


def test_models_command_fits_the_default_model_into_the_cache(monkeypatch, capsys):
    """`python -m helpers models` (run by `make env`) fits the model the modules use, with the disk cache on."""
    from helpers.__main__ import main
    from helpers.feedback import models

    calls = []
    monkeypatch.setattr(models, "default_model", lambda *a, **k: calls.append((a, k)))
    assert main(["models"]) == 0
    assert calls == [((), {})]  # the default model: the same arguments module 09 uses, cache on by default
    assert "feedback model ready" in capsys.readouterr().out
