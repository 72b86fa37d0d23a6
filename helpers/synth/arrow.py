"""Arrow / Parquet output: contract schemas with fixed pandas metadata, id and value arrays, the incremental writer.

Byte-for-byte reproducibility lives here too: fixed writer options, a fixed pandas-metadata block (no versions of
the machine, no paths, no times), row groups of a fixed size.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helpers import tables as T
from helpers.synth.config import GENERATOR_VERSION, PARQUET_OPTIONS, ROW_GROUP_SIZE

ARROW_TYPES = {"id": pa.string(), "str": pa.string(), "category": pa.dictionary(pa.int32(), pa.string()),
               "datetime": pa.timestamp("ns"), "date": pa.date32(), "money": pa.float64(), "float": pa.float64(),
               "int": pa.int64(), "bool": pa.bool_()}


def with_pandas_metadata(schema: pa.Schema) -> pa.Schema:
    """Attach fixed pandas metadata so ``pd.read_parquet`` yields the CONVENTIONS dtypes directly
    (ids ``string``, categoricals ``category``, ints ``Int64``, bools ``boolean``, timestamps ``datetime64[ns]``)."""
    cols = []
    for f in schema:
        t, meta = f.type, None
        if pa.types.is_dictionary(t):
            pt, nt, meta = "categorical", "int32", {"num_categories": 0, "ordered": False}
        elif pa.types.is_string(t):
            pt, nt = "object", "string"
        elif pa.types.is_int64(t):
            pt, nt = "int64", "Int64"
        elif pa.types.is_boolean(t):
            pt, nt = "bool", "boolean"
        elif pa.types.is_timestamp(t):
            pt, nt = "datetime", "datetime64[ns]"
        elif pa.types.is_date32(t):
            pt, nt = "date", "object"
        else:
            pt, nt = "float64", "float64"
        cols.append({"name": f.name, "field_name": f.name, "pandas_type": pt, "numpy_type": nt, "metadata": meta})
    md = {"index_columns": [], "column_indexes": [], "columns": cols, "attributes": {},
          "creator": {"library": "helpers.generate", "version": GENERATOR_VERSION}, "pandas_version": "3.1.1"}
    return schema.with_metadata({b"pandas": json.dumps(md, ensure_ascii=False, sort_keys=True).encode("utf-8")})


def contract_schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table: column order and types from :mod:`helpers.tables`."""
    return with_pandas_metadata(
        pa.schema([pa.field(c.name, ARROW_TYPES[c.kind], nullable=True) for c in T.TABLES[table].columns]))


def id_strings(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers ``prefix`` + number zero-padded to ``width`` digits (``M00000042``), as an object array."""
    if len(numbers) == 0:  # numpy's zfill cannot size an empty array (a tiny world with no feedback)
        return np.empty(0, dtype=object)
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


def ids(prefix: str, start: int, n: int, width: int) -> pa.Array:
    """Consecutive identifiers ``prefix`` + ``start`` … as an Arrow string array."""
    return pa.array(id_strings(prefix, np.arange(start, start + n), width), pa.string())


def dict_array(codes: np.ndarray, values: tuple, mask: np.ndarray | None = None) -> pa.Array:
    """Codes into ``values`` as an Arrow dictionary (categorical) array; ``mask`` marks nulls."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(values), pa.string()))


def ts_array(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds (naive local time) as an Arrow ``timestamp[ns]`` array; ``mask`` marks nulls."""
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000_000, pa.timestamp("ns"), mask=mask)


def money_array(cents: np.ndarray) -> pa.Array:
    """Integer cents as an Arrow float64 array in 元 (two decimals)."""
    return pa.array(np.asarray(cents, dtype=np.int64) / 100.0, pa.float64())


class Sink:
    """One ParquetWriter per table, opened lazily, fixed options.

    A contract table with no rows at all (a tiny world draws no feedback) is not written: an absent optional table
    is what the loader and the modules handle (one sentence and skip), a header-only file is a file-level error."""

    def __init__(self, out: Path, wanted: set[str]):
        self.out = out
        self.wanted = wanted
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, arrays: dict, schema: pa.Schema | None = None, sub: str = "") -> None:
        if name not in self.wanted and not sub:
            return
        schema = schema or contract_schema(name)
        tbl = pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema)
        if tbl.num_rows == 0 and not sub:
            return
        key = f"{sub}/{name}" if sub else name
        if key not in self.writers:
            path = self.out / sub / f"{name}.parquet" if sub else self.out / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[key] = pq.ParquetWriter(str(path), schema, **PARQUET_OPTIONS)
            self.rows[key] = 0
        self.writers[key].write_table(tbl, row_group_size=ROW_GROUP_SIZE)
        self.rows[key] += tbl.num_rows

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


MEMBER_TRUTH_SCHEMA = with_pandas_metadata(pa.schema([
    ("member_id", pa.string()), ("archetype", pa.dictionary(pa.int32(), pa.string())),
    ("purchase_rate_per_day", pa.float64()), ("dropout_prob", pa.float64()), ("spend_nu", pa.float64()),
    ("expected_order_value", pa.float64()), ("first_purchase_ts", pa.timestamp("ns")), ("alive_at_as_of", pa.bool_()),
    ("dropout_ts", pa.timestamp("ns")), ("lifetime_rate_per_day", pa.float64()), ("lapse_ts", pa.timestamp("ns")),
    ("lapse_cause", pa.dictionary(pa.int32(), pa.string())), ("repeats_before_lapse", pa.int64()),
    ("won_back", pa.bool_()), ("winback_ts", pa.timestamp("ns")), ("preferred_channel", pa.dictionary(pa.int32(), pa.string())),
    ("preferred_payment", pa.dictionary(pa.int32(), pa.string())),
    ("hour_profile", pa.dictionary(pa.int32(), pa.string())),
    ("preferred_category", pa.dictionary(pa.int32(), pa.string())), ("brand_loyalty", pa.float64()),
    ("heavy", pa.bool_()), ("loyal", pa.bool_()),
]))
CAMPAIGN_EFFECTS_SCHEMA = with_pandas_metadata(pa.schema([("campaign_id", pa.string()), ("member_id", pa.string()),
                                                           ("arm", pa.dictionary(pa.int32(), pa.string())),
                                                           ("true_uplift", pa.float64())]))
#: orders a campaign or the city programme caused; source = campaign_id or programme_id
INCREMENTAL_ORDERS_SCHEMA = with_pandas_metadata(pa.schema([("member_id", pa.string()), ("order_ts", pa.timestamp("ns")),
                                                             ("source", pa.string())]))
FEEDBACK_TRUTH_SCHEMA = with_pandas_metadata(pa.schema([
    ("feedback_id", pa.string()), ("true_category", pa.dictionary(pa.int32(), pa.string())),
    ("polarity", pa.dictionary(pa.int32(), pa.string()))]))
CATEGORY_CYCLES_SCHEMA = with_pandas_metadata(pa.schema([("category", pa.string()), ("true_cycle_days", pa.float64())]))
