"""The ticket printer: ESC/POS bytes (escpos), what a slip says (slips), where the bytes go
(transport), status-aware printing off the UI thread (service) and a virtual printer on a pty (virtual)."""
