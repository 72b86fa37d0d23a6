"""Personal information: find it, mask it for display, turn it into a keyed hash (HMAC) for linking.

What: :func:`find_pii` / :func:`mask_text` scan free text for mobile numbers, resident ID numbers (checksum-valid)
and e-mail addresses; :func:`mask_phone` (``138****5678``), :func:`mask_email` (``z***@example.com``) and
:func:`mask_id_card` (first 6 + last 4 kept) mask single values or Series; :func:`hmac_pii` is an HMAC-SHA256
keyed hash of a normalised contact value.

Why these rules:

* masking never returns a digit that was not meant to be shown — input that is not a valid number masks to
  ``None`` rather than being echoed back;
* an HMAC is a *keyed* hash, not a salted one: a salt is public and stored beside the hash, a key is a secret.
  Whoever holds the key can hash all ~7 × 10⁹ mainland mobile numbers in hours and read the column back, so a
  masked or hashed phone number is still personal information (去标识化, not 匿名化: PIPL art. 73) and the key
  never goes to a vendor or sits beside the data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.quality._base import _arrow_strings, _is_text

_SEP = r"(?:^|[^0-9A-Za-z])"
_END = r"(?:$|[^0-9A-Za-z])"
_MOBILE_RE = _SEP + r"(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}" + _END
_ID_RE = (r"(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])")
_ID_FULL = _SEP + _ID_RE + _END
_EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_ID_PY = re.compile(r"(?<![0-9A-Za-z])" + _ID_RE + r"(?![0-9A-Za-z])")
_MOBILE_PY = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an 18-character mainland resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _scan_pii(s: pd.Series) -> dict[str, np.ndarray]:
    """kind → boolean mask of cells in ``s`` holding that kind of unmasked PII."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str))
        inner = _scan_pii(cats) if len(cats) else {k: np.zeros(0, dtype=bool) for k in ("mobile", "id_card", "email")}
        codes = s.cat.codes.to_numpy()
        return {k: (codes >= 0) & (m[np.clip(codes, 0, None)] if len(m) else False) for k, m in inner.items()}
    arr = _arrow_strings(s)
    non_ascii = pc.invert(pc.string_is_ascii(arr)).fill_null(False).to_numpy(zero_copy_only=False)
    if non_ascii.any():  # full-width digits and ＠ hide PII from a plain regex: NFKC-normalise (only where needed)
        values = arr.to_pylist()
        for i in np.flatnonzero(non_ascii):
            values[i] = unicodedata.normalize("NFKC", values[i])
        arr = pa.array(values, type=pa.string())

    def match(pattern: str) -> np.ndarray:
        return pc.match_substring_regex(arr, pattern).fill_null(False).to_numpy(zero_copy_only=False).copy()

    out = {"mobile": match(_MOBILE_RE)}
    cand = match(_ID_FULL)
    if cand.any():
        sub = pd.Series(arr.filter(pa.array(cand)).to_pylist(), dtype=object)
        ok = sub.map(lambda v: any(id_checksum_ok(m) for m in _ID_PY.findall(v)))
        cand[cand] = ok.to_numpy(dtype=bool)
    out["id_card"] = cand
    out["email"] = match(_EMAIL_RE)
    return out


def find_pii(df: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Cells of text columns that hold unmasked PII: one row per (row, column, kind) with a masked preview.

    Columns: ``column``, ``row`` (index label), ``kind`` (mobile / id_card / email), ``preview`` (the cell with every
    PII match masked, so the result itself is safe to show)."""
    cols = [c for c in (columns or df.columns) if _is_text(df[c])]
    recs = []
    for col in cols:
        for kind, mask in _scan_pii(df[col]).items():
            for label in df.index[mask]:
                recs.append({"column": col, "row": label, "kind": kind, "preview": mask_text(str(df.at[label, col]))})
    return pd.DataFrame(recs, columns=["column", "row", "kind", "preview"])


#: full-width digits, Latin letters and the marks that occur in phone numbers and e-mail addresses → ASCII
#: (one character for one, so positions do not move; unlike NFKC it leaves Chinese punctuation alone)
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
                                          0xFF20, 0xFF0B, 0xFF0D, 0xFF0E, 0xFF3F]}


def mask_text(text: str) -> str:
    """Mask every mobile number, ID number and e-mail address inside free text."""
    text = text.translate(_HALF_WIDTH)  # full-width digits / letters / ＠ only: the Chinese ，。（） stay as written
    text = re.sub(_EMAIL_RE, lambda m: mask_email(m.group(0)) or "***", text)
    text = _ID_PY.sub(lambda m: mask_id_card(m.group(0)) or "***", text)
    text = _MOBILE_PY.sub(lambda m: mask_phone(m.group(0)) or "***", text)
    return text


_PHONE_STRIP = re.compile(r"[\s\-()()]")
_PHONE_OK = re.compile(r"^(?:\+?0{0,2}86)?(1[3-9][0-9])([0-9]{4})([0-9]{4})$")
_PHONE_MASKED = re.compile(r"^(1[3-9][0-9])\*{4}([0-9]{4})$")


def _normalise_phone(value) -> str | None:
    """11-digit mobile number from common spellings (+86, 0086, spaces, dashes, full-width digits), else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = _PHONE_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))
    m = _PHONE_OK.match(v)
    return "".join(m.groups()) if m else None


