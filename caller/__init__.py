"""The window caller app (叫号器): staff log in and call, serve, transfer and pause from a touch screen or PC."""
