"""Exceptions shared by every stage.

``UsageError`` is a user's mistake on the command line (unknown period, missing folder): the CLI prints
its message on one line and exits 2, never a traceback. ``InputFileError`` is a whole input file that
cannot be read (not a spreadsheet, missing sheet or column): the cleaning run reports it and goes on.
``ConfigError`` is a configuration file (YAML) that is wrong: its message names the file and the key.
"""


class AnalysisError(Exception):
    """Base class for the project's own errors."""


class UsageError(AnalysisError):
    """Bad command-line arguments: exit code 2 with a one-line message."""


class InputFileError(AnalysisError):
    """A whole input file is unusable; the message names the file and what is wrong."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ConfigError(AnalysisError):
    """A configuration file is invalid; the message names the file and the key."""


def did_you_mean(value: str, candidates, n: int = 3) -> str:
    """``"; did you mean X?"`` for the closest of ``candidates`` to a mistyped ``value`` (difflib ratio
    ≥ 0.6, the closest first), or ``""`` when none is close: appended to a one-line usage error.

    >>> did_you_mean("--perod", ["--period", "--processed", "--raw"])
    '; did you mean --period or --processed?'
    >>> did_you_mean("--perod", ["--period", "--processed", "--raw"], n=1)
    '; did you mean --period?'
    >>> did_you_mean("rum", ["run", "sample"])
    '; did you mean run?'
    >>> did_you_mean("zzz", ["run", "sample"])
    ''
    """
    import difflib

    close = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=n, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {' or '.join(close)}?"
