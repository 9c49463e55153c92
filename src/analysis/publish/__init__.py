"""Stage 3, publish: formats and labels, charts, what the notebooks say (``content``), notebook execution,
HTML/PDF export, the period run (``run``), the per-RT scorecards (``scorecards``) and their cache.

Owns: ``reports/<source>/<period>/`` (briefings, analysts' notebooks, scorecards, manifests).
May import: every earlier stage (``core``, ``ingest``, ``evaluate``).
"""
