# `make demo`: set up, start a server, align the bundled sample readout, stop the server.
# `make test`: set up and run every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed

.PHONY: demo test proto bench browser

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,test]'
	touch $(READY)

demo: $(READY)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(READY) browser
	$(BIN)/python -m pytest

# The HTML report test renders in headless Chromium (Debian's package) with fonts for Chinese and Arabic.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-core >/dev/null; }

proto: $(READY)
	$(BIN)/python scripts/gen_proto.py
