"""The period run, ``python -m analysis run`` (:mod:`.command`): validate and plan (:mod:`.plan`), prepare,
execute and export the notebooks (:mod:`.execute`), write the manifest and publish by rename
(:mod:`.release`). Each step's module says what it does; this package holds no code of its own.
"""
