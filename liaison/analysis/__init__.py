"""Analysis of what a caller may read: networks, routes and hotspots (trends come later)."""
