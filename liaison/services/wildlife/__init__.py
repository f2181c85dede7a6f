"""Wildlife crime: seizures, the CITES species index and CITES trade records."""
