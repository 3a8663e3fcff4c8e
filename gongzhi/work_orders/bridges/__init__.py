"""Bridges to other systems: the 12345 hotline files and Open311 GeoReport v2."""
