"""Every screen's logic as plain Python: no Kivy here, so each is tested without a window.

A presenter holds what its screen shows (as `Bi` pairs and plain values) and
what a touch does; its widget calls it and redraws on `changed()`. Requests
go out through the link's `send(action, fields, on_reply, key=…)` (the one
requester of contract/requester.py) and replies come back as plain dicts, on
the UI thread in the app and directly in tests.
"""
