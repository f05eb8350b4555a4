"""Hall screen, window screen and the voice announcer: everything that makes a call seen and heard."""
