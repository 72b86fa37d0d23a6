"""The feedback grammar's words and templates, read from the data files in ``grammar/`` beside this module.

Why data files: the lexicon and the ~600 templates are content, not code — a course author edits them without
reading Python, and a diff of the wording is a diff of JSON. Order inside the files matters (the same seed must
pick the same word), and ``tests/test_textgen.py`` checks the structure (every category × polarity present,
templates parse, at least 30 openings per polarity).

``lexicon.json`` — words for the slots; ``statements.json`` — templates; ``noise.json`` — typing noise.
Keys of the form (category, polarity) are nested objects ``{category: {polarity: [...]}}`` in the files and
tuples here.
"""

from __future__ import annotations

import json
from importlib import resources

from helpers.tables import FEEDBACK_CATEGORIES as CATEGORIES

__all__ = ["CATEGORIES", "OPENINGS", "POLARITIES", "RETAIL_CATEGORIES", "load"]

POLARITIES = ("negative", "neutral", "positive")


def load(name: str) -> dict:
    """One grammar file (``lexicon``, ``statements`` or ``noise``) as a dict, without its ``_about`` note."""
    text = resources.files(__package__).joinpath("grammar").joinpath(f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("_about", None)
    return data


def _tuples(d: dict) -> dict:
    return {k: tuple(v) for k, v in d.items()}


def _by_pair(d: dict) -> dict[tuple[str, str], tuple]:
    return {(cat, pol): tuple(v) for cat, by_pol in d.items() for pol, v in by_pol.items()}


_lex, _st, _noise = load("lexicon"), load("statements"), load("noise")

#: per retail category: items, units, bad / good / odd words (``x@a/b`` fits only products containing a or b)
PRODUCTS: dict[str, dict[str, tuple[str, ...]]] = {c: _tuples(v) for c, v in _lex["products"].items()}
#: the chain's retail categories, in the catalogue order of ``helpers.synth.config.CATALOGUE`` (a test checks it)
RETAIL_CATEGORIES = tuple(PRODUCTS)
CITIES = tuple(_lex["cities"])
ROADS = tuple(_lex["roads"])
#: fictional brands per retail category (a brand only ever prefixes a product of its own category)
BRANDS: dict[str, tuple[str, ...]] = _tuples(_lex["brands"])
TIERS = tuple(_lex["tiers"])
STAFF = tuple(_lex["staff"])
COURIERS = tuple(_lex["couriers"])
TIMES = tuple(_lex["times"])
CLOCKS = tuple(_lex["clocks"])
CN_NUM = tuple(_lex["cn_num"])

#: message openings per polarity (each at least 30, see tests)
OPENINGS: dict[str, tuple[str, ...]] = _tuples(_st["openings"])
#: core statements: the main issue of the message
CORE = _by_pair(_st["core"])
#: statements that borrow a neighbouring category's words: (category, polarity) → ((borrowed category, template), …)
OVERLAP = {k: tuple(tuple(x) for x in v) for k, v in _by_pair(_st["overlap"]).items()}
#: sarcastic or understated complaints: negative meaning, positive-looking words
SARCASM = tuple(_st["sarcasm"])
#: short clauses: bare messages and the "second issue" of mixed messages
CLAUSE = _by_pair(_st["clause"])
#: category-free short messages (the irreducible noise of real feedback)
GENERIC = _tuples(_st["generic"])
#: concrete details that make a message specific, per category, and for any category
DETAIL = _tuples(_st["detail"])
DETAIL_ANY = tuple(_st["detail_any"])
#: background of long messages: who writes and why (category-neutral on purpose)
STORY = tuple(_st["story"])
CLOSE = _tuples(_st["close"])
CLOSE_CAT = _by_pair(_st["close_cat"])
MILD_CLOSE = tuple(_st["mild_close"])

EMOJI = _tuples(_noise["emoji"])
SLANG = _tuples(_noise["slang"])
PARTICLES = tuple(_noise["particles"])
#: homophone / shape slips seen in real typing: (written, typed)
TYPOS = tuple(tuple(x) for x in _noise["typos"])
END = _tuples(_noise["end"])
BARE_END = _tuples(_noise["bare_end"])

#: per (category, polarity): the overlap templates it may use — its own plus those of neighbours that borrow its
#: words — so the same wording carries either label (irreducible, as in real routing)
SHARED: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
for (_cat, _pol), _items in OVERLAP.items():
    for _borrowed, _tpl in _items:
        SHARED[(_cat, _pol)] = (*SHARED.get((_cat, _pol), ()), (_borrowed, _tpl))
        SHARED[(_borrowed, _pol)] = (*SHARED.get((_borrowed, _pol), ()), (_cat, _tpl))
del _cat, _pol, _items, _borrowed, _tpl
