"""``ser-generalize reduce``: published Table 3 row through the CLI, human output, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ser_generalize.__main__ import main

DATA = Path(__file__).parent / "data"
V2 = DATA / "serevals_whisper_large_v2_macro_f1.csv"
ELIGIBLE = "baum,cafe,demos,emovo,expresso,mead,meld,mesd,subesco"


def test_reduce_json_reproduces_table3(capsys: pytest.CaptureFixture[str]) -> None:
    """Whisper-Large-v2's Table 3 row of SER Evals (0.781942, 0.194716, 0.194250, 0.089993, 0.345741)."""
    assert main(["reduce", str(V2), "--eligible", ELIGIBLE, "--lambda", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = {"in_domain_mean": 0.781942, "in_domain_std": 0.194716, "ood_mean": 0.194250,
                "ood_std": 0.089993, "weighted_average": 0.345741}
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, abs=1e-4)
    assert len(out["ood_cells"]) == 72 and ["eekk", "urdu"] in out["excluded_cells"]


def test_reduce_as_module_subprocess(tmp_path: Path) -> None:
    """``python -m ser_generalize reduce`` prints the table with which cells count where (no Kedro noise)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run([sys.executable, "-m", "ser_generalize", "reduce", str(V2), "--eligible", ELIGIBLE],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "0.345741" in done.stdout and "excluded (not both OOD-eligible): 4 cells" in done.stdout
    assert done.stdout.startswith("SER Evals reductions")


@pytest.mark.parametrize(("content", "message"), [
    ("a,b\nx,1,zz\n", "(x, b) = 'zz' is not a number"),
    ("a,b\nx,1,2\nx,3,4\n", "duplicate row names"),
    ("", "not a readable CSV"),
])
def test_reduce_malformed_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    """A bad matrix gives exit status 2 and a message naming the file and the problem."""
    path = tmp_path / "m.csv"
    path.write_text(content)
    assert main(["reduce", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err


def test_reduce_unknown_eligible_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Eligible names must be corpora of the matrix; a missing file is named."""
    assert main(["reduce", str(V2), "--eligible", "baum,nope"]) == 2
    assert "['nope']" in capsys.readouterr().err
    assert main(["reduce", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
