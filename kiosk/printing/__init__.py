"""The ticket printer: what a slip says (slips), where it goes (transport: the kiosk's own port; bridged: a
firmware bridge's printer over MQTT) and status-aware printing off the UI thread (service). The ESC/POS
codec and the virtual printer are the bridge's own (firmware_bridge/codecs/escpos.py,
firmware_bridge/virtual/printer.py): one of each for both ways of printing."""
