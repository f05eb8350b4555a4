"""The touch kiosk of the hall: tickets, self-service queries, ratings and printed tickets.

Layout: `presenters/` hold every screen's logic as plain Python (no Kivy, tested
without a window); `ui/` holds the Kivy side — one `.kv` layout and a thin
widget class per screen; `printing/` is the ESC/POS ticket printer (a pure byte
encoder, the transports, a status-aware printer service and its virtual twin).
The same app runs in evaluator mode on a window's small screen.
"""
