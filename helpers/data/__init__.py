"""Loading, schema validation, scope and quarantine of member-analytics data (数据加载、校验与隔离).

What
----
``load(path, as_of=None, tables=None, columns=None)`` reads a directory of tables (or a single file, taken as
``orders``) and returns a :class:`Dataset`: one typed DataFrame per present table, a ``quarantine`` DataFrame with
every rejected input row and why, the rows that lie after the as-of (``out_of_scope``), the 红冲 reversal lines
folded into their orders (``reversals``), the headers it did not recognise (``unrecognised``) and ``counts`` that
always reconcile::

    rows_read == rows_kept + rows_quarantined + rows_out_of_scope + rows_reversal

Why
---
The third user of the workbook is an analyst who points it at their own company export: CSV saved from Excel
(often GBK), Parquet from a warehouse, or an xlsx sheet, with Chinese or English headers (会员ID / customer_id,
下单时间 / order_date, 实付金额 / paid_amount …) and the usual dirt (dates in five formats, "¥1,234.50", 是/否,
duplicated order numbers, orders of members who do not exist, refunds booked as negative 红冲 lines). The loader's
promise to that analyst is: **every input row is kept (typed and valid), quarantined (with its table, file, source
row, column, reason and offending value), out of scope (after the as-of: counted, not bad data) or folded into the
order it refunds — never silently dropped**. Problems that make a whole file unusable (undecodable bytes, a missing
required column, two columns for one field, an empty file …) raise :class:`DataFileError` with a bilingual message
naming the file and the column, instead of a pandas traceback.

Everything is derived from the data contract in :mod:`helpers.tables` (columns, kinds, aliases, allowed values,
minimums, keys, foreign keys, scope columns, the reversal spec); this package hard-codes no column list.

Scope: which time decides "after the as-of"
-------------------------------------------
============================  =============================================================================
table                         out of scope when …
============================  =============================================================================
members                       ``register_ts`` is after the as-of (the member did not exist yet)
orders                        ``order_ts`` is after the as-of, or its member is out of scope
order_items                   its order is out of scope (no time of its own)
events                        ``event_ts`` is after the as-of, or its member is out of scope
campaigns                     ``start_date`` is after the as-of
campaign_contacts             its campaign or its member is out of scope (no time of its own)
feedback                      ``created_ts`` is after the as-of, or its member is out of scope
products, stores              never (master data)
============================  =============================================================================

A date-only ``as_of`` includes that whole day. Scope is decided first: a row after the as-of is not checked
further. Without ``as_of`` nothing is out of scope.

Layout (one job per file)
-------------------------
``discover`` which file is which table · ``encoding`` CSV encodings · ``readers`` CSV / xlsx / Parquet to raw
columns · ``mapping`` headers → contract columns, the analyst's column mapping, "did you mean" · ``parse`` values
by kind · ``scope`` the as-of cut · ``reversals`` 红冲 lines · ``keys`` key sets and :func:`isin_str` ·
``quarantine`` per-row verdicts and the quarantine frame · ``process`` the stages of one table · ``schema`` pandera
schemas · ``dataset`` the :class:`Dataset` · ``loader`` :func:`load` · ``reasons`` :class:`DataFileError` and the
one bilingual reason vocabulary :data:`REASONS`.

Row numbers
-----------
``quarantine.row`` is the 1-based data-row position in the source file: the first record below the header is row 1
(in Excel that is sheet row 2; blank lines / empty sheet rows are not records). ``quarantine.file`` is the file
name (``Dataset.sources`` has the full paths), ``column`` the contract column ("" for a broken CSV record,
"order_id,line_no" for a composite key) and ``value`` the offending source text, untouched.

Dtypes after load: ids and text ``string``, categoricals ``category``, money and floats ``float64`` (元), ints
``Int64``, booleans ``boolean``, timestamps and dates ``datetime64[ns]`` (naive, Asia/Shanghai local time).
"""

from __future__ import annotations

# the course default data (checkout or installed); load() reads it from here at call time
from helpers.paths import DEFAULT_DATA_DIR

from .dataset import COUNT_COLUMNS, Dataset
from .discover import EXTENSIONS, discover
from .keys import isin_str
from .loader import load
from .mapping import ColumnMapping, read_column_mapping
from .parse import TZ
from .quarantine import QUARANTINE_COLUMNS
from .reasons import (
    QUARANTINE_REASONS,
    R_AFTER_AS_OF,
    R_BEFORE_REGISTRATION,
    R_BOOL,
    R_DATE,
    R_DUPLICATE,
    R_FIELDS,
    R_INTEGER,
    R_MINIMUM,
    R_MISSING,
    R_NEGATIVE,
    R_NEGATIVE_NO_ORIGINAL,
    R_NOT_ALLOWED,
    R_NUMBER,
    R_REVERSAL_EXCEEDS,
    R_REVERSAL_MEMBER,
    R_REVERSAL_NO_ORIGINAL,
    R_REVERSAL_OUT_OF_SCOPE,
    R_REVERSAL_QUARANTINED,
    R_REVERSAL_UNKNOWN,
    R_SCHEMA,
    REASONS,
    SCOPE_REASONS,
    DataFileError,
    reason_parent_quarantined,
    reason_reference_out_of_scope,
    reason_reference_quarantined,
    reason_referenced_quarantined,
    reason_unknown,
)
from .schema import schema_for

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_DATA_DIR",
    "EXTENSIONS",
    "QUARANTINE_COLUMNS",
    "QUARANTINE_REASONS",
    "REASONS",
    "R_AFTER_AS_OF",
    "R_BEFORE_REGISTRATION",
    "R_BOOL",
    "R_DATE",
    "R_DUPLICATE",
    "R_FIELDS",
    "R_INTEGER",
    "R_MINIMUM",
    "R_MISSING",
    "R_NEGATIVE",
    "R_NEGATIVE_NO_ORIGINAL",
    "R_NOT_ALLOWED",
    "R_NUMBER",
    "R_REVERSAL_EXCEEDS",
    "R_REVERSAL_MEMBER",
    "R_REVERSAL_NO_ORIGINAL",
    "R_REVERSAL_OUT_OF_SCOPE",
    "R_REVERSAL_QUARANTINED",
    "R_REVERSAL_UNKNOWN",
    "R_SCHEMA",
    "SCOPE_REASONS",
    "TZ",
    "ColumnMapping",
    "DataFileError",
    "Dataset",
    "discover",
    "isin_str",
    "load",
    "read_column_mapping",
    "reason_parent_quarantined",
    "reason_reference_out_of_scope",
    "reason_reference_quarantined",
    "reason_referenced_quarantined",
    "reason_unknown",
    "schema_for",
]
