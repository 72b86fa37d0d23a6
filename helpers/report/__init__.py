"""The report run: every module notebook executed with papermill into ``reports/<run>/``.

This is the analyst's main job (DESIGN.md, "Report run contract")::

    python -m helpers report --data-dir DIR --out reports/<run> [--as-of YYYY-MM-DD] [--horizon-days N]
                             [--seed S] [--param NAME=VALUE ...] [--columns FILE] [--modules 00,03]
                             [--jobs N] [--baseline-run DIR] [--alerts FILE]
    member-report ...            # the same, as a console script

One job per file:

=================  ===========================================================================================
``cli``            command line, validation before anything runs, exit codes (0 ok, 1 a module failed, 2 bad input)
``params``         each module's parameters: type and allowed range or choices; the notebook parameters reader
``snapshot``       load once: the resolved as-of, the data summary, the validated Parquet snapshot every module reads
``runner``         papermill execution of each module, run.json
``parallel``       ``--jobs N``: modules side by side in worker processes, after the modules they read
``outputs``        :class:`ModuleOutput`, what a notebook writes (the kernel side)
``columns``        the declared columns of ``tables/member_scores.csv`` (name, dtype, unit, description)
``merge``          parts -> metrics.json, tables/, quarantine/
``html``           offline HTML export (results only, no course) and ``index.html`` (template in ``templates/``)
``fonts``          the Chinese font subset each page embeds (WOFF2 data URI)
``kpis``           the index's KPI dashboard, the baseline comparison and the alert rules (``alerts.yaml``)
``modules``        the module notebooks and their keys
``jsonio``         deterministic JSON / CSV writing
=================  ===========================================================================================

Output (``reports/<run>/``)::

    index.html               KPI dashboard (changes against --baseline-run), alerts, parameters, data summary
                             (as-of, out-of-scope rows, unrecognised columns), modules
    run.json                 parameters, statuses, timings, versions (changes every run)
    metrics.json             one key per module + "run" (parameters, resolved as-of, input fingerprint, data
                             summary) + "kpis" and "alerts"; identical on a re-run
    NN-slug.ipynb / .html    the executed notebook and its offline HTML (images embedded, no CDN script)
    tables/*.csv             UTF-8-SIG (Excel opens it); tables/member_scores.csv (+ .parquet) one row per member,
                             every declared column; tables/member_scores_columns.csv says what each column means
    quarantine/*.csv         every input row the loader rejected, one file per table, plus module quarantines
    snapshot/                the validated data every module read (Parquet, rows up to the as-of date)
"""

from .cli import build_parser, main, validate
from .columns import MEMBER_SCORE_COLUMNS
from .html import export_html, external_resources, html_exporter
from .jsonio import dump_json, to_jsonable, write_csv
from .merge import fingerprint, merge_parts
from .modules import MODULE_KEYS, Module, discover_modules, module_key
from .outputs import ModuleOutput
from .params import MODULE_PARAMETERS, SHARED_PARAMETERS, cast_value, check_value, notebook_parameters
from .runner import ModuleResult, RunPlan, run

__all__ = ["MEMBER_SCORE_COLUMNS", "MODULE_KEYS", "MODULE_PARAMETERS", "SHARED_PARAMETERS", "Module",
           "ModuleOutput", "ModuleResult", "RunPlan", "build_parser", "cast_value", "check_value",
           "discover_modules", "dump_json", "export_html", "external_resources", "fingerprint", "html_exporter",
           "main", "merge_parts", "module_key", "notebook_parameters", "run", "to_jsonable", "validate",
           "write_csv"]