def _mask_phone_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    digits = _normalise_phone(value)
    if digits is not None:
        return f"{digits[:3]}****{digits[-4:]}"
    v = _PHONE_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))
    return v if _PHONE_MASKED.match(v) else None


def mask_phone(value):
    """``"13812345678" → "138****5678"``; also ``+86 138-1234-5678``, ``0086…``, full-width digits.

    Already-masked values pass through; anything that is not a mainland mobile number returns ``None`` (never the
    input, which might carry digits). A Series gives a ``string`` Series with ``<NA>`` for invalid cells."""
    if isinstance(value, pd.Series):
        uniq = pd.unique(value.dropna())
        table = {u: _mask_phone_one(u) for u in uniq}
        return value.map(table).astype("string")
    return _mask_phone_one(value)


def _mask_email_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", v)
    if not m:
        return v if re.fullmatch(r"[A-Za-z0-9]?\*{3}@[A-Za-z0-9.-]+", v) else None
    return f"{m.group(1)[0]}***@{m.group(2).lower()}"


def mask_email(value):
    """``"Zhang.San@Example.com" → "Z***@example.com"``: first character of the local part, then ``***``.
    Invalid input → ``None``; a Series gives a ``string`` Series."""
    if isinstance(value, pd.Series):
        return value.map(_mask_email_one, na_action="ignore").astype("string")
    return _mask_email_one(value)


def _mask_id_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value))).upper()
    if re.fullmatch(r"[0-9]{17}[0-9X]", v):
        return f"{v[:6]}********{v[-4:]}"
    return v if re.fullmatch(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]", v) else None


def mask_id_card(value):
    """18-character resident ID → first 6 and last 4 kept: ``"110101199003071234" → "110101********1234"``.

    The first six digits are the issuing region (useful for geography, shared by a whole district); the hidden eight
    are the birth date, which together with region and sex would nearly identify a person. Invalid → ``None``."""
    if isinstance(value, pd.Series):
        return value.map(_mask_id_one, na_action="ignore").astype("string")
    return _mask_id_one(value)


def _normalise_pii(value, kind: str) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if kind in ("phone", "auto"):
        phone = _normalise_phone(v)
        if phone is not None:
            return phone
        if kind == "phone":
            return None
    if kind in ("email", "auto") and "@" in v:
        return v.lower()
    if kind in ("id_card", "auto") and re.fullmatch(r"[0-9]{17}[0-9Xx]", re.sub(r"\s", "", v)):
        return re.sub(r"\s", "", v).upper()
    if kind in ("email", "id_card"):
        return None
    return v or None  # "auto" fallback and "text": trimmed NFKC text


def hmac_pii(value, key: str, kind: str = "auto"):
    """HMAC-SHA256 (a keyed hash) hex digest of a normalised contact value, for linking tables without the value.

    ``kind`` is ``"phone"`` (+86, spaces, dashes removed → 11 digits), ``"email"`` (lower-cased), ``"id_card"``
    (upper-case X), ``"text"`` (trimmed NFKC text) or ``"auto"`` (tries phone, e-mail, ID in that order, else
    text). Same value + key ⇒ same digest (so two tables hashed with one key can be joined); another key ⇒
    unrelated digests. Missing / invalid input ⇒ ``None`` / ``<NA>``.

    The key is a secret of the team, kept in a key store, never a column, never in code, never given to the other
    side of a join: mainland mobile numbers are only ~7 × 10⁹ values, so anyone holding the key (or, without a
    key, anyone at all) can hash every number and read the column back. A hashed phone is therefore
    de-identified (去标识化), not anonymous (匿名化), and stays personal information under PIPL art. 73.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("hmac_pii needs a non-empty key / 需要提供非空的密钥 key（保存在密钥管理系统中，不与数据存放在一起）")
    if kind not in ("auto", "phone", "email", "id_card", "text"):
        raise ValueError(f"unknown kind {kind!r}")
    secret = key.encode("utf-8")

    def one(v):
        norm = _normalise_pii(v, kind)
        if norm is None:
            return None
        return hmac.new(secret, norm.encode("utf-8"), hashlib.sha256).hexdigest()

    if isinstance(value, pd.Series):
        uniq = pd.unique(value.dropna())
        table = {u: one(u) for u in uniq}
        return value.map(table).astype("string")
    return one(value)


def fake_mobile(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random 11-digit mainland-style mobile numbers (for planting in memory only; never written to disk)."""
    second = rng.integers(3, 10, size=n)
    rest = rng.integers(0, 10**9, size=n)
    return [f"1{a}{b:09d}" for a, b in zip(second, rest, strict=True)]
