"""What the demos, the screenshot tool, the benchmarks and the tests all need to run a hall on one machine.

A private Mosquitto on a free port (`broker`), child processes that end with
their parent (`processes`), the real controller on a thread (`controller`)
and driving and shooting Kivy screens off-screen (`screens`). It lives
outside `tests/` and `demo/` so that product code (`main.py demo`'s parts,
`python -m kiosk.shots`, bench/) can use it without importing either; it
imports neither of them itself.
"""
