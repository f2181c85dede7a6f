"""Human trafficking: case files, published statistics and first responders' indicator screenings."""
