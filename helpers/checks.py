"""Exercise checks with consistent Chinese hints, used by the nbgrader test cells of every module.

Why: a trainee who fails a visible test should learn *what* differs — which column is missing, which row holds a
different number, what was expected and what came back — not read a pandas traceback. Every check raises
``AssertionError`` (nbgrader scores a test cell 0 when it raises) with one message of the form::

    结果的第 3 行 `monetary` 列不一致：期望 125.5，得到 120.0。提示：……

and returns ``None`` on success. ``name`` says what is being checked (``"avg_order_value(orders)"``); ``hint`` adds a
module-specific tip after "提示：". The messages are typeset as Chinese prose (full-width punctuation, see
helpers/typography/).

Grading integrity (how every autograded test cell uses this module, see docs/CONVENTIONS.md):

* the test cell re-loads this module first (``_checks = importlib.reload(helpers.checks)``), so a trainee cell that
  replaced ``checks.check_close`` with a no-op has no effect on grading;
* hidden tests compute their expected values themselves (plain pandas / numpy in the test cell) and compare with
  plain ``assert`` or the freshly loaded checks;
* :func:`forbid` makes the course helpers that implement the exercise raise while the trainee's function runs, so an
  answer that only calls ``rfm.rfm_segments(...)`` scores 0 and the feedback says why;
* :func:`require_done` turns an untouched exercise (the release's ``raise NotImplementedError``) into a Chinese
  message naming the exercise and the function to write.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "check_close",
    "check_columns",
    "check_frame",
    "check_series",
    "check_set",
    "check_type",
    "fail",
    "forbid",
    "require_done",
]

MAX_LISTED = 8


def _fmt(value: Any) -> str:
    """Short, readable rendering of a value for a hint."""
    if value is None or value is pd.NA:
        return "空值（NA）"
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return "空值（NaN）"
        text = f"{float(value):.10g}"
        return text if any(ch in text for ch in ".ein") else text + ".0"  # 120.0 stays visibly a float
    if isinstance(value, np.integer | np.bool_):
        return repr(value.item())
    if isinstance(value, np.str_):
        return repr(str(value))
    if isinstance(value, pd.Timestamp):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, pd.DataFrame | pd.Series):
        return f"`{type(value).__name__}(shape={value.shape})`"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _s(subject: str) -> str:
    """``subject`` ready to precede Chinese text: a space after Latin letters, digits or code, none after Chinese."""
    subject = str(subject)
    if not subject or "\u3000" <= subject[-1] <= "\u9fff" or "\uff00" <= subject[-1] <= "\uffef" or subject[-1] in "”’":
        return subject
    return subject + " "


def _list(items: Iterable[Any]) -> str:
    items = list(items)
    shown = "、".join(f"`{i}`" for i in items[:MAX_LISTED])
    more = f" 等 {len(items)} 个" if len(items) > MAX_LISTED else ""
    return shown + more


def fail(message: str, hint: str = "") -> None:
    """Raise the course's AssertionError: ``message`` plus an optional "提示:hint"."""
    text = message.rstrip("。") + "。"
    if hint:
        text += "提示：" + hint
    raise AssertionError(text)


def check_type(actual: Any, expected_type: type | tuple[type, ...], name: str = "结果", *, hint: str = "") -> None:
    """``actual`` is an instance of ``expected_type`` (e.g. ``pd.DataFrame``; a tuple allows several)."""
    if not isinstance(actual, expected_type):
        types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        want = " 或 ".join(t.__name__ for t in types)
        got = type(actual).__name__
        default = "检查函数是否用 return 返回了结果（没有 return 时得到 NoneType）。" if actual is None else ""
        fail(f"{_s(name)}的类型不对：期望 {want}，得到 {got}", hint or default)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool | np.bool_)


def _values_close(a: Any, e: Any, rtol: float, atol: float) -> bool:
    a_na, e_na = _isna(a), _isna(e)
    if a_na or e_na:
        return a_na and e_na
    if _is_number(a) and _is_number(e):
        return math.isclose(float(a), float(e), rel_tol=rtol, abs_tol=atol)
    try:
        return bool(a == e)
    except (TypeError, ValueError):
        return False


