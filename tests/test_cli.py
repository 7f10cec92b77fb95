"""The command line: its output format, its messages and its exit codes."""

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import linreg
from linreg import cli, plots

CASES = Path(__file__).with_name("cli_cases.py")  # runs of main in a process of their own
LINREG = Path(sys.executable).with_name("linreg")  # the console script beside this Python

EPOCH_LINE = re.compile(r"^Epoch (\d+): Loss: (\d+\.\d+(e[-+]\d+)?)$")


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_default_run_prints_the_seed_log_and_a_summary(capsys):
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    epochs = [EPOCH_LINE.match(line) for line in lines[:20]]
    assert all(epochs) and [int(m[1]) for m in epochs] == list(range(20))
    assert float(epochs[0][2]) == pytest.approx(260.25, rel=0.05)
    assert float(epochs[-1][2]) == pytest.approx(1.0, abs=0.2)
    assert lines[20] == ""
    assert lines[21].split() == ["fitted", "true", "least", "squares"]
    W_row, b_row = lines[22].split(), lines[23].split()
    assert (
        W_row[0] == "W" and W_row[2] == "3.0000" and float(W_row[1]) == pytest.approx(3.0, abs=0.3)
    )
    assert b_row[0] == "b" and b_row[2] == "0.5000"


def test_options_change_the_run(capsys):
    status, out, _ = run(
        capsys,
        "--epochs",
        "3",
        "--lr",
        "0.5",
        "--w0",
        "0",
        "--b0",
        "0",
        "--num-examples",
        "100",
        "--noise",
        "0.1",
        "--seed",
        "7",
    )
    assert status == 0
    assert [line for line in out.splitlines() if line.startswith("Epoch")][-1].startswith(
        "Epoch 2:"
    )
    # From W=b=0 the first loss is mean(y^2) ~ 3^2 + 0.5^2 + 0.1^2, not the default ~260.
    assert float(EPOCH_LINE.match(out.splitlines()[0])[2]) == pytest.approx(9.26, rel=0.3)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "0"], "--lr: lr must be a finite number > 0"),
        (["--lr", "-1"], "--lr: lr must be a finite number > 0"),
        (["--lr", "nan"], "--lr: lr must be a finite number > 0"),
        (["--lr", "inf"], "--lr: lr must be a finite number > 0"),
        (["--epochs", "-1"], "--epochs: num_epochs must be >= 0"),
        (["--num-examples", "0"], "--num-examples: num_examples must be >= 1"),
        (["--noise", "nan"], "--noise: noise must be a finite number"),
        (["--noise", "-1"], "--noise: noise is a standard deviation"),
        (["--w0", "inf"], "--w0: W must be a finite number"),
        (["--b0", "inf"], "--b0: b must be a finite number"),
        (["--seed", "-1"], "--seed: seed must be between 0 and 4294967295"),
    ],
)
def test_bad_values_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == cli.EXIT_BAD_INPUT
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"linreg: error: {message}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "abc"], "argument --lr: invalid float value: 'abc'"),
        (["--epochs", "2.5"], "argument --epochs: invalid int value: '2.5'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_unparsable_options_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == cli.EXIT_BAD_INPUT
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"linreg: error: {message}")


def test_divergence_exits_3_and_names_the_bound(capsys):
    status, out, err = run(capsys, "--lr", "1.5")
    assert status == cli.EXIT_DIVERGED
    assert out.splitlines()[0].startswith("Epoch 0: Loss: 262.")
    assert len(err.splitlines()) == 1
    assert "lr=1.5 is above the stability bound" in err and "lr < 0.99" in err


def test_one_example_still_runs(capsys):
    status, out, _ = run(capsys, "--num-examples", "1", "--epochs", "2")
    assert status == 0 and "no least-squares line" in out


