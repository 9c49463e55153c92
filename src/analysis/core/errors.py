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
