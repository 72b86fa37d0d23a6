"""红冲 (reversal) lines on DuckDB: the rules of :mod:`helpers.data.reversals` as SQL over the working table.

:func:`find_candidates` marks the lines that refund a named original (pending), :func:`resolve` decides them
against the kept originals once every other check has run (unknown, quarantined, out of scope, another member's
order, exceeding the original) and folds the rest in: a full refund sets the original's ``status`` to
``refunded`` (adding the column when the file had none), a partial one lowers its ``net_amount``.
"""

from __future__ import annotations

from helpers import tables as T
from helpers.data.reasons import (
    R_NEGATIVE,
    R_REVERSAL_EXCEEDS,
    R_REVERSAL_MEMBER,
    R_REVERSAL_OUT_OF_SCOPE,
    R_REVERSAL_QUARANTINED,
    R_REVERSAL_UNKNOWN,
)
from helpers.data.reversals import EFFECT_PARTIAL, EFFECT_REFUNDED

from .load_parse import _WS, _in_list, ident, lit
from .load_stage import ROW

SPEC = T.REVERSAL
PENDING = "pending reversal"
_TOKENS = sorted({v.lower() for v in SPEC.status_values})


def _tokens(t) -> str | None:
    """SQL: the row's raw status is a reversal word (None without a status column)."""
    if not t.has(SPEC.status):
        return None
    return f"coalesce(lower(t_{SPEC.status}) IN {_in_list(_TOKENS)}, FALSE)"


