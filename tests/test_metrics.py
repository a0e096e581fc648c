"""Cell metrics against hand-computed values."""

from __future__ import annotations

import pytest

from ser_generalize.metrics import classification_metrics


def test_metrics_hand_computed():
    y = ["a", "a", "a", "b"]
    p = ["a", "a", "b", "b"]
    m = classification_metrics(y, p, ["a", "b"])
    assert m["wa"] == pytest.approx(0.75)
    assert m["ua"] == pytest.approx((2 / 3 + 1) / 2)
    f1_a, f1_b = 0.8, 2 / 3
    assert m["macro_f1"] == pytest.approx((f1_a + f1_b) / 2)
    assert m["weighted_f1"] == pytest.approx(0.75 * f1_a + 0.25 * f1_b)


def test_training_never_imports_evaluation_and_the_old_path_still_works() -> None:
    import ast
    from pathlib import Path

    import ser_generalize
    from ser_generalize.evaluation import metrics as old_path
    from ser_generalize.metrics import classification_metrics as new

    training = Path(ser_generalize.__file__).parent / "training"
    offenders = []
    for source in sorted(training.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any("evaluation" in n.split(".") for n in names):
                offenders.append(source.name)
    assert offenders == []  # evaluation may import training, never the reverse
    assert old_path.classification_metrics is new
