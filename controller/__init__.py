"""The hall controller: the single writer of the queue."""
