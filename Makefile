# The two commands of a fresh machine (Python 3.11 on PATH):
#   make report   build the environment if absent, then run the full report on the default data
#   make test     build the environment if absent, then run every test (unit, notebooks, nbgrader, report)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN ?= default
PYTEST_WORKERS ?= 2

.PHONY: env report test lint release data benchmarks lock golden clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (member-analytics)" >/dev/null
	$(PY) -m helpers models
	touch $(STAMP)

env: $(STAMP)

report: $(STAMP)
	$(PY) -m helpers report --data-dir datasets/default --out reports/$(RUN)

# worksteal: the suite has a dozen minute-long tests among 900 short ones; an idle worker takes queued tests from the
# other, so neither ends alone on a report run (the default `load` scheduler hands tests out up front)
test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15

lint: $(STAMP)
	$(PY) -m ruff check helpers tests benchmarks solutions

release: $(STAMP)
	$(PY) -m helpers release

data: $(STAMP)
	$(PY) -m helpers generate --members 10000 --seed 20251231 --out datasets/default

# re-resolve requirements.lock from pyproject.toml's ranges and re-render environment.yml from it
lock: $(STAMP)
	$(PY) tools/lock.py

# rewrite tests/golden/report_default_metrics.json after an intended change (new data, a new metric)
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(PY) -m pytest -q -p no:xdist tests/test_report_runs.py -k golden

benchmarks: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports .pytest_cache
