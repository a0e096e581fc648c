"""``kedro run --pipeline=factor_sweep``: variants -> features -> predictions -> drops -> attribution."""

from __future__ import annotations

from typing import Any

from kedro.pipeline import Pipeline, node

from ..project_config import project_parameters
from . import nodes


def create_pipeline(**kwargs: Any) -> Pipeline:
    """The sweep; plus attribution on the default matrix when ``factor_sweep.default_matrix.enabled``."""
    params = project_parameters(kwargs.get("parameters"))
    sweep = params.get("factor_sweep") or {}
    corpora = list((params.get("ingestion") or {}).get("corpora") or {})
    default = bool((sweep.get("default_matrix") or {}).get("enabled", False)) and len(corpora) > 1
    pipe = [
        node(
            nodes.generate_sweep,
            "params:factor_sweep",
            ["factor_sweep.manifests", "factor_sweep.variants"],
            name="generate_sweep",
        ),
        node(
            nodes.sweep_features,
            ["factor_sweep.manifests", "params:factor_sweep"],
            "factor_sweep.features",
            name="sweep_features",
        ),
        node(
            nodes.sweep_predictions,
            ["factor_sweep.features", "factor_sweep.manifests", "params:factor_sweep"],
            "factor_sweep.predictions",
            name="sweep_predictions",
        ),
        node(
            nodes.sweep_drops,
            ["factor_sweep.predictions", "factor_sweep.variants", "params:factor_sweep"],
            "factor_sweep.drops",
            name="sweep_drops",
        ),
        node(
            nodes.robustness_plot,
            ["factor_sweep.drops", "params:factor_sweep"],
            "factor_sweep.robustness_plot",
            name="robustness_plot",
        ),
        node(
            nodes.quick_profiles,
            ["factor_sweep.manifests", "params:factor_sweep"],
            "factor_sweep.profiles",
            name="quick_profiles",
        ),
        node(
            nodes.sweep_attribution,
            ["factor_sweep.drops", "factor_sweep.manifests", "factor_sweep.profiles", "params:factor_sweep"],
            ["factor_sweep.shares", "factor_sweep.validation", "factor_sweep.words"],
            name="sweep_attribution",
        ),
    ]
    report_inputs = [
        "factor_sweep.drops",
        "factor_sweep.shares",
        "factor_sweep.validation",
        "factor_sweep.words",
    ]
    if default:
        pipe.append(
            node(
                nodes.default_matrix_attribution,
                ["params:factor_sweep", "params:ingestion", *[f"{c}.manifest" for c in corpora]],
                ["factor_sweep.default_shares", "factor_sweep.default_words"],
                name="default_matrix_attribution",
            )
        )
        report_inputs += ["factor_sweep.default_shares", "factor_sweep.default_words"]
    plot_inputs = ["factor_sweep.shares", *(["factor_sweep.default_shares"] if default else [])]
    pipe.append(
        node(nodes.attribution_plot, plot_inputs, "factor_sweep.attribution_plot", name="attribution_plot")
    )
    pipe.append(
        node(
            nodes.sweep_report,
            report_inputs,
            ["factor_sweep.report", "factor_sweep.metrics"],
            name="sweep_report",
        )
    )
    return Pipeline(pipe, tags=["factor_sweep"])
