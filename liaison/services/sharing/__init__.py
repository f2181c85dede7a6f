"""Records in and out: imports, reads, the catalogue, retention, hit/no-hit and the public reference data."""