def _isna(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def check_close(
    actual: Any, expected: float, name: str = "结果", *, rtol: float = 1e-6, atol: float = 1e-9, hint: str = ""
) -> None:
    """A number equals ``expected`` within tolerance (``math.isclose`` semantics)."""
    if isinstance(actual, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
        fail(f"{_s(name)}应该是一个数字，得到 {_fmt(actual)}", hint or "如果得到的是 Series，可以用 .sum() / .mean() 或 .iloc[0] 取出数字。")
    if not _is_number(actual):
        fail(f"{_s(name)}应该是一个数字，得到 {type(actual).__name__} {_fmt(actual)}", hint)
    if not _values_close(actual, expected, rtol, atol):
        fail(f"{_s(name)}不一致：期望 {_fmt(expected)}，得到 {_fmt(actual)}", hint)


def _missing_extra(missing: list, extra: list, what: str = "") -> str:
    """'缺少{what} …；多出{what} …' for the elements one side lacks (what: e.g. "列")."""
    parts = []
    if missing:
        parts.append(f"缺少{what} {_list(missing)}")
    if extra:
        parts.append(f"多出{what} {_list(extra)}")
    return "；".join(parts)


def check_set(actual: Iterable[Any], expected: Iterable[Any], name: str = "结果", *, hint: str = "") -> None:
    """The same elements, order and duplicates ignored (lists, Series, Index, sets)."""
    if actual is None:
        fail(f"{_s(name)}是 None", hint or "检查函数是否用 return 返回了结果。")
    if isinstance(actual, str):
        fail(f"{_s(name)}应该是一组元素，得到字符串 {_fmt(actual)}", hint)
    a, e = set(actual), set(expected)
    missing, extra = sorted(e - a, key=str), sorted(a - e, key=str)
    if missing or extra:
        fail(f"{_s(name)}的元素不一致：{_missing_extra(missing, extra)}（期望 {len(e)} 个，得到 {len(a)} 个）", hint)


def check_columns(
    df: pd.DataFrame, expected: Iterable[str], name: str = "结果", *, exact: bool = False, hint: str = ""
) -> None:
    """``df`` has the ``expected`` columns (``exact=True``: no other columns either)."""
    check_type(df, pd.DataFrame, name)
    want = list(expected)
    missing = [c for c in want if c not in df.columns]
    extra = [c for c in df.columns if c not in want] if exact else []
    if missing:
        fail(f"{_s(name)}缺少列 {_list(missing)}；现有列：{_list(df.columns)}", hint)
    if extra:
        fail(f"{_s(name)}多出列 {_list(extra)}；期望只有 {_list(want)}", hint)


def _row_label(index: pd.Index, pos: int, check_index: bool) -> str:
    if check_index and not isinstance(index, pd.RangeIndex):
        return f"索引为 {_fmt(index[pos])} 的行"
    return f"第 {pos + 1} 行"


def _compare_columns(
    a: pd.Series, e: pd.Series, rtol: float, atol: float
) -> int | None:
    """Position of the first differing value, or None."""
    a_vals, e_vals = a.to_numpy(dtype=object), e.to_numpy(dtype=object)
    a_num = pd.api.types.is_numeric_dtype(a.dtype) and not pd.api.types.is_bool_dtype(a.dtype)
    e_num = pd.api.types.is_numeric_dtype(e.dtype) and not pd.api.types.is_bool_dtype(e.dtype)
    if a_num and e_num:
        af = pd.to_numeric(a, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        ef = pd.to_numeric(e, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        both_na = np.isnan(af) & np.isnan(ef)
        close = np.isclose(af, ef, rtol=rtol, atol=atol) | both_na
        bad = np.flatnonzero(~close)
        return int(bad[0]) if len(bad) else None
    for i, (x, y) in enumerate(zip(a_vals, e_vals, strict=True)):
        if not _values_close(x, y, rtol, atol):
            return i
    return None


def check_series(
    actual: Any,
    expected: pd.Series,
    name: str = "结果",
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    check_index: bool = True,
    check_dtype: bool = False,
    check_name: bool = False,
    sort: bool = False,
    hint: str = "",
) -> None:
    """A Series equals ``expected``: length, index labels (``check_index``), values within tolerance.

    ``sort=True`` compares after sorting by index (or by value when ``check_index=False``).
    """
    check_type(actual, pd.Series, name)
    if check_name and actual.name != expected.name:
        fail(f"{_s(name)}的名称（name）不一致：期望 {_fmt(expected.name)}，得到 {_fmt(actual.name)}", hint)
    a, e = actual, expected
    if sort:
        if check_index:
            a, e = _sort_index(a), _sort_index(e)
        else:
            a = a.sort_values(kind="mergesort").reset_index(drop=True)
            e = e.sort_values(kind="mergesort").reset_index(drop=True)
    if len(a) != len(e):
        fail(f"{_s(name)}的长度不一致：期望 {len(e)} 个值，得到 {len(a)} 个", hint)
    if check_index:
        _check_index(a.index, e.index, name, hint)
    if check_dtype and a.dtype != e.dtype:
        fail(f"{_s(name)}的数据类型不一致：期望 {e.dtype}，得到 {a.dtype}", hint)
    pos = _compare_columns(a, e, rtol, atol)
    if pos is not None:
        label = _row_label(e.index, pos, check_index)
        fail(f"{_s(name)}的{label}不一致：期望 {_fmt(e.iloc[pos])}，得到 {_fmt(a.iloc[pos])}", hint)


def _sort_index(obj):
    try:
        return obj.sort_index(kind="mergesort")
    except TypeError:
        return obj.iloc[np.argsort(obj.index.astype(str), kind="mergesort")]


def _check_index(a: pd.Index, e: pd.Index, name: str, hint: str) -> None:
    if list(a.names) != list(e.names) and any(n is not None for n in e.names):
        fail(
            f"{_s(name)}的索引名不一致：期望 {_fmt(list(e.names))}，得到 {_fmt(list(a.names))}",
            hint or "分组结果的索引通常就是分组的列；需要时用 .rename_axis() 或 .set_index()。",
        )
    if list(a) != list(e):
        a_set, e_set = set(a), set(e)
        missing, extra = [x for x in e if x not in a_set], [x for x in a if x not in e_set]
        if missing or extra:
            fail(f"{_s(name)}的索引（index）不一致：{_missing_extra(missing, extra)}", hint)
        pos = next(i for i, (x, y) in enumerate(zip(a, e, strict=True)) if x != y)
        fail(
            f"{_s(name)}的行顺序不一致：第 {pos + 1} 行期望索引 {_fmt(e[pos])}，得到 {_fmt(a[pos])}",
            hint or "检查排序，例如 .sort_index() 或 .sort_values()。",
        )


def check_frame(
    actual: Any,
    expected: pd.DataFrame,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    check_index: bool = True,
    check_dtype: bool = False,
    sort: bool = False,
    name: str = "结果",
    hint: str = "",
) -> None:
    """A DataFrame equals ``expected``: columns, shape, index (``check_index``), values within tolerance.

    Column order is ignored (compared by name). ``sort=True`` sorts both by index (``check_index=True``) or by all
    columns (``check_index=False``) before comparing, for answers whose row order does not matter.
    The first difference is reported: missing / extra columns, then shape, then index, then the first row and
    column whose values differ, with expected and actual value.
    """
    check_type(actual, pd.DataFrame, name)
    missing = [c for c in expected.columns if c not in actual.columns]
    extra = [c for c in actual.columns if c not in expected.columns]
    if missing or extra:
        fail(f"{_s(name)}的列不一致：{_missing_extra(missing, extra, '列')}；期望列 {_list(expected.columns)}", hint)
    a = actual[list(expected.columns)]
    e = expected
    if a.shape != e.shape:
        fail(f"{_s(name)}的形状不一致：期望 {e.shape[0]} 行 × {e.shape[1]} 列，得到 {a.shape[0]} 行 × {a.shape[1]} 列", hint)
    if sort:
        if check_index:
            a, e = _sort_index(a), _sort_index(e)
        else:
            cols = list(e.columns)
            a = a.sort_values(cols, kind="mergesort").reset_index(drop=True)
            e = e.sort_values(cols, kind="mergesort").reset_index(drop=True)
    if check_index:
        _check_index(a.index, e.index, name, hint)
    if check_dtype:
        for col in e.columns:
            if a[col].dtype != e[col].dtype:
                fail(f"{_s(name)}的 `{col}` 列数据类型不一致：期望 {e[col].dtype}，得到 {a[col].dtype}", hint)
    first: tuple[int, str] | None = None
    for col in e.columns:
        pos = _compare_columns(a[col], e[col], rtol, atol)
        if pos is not None and (first is None or pos < first[0]):
            first = (pos, col)
    if first is not None:
        pos, col = first
        label = _row_label(e.index, pos, check_index)
        fail(f"{_s(name)}的{label} `{col}` 列不一致：期望 {_fmt(e[col].iloc[pos])}，得到 {_fmt(a[col].iloc[pos])}", hint)


def _forbidden_code(qualname: str, exercise: str, template: Any) -> Any:
    """A code object that raises HelperForbidden, with the free variables of ``template`` (``__code__`` swap rule)."""
    message = (
        f"{_s(exercise or '这个练习')}要求你自己写出计算过程，评分时不能直接调用课程工具 `helpers.{qualname}`。"
        "提示：请用 pandas / numpy 等基础操作实现，课程工具可以用来核对你的结果。"
    )
    freevars = template.co_freevars
    inner = "        " + "; ".join(freevars) + "\n" if freevars else ""
    source = (
        "def _outer():\n"
        + "".join(f"    {v} = None\n" for v in freevars)
        + "    def _blocked(*args, **kwargs):\n"
        + inner
        + f"        raise AssertionError({message!r})\n"
        + "    return _blocked\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<forbidden helpers.{qualname}>", "exec"), namespace)  # noqa: S102 - literal source
    code = namespace["_outer"]().__code__
    return code.replace(co_name=template.co_name, co_qualname=template.co_qualname)


def _functions_of(obj: Any) -> list[Any]:
    """The plain Python functions behind ``obj`` (a function, a wrapped function, or every method of a class)."""
    if inspect.isclass(obj):
        found = []
        classes = [c for c in obj.__mro__ if c.__module__.startswith("helpers")]  # shared base methods too
        for value in (v for c in classes for v in vars(c).values()):
            if isinstance(value, staticmethod | classmethod):
                value = value.__func__
            if isinstance(value, property):
                value = value.fget
            found.extend(_functions_of(value) if value is not None and not inspect.isclass(value) else [])
        return found
    while hasattr(obj, "__wrapped__") and not inspect.isfunction(obj):
        obj = obj.__wrapped__
    return [obj] if inspect.isfunction(obj) else []


def _resolve(name: str) -> Any:
    """'rfm.rfm_segments' or 'clv.BetaGeoFitter' → the object inside the helpers package."""
    module_name, _, attr_path = name.partition(".")
    obj: Any = importlib.import_module(f"helpers.{module_name}")
    for part in attr_path.split("."):
        obj = getattr(obj, part)
    return obj


@contextlib.contextmanager
def forbid(*names: str, exercise: str = "") -> Iterator[None]:
    """While the block runs, the named course helpers raise AssertionError with a Chinese explanation.

    AssertionError, so nbgrader scores the test cell 0 and shows the message as feedback.

    ``names`` are paths inside ``helpers`` (``"behavior.top_share"``; a class blocks every method it defines or
    inherits from a helpers base class, so a sibling class sharing that base is blocked too). The
    functions' code objects are swapped, not the module attributes, so a reference the trainee took earlier
    (``from helpers.rfm import rfm_segments as f``) is blocked too. Everything is restored on exit.
    """
    swapped: list[tuple[Any, Any]] = []
    try:
        for name in names:
            for func in _functions_of(_resolve(name)):
                original = func.__code__
                func.__code__ = _forbidden_code(name, exercise, original)
                swapped.append((func, original))
        yield
    finally:
        for func, original in reversed(swapped):
            func.__code__ = original


def require_done(func: Any, exercise: str) -> None:
    """Fail with a Chinese message when ``func`` still holds the release's ``raise NotImplementedError`` stub."""
    if not callable(func):
        fail(f"{exercise}：没有找到要写的函数", "请先运行上方定义函数的单元格。")
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return
    if "raise NotImplementedError" in source:
        name = getattr(func, "__name__", "函数")
        fail(
            f"{_s(exercise)}还没有完成：请在上方单元格中写出函数 `{name}` 的函数体",
            "删除 `raise NotImplementedError(...)` 这一行，写好后先运行那个单元格，再运行本测试单元格。",
        )