def find_candidates(con, t) -> str | None:
    """Mark the reversal lines that name an original as pending; return the status-token SQL for relabelling."""
    if t.spec.name != SPEC.table or not t.has(SPEC.amount):
        return None
    tokens = _tokens(t)
    w, amount = t.w, SPEC.amount
    negative = f"e_{amount} IS NOT DISTINCT FROM {lit(R_NEGATIVE)}"
    valid = f"(e_{amount} IS NULL OR e_{amount} = {lit(R_NEGATIVE)})"
    scope_ok = f"v_{t.spec.scope} IS NOT NULL" if t.spec.scope and t.has(t.spec.scope) else "TRUE"
    signal = f"({negative} OR ({tokens} AND {valid}))" if tokens else negative
    ref = f"v_{SPEC.reference}" if t.has(SPEC.reference) else "CAST(NULL AS VARCHAR)"
    own = f"v_{SPEC.key}" if t.has(SPEC.key) else "CAST(NULL AS VARCHAR)"
    member = "v_member_id" if t.has("member_id") else "CAST(NULL AS VARCHAR)"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE marked AS SELECT {ROW}, {ref} AS ref, {own} AS own,
        {member} AS mid, abs(p_{amount}) AS amount FROM {w}
        WHERE kind IS NULL AND {scope_ok} AND {signal}""")
    others = f"(SELECT DISTINCT {own} FROM {w} WHERE {ROW} NOT IN (SELECT {ROW} FROM marked) AND {own} IS NOT NULL)"
    con.execute(f"""CREATE OR REPLACE TABLE cand_{t.spec.name} AS SELECT {ROW}, coalesce(ref, own) AS target, mid,
        amount FROM marked WHERE ref IS NOT NULL OR (own IS NOT NULL AND own IN {others})""")
    con.execute(f"""UPDATE {w} SET kind = 'reversal', vcol = {lit(amount)}, reason = {lit(PENDING)}, stage = 3
        FROM cand_{t.spec.name} c WHERE {w}.{ROW} = c.{ROW}""")
    t.has_candidates = True
    return tokens


def resolve(con, t) -> None:
    """Decide the pending reversals against the kept originals and fold the found ones in."""
    if not getattr(t, "has_candidates", False):
        return
    w, c, key, amount = t.w, f"cand_{t.spec.name}", SPEC.key, SPEC.amount
    if t.has(key):
        kept = f"(SELECT v_{key} AS id, {'v_member_id' if t.has('member_id') else 'NULL'} AS kmid, v_{amount} AS net " \
               f"FROM {w} WHERE kind IS NULL)"
        ids = lambda kind: f"(SELECT DISTINCT v_{key} FROM {w} WHERE kind = {lit(kind)} AND v_{key} IS NOT NULL)"  # noqa: E731
        quar, oos = f"c.target IN {ids('quarantined')}", f"c.target IN {ids('out_of_scope')}"
    else:
        kept = "(SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS kmid, 0.0 AS net WHERE FALSE)"
        quar = oos = "FALSE"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE decided AS
        WITH a AS (SELECT c.{ROW}, c.target, c.amount, k.id IS NOT NULL AS found0, k.net,
                          (k.id IS NOT NULL AND c.mid IS NOT NULL AND k.kmid IS NOT NULL AND c.mid <> k.kmid) AS other,
                          (k.id IS NULL AND {quar}) AS quar
                   FROM {c} c LEFT JOIN {kept} k ON k.id = c.target),
             b AS (SELECT *, (NOT found0 AND NOT quar AND {oos.replace('c.target', 'target')}) AS oos,
                          found0 AND NOT other AS found1 FROM a),
             e AS (SELECT *, found1 AND sum(amount) FILTER (WHERE found1) OVER (PARTITION BY target) > net + 0.005
                          AS exceeds FROM b)
        SELECT *, found1 AND NOT exceeds AS found FROM e""")
    label = SPEC.reference if t.has(SPEC.reference) else key
    for cond, column, reason, kind in (
            ("oos", label, R_REVERSAL_OUT_OF_SCOPE, "out_of_scope"), ("quar", label, R_REVERSAL_QUARANTINED, "quarantined"),
            ("NOT found AND NOT oos AND NOT quar AND NOT other AND NOT exceeds", label, R_REVERSAL_UNKNOWN,
             "quarantined"),
            ("other", "member_id", R_REVERSAL_MEMBER, "quarantined"),
            ("exceeds", amount, R_REVERSAL_EXCEEDS, "quarantined")):
        con.execute(f"UPDATE {w} SET kind = {lit(kind)}, vcol = {lit(column)}, reason = {lit(reason)}, stage = 8 "
                    f"WHERE {ROW} IN (SELECT {ROW} FROM decided WHERE {cond})")
    n = con.execute("SELECT count(*) FROM decided WHERE found").fetchone()[0]
    if not n:
        return
    con.execute("""CREATE OR REPLACE TEMP TABLE applied AS SELECT target, sum(amount) AS total, any_value(net) AS net,
        sum(amount) >= any_value(net) - 0.005 AS full FROM decided WHERE found GROUP BY target""")
    if not t.has(SPEC.status):
        con.execute(f"ALTER TABLE {w} ADD COLUMN v_{SPEC.status} VARCHAR")
        con.execute(f"UPDATE {w} SET v_{SPEC.status} = 'paid'")
        t.add_status = True
    con.execute(f"""UPDATE {w} SET v_{SPEC.status} = 'refunded' FROM applied a
        WHERE {w}.kind IS NULL AND {w}.v_{key} = a.target AND a.full""")
    con.execute(f"""UPDATE {w} SET v_{amount} = round_even({w}.v_{amount} - a.total, 2) FROM applied a
        WHERE {w}.kind IS NULL AND {w}.v_{key} = a.target AND NOT a.full""")
    own = (f"regexp_replace(CAST(s.{ident(t.mapping[key])} AS VARCHAR), '^{_WS}+|{_WS}+$', '', 'g')"
           if t.has(key) else "CAST(NULL AS VARCHAR)")
    con.execute(f"""CREATE OR REPLACE TABLE listing_{t.spec.name} AS
        SELECT {lit(t.spec.name)} AS "table", {lit(t.path.name)} AS file, d.{ROW} AS "row", {own} AS order_id,
               d.target AS original_order_id, d.amount,
               CASE WHEN a.full THEN {lit(EFFECT_REFUNDED)} ELSE {lit(EFFECT_PARTIAL)} END AS effect
        FROM decided d JOIN applied a ON a.target = d.target JOIN {t.staged.view} s ON s.{ROW} = d.{ROW}
        WHERE d.found ORDER BY d.{ROW}""")
    t.listing = f"SELECT * FROM listing_{t.spec.name}"
