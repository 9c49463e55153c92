"""The command line (``analysis.cli``): one-line usage errors with suggestions for typos, list options given
in every usual way, and one meaning of ``--processed`` (the processed data root) for every command."""

import pytest

from analysis import cli
from analysis.core import config

SAMPLE = config.SAMPLE_SOURCE


def _error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["rum"], "invalid choice: 'rum'", id="unknown_command"),
        pytest.param(
            ["clean", "--raw", str(SAMPLE), "--perod", "2025-TW2"],
            "the following arguments are required: --period; did you mean --period?",
            id="mistyped_required_option",
        ),
        pytest.param(
            ["clean", "--raw", str(SAMPLE), "--period", "2025-TW2", "--no-feedbak"],
            "unrecognized arguments: --no-feedbak; did you mean --no-feedback?",
            id="mistyped_flag",
        ),
        pytest.param(
            ["run", "--raw", str(SAMPLE), "--period", "2025-TW2", "--jbos=3", "--qiet"],
            "unrecognized arguments: --jbos=3 --qiet; did you mean --jobs for --jbos, --quiet for --qiet?",
            id="two_mistyped_options",
        ),
        pytest.param(
            ["run", "--raw", str(SAMPLE), "--period", "2025-TW2", "--engine", "inproces"],
            "invalid choice: 'inproces' (choose from 'inprocess', 'papermill'); did you mean inprocess?",
            id="mistyped_choice",
        ),
    ],
)
def test_typos_get_a_suggestion(capsys, argv, expected):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    line = _error_line(capsys)
    assert expected in line
    if argv == ["rum"]:
        assert line.endswith("; did you mean run?")


def test_no_suggestion_when_nothing_is_close(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["clean", "--raw", str(SAMPLE), "--period", "2025-TW2", "--zzzzzz", "-1"])
    assert exc.value.code == 2
    assert _error_line(capsys).endswith("unrecognized arguments: --zzzzzz -1")


def _scorecard_options(*extra: str):
    from analysis.publish.scorecards.command import options_from_args

    args = cli.build_parser("scorecards").parse_args(
        ["scorecards", "--raw", str(SAMPLE), "--period", "2025-TW4", *extra]
    )
    return options_from_args(args)


@pytest.mark.parametrize(
    "rt_args",
    [
        pytest.param(["--rt", "A", "B", "C"], id="one_option_three_values"),
        pytest.param(["--rt", "A", "--rt", "B", "--rt", "C"], id="repeated_option"),
        pytest.param(["--rt", "A,B", "--rt", "C"], id="comma_list"),
        pytest.param(["--rt", "A", "B", "--rt", "C", "--rt", "A"], id="mixed_with_a_duplicate"),
    ],
)
def test_scorecards_rt_accepts_every_list_form(rt_args):
    assert _scorecard_options(*rt_args).rts == ("A", "B", "C")


def test_scorecards_without_rt_means_every_rt():
    assert _scorecard_options().rts == ()


@pytest.mark.parametrize("command", ["run", "scorecards"])
@pytest.mark.parametrize(
    ("format_args", "expected"),
    [
        pytest.param([], ("html", "pdf"), id="default"),
        pytest.param(["--formats", "html"], ("html",), id="one"),
        pytest.param(["--formats", "html", "--formats", "pdf"], ("html", "pdf"), id="repeated"),
        pytest.param(["--formats", "pdf", "html"], ("pdf", "html"), id="two_values"),
        pytest.param(["--formats", "html,pdf"], ("html", "pdf"), id="comma_list"),
    ],
)
def test_formats_accepts_every_list_form(command, format_args, expected):
    import importlib

    module = importlib.import_module(cli.COMMANDS[command][0])
    args = cli.build_parser(command).parse_args(
        [command, "--raw", str(SAMPLE), "--period", "2025-TW4", *format_args]
    )
    assert module.options_from_args(args).formats == expected


@pytest.mark.parametrize("command", ["clean", "evaluate", "run", "scorecards"])
def test_processed_is_the_root_for_every_command(command, tmp_path, capsys):
    """The same habit-passed period folder gives the same one-line usage error in every command, and
    nothing is written into it."""
    root = tmp_path / "processed"
    period_folder = root / "sample" / "2025-TW4"
    period_folder.mkdir(parents=True)
    argv = [command, "--raw", str(SAMPLE), "--period", "2025-TW4", "--processed", str(period_folder)]
    assert (
        cli.main([*argv, "--out", str(tmp_path / "out")] if command in ("run", "scorecards") else argv) == 2
    )
    line = _error_line(capsys)
    assert line == (
        f"python -m analysis {command}: error: --processed is the processed data root (the period folder is "
        f"<root>/<source>/<period>/), not a period folder: pass --processed {root} (not {period_folder})"
    )
    assert list(period_folder.iterdir()) == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["clean", "evaluate", "run", "scorecards"])
def test_processed_help_says_root(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--processed ROOT processed data root" in help_text and "ROOT/<source>/<period>/" in help_text
