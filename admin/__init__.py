"""`main.py admin`: configure, inspect and report on a hall over MQTT."""
