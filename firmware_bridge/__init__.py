"""The firmware bridge: serial keypads, evaluators, LED screens, printers and ID readers as MQTT devices.

Layers, from the wire up (docs/devices.md):
- `codecs/`: pure modules, bytes <-> messages, one per wire protocol, no I/O;
- `transport.py`: owns one pyserial port, hands bytes to the bridge loop, reopens it when it vanishes;
- `drivers/`: one class per protocol, turning frames into contract actions and hall state into frames;
- `bridge.py`: the loop that owns the drivers, the MQTT session and the controller requests;
- `virtual/`: twins of every device speaking the same bytes on socat pty pairs.
"""
