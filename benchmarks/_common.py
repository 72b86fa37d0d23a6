"""What the benchmarks that compare against lifetimes share: where its Python is, and how a worker is run.

lifetimes lives in its own environment (``benchmarks/requirements.txt``), so every measurement runs as
``python <script> --worker KIND --file PATH …`` in a subprocess that prints its result as JSON on the last line.
Standard library only: the lifetimes worker imports this module too.
"""

from __future__ import annotations

import json
import os
import subprocess

#: default for ``--lifetimes-python``
LIFETIMES_PYTHON = os.environ.get("LIFETIMES_PYTHON", "/tmp/benchvenv/bin/python")


def run_worker(script: str, kind: str, path, python: str, timeout: int, *extra: str) -> dict:
    """Run ``script``'s worker ``kind`` on ``path`` under ``python`` (without PYTHONPATH, so the lifetimes
    environment never sees the project's packages); its JSON result, or ``{"kind", "error"}``."""
    cmd = [python, script, "--worker", kind, "--file", str(path), *extra]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": ""})
    except subprocess.TimeoutExpired:
        return {"kind": kind, "error": f"timeout after {timeout} s"}
    if p.returncode != 0:
        return {"kind": kind, "error": (p.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(p.stdout.strip().splitlines()[-1])
