"""Inputs: region tables, scenario files (schema, validation, resolution) and observed statistics."""
