"""Human trafficking: indicator screening, HTCDS case records, and statistics safe to publish."""
