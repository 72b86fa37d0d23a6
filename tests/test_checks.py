"""Exercise checks: pass on equal answers, fail with one Chinese message naming the first difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import checks


def _msg(fn, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


@pytest.fixture
def expected() -> pd.DataFrame:
    return pd.DataFrame(
        {"member_id": ["M1", "M2", "M3", "M4"], "monetary": [10.0, 20.0, 125.5, 7.0], "frequency": [1, 2, 3, 4]}
    )


# ---- check_frame ---------------------------------------------------------------------------------------------


def test_frame_equal_passes(expected):
    checks.check_frame(expected.copy(), expected)
    # column order is ignored, tolerance applies
    shuffled = expected[["frequency", "monetary", "member_id"]].copy()
    shuffled["monetary"] += 1e-9
    checks.check_frame(shuffled, expected)


def test_frame_first_differing_value_message(expected):
    got = expected.copy()
    got.loc[2, "monetary"] = 120.0
    got.loc[3, "frequency"] = 9
    msg = _msg(checks.check_frame, got, expected, hint="检查退款订单。")
    assert msg == "结果的第 3 行 `monetary` 列不一致：期望 125.5，得到 120.0。提示：检查退款订单。"


def test_frame_missing_and_extra_columns(expected):
    got = expected.drop(columns="monetary").assign(amount=1.0)
    msg = _msg(checks.check_frame, got, expected, name="rfm")
    assert msg.startswith("rfm 的列不一致：")
    assert "缺少列 `monetary`" in msg and "多出列 `amount`" in msg


def test_frame_shape(expected):
    msg = _msg(checks.check_frame, expected.iloc[:3], expected)
    assert "形状不一致：期望 4 行 × 3 列，得到 3 行 × 3 列" in msg


def test_frame_index_labels_and_order(expected):
    e = expected.set_index("member_id")
    msg = _msg(checks.check_frame, e.rename(index={"M4": "M9"}), e)
    assert "索引（index）不一致" in msg and "`M4`" in msg and "`M9`" in msg
    msg = _msg(checks.check_frame, e.iloc[::-1], e)
    assert "行顺序不一致" in msg
    checks.check_frame(e.iloc[::-1], e, sort=True)
    # labelled index: rows are named by their label
    got = e.copy()
    got.loc["M2", "frequency"] = 5
    assert "索引为 'M2' 的行 `frequency` 列不一致：期望 2，得到 5" in _msg(checks.check_frame, got, e)


def test_frame_index_name(expected):
    e = expected.set_index("member_id")
    msg = _msg(checks.check_frame, e.rename_axis("id"), e)
    assert "索引名不一致" in msg


def test_frame_ignore_index_and_sort(expected):
    got = expected.iloc[[3, 1, 0, 2]].reset_index(drop=True)
    checks.check_frame(got, expected, check_index=False, sort=True)
    assert "不一致" in _msg(checks.check_frame, got, expected, check_index=False)


def test_frame_dtype(expected):
    got = expected.astype({"frequency": "float64"})
    checks.check_frame(got, expected)
    assert "数据类型不一致" in _msg(checks.check_frame, got, expected, check_dtype=True)


def test_frame_nan_and_tolerance():
    e = pd.DataFrame({"x": [1.0, np.nan]})
    checks.check_frame(pd.DataFrame({"x": [1.0 + 1e-8, np.nan]}), e)
    msg = _msg(checks.check_frame, pd.DataFrame({"x": [1.0, 2.0]}), e)
    assert "期望 空值（NaN），得到 2.0" in msg
    checks.check_frame(pd.DataFrame({"x": [1.01, np.nan]}), e, rtol=0.1)
    # nullable dtypes compare like plain ones
    checks.check_frame(pd.DataFrame({"x": pd.array([1.0, None], dtype="Float64")}), e)


def test_frame_strings_and_categories():
    e = pd.DataFrame({"segment": ["重要价值", "一般挽留"]})
    checks.check_frame(pd.DataFrame({"segment": pd.Categorical(["重要价值", "一般挽留"])}), e)
    msg = _msg(checks.check_frame, pd.DataFrame({"segment": ["重要价值", "重要保持"]}), e)
    assert "第 2 行 `segment` 列不一致：期望 '一般挽留'，得到 '重要保持'" in msg


def test_frame_wrong_type_and_none(expected):
    msg = _msg(checks.check_frame, None, expected)
    assert "类型不对：期望 DataFrame，得到 NoneType" in msg and "return" in msg
    assert "期望 DataFrame，得到 Series" in _msg(checks.check_frame, expected["monetary"], expected)


# ---- check_series ----------------------------------------------------------------------------------------------


def test_series():
    e = pd.Series({"线上商城": 200.0, "小程序": 80.0, "门店": 75.0}, name="net_amount").rename_axis("channel")
    checks.check_series(e.copy(), e)
    # a categorical index with the same labels is the same answer
    cat = e.copy()
    cat.index = pd.CategoricalIndex(cat.index, name="channel")
    checks.check_series(cat, e)
    msg = _msg(checks.check_series, e * 2, e, name="aov")
    assert msg == "aov 的索引为 '线上商城' 的行不一致：期望 200.0，得到 400.0。"
    assert "长度不一致" in _msg(checks.check_series, e.iloc[:2], e)
    assert "行顺序不一致" in _msg(checks.check_series, e.sort_index(), e)
    checks.check_series(e.sort_index(), e, sort=True)
    assert "期望 Series，得到 DataFrame" in _msg(checks.check_series, e.to_frame(), e)
    assert "名称（name）" in _msg(checks.check_series, e.rename("x"), e, check_name=True)
    checks.check_series(e.reset_index(drop=True).iloc[::-1], e, check_index=False, sort=True)


# ---- scalars and collections -----------------------------------------------------------------------------------


def test_close():
    checks.check_close(3, 3, "count")
    checks.check_close(np.int64(3), 3.0, "count")
    checks.check_close(0.1 + 0.2, 0.3, "x")
    assert _msg(checks.check_close, 2, 3, "count_buyers(sample)", hint="退款不算。") == (
        "count_buyers(sample) 不一致：期望 3，得到 2。提示：退款不算。"
    )
    assert "应该是一个数字" in _msg(checks.check_close, pd.Series([1]), 1, "x")
    assert "应该是一个数字" in _msg(checks.check_close, "3", 3, "x")
    assert "应该是一个数字" in _msg(checks.check_close, True, 1, "x")
    assert "期望 3，得到 空值（NaN）" in _msg(checks.check_close, float("nan"), 3, "x")
    checks.check_close(105, 100, "x", rtol=0.1)


def test_type():
    checks.check_type(1, int)
    checks.check_type(np.int64(1), (int, np.integer))
    assert "期望 int 或 float，得到 str" in _msg(checks.check_type, "1", (int, float))


def test_set():
    checks.check_set(["a", "b", "b"], {"b", "a"})
    checks.check_set(pd.Index(["x"]), ["x"])
    msg = _msg(checks.check_set, ["a", "c"], ["a", "b"], "目标会员")
    assert msg == "目标会员的元素不一致：缺少 `b`；多出 `c`（期望 2 个，得到 2 个）。"
    assert "是 None" in _msg(checks.check_set, None, ["a"])
    assert "字符串" in _msg(checks.check_set, "ab", ["a", "b"])


def test_columns(expected):
    checks.check_columns(expected, ["member_id", "monetary"])
    assert "缺少列 `recency`" in _msg(checks.check_columns, expected, ["member_id", "recency"])
    assert "多出列 `frequency`" in _msg(checks.check_columns, expected, ["member_id", "monetary"], exact=True)


def test_long_lists_are_truncated():
    msg = _msg(checks.check_set, [], [f"M{i}" for i in range(20)])
    assert "等 20 个" in msg


def test_fail_helper():
    assert _msg(checks.fail, "出错了。", "再试一次") == "出错了。提示：再试一次"


def test_forbid_blocks_helper_and_earlier_references_then_restores():
    from helpers import behavior

    taken_earlier = behavior.top_share  # a trainee's `from helpers.behavior import top_share`
    monetary = pd.Series([5.0, 1.0, 2.0], index=["A", "B", "C"])
    before = behavior.top_share(monetary, 0.34)
    with checks.forbid("behavior.top_share", exercise="练习 3.5"):
        with pytest.raises(AssertionError, match="练习 3.5.*helpers.behavior.top_share"):
            taken_earlier(monetary, 0.34)
        with pytest.raises(AssertionError):
            behavior.top_share(monetary, 0.34)
    assert behavior.top_share(monetary, 0.34) == before == taken_earlier(monetary, 0.34)


def test_forbid_blocks_every_method_of_a_class_and_restores_on_error():
    from helpers import clv

    with pytest.raises(AssertionError, match="clv.BGNBD"):
        with checks.forbid("clv.BGNBD"):
            clv.BGNBD()
    clv.BGNBD()  # restored after the block left with an exception


def test_reload_undoes_a_trainee_patch():
    import importlib

    import helpers.checks

    helpers.checks.check_close = lambda *a, **k: None  # what a trainee cell can do
    fresh = importlib.reload(helpers.checks)
    with pytest.raises(AssertionError):
        fresh.check_close(1.0, 2.0)


def test_require_done_names_the_exercise_and_function(tmp_path):
    import importlib.util

    path = tmp_path / "stub.py"
    path.write_text("def top_share(m):\n    raise NotImplementedError()\n\ndef done(m):\n    return 1\n")
    spec = importlib.util.spec_from_file_location("stub", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(AssertionError, match="练习 3.5 还没有完成.*`top_share`"):
        checks.require_done(module.top_share, "练习 3.5")
    checks.require_done(module.done, "练习 3.5")


def test_messages_are_typeset_as_chinese_prose(expected):
    """Every kind of message passes the course's typography lint: full-width marks, spaces only next to Latin."""
    from helpers.typography import fix_text

    e = expected.set_index("member_id")
    messages = [
        _msg(checks.check_frame, expected.iloc[:3], expected),
        _msg(checks.check_frame, expected.drop(columns="monetary").assign(amount=1.0), expected),
        _msg(checks.check_frame, e.rename(index={"M4": "M9"}), e),
        _msg(checks.check_frame, e.iloc[::-1], e),
        _msg(checks.check_frame, None, expected),
        _msg(checks.check_close, float("nan"), 3, "会员数", hint="退款不算。"),
        _msg(checks.check_close, pd.Series([1]), 1),
        _msg(checks.check_set, ["a", "c"], ["a", "b"], "目标会员"),
        _msg(checks.check_columns, expected, ["member_id", "recency"]),
        _msg(checks.check_series, expected["monetary"].rename("x"), expected["monetary"], check_name=True),
    ]
    for msg in messages:
        assert fix_text(msg) == msg, msg
    # a Chinese subject is not followed by a space, a code subject is
    assert _msg(checks.check_close, 2, 3, "会员数").startswith("会员数不一致：")
    assert _msg(checks.check_close, 2, 3, "f(x)").startswith("f(x) 不一致：")


def test_forbid_message_names_exercise_and_helper_in_chinese():
    from helpers import behavior
    from helpers.typography import fix_text

    with checks.forbid("behavior.top_share", exercise="练习 3.5"):
        msg = _msg(behavior.top_share, pd.Series([1.0, 2.0]), 0.5)
    assert msg.startswith("练习 3.5 要求你自己写出计算过程")
    assert "`helpers.behavior.top_share`" in msg
    assert fix_text(msg) == msg


def test_require_done_rejects_a_missing_function_in_chinese():
    msg = _msg(checks.require_done, None, "练习 2")
    assert msg.startswith("练习 2：没有找到要写的函数") and "提示：" in msg
