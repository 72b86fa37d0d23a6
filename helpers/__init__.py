"""helpers — the shared package of the Member Analytics Workbook (会员数据分析工作簿).

One flat module per course topic; notebooks in ``solutions/`` and ``notebooks/`` and the papermill report run all
import from here, so every piece of reusable logic lives (and is tested) in exactly one place.

========================  ==============================================================
module                    topic
========================  ==============================================================
``tables``                the data contract: tables, columns, types, Chinese aliases
``generate``              the synthetic retail world with its ground truth
``data``                  loading, schema validation and quarantine of input rows
``quality``               data-quality dimensions, PII masking and hashing
``plots``                 the course plot theme with a bundled CJK font
``checks``                exercise checks with Chinese hints (nbgrader tests)
``behavior``              member summary, frequency / spend bands, cohorts
``rfm``                   RFM scores and named segments
``clv``                   BG/NBD, Gamma-Gamma and discounted CLV
``release`` / ``report``  nbgrader release and the papermill report run
========================  ==============================================================

Command line: ``python -m helpers {generate,check,release,report} --help``.
"""

__version__ = "0.1.0"
