"""Virtual twins of the serial devices: the same bytes as the real ones, on socat pty pairs.

Tests script them, the benchmark times them and `make demo` shows them; the
bridge cannot tell them from hardware, which is the point.
"""
