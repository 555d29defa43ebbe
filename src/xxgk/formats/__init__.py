"""Readers and writers of file formats, each walking the layout through :mod:`xxgk.layouts`."""

SCHEMA_FILE = "xxgk-schema.json"  # the JSON Schema that `xxgk init` points editors at
