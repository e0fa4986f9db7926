# Two commands do all the set-up on a fresh machine (Debian, Python >= 3.10):
#   make demo   trains an MLP on two moons and writes its pictures (creates .venv, installs Graphviz)
#   make test   runs the whole test suite, ruff and mypy (creates .venv, installs Graphviz)
#   make quick  the everyday loop: every test but the slow and browser ones, few examples
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= demo-output
# The tests run in two processes (pytest-xdist), each test file in one of them.
WORKERS ?= 2
XDIST  := -n $(WORKERS) --dist loadfile

.PHONY: demo test pytest quick lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.demo: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[demo]"
	touch $@

$(VENV)/.dev: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.demo
	@bash .ci/ensure-graphviz
	$(PY) -m nn.demo --out $(OUT)

test: pytest lint

pytest: $(VENV)/.dev
	@bash .ci/ensure-graphviz
	@bash .ci/ensure-browser
	HYPOTHESIS_PROFILE="$${HYPOTHESIS_PROFILE:-ci}" $(PY) -m pytest $(XDIST)

quick: $(VENV)/.dev
	@bash .ci/ensure-graphviz
	$(PY) -m pytest $(XDIST) -m "not slow and not browser"

lint: $(VENV)/.dev
	$(PY) -m ruff check engine nn tests benchmarks
	$(PY) -m mypy

bench: $(PY)
	$(PY) -m pip install --quiet -e . -r benchmarks/requirements.txt
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache .hypothesis
