"""The Kivy side of the kiosk: one `.kv` layout and a thin widget class per screen.

Import only after `appkit.boot.prepare()`: Kivy reads its environment at import.
"""
