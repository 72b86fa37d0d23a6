"""The two entry points: :func:`generate_world` (every table, Parquet, chunked) and :func:`simulate_orders` (the
fast orders-only path for model studies, DataFrames in memory).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helpers import tables as T
from helpers.synth.arrow import (
    CAMPAIGN_EFFECTS_SCHEMA,
    CATEGORY_CYCLES_SCHEMA,
    FEEDBACK_TRUTH_SCHEMA,
    INCREMENTAL_ORDERS_SCHEMA,
    MEMBER_TRUTH_SCHEMA,
    PARQUET_OPTIONS,
    Sink,
    contract_schema,
    dict_array,
    ids,
    money_array,
    ts_array,
)
from helpers.synth.assemble import (
    ALL_TABLES,
    make_world,
    member_ids,
    members_arrays,
    orders_arrays,
    params_json,
    static_tables,
    truth_arrays,
)
from helpers.synth.baskets import baskets
from helpers.synth.config import (
    CAMPAIGNS,
    CATEGORY_CYCLES,
    CHUNK_MEMBERS,
    DEFAULT_AS_OF,
    DEFAULT_MEMBERS,
    DEFAULT_SEED,
    DEFAULT_START,
)
from helpers.synth.events import events
from helpers.synth.feedback import FB_CATS, feedback
from helpers.synth.loyalty import Loyalty
from helpers.synth.programme import MEMBER_POINTS_SCHEMA, member_points_arrays
from helpers.synth.text import POLARITIES
from helpers.synth.timeline import timeline
from helpers.synth.trials import ARM_LABELS, PROGRAMME


def generate_world(n_members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED, out_dir: str | os.PathLike = "",
                   start: str = DEFAULT_START, as_of: str = DEFAULT_AS_OF, tables=ALL_TABLES,
                   truth: bool = True, verbose: bool = False) -> dict:
    """Generate the world into ``out_dir`` (``<table>.parquet`` + ``truth/``); returns row counts per file.

    ``tables`` limits which contract tables are written (e.g. ``("members", "orders")``); baskets are simulated
    whenever orders, order_items or events are requested (discounts and points depend on them), events and feedback
    only when asked for.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(tables) - set(ALL_TABLES)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    wanted = set(tables)
    t_start = time.perf_counter()
    w = make_world(n_members, seed, start, as_of)
    sink = Sink(out, wanted)
    static_tables(w, sink)
    need_basket = bool(wanted & {"orders", "order_items", "events"})
    for chunk, m0 in enumerate(range(0, n_members, CHUNK_MEMBERS)):
        m1 = min(n_members, m0 + CHUNK_MEMBERS)
        tl = timeline(seed, chunk, m0, m1, w.mb, w.cal, w.stores)
        sink.write("members", members_arrays(w, m0, m1))
        if truth:
            sink.write("member_truth", truth_arrays(w, m0, m1, tl), MEMBER_TRUTH_SCHEMA, sub="truth")
        bk = None
        if need_basket:  # the loyalty programme runs inside the basket loop (helpers.synth.loyalty)
            lp = Loyalty(seed, chunk, m1 - m0, tl, w.cal)
            bk = baskets(seed, chunk, m0, m1, w.mb, tl, w.cat, lp)
            if truth:
                sink.write("member_points", member_points_arrays(m0, m1, lp.finish()), MEMBER_POINTS_SCHEMA,
                           sub="truth")
        n_o = len(tl["mem"])
        first_order = w.counters["order"]
        if "orders" in wanted:
            sink.write("orders", orders_arrays(w, m0, tl, bk, first_order))
        if "order_items" in wanted and bk is not None:
            lo = bk["l_order"]
            sink.write("order_items", {
                "order_id": ids("O", first_order + 1, n_o, 10).take(pa.array(lo)),
                "line_no": pa.array(bk["l_line"], pa.int64()),
                "product_id": pa.array(w.cat.product_id[bk["l_pid"]], pa.string()),
                "quantity": pa.array(bk["l_q"], pa.int64()),
                "unit_price": money_array(bk["l_price"]),
                "line_amount": money_array(bk["l_price"] * bk["l_q"])})
        w.counters["order"] += n_o
        if "events" in wanted:
            ev = events(seed, chunk, m0, m1, w.mb, tl, bk, w.cat, w.cal)
            ne = len(ev["mem"])
            sink.write("events", {
                "event_id": ids("E", w.counters["event"] + 1, ne, 10),
                "member_id": pa.array(member_ids(m0, m1)[ev["mem"]], pa.string()),
                "event_ts": ts_array(ev["ts"]), "event_type": dict_array(ev["type"], T.EVENT_TYPES),
                "product_id": pa.array(w.cat.product_id[np.maximum(ev["pid"], 0)], pa.string(), mask=ev["pid"] < 0),
                "channel": dict_array(ev["channel"], T.CHANNELS)})
            w.counters["event"] += ne
        # campaign contacts
        cids, mids, arm, sent, opened, red = [], [], [], [], [], []
        fx_c, fx_m, fx_a, fx_u = [], [], [], []   # truth: every member's effect under every treatment arm
        for ci, c in enumerate(CAMPAIGNS):
            ct = tl["contacts"][ci]
            if ct is None or len(ct["member"]) == 0:
                continue
            k = len(ct["member"])
            cids.append(np.full(k, c.campaign_id, dtype=object))
            mids.append(member_ids(m0, m1)[ct["member"]])
            arm.append(ct["arm"])
            sent.append(w.cal.start_s + np.floor(ct["sent_t"] * 86400).astype(np.int64))
            opened.append(ct["opened"])  # False for control, written as null
            red.append(ct["redeemed"])
            ua = ct["uplift"][:, None] if ct["uplift_all"] is None else ct["uplift_all"]
            codes = [0] if ct["uplift_all"] is None else list(range(2, 2 + ua.shape[1]))
            for j, code in enumerate(codes):
                fx_c.append(cids[-1])
                fx_m.append(mids[-1])
                fx_a.append(np.full(k, code))
                fx_u.append(ua[:, j])
        if cids:
            treat = np.concatenate(arm) != 1
            sink.write("campaign_contacts", {
                "campaign_id": pa.array(np.concatenate(cids), pa.string()),
                "member_id": pa.array(np.concatenate(mids), pa.string()),
                "arm": dict_array(np.concatenate(arm), ARM_LABELS),
                "sent_ts": ts_array(np.concatenate(sent), mask=~treat),
                "opened": pa.array(np.concatenate(opened), pa.bool_(), mask=~treat),
                "redeemed": pa.array(np.concatenate(red), pa.bool_())})
            if truth:
                sink.write("campaign_effects", {"campaign_id": pa.array(np.concatenate(fx_c), pa.string()),
                                                "member_id": pa.array(np.concatenate(fx_m), pa.string()),
                                                "arm": dict_array(np.concatenate(fx_a), ARM_LABELS),
                                                "true_uplift": pa.array(np.concatenate(fx_u))},
                           CAMPAIGN_EFFECTS_SCHEMA, sub="truth")
        if truth:  # every order a campaign or the city programme caused (the rest are the members' own)
            src = [(PROGRAMME.programme_id, tl["programme"]["mem"], tl["programme"]["t_s"])]
            src += [(c.campaign_id, ct["inc_member"], w.cal.start_s + np.floor(ct["inc_t"] * 86400).astype(np.int64))
                    for c, ct in zip(CAMPAIGNS, tl["contacts"], strict=True) if ct is not None]
            src = [x for x in src if len(x[1])]
            if src:
                sink.write("incremental_orders", {
                    "member_id": pa.array(np.concatenate([member_ids(m0, m1)[m] for _, m, _ in src]), pa.string()),
                    "order_ts": ts_array(np.concatenate([t for _, _, t in src])),
                    "source": pa.array(np.concatenate([np.full(len(m), k, dtype=object) for k, m, _ in src]),
                                       pa.string())}, INCREMENTAL_ORDERS_SCHEMA, sub="truth")
        if "feedback" in wanted:
            fb = feedback(seed, chunk, m0, m1, tl, w.cal, w.stores)
            nf = len(fb["mem"])
            fids = ids("FB", w.counters["feedback"] + 1, nf, 8)
            labels = fb["label"]
            dept = np.array([T.DEPARTMENTS.index(T.CATEGORY_DEPARTMENT[c]) for c in FB_CATS])[labels]
            sink.write("feedback", {
                "feedback_id": fids,
                "member_id": pa.array(member_ids(m0, m1)[fb["mem"]], pa.string(), mask=fb["anon"]),
                "channel": dict_array(fb["channel"], T.FEEDBACK_CHANNELS), "created_ts": ts_array(fb["created_s"]),
                "text": pa.array(fb["text"], pa.string()),
                "rating": pa.array(fb["rating"], pa.int64(), mask=fb["rating_null"]),
                "category": dict_array(labels, FB_CATS), "department": dict_array(dept, T.DEPARTMENTS),
                "first_response_ts": ts_array(fb["fr_s"], mask=~fb["fr_ok"]),
                "resolved_ts": ts_array(fb["rs_s"], mask=~fb["rs_ok"])})
            if truth:
                sink.write("feedback_truth", {"feedback_id": fids, "true_category": dict_array(fb["true_cat"], FB_CATS),
                                              "polarity": dict_array(fb["pol"], POLARITIES)},
                           FEEDBACK_TRUTH_SCHEMA, sub="truth")
            w.counters["feedback"] += nf
        if verbose:
            print(f"  chunk {chunk}: members {m0}–{m1}, orders {n_o:,}, {time.perf_counter() - t_start:.1f}s",
                  file=sys.stderr)
    # empty contract tables still get a file with the right schema
    for name in ALL_TABLES:
        if name in wanted and name not in sink.writers:
            sink.write(name, {f.name: pa.array([], f.type) for f in contract_schema(name)})
    sink.close()
    stats = dict(sorted(sink.rows.items()))
    if truth:
        tdir = out / "truth"
        tdir.mkdir(exist_ok=True)
        cyc = pa.Table.from_arrays([pa.array(list(CATEGORY_CYCLES), pa.string()),
                                    pa.array(list(CATEGORY_CYCLES.values()), pa.float64())],
                                   schema=CATEGORY_CYCLES_SCHEMA)
        pq.write_table(cyc, tdir / "category_cycles.parquet", **PARQUET_OPTIONS)
        for name, schema in (("campaign_effects", CAMPAIGN_EFFECTS_SCHEMA), ("feedback_truth", FEEDBACK_TRUTH_SCHEMA),
                             ("incremental_orders", INCREMENTAL_ORDERS_SCHEMA)):
            if not (tdir / f"{name}.parquet").exists():
                pq.write_table(schema.empty_table(), tdir / f"{name}.parquet", **PARQUET_OPTIONS)
        with open(tdir / "params.json", "w", encoding="utf-8") as fh:
            json.dump(params_json(w, start, as_of, stats), fh, ensure_ascii=False, indent=2, sort_keys=False)
            fh.write("\n")
        if "orders" in wanted:
            from helpers.synth.programme import write_programme_truth  # module 06: the points and tier rules

            write_programme_truth(out, as_of)
    return stats


