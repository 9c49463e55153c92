"""Stage 1, read and clean: the input contract, the blank templates, the readers, the Indonesian value
parsers, personal-data masking, the cleaned tables' schemas and the data-quality gate (``cleaning``).

Owns: ``data/processed/<source>/<period>/`` cleaned tables, ``rejected_rows.csv``, ``quality.json``.
May import: ``analysis.core``. Never ``evaluate`` or ``publish``.
"""
