"""The touch kiosk of the hall: tickets, self-service queries, ratings and printed tickets.

Layout: `presenters/` hold every screen's logic as plain Python (no Kivy, tested
without a window); `ui/` holds the Kivy side — one `.kv` layout and a thin
widget class per screen; `printing/` is the ticket printer (the slips, the
transports to its own port or a firmware bridge, a status-aware printer service).
The same app runs in evaluator mode on a window's small screen.
"""
