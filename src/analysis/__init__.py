"""Kota Jambi Bahagia analysis: raw spreadsheets -> cleaned tables -> evaluation -> briefings.

One subpackage per stage; data flows one way and a stage never imports a later one (the import contract
in ``pyproject.toml``, checked by ``make lint``):

- ``core``: paths, errors, periods, the Kemendagri region reference.
- ``ingest``: the input contract and templates, readers, parsers, privacy, schemas, the data-quality gate.
- ``evaluate``: capaian, claim checks, the four-principle index.
- ``publish``: formats, labels, charts, notebook content, execution, export, the period run, scorecards.
- ``sample``: the synthetic sample data source (uses ``core`` and the contract; nothing depends on it).
"""

__version__ = "0.1.0"
