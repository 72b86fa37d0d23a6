"""The synthetic retail world's stable entry point: ``python -m helpers generate`` and the names other code imports.

The generator itself lives in :mod:`helpers.synth` (one job per file; its package docstring tells the whole story
of the world: members who lapse at any time and sometimes come back, spend that goes with frequency, seasonality,
baskets, campaigns, feedback). This facade keeps the public names in one place so that scripts, tests and
benchmarks do not depend on that layout::

    from helpers.generate import generate_world, simulate_orders
    generate_world(10_000, 20251231, "datasets/default")          # = the command in datasets/README.md
    members, orders, truth = simulate_orders(100_000, seed=1)      # DataFrames, no baskets / events / feedback

Notebooks do not import this module: they read the truth with :mod:`helpers.truth`.
"""

from __future__ import annotations

import sys

from helpers.synth.assemble import ALL_TABLES
from helpers.synth.cli import main
from helpers.synth.config import (
    ARCHETYPES,
    BRANDS,
    CAMPAIGNS,
    CATALOGUE,
    CATEGORY_CYCLES,
    CHUNK_MEMBERS,
    CITIES,
    DEFAULT_AS_OF,
    DEFAULT_MEMBERS,
    DEFAULT_SEED,
    DEFAULT_START,
    GENERATOR_VERSION,
    GENERIC_COUPONS,
    LAPSE_CAUSES,
    LUNAR_NEW_YEAR,
    NEW_MEMBER_COUPON,
    POPULATION,
)
from helpers.synth.dictionary import README_MARKER, data_dictionary_markdown, update_readme
from helpers.synth.world import generate_world, simulate_orders
from helpers.truth import ARCHETYPE_ZH, Truth, read_truth

__all__ = [
    "ALL_TABLES", "ARCHETYPES", "ARCHETYPE_ZH", "BRANDS", "CAMPAIGNS", "CATALOGUE", "CATEGORY_CYCLES", "CHUNK_MEMBERS",
    "CITIES", "DEFAULT_AS_OF", "DEFAULT_MEMBERS", "DEFAULT_SEED", "DEFAULT_START", "GENERATOR_VERSION",
    "GENERIC_COUPONS", "LAPSE_CAUSES", "LUNAR_NEW_YEAR", "NEW_MEMBER_COUPON", "POPULATION", "README_MARKER", "Truth",
    "data_dictionary_markdown", "generate_world", "main", "read_truth", "simulate_orders", "update_readme",
]

if __name__ == "__main__":
    sys.exit(main())
