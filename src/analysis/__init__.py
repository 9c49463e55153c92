"""Kota Jambi Bahagia analysis: raw spreadsheets -> cleaned tables -> evaluation -> briefings.

Stages (data flows one way, no module imports a later stage):

1. ``contract``, ``reference``, ``periods``: what the city sends in, the Kemendagri regions, period codes.
2. ``sample``, ``templates``: the synthetic sample data source and blank Excel templates for the city.
3. ``readers``, ``parsing``, ``privacy``, ``schemas``, ``cleaning``: the data-quality gate.
4. ``achievement``, ``claims``, ``principles``, ``evaluation``: capaian, claim checks, the four-principle index.
5. ``formatting``, ``i18n``, ``charts``, ``export``, ``runner``, ``scorecards``: briefings.
"""

__version__ = "0.1.0"
