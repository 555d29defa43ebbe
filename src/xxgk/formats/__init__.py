"""Readers and writers of file formats, each walking the layout through :mod:`xxgk.layouts`."""
