"""The voice announcer: every event/called spoken, with a chime, from a clip cache (espeak-ng via pyttsx3)."""
