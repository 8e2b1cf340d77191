"""The teacher's web page: static files served from the same service as the JSON API (same origin)."""
