# `make demo`: set up, start a server, align the bundled sample readout, stop the server.
# `make test`: set up and run every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed

.PHONY: demo test proto bench

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,test]'
	touch $(READY)

demo: $(READY)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(READY)
	$(BIN)/python -m pytest

proto: $(READY)
	$(BIN)/python scripts/gen_proto.py
