"""``python -m analysis <command>``: one entry point for every stage.

Each command lives in its own module, which defines ``configure_parser(parser)`` and ``main(args) -> int``.
A :class:`~analysis.core.errors.UsageError` becomes a one-line message and exit code 2, never a traceback;
a filesystem error (``OSError``: a read-only or full disk, a path that is a file, no permission) one line
naming the path and exit code 1 (the writes are atomic, so nothing half-written is left); Ctrl-C exit 130.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

#: command -> (module, one-line help). Modules are imported when the parser is built.
COMMANDS: dict[str, tuple[str, str]] = {
    "sample": ("analysis.sample", "write the synthetic sample data source (deterministic)"),
    "templates": ("analysis.ingest.templates", "write blank Excel templates for the city to fill in"),
    "clean": ("analysis.ingest.cleaning", "read, clean and validate one data source for one period"),
    "evaluate": ("analysis.evaluate.evaluation", "clean if needed, then write the evaluation tables"),
    "run": (
        "analysis.publish.runner.command",
        "clean, evaluate and publish the HTML/PDF briefing of one period",
    ),
    "scorecards": ("analysis.publish.scorecards.command", "one HTML/PDF scorecard per RT, in batch"),
    "verify": ("analysis.publish.verify", "check a published report folder against its manifest"),
    "index": (
        "analysis.evaluate.index_command",
        "build a composite index from CSVs in COINr's layout (iData, iMeta)",
    ),
}


_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)")


class _Parser(argparse.ArgumentParser):
    """One-line errors (exit 2) that suggest the closest option, command or choice for a typo."""

    _argv: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        self._argv = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._defaults.get("_main") is not None:
            # a command's parser: name its own unknown options here (the top parser knows only -h)
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> None:  # one line, exit 2 (argparse would print the usage too)
        self.exit(2, f"{self.prog}: error: {message}{self._suggestion(message)}\n")

    def _suggestion(self, message: str) -> str:
        """``; did you mean …?`` for an invalid choice (a command, ``--engine``) or a mistyped option."""
        from analysis.core.errors import did_you_mean

        choice = _INVALID_CHOICE.search(message)
        if choice:
            return did_you_mean(choice["value"], re.findall(r"'([^']*)'", choice["choices"]))
        options = [o for action in self._actions for o in action.option_strings]
        unknown = [t for t in _option_tokens(self._argv) if not any(o.startswith(t) for o in options)]
        hints = [(token, did_you_mean(token, options, n=1)) for token in unknown]
        hints = [(token, hint) for token, hint in hints if hint]
        if len(hints) == 1:
            return hints[0][1]
        pairs = [
            f"{hint.removeprefix('; did you mean ').removesuffix('?')} for {token}" for token, hint in hints
        ]
        return f"; did you mean {', '.join(pairs)}?" if pairs else ""


def _option_tokens(argv: list[str]) -> list[str]:
    """The tokens of ``argv`` written as options (``--name`` or ``--name=value`` → ``--name``), up to ``--``;
    negative numbers are values."""
    tokens = []
    for token in argv:
        if token == "--":
            break
        if token.startswith("-") and not re.fullmatch(r"-\d[\d.]*", token):
            tokens.append(token.split("=", 1)[0])
    return tokens


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported (all of them when ``command`` is None).

    Importing every stage (pandas, pandera, nbconvert, ...) to build one subcommand's parser would cost a
    second at every start; the command list and its one-line help come from :data:`COMMANDS`.
    """
    parser = _Parser(prog="python -m analysis", description="Kota Jambi Bahagia analysis notebooks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if command is not None and name != command:
            continue
        module = importlib.import_module(module_name)
        p.description = (module.__doc__ or help_text).strip().splitlines()[0]
        module.configure_parser(p)
        p.set_defaults(_main=module.main)
    return parser


def describe_os_error(exc: OSError) -> str:
    """``<path>: <reason>`` for a filesystem error (both paths for a rename), or the error's text.

    >>> describe_os_error(OSError(28, "No space left on device", "/data/x.parquet"))
    '/data/x.parquet: No space left on device'
    """
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    paths = [str(exc.filename)] + ([str(exc.filename2)] if exc.filename2 else [])
    return f"{' -> '.join(paths)}: {reason}"


def main(argv: list[str] | None = None) -> int:
    from analysis.core.errors import ConfigError, UsageError

    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_main", None):
        parser.print_help()
        return 2
    try:
        return int(args._main(args) or 0)
    except (UsageError, ConfigError) as exc:
        print(f"python -m analysis {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"python -m analysis {args.command}: error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
