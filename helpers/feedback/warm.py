"""``python -m helpers models``: fit the course's feedback model once, into the model cache.

Why: module 09's sentiment model learns from about 61,000 texts the project ships or generates (a fit takes about
45 s on one core, a third of it jieba segmentation). The fit is deterministic and cached on disk under a fingerprint of its
inputs (:func:`helpers.feedback.default_model`), so only the first run on a machine pays for it. ``make env`` runs
this command after installing, so the first report and the first notebook run find the model ready; without it
the first module-09 run fits the model itself (same model, same numbers).
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers models", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    from helpers.feedback import models

    start = time.perf_counter()
    models.default_model()
    seconds = time.perf_counter() - start
    print(f"反馈模型已就绪 / feedback model ready: {models._cache_dir()} ({seconds:.1f} s)")
    return 0
