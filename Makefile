# Witaj: two commands do all the set-up on a fresh machine (Python 3.11, make, git, a C compiler).
#   make run   start the whole platform locally (broker, database, every service, stats processor, demo city)
#   make test  install what is needed (also Debian's chromium for the browser tests) and run every test
# Dependencies are pinned in uv.lock; uv itself is pinned below and installed into .tools/.

PYTHON      ?= python3.11
UV_VERSION  := 0.13.9
TOOLS       := .tools
UV          := $(TOOLS)/bin/uv
VENV        := .venv
STAMP       := $(VENV)/.installed-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
DEBIAN_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
PROJECT_FILES := uv.lock pyproject.toml shared/pyproject.toml devkit/pyproject.toml \
                 $(wildcard services/*/pyproject.toml)

.PHONY: run test unit install browser debian-packages lint bench lock token clean help
help:
	@echo "make run    start the whole platform with a seeded demo city"
	@echo "make test   install everything and run every test"
	@echo "make unit   run the unit tier alone: handlers and domain rules on fakes, no broker or database"
	@echo "make bench  run the benchmarks (ratios against same-run baselines)"
	@echo "make token ROLE=pa_editor CITY=lublin   mint a development token"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) $(PROJECT_FILES)
	$(UV) sync --frozen --all-packages --python $(PYTHON)
	@touch $@

install: $(STAMP)

# The web app's browser tests drive Debian's Chromium (Playwright's own browser download is not used);
# the insights' PDF report is laid out by WeasyPrint, which needs Pango and a font. Installed once,
# quietly, only what is missing; where they cannot be installed the tests that need them fail and say why.
debian-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the browser and PDF tests: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get install -y -qq $$missing >/dev/null 2>&1 \
	  || { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq $$missing >/dev/null 2>&1; } \
	  || echo "could not install $$missing: the browser and PDF tests will fail"; \
	fi

browser: debian-packages

run: $(STAMP)
	$(VENV)/bin/witaj-platform

test: $(STAMP) debian-packages
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The unit tier (tests marked `unit`, in each part's tests/unit/): in-memory fakes, seconds, no infrastructure.
unit: $(STAMP)
	$(VENV)/bin/python -m pytest -m unit shared/tests/unit $(wildcard services/*/tests/unit) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP) debian-packages
	$(VENV)/bin/python -m bench

token: $(STAMP)
	$(VENV)/bin/witaj-token --role $(or $(ROLE),pa_editor) $(if $(CITY),--city $(CITY)) $(if $(ORG),--org $(ORG))

lock: $(UV)
	$(UV) lock --python $(PYTHON)

clean:
	rm -rf $(VENV) $(TOOLS) .witaj .pytest_cache
