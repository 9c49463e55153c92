"""Stage 2, evaluate: capaian against targets (``achievement``), the public claims (``claims``), the
four-principle index (``principles``) and the stage's entry point (``evaluation``).

Owns: the evaluation tables and ``evaluation.json`` next to the cleaned tables.
May import: ``analysis.core`` and ``analysis.ingest`` (to clean when needed). Never ``publish``.
"""
