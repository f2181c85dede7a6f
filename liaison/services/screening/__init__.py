"""The one screening pipeline and what runs on it: matching, manifests, entry decisions, watches, xref."""
