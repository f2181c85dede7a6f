"""Wildlife trafficking: the CITES species index, seizures with their routes, and trends."""
