"""The pandera schema of each contract table, exactly as :func:`helpers.data.load` returns it.

Pandera stays the one schema tool: the loader validates every kept frame with :func:`schema_for` as a safety net
(anything it still rejects is quarantined as "schema check failed"), and tests validate against it.

Dtypes after load: ids and text ``string``, categoricals ``category``, money and floats ``float64`` (元), ints
``Int64``, booleans ``boolean``, timestamps and dates ``datetime64[ns]`` (naive, Asia/Shanghai local time).
"""

from __future__ import annotations

import pandas as pd

from helpers import tables as T


def _dtype(col: T.Column):
    if col.kind in ("id", "str"):
        return "string"
    if col.kind == "category":
        return pd.CategoricalDtype(list(col.allowed)) if col.allowed is not None else "category"
    if col.kind in ("datetime", "date"):
        return "datetime64[ns]"
    if col.kind in ("money", "float"):
        return "float64"
    if col.kind == "int":
        return "Int64"
    if col.kind == "bool":
        return "boolean"
    raise ValueError(col.kind)  # pragma: no cover - KINDS is closed


def schema_for(table_name: str):
    """The pandera ``DataFrameSchema`` of one contract table, as the loader returns it.

    Dtypes by kind, nullability, ``min_value`` (ge), ``allowed`` (isin), uniqueness of the key; required
    columns must be present, optional ones may be absent; extra columns are allowed (``strict=False``).
    """
    import pandera.pandas as pa_

    t = T.TABLES[table_name]
    columns = {}
    for c in t.columns:
        checks = []
        if c.min_value is not None and c.kind in ("money", "float", "int"):
            checks.append(pa_.Check.ge(c.min_value))
        if c.allowed is not None:
            checks.append(pa_.Check.isin(list(c.allowed)))
        columns[c.name] = pa_.Column(_dtype(c), checks=checks, nullable=c.nullable, required=c.required,
                                     unique=len(t.key) == 1 and t.key[0] == c.name)
    unique = list(t.key) if len(t.key) > 1 else None
    return pa_.DataFrameSchema(columns, unique=unique, strict=False, name=t.name,
                               description=f"{t.zh} · {t.en}")
