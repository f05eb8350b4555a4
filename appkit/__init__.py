"""What every Kivy app of the hall shares: start-up, the CJK font, the MQTT link, the look.

Import `appkit.boot` and call `prepare()` before anything imports kivy.
"""
