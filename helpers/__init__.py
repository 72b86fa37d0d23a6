"""helpers — the shared package of the Member Analytics Workbook (会员数据分析工作簿).

One module (or subpackage, one job per file) per course topic; notebooks in ``solutions/`` and ``notebooks/`` and the
papermill report run all import from here, so every piece of reusable logic lives (and is tested) in exactly one place.

==========================  ============================================================================
module                      topic
==========================  ============================================================================
``tables``                  the data contract: tables, columns, types, Chinese and English header aliases
``synth`` / ``generate``    the synthetic retail world (not any one model of the course) and its CLI facade
``truth``                   reading the ground truth a synthetic world was drawn from
``data``                    loading, schema validation, scope (as-of), 红冲 reversals, quarantine
``quality``                 six data-quality dimensions, PII masking, keyed hashing (HMAC), ``helpers check``
``plots``                   the course plot theme with a bundled CJK font
``checks``                  exercise checks with Chinese hints, ``forbid`` / ``require_done`` for grading
``course``                  the course map and navigation, generated from the modules on disk
``behavior``                member summary, frequency / spend bands, cohorts, repurchase intervals
``rfm``                     RFM scores, named segments, budgeted contact lists
``clv``                     BG/NBD, Gamma-Gamma, discounted CLV, holdout validation
``segments``                clustering, tags, loyalty quadrants, lifecycle stages, churn warning
``release`` / ``bundle``    the nbgrader student release and the trainee bundle
``report``                  the papermill report run (parameters, snapshot, member scores, HTML)
``engine``                  the scale path: member summary and RFM inputs on DuckDB or Spark (ibis)
``paths`` / ``typography``  where the workbook's files are; the Chinese typesetting lint and fixer
==========================  ============================================================================

Command line: ``python -m helpers {generate,check,release,bundle,report} --help``.
"""

__version__ = "0.1.0"
