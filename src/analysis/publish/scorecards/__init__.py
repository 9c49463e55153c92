"""Per-RT scorecards, ``python -m analysis scorecards`` (:mod:`.command`): the batch with its cache and
publication (:mod:`.batch`), one card's execution and export (:mod:`.build`), the index page and summary
(:mod:`.pages`) and the content a card shows (:mod:`.data`). This package holds no code of its own.
"""
