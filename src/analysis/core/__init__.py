"""Shared basics of every stage: paths and constants (``config``), errors, period codes, the Kemendagri
region reference (``reference``, ``data/``) and byte-stable workbook writing (``xlsxio``).

Owns: nothing about the data's meaning. May import: the standard library and third-party packages only.
"""
