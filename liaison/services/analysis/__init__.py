"""Networks, routes and hotspots of what a caller may read."""
