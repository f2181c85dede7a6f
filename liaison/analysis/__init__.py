"""Analysis of what a caller may read: networks (and, later, routes, hotspots and trends)."""
