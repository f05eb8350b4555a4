# The two commands of the README: `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: setup demo test bench bench-bridge bench-calls bench-web openapi clean

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

# the integration API's schema, checked in (docs/integration.md); tests/test_web_api.py holds it to the app
openapi: setup
	$(PY) -m web.api --openapi docs/openapi.json

clean:
	rm -rf .venv .pytest_cache .hypothesis
