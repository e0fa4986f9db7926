"""The demo command: trains, reports, and writes its pictures (fast mode)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import nn.demo

ROOT = Path(__file__).resolve().parent.parent


def _demo(out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """``python -m nn.demo --out OUT --fast FLAGS...``, run to its end."""
    result = subprocess.run(
        [sys.executable, "-m", "nn.demo", "--out", str(out), "--fast", *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The demo command run once, as a reader runs it: its folder and its result."""
    out = tmp_path_factory.mktemp("demo") / "demo out"
    return out, _demo(out)


@pytest.mark.slow
def test_demo_command_writes_its_files(demo_run: tuple[Path, Any]) -> None:
    out, result = demo_run
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == str(out.resolve())                   # the folder's path, last
    found = re.search(r"final loss (\d+\.\d+), accuracy (\d+)% \((\d+)/100\)", result.stdout)
    assert found, result.stdout
    loss, percent, right = float(found[1]), int(found[2]), int(found[3])
    assert percent == right and right >= 80 and 0 < loss < 1.0
    assert "20 steps" in result.stdout                        # --fast
    assert "fit: 100%" in result.stderr and "loss=" in result.stderr   # the progress bar

    png_magic = b"\x89PNG\r\n\x1a\n"
    for name in ("decision_boundary.png", "training.png"):
        data = (out / name).read_bytes()
        assert data[:8] == png_magic and len(data) > 5000, name
    svg = (out / "neuron.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    texts = re.findall(r">([^<]*)</text>", svg)
    for label in ("w0", "w1", "x0", "x1", "b", "w0·x0", "w1·x1", "z", "a", "ReLU"):
        assert label in texts, label
    # x0's gradient is w0's number and w0's gradient is x0's: the graph was backpropagated.
    assert texts[texts.index("w0") + 1].replace("data", "grad") == texts[texts.index("x0") + 2]


@pytest.mark.slow
def test_demo_says_how_to_install_what_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)          # makes `import sklearn` fail
    assert nn.demo.main(["--out", str(tmp_path / "never")]) == 1
    err = capsys.readouterr().err
    assert "scikit-learn and matplotlib" in err and "pip install -e '.[demo]'" in err
    assert not (tmp_path / "never").exists()


@pytest.mark.slow   # imports scikit-learn (about 2 s); the demo command above uses the same data
def test_demo_data_and_model_match_micrograds_setting() -> None:
    X, y = nn.demo.two_moons()
    assert len(X) == len(y) == 100 and all(len(x) == 2 for x in X)
    assert sorted(set(y)) == [-1, 1] and y.count(1) == 50
    assert nn.demo.two_moons() == (X, y)                      # a fixed random_state
    model, history = nn.demo.train(X[:10], y[:10], steps=2, progress=False)
    assert len(model.parameters()) == 337 and len(history["loss"]) == 2


def test_the_compiled_demo_trains_the_same_model_to_the_last_bit() -> None:
    X = [[0.1 * k - 0.5, 0.3 - 0.07 * k] for k in range(12)]
    y = [1 if k % 3 else -1 for k in range(12)]
    plain, plain_history = nn.demo.train(X, y, steps=4, progress=False)
    compiled, compiled_history = nn.demo.train(X, y, steps=4, progress=False, compile=True)
    assert [p.data.hex() for p in compiled.parameters()] == [
        p.data.hex() for p in plain.parameters()]
    assert compiled_history["loss"] == plain_history["loss"]
    assert "accuracy" in plain_history and "accuracy" not in compiled_history


@pytest.mark.slow
def test_demo_command_with_compile_gives_the_same_result(tmp_path: Path,
                                                         demo_run: tuple[Path, Any]) -> None:
    runs = [demo_run[1], _demo(tmp_path / "compiled", "--no-progress", "--compile")]
    finals = [re.search(r"final loss .*?\)", run.stdout) for run in runs]
    assert finals[0] and finals[1] and finals[0][0] == finals[1][0]
    assert "compiled by engine.compile" in runs[1].stdout
    picture = (tmp_path / "compiled" / "training.png").read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"


# --- bad arguments: argparse-style errors (exit status 2, one line), no traceback --------

def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        nn.demo.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("usage: python -m nn.demo")
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("seed", ["-1", str(2**32), "99999999999", "abc", "1.5", ""])
def test_demo_refuses_a_seed_outside_what_make_moons_takes(
        seed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "never"
    line = refused(["--fast", "--seed", seed, "--out", str(out)], capsys)
    assert line == (f"python -m nn.demo: error: argument --seed: must be a whole number in "
                    f"0..4294967295, got {seed!r}")
    assert not out.exists()                       # refused before anything was made


def test_demo_accepts_the_ends_of_the_seed_range() -> None:
    parse = nn.demo._seed
    assert (parse("0"), parse(str(2**32 - 1)), parse(" 7 ")) == (0, 2**32 - 1, 7)


@pytest.mark.slow   # imports scikit-learn and matplotlib first (about 2 s)
@pytest.mark.parametrize("where, reason", [
    (lambda tmp: tmp / "afile", "a file of that name exists"),
    (lambda tmp: tmp / "afile" / "sub", "Not a directory"),
    (lambda tmp: Path("/proc/stepgrad-demo"), "No such file or directory"),
    (lambda tmp: str(tmp) + "/a\0b", "embedded null byte"),
])
def test_demo_says_when_it_cannot_create_the_output_folder(
        where: Any, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("not a folder")
    out = where(tmp_path)
    line = refused(["--fast", "--no-progress", "--out", str(out)], capsys)
    assert line == f"python -m nn.demo: error: cannot create the output folder {out}: {reason}"
    assert (tmp_path / "afile").read_text() == "not a folder"


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (2**32, ValueError),
                                             (1.5, TypeError), (True, TypeError),
                                             ("7", TypeError)])
def test_two_moons_refuses_a_seed_make_moons_would_not_take(seed: Any, error: type) -> None:
    with pytest.raises(error, match="two_moons: seed must be"):
        nn.demo.two_moons(seed)
