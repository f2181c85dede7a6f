"""Cyber threat intelligence: STIX 2.1 objects, their TLP markings, and MISP events read as STIX."""
