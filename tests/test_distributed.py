"""Data-parallel training (linreg.distributed): 2 processes on 127.0.0.1 over gloo follow
the single-process run, on even and uneven shards, by hand and with DDP; so does
`torchrun -m linreg`; and a process that fails or hangs stops every process, with an
error that says which, instead of hanging the tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT

import linreg
from linreg import distributed

LR, EPOCHS = 0.1, 20
UNEVEN = [0, 137, 1000]  # 137 examples in one shard, 863 in the other


@pytest.fixture
def importable_cases(monkeypatch):
    """The launched processes import tests/distributed_cases.py."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))
    import distributed_cases

    return distributed_cases


@pytest.fixture(scope="module")
def single():
    data = linreg.make_data()
    history = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=LR, num_epochs=EPOCHS)
    return data, history


def test_two_processes_follow_the_single_process_run(importable_cases, single):
    data, history = single
    ranks = distributed.launch(importable_cases.every_way, 2, data.X, data.y, LR, EPOCHS, UNEVEN)
    assert ranks[0] == ranks[1]  # every process holds the same model after every step
    for way, (log, W, b) in ranks[0].items():
        losses, Ws, bs = zip(*log, strict=True)
        assert losses == pytest.approx(history.losses, rel=1e-6), way
        assert Ws == pytest.approx(history.Ws, rel=1e-6) and bs == pytest.approx(
            history.bs, rel=1e-6
        )
        assert (W, b) == pytest.approx((history.W, history.b), rel=1e-6), way


def test_shards_cover_every_example_once():
    for n, world in [(1000, 2), (7, 3), (2, 2), (10, 4)]:
        parts = [distributed.shard(n, rank, world) for rank in range(world)]
        assert [i for part in parts for i in range(n)[part]] == list(range(n))
        sizes = [part.stop - part.start for part in parts]
        assert max(sizes) - min(sizes) <= 1, (n, world, sizes)


def no_process_left(marker: str) -> bool:
    """Whether no child of this process has `marker` in its command line (other tests'
    pages may be launching processes of their own meanwhile)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as status:
                parent = next(int(line.split()[1]) for line in status if line.startswith("PPid:"))
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read()
        except (OSError, StopIteration):
            continue
        if parent == os.getpid() and marker.encode() in command:
            return False
    return True


def test_a_failing_process_stops_all_and_says_which(importable_cases):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"process 1 of 2 failed") as error:
        distributed.launch(importable_cases.fails_on_rank_one, 2, timeout=60)
    assert "ValueError: a shard that cannot be read" in str(error.value)
    assert time.monotonic() - start < 30  # not the collective's 60 s timeout
    assert no_process_left("spawn_main")


def test_a_hanging_process_is_stopped_after_the_timeout(importable_cases):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"processes \[.*\] of 2 had not finished after 8 s"):
        distributed.launch(importable_cases.hangs_on_rank_one, 2, timeout=8)
    assert time.monotonic() - start < 20
    assert no_process_left("spawn_main")


def test_fit_distributed_needs_a_process_group():
    data = linreg.make_data(num_examples=10)
    with pytest.raises(linreg.ArgumentError, match="torchrun") as error:
        linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, distributed=True)
    assert error.value.argument == "distributed"


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


EPOCH = re.compile(r"^Epoch (\d+): Loss: (\S+)$", re.MULTILINE)


def torchrun(
    folder: Path, *options: str, program: tuple[str, ...] = ("-m", "linreg")
) -> tuple[subprocess.CompletedProcess, bool]:
    """`torchrun --standalone --nproc-per-node 2 -m linreg OPTIONS` (or PROGRAM OPTIONS),
    its temporary files in `folder`; and whether any of its processes was left running."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    run = subprocess.Popen(
        [*launcher, "--nproc-per-node", "2", *program, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(folder)},  # its logs' folders, not the machine's
    )
    try:
        out, err = run.communicate(timeout=180)
    finally:
        left = group_alive(run.pid)
        if left or run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(run.args, run.returncode, out, err), left


