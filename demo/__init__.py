"""`make demo`: the whole hall on one machine, and the private broker tests use too."""