def simulate_orders(n_members: int, seed: int = DEFAULT_SEED, start: str = DEFAULT_START, as_of: str = DEFAULT_AS_OF):
    """Fast orders-only simulation (no baskets / events / feedback) → ``(members, orders, truth)`` DataFrames.

    Same members, order ids, times, channels, payment and status as :func:`generate_world` with the same seed and
    size; ``net_amount`` (= ``gross_amount``) is the Gamma-Gamma draw z.  Meant for model studies at scale
    (how far BG/NBD / Gamma-Gamma are off on this world at 1M members: ``benchmarks/bench_recovery.py``); parameter
    recovery belongs on the model's own world, :func:`helpers.clv.simulate_bgnbd`.
    """
    w = make_world(n_members, seed, start, as_of)
    mem_t, ord_t, tru_t = [], [], []
    n_orders = 0
    for chunk, m0 in enumerate(range(0, n_members, CHUNK_MEMBERS)):
        m1 = min(n_members, m0 + CHUNK_MEMBERS)
        tl = timeline(seed, chunk, m0, m1, w.mb, w.cal, w.stores)
        mem_t.append(pa.Table.from_pydict(members_arrays(w, m0, m1), schema=contract_schema("members")))
        ord_t.append(pa.Table.from_pydict(orders_arrays(w, m0, tl, None, n_orders), schema=contract_schema("orders")))
        tru_t.append(pa.Table.from_pydict(truth_arrays(w, m0, m1, tl), schema=MEMBER_TRUTH_SCHEMA))
        n_orders += len(tl["mem"])
    return tuple(pa.concat_tables(x).to_pandas() for x in (mem_t, ord_t, tru_t))