def test_torchrun_runs_the_command_line_on_two_processes(tmp_path):
    options = ["--epochs", "8", "--num-examples", "999"]  # uneven shards: 500 and 499
    single = subprocess.run(
        [sys.executable, "-m", "linreg", *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result, left = torchrun(tmp_path, *options)
    assert not left, "torchrun's processes were still running after it exited"
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    expected = [(int(e), float(v)) for e, v in EPOCH.findall(single.stdout)]
    got = [(int(e), float(v)) for e, v in EPOCH.findall(out)]  # rank 0 prints, once
    assert [e for e, _ in got] == [e for e, _ in expected] == list(range(8))
    assert [v for _, v in got] == pytest.approx([v for _, v in expected], rel=1e-6)
    assert out.split("\n\n", 1)[1] == single.stdout.split("\n\n", 1)[1]  # the summary


def test_a_launched_function_may_print(importable_cases, capfd):
    ranks = distributed.launch(importable_cases.prints_its_rank, 2)
    assert ranks == [{"rank": 0, "world": 2}, {"rank": 1, "world": 2}]
    out = capfd.readouterr().out
    assert "process 0 says hello" in out and "process 1 says hello" in out


def test_a_launched_function_may_print_and_return_more_than_a_pipe_holds(importable_cases):
    code = (
        "import distributed_cases\nfrom linreg import distributed\n"
        "ranks = distributed.launch(distributed_cases.prints_a_lot, 2, timeout=60)\n"
        "print('returned', [(len(value), value[0]) for value in ranks])"
    )
    result = subprocess.run(  # standard output a pipe: what fills it must not stop a process
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout  # the processes' lines may interleave, but every character comes out
    # what they return, larger than a pipe holds, comes back (read while they run)
    assert out.endswith(f"\nreturned [({2**20}, 0), ({2**20}, 1)]\n"), out[-300:]
    for rank in (0, 1):
        assert f"{rank} by sys.stdout\n" in out and f"{rank} by its file descriptor\n" in out
    assert out.count(importable_cases.LINE) == 2 * importable_cases.LINES


def test_a_failure_with_a_long_message_is_reported(importable_cases):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"process 1 of 2 failed") as error:
        distributed.launch(importable_cases.fails_at_length, 2, timeout=30)
    assert str(error.value).rstrip().endswith("x" * 100)  # the end of its traceback
    assert time.monotonic() - start < 20  # not the 30 s timeout
    assert no_process_left("spawn_main")


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"world_size": 0}, "world_size"),
        ({"world_size": -2}, "world_size"),
        ({"world_size": 1.5}, "world_size"),
        ({"world_size": True}, "world_size"),
        ({"world_size": 2, "timeout": 0}, "timeout"),
        ({"world_size": 2, "timeout": float("nan")}, "timeout"),
        ({"world_size": 2, "timeout": "60"}, "timeout"),
    ],
)
def test_launch_refuses_bad_counts_and_timeouts_before_starting_anything(arguments, named):
    world_size = arguments.pop("world_size")
    with pytest.raises(linreg.ArgumentError) as error:
        distributed.launch(distributed.fit_shard, world_size, **arguments)
    assert error.value.argument == named
    assert no_process_left("spawn_main")


def test_a_function_the_processes_cannot_import_is_refused_at_once():
    def local(rank):
        return rank

    with pytest.raises(linreg.ArgumentError, match="define it in a module") as error:
        distributed.launch(local, 2)
    assert error.value.argument == "function"
    with pytest.raises(linreg.ArgumentError, match="cannot be imported there"):
        distributed.launch(lambda: None, 2)


def test_bounds_that_do_not_cut_the_data_into_one_shard_per_process_fail():
    distributed.check_bounds(100, 2, [0, 37, 100])
    distributed.check_bounds(100, 2, [0, 0, 100])  # an empty shard is a shard
    for bounds in ([0, 137, 1000], [0, 100], [5, 50, 100], [0, 70, 60], [0, 60, 40, 100]):
        with pytest.raises(ValueError, match=r"bounds=.* must cut the 100 examples into 2"):
            distributed.check_bounds(100, 2, bounds)


def test_bad_bounds_fail_the_launch_and_say_why():
    data = linreg.make_data(num_examples=100)
    with pytest.raises(RuntimeError, match=r"ArgumentError: bounds=\[0, 137, 1000\] must cut"):
        distributed.launch(
            distributed.fit_shard, 2, data.X, data.y, 0.1, 1, 16.0, 10.0, [0, 137, 1000]
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--lr", "-1"], "linreg: error: --lr: lr must be a finite number > 0"),
        (["--num-examples", "1"], "linreg: error: --num-examples: 1 examples cannot be shared"),
    ],
)
def test_under_torchrun_a_bad_option_or_shard_is_one_line_and_exit_2(options, message, tmp_path):
    assert_one_refusal(*torchrun(tmp_path, *options), message)


def assert_one_refusal(result: subprocess.CompletedProcess, left: bool, message: str) -> None:
    """torchrun's processes all stopped before training, with `message` said once, and
    exit status 2."""
    assert not left
    assert "Epoch" not in result.stdout, result.stdout[-3000:]
    output = result.stdout + result.stderr
    assert output.count("linreg: error:") == 1 and message in output, output[-3000:]
    # no process's traceback: neither the cause's nor a peer's that lost its connection
    assert "Connection closed" not in output and "[rank" not in output, output[-3000:]
    assert "/linreg/" not in output, output[-3000:]
    # the first process to end exits 2, and torchrun says so (its own exit status is 1; it
    # stops the other process as soon as one has failed)
    root_cause = output.split("Root Cause", 1)[1]
    assert re.search(r"exitcode\s*:\s*2\b", root_cause), output[-3000:]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            ["options-in-process", "1", "--lr", "abc"],
            "linreg: error: argument --lr: invalid float value: 'abc' (in process 1) "
            "(see linreg --help)\n",
        ),
        (
            ["options-in-process", "1", "--epochs", "3"],
            "linreg: error: --epochs: process 1 was given 3, and process 0 20: give every "
            "process the same options.\n",
        ),
        (
            ["options-in-process", "0", "--plots", "/proc"],
            "linreg: error: --plots: cannot write to /proc: ",
        ),
        (
            ["little-memory-in-process", "1", "--num-examples", "100000"],
            "linreg: error: --num-examples: num_examples=100000 needs about 0.002 GB for this "
            "run, and this machine has 0.001 GB available: pass fewer examples, such as "
            "10000. (in process 1)\n",
        ),
    ],
    ids=["argparse", "other-settings", "plots", "memory"],
)
def test_under_torchrun_a_refusal_in_one_process_is_one_line_and_exit_2(case, message, tmp_path):
    """Each machine of a torchrun group has its own command line (and memory): what one
    process refuses, all refuse, and process 0 says it, naming the process."""
    program = (str(ROOT / "tests" / "cli_cases.py"),)
    assert_one_refusal(*torchrun(tmp_path, *case, program=program), message)
