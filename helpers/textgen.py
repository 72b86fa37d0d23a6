"""Synthetic Chinese customer-feedback messages (module 08 · 会员反馈): the stable import path.

The writer lives in :mod:`helpers.synth.text` — its grammar (words and templates) as JSON data files in
``helpers/synth/text/grammar/``, the template language, slots and message assembly in one file each; the package
docstring explains why the texts are composed from a grammar and roughened. ``feedback_texts(rng, categories,
polarities, context=None)`` writes one message per ``(category, polarity)`` pair.
"""

from __future__ import annotations

from helpers.synth.text import CATEGORIES, OPENINGS, POLARITIES, RETAIL_CATEGORIES, feedback_texts

__all__ = ["CATEGORIES", "OPENINGS", "POLARITIES", "RETAIL_CATEGORIES", "feedback_texts"]