def test_help_reads_well(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    out, _ = capsys.readouterr()
    assert exit_info.value.code == 0
    for text in (
        "usage: linreg",
        "--epochs N",
        "--lr LR",
        "--w0 W",
        "--b0 B",
        "--num-examples N",
        "--noise STD",
        "--seed SEED",
        "(default: 0.1)",
        "stability bound",
        "exit status",
    ):
        assert text in out


@pytest.mark.parametrize("command", [[sys.executable, "-m", "linreg"], ["linreg"]])
def test_entry_points(command):
    if command == ["linreg"]:  # the console script installed beside this interpreter
        command = [str(Path(sys.executable).with_name("linreg"))]
    result = subprocess.run([*command, "--epochs", "2"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Epoch 0: Loss: 262.")
    bad = subprocess.run([*command, "--lr", "0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_plots_writes_every_site_figure(capsys, tmp_path):
    """Into a folder it makes; that the figures are reproducible, byte for byte, is
    tests/test_site_figures.py's test (the site's, drawn by the build, are this process's)."""
    folder = tmp_path / "b" / "nested"
    status, out, _ = run(capsys, "--plots", str(folder))
    names = sorted(plots.site_figures(linreg.run()))
    assert status == 0 and f"wrote {folder / 'loss.png'}" in out
    assert sorted(p.stem for p in folder.glob("*.png")) == names
    for name in names:
        data = (folder / f"{name}.png").read_bytes()
        assert data.startswith(b"\x89PNG")
        assert b"Matplotlib" not in data and b"Software" not in data  # no version string


def test_plots_into_a_file_is_a_one_line_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run(capsys, "--plots", str(blocker / "sub"))
    assert status == cli.EXIT_BAD_INPUT and len(err.splitlines()) == 1
    assert err.startswith("linreg: error: --plots: cannot write to")


# --- the edges a new user found -------------------------------------------------------------


def test_version(capsys):
    import linreg

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"linreg {linreg.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", linreg.__version__)


def test_zero_epochs_with_plots_draws_the_start(capsys, tmp_path):
    status, out, err = run(capsys, "--epochs", "0", "--plots", str(tmp_path))
    assert status == 0 and err == "", err
    assert "Epoch" not in out and "W       16.0000" in out
    assert len(list(tmp_path.glob("*.png"))) == len(plots.site_figures(linreg.run()))  # all


def test_a_closed_pipe_ends_quietly():
    linreg_command = Path(sys.executable).with_name("linreg")
    result = subprocess.run(
        f"'{linreg_command}' --epochs 20000 | head -1",  # a log longer than a pipe holds
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout == "Epoch 0: Loss: 262.54705810546875\n"
    assert result.stderr == ""


def test_too_many_examples_for_the_memory_is_a_one_line_error(capsys, monkeypatch):
    from linreg import checks

    monkeypatch.setattr(checks, "available_memory", lambda: 10**9)  # a 1 GB machine
    status, out, err = run(capsys, "--num-examples", "100000000")
    assert status == cli.EXIT_BAD_INPUT and out == "" and len(err.splitlines()) == 1
    assert err.startswith(
        "linreg: error: --num-examples: num_examples=100000000 needs about 2 GB for this "
        "run, and this machine has 1 GB available: pass fewer examples, such as 10000000."
    )


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--noise", "1e20"], "--noise"),
        (["--noise", "1e300"], "--noise"),
        (["--w0", "1e30"], "--w0"),
        (["--b0", "1e30"], "--b0"),
        (["--b0", "nan"], "--b0"),
        (["--lr", "1e-300"], "--lr"),
        (["--lr", "1e-12"], "--lr"),
    ],
)
def test_values_that_cannot_train_name_their_option(capsys, argv, option):
    status, out, err = run(capsys, *argv)
    assert status == cli.EXIT_BAD_INPUT and out == "" and len(err.splitlines()) == 1, err
    assert err.startswith(f"linreg: error: {option}: ")


def test_an_empty_plots_folder_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "--plots", "")
    assert status == cli.EXIT_BAD_INPUT
    assert "--plots" in err
    assert list(tmp_path.iterdir()) == []


def test_plots_of_many_examples_draw_a_bounded_sample():
    import linreg
    from linreg.plots import MAX_POINTS, site_figures

    result = linreg.run(linreg.Settings(num_examples=200_000, num_epochs=2))
    for name in ["data", "before-training", "after-training"]:
        figure = site_figures(result)[name]()
        scatters = figure.axes[0].collections
        assert all(len(points.get_offsets()) == MAX_POINTS for points in scatters), name
        assert f"{MAX_POINTS:,} of 200,000 shown" in figure.alt


def test_every_argument_the_library_names_has_an_option_or_is_data():
    import dataclasses

    import linreg

    fields = {field.name for field in dataclasses.fields(linreg.Settings)}
    renamed = {"W": "W0", "b": "b0"}
    assert {renamed.get(name, name) for name in cli.OPTIONS} <= fields


def test_negative_values_in_any_notation_are_values(capsys):
    status, out, err = run(capsys, "--w0", "-1e1", "--b0", "-.5", "--epochs", "2")
    assert status == 0, err
    assert "W     -10.0000" not in out  # trained: two steps moved W from -10
    assert run(capsys, "--b0", "-inf")[2].startswith("linreg: error: --b0: b must be a finite")


def test_a_plots_path_that_is_a_file_fails_before_training(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, out, err = run(capsys, "--plots", str(blocker))
    assert status == cli.EXIT_BAD_INPUT and out == ""  # no training log: nothing was run
    assert err.startswith("linreg: error: --plots: cannot write to")


def test_the_log_is_printed_as_training_runs(capsys, monkeypatch):
    from linreg import training

    seen = []
    real_train = training.train

    def watching_train(*args):
        for record in real_train(*args):
            seen.append(capsys.readouterr().out.count("Epoch"))  # lines printed so far
            yield record

    monkeypatch.setattr(training, "train", watching_train)
    assert cli.main(["--epochs", "4"]) == 0
    assert seen == [0, 1, 1, 1]  # each epoch's line is out before the next step runs


def test_ctrl_c_ends_quietly_with_130(capsys, monkeypatch):
    from linreg import experiment

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(experiment, "run", interrupted)
    status, _, err = run(capsys)
    assert status == cli.EXIT_INTERRUPTED and err.strip() == "linreg: interrupted"


def test_a_full_disk_is_one_line():
    command = Path(sys.executable).with_name("linreg")
    result = subprocess.run(
        f"'{command}' > /dev/full", shell=True, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == cli.EXIT_FAILED
    assert result.stderr == "linreg: error: cannot write the output: No space left on device\n"


def test_the_summary_keeps_its_columns_apart_for_large_values(capsys):
    status, out, _ = run(capsys, "--noise", "1e17", "--epochs", "2")
    assert status == 0
    W_row = out.splitlines()[out.splitlines().index("") + 2]
    assert len(W_row.split()) == 4, W_row


def test_a_run_that_has_not_converged_says_so(capsys):
    status, out, _ = run(capsys, "--lr", "0.99")
    assert status == 0 and "note: training has not converged" in out
    assert "note" not in run(capsys)[1]  # the seed's run has (to 1%) converged


def test_starting_at_the_optimum_is_not_an_error(capsys):
    import linreg

    data = linreg.make_data()
    W, b = linreg.least_squares(data.X, data.y)
    status, _, err = run(capsys, "--w0", repr(W), "--b0", repr(b))
    assert status == 0 and err == "", err
    status, _, err = run(capsys, "--noise", "0", "--w0", "3.0000003", "--b0", "0.5")
    assert status == 0 and err == "", err


# --- nothing half-done, nothing swallowed -----------------------------------------------------


def figures_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.png") if not p.name.startswith("."))


@pytest.fixture(scope="module")
def all_figures() -> int:
    return len(plots.site_figures(linreg.run()))


def test_ctrl_c_swallowed_in_a_gc_callback_still_stops_the_run(tmp_path, all_figures):
    # Python swallows a KeyboardInterrupt raised in a gc callback ("Exception ignored")
    folder = tmp_path / "figures"
    result = subprocess.run(
        [sys.executable, str(CASES), "ctrl-c-in-a-gc-callback", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == cli.EXIT_INTERRUPTED, result.stderr[-3000:]
    assert result.stderr == "\nlinreg: interrupted\n"
    assert 1 <= len(figures_in(folder)) < all_figures  # it stopped between two figures
    assert "wrote" not in result.stdout


@pytest.mark.parametrize("written", [0, 6])  # in training, among the figures
def test_ctrl_c_at_any_moment_of_a_plots_run_stops_it(tmp_path, all_figures, written):
    """Ctrl-C from outside once the log has begun and `written` figures are out."""
    folder = tmp_path / "figures"
    command = [sys.executable, "-u", "-m", "linreg", "--epochs", "2", "--plots", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("Epoch 0:")  # main is running
        while len(figures_in(folder)) < written and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    if process.returncode == 0:  # it had finished
        assert len(figures_in(folder)) == all_figures and err == ""
    else:
        assert process.returncode == cli.EXIT_INTERRUPTED, err[-3000:]
        assert err == "\nlinreg: interrupted\n"
        assert len(figures_in(folder)) < all_figures and "wrote" not in out


@pytest.mark.parametrize(
    ("closed", "said_on", "message"),
    [
        (">&-", "stderr", "linreg: error: standard output is closed, so the log would be lost"),
        ("2>&-", "stdout", "linreg: error: standard error is closed, so any error would be lost"),
    ],
    ids=["stdout", "stderr"],
)
def test_a_closed_standard_output_or_error_is_refused_before_training(
    tmp_path, closed, said_on, message
):
    # Python starts with sys.stdout (or sys.stderr) None, and print() prints nothing there.
    folder = tmp_path / "figures"
    result = subprocess.run(
        f"'{LINREG}' --plots '{folder}' {closed}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == cli.EXIT_FAILED
    said = getattr(result, said_on)
    assert said.startswith(message) and said.count("\n") == 1, said[-3000:]
    assert "/dev/null" in said  # the fix
    assert not folder.exists()  # refused before anything else


@pytest.mark.parametrize("folder", ["/proc", "/proc/figures", "/sys/figures"])
def test_a_plots_folder_that_cannot_be_written_is_refused_before_training(capsys, folder):
    status, out, err = run(capsys, "--plots", folder)
    assert status == cli.EXIT_BAD_INPUT and out == ""  # no log: nothing was trained
    assert err.startswith(f"linreg: error: --plots: cannot write to {folder}: ")
    assert len(err.splitlines()) == 1 and "pass a folder you can write to" in err


def test_a_refused_run_leaves_no_plots_folder_behind(capsys, tmp_path):
    folder = tmp_path / "new" / "figures"
    status, _, err = run(capsys, "--lr", "0", "--plots", str(folder))
    assert status == cli.EXIT_BAD_INPUT and err.startswith("linreg: error: --lr: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"settings": {"lr": 0.5}}, "settings"),
        ({"settings": None}, "settings"),
        ({"distributed": 1}, "distributed"),
        ({"distributed": "no"}, "distributed"),
        ({"distributed": True}, "distributed"),  # no process group: torchrun starts one
    ],
)
def test_the_run_refuses_bad_arguments_on_entry(arguments, named, monkeypatch):
    from linreg import experiment

    def no_work(*args, **kwargs):
        raise AssertionError("run did work before refusing")

    monkeypatch.setattr(experiment, "make_data", no_work)
    with pytest.raises(linreg.ArgumentError) as error:
        linreg.run(**arguments)
    assert error.value.argument == named and named in str(error.value)
