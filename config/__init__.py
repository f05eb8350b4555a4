"""Hall configuration: the files, their schema and the rules for changing them live."""
