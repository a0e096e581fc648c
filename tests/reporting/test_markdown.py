"""The one markdown table writer of the reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ser_generalize.reporting.markdown import markdown_section, markdown_table


def test_floats_follow_the_format_and_empty_format_writes_them_as_str() -> None:
    frame = pd.DataFrame({"corpus": ["a", "b"], "hours": [0.05, np.nan], "n": [3, 4], "synthetic": [True, False]})
    assert markdown_table(frame, ".3f").splitlines() == [
        "| corpus | hours | n | synthetic |", "|---|---|---|---|", "| a | 0.050 | 3 | True |", "| b | nan | 4 | False |"]
    assert markdown_table(frame, "").splitlines()[2] == "| a | 0.05 | 3 | True |"


def test_markdown_section_is_heading_blank_table_blank() -> None:
    frame = pd.DataFrame({"metric": ["ua"], "mean": [0.61234]})
    assert markdown_section("Validation", frame, ".2f") == [
        "## Validation",
        "",
        "| metric | mean |\n|---|---|\n| ua | 0.61 |",
        "",
    ]
