"""Cyber intelligence: correlation of observables, STIX export and TAXII collections."""
