"""One presenter per page: plain functions of the hall mirror, the visitor's preferences and the
request's few inputs, returning the plain dict its template shows — every text already in the
visitor's language, every choice already made, so templates only place values. Tested without a
server or a browser."""
