# The two commands of the README: `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup demo test bench bench-bridge bench-calls bench-web clean

setup:
	@scripts/setup.sh

demo: setup
	$(PY) main.py demo

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/controller.py

bench-bridge: setup
	$(PY) bench/bridge.py

bench-calls: setup
	$(PY) bench/calls.py

bench-web: setup
	$(PY) bench/web.py

clean:
	rm -rf .venv .pytest_cache .hypothesis
