"""What the notebooks say, computed from the evaluation tables; the notebooks only call in here and into
:mod:`analysis.publish.charts`. One module per topic: ``load`` (the only one that touches files),
``messages`` (the briefing's key messages), ``quality_tables``, ``program_tables``, ``index_tables``, and
``common`` (escaping, labels, formatted tables). Everything a reader sees comes from the label catalogue
(``locales/{id,en}.yml``) and the Babel formats of :mod:`analysis.core.formatting`, so ``lang="en"``
gives English.
"""
