"""The MQTT contract (v1) shared by every process: topics, payload models, errors, the client."""
