"""Pure wire codecs: bytes <-> messages, streaming parsers, checksums. No I/O, no clocks, no threads."""
