"""`main.py simulate`: a whole hall day through the real engine and policies, in simulated time."""
