"""The workflows of one crime area each: cyber (STIX, MISP, TAXII), trafficking, wildlife."""
