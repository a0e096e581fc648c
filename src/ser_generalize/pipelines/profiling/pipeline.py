"""Profiling pipeline wiring: one namespaced branch per corpus, then combine, distances, plots, augmentation check, report."""

from __future__ import annotations

from kedro.pipeline import Pipeline, node

from ser_generalize.pipelines.profiling import nodes
from ser_generalize.pipelines.project_config import project_parameters


def _dict_node(source: str, target: str):
    def collect(*frames):
        return dict(zip([source, target], frames))
    collect.__name__ = "collect_manifests"
    return collect


def create_pipeline(**kwargs) -> Pipeline:
    """Build from ``ingestion.corpora``: ``{corpus}.manifest`` -> ``{corpus}.acoustic_profile`` -> combined outputs."""
    params = project_parameters()
    corpora = list((params.get("ingestion") or {}).get("corpora") or {})
    branches = [
        Pipeline([node(nodes.profile_corpus, ["manifest", "params:profiling"], ["acoustic_profile", "profiling_rejects"],
                       name="profile_corpus")],
                 namespace=c, inputs={"manifest": f"{c}.manifest"}, parameters={"params:profiling": "params:profiling"},
                 outputs={"acoustic_profile": f"{c}.acoustic_profile", "profiling_rejects": f"{c}.profiling_rejects"})
        for c in corpora
    ]
    combine = node(
        nodes.combine_profiles,
        ["params:profiling", "params:ingestion", *[f"{c}.acoustic_profile" for c in corpora]],
        ["profiling.all_profiles", "profiling.distances", "profiling.distances_wide", "profiling.distribution_plots",
         "profiling.distance_heatmap", "profiling.metrics"],
        name="combine_profiles",
    )
    rejects = node(nodes.combine_rejects, [f"{c}.profiling_rejects" for c in corpora], "profiling.rejects",
                   name="combine_profiling_rejects")
    pipe = Pipeline([*branches, combine, rejects])
    report_inputs = ["params:profiling", "params:ingestion", "profiling.all_profiles", "profiling.rejects",
                     "profiling.distances"]
    check = (params.get("profiling") or {}).get("augmentation_check") or {}
    src, tgt = check.get("source"), check.get("target")
    if check.get("enabled", True) and src in corpora and tgt in corpora:
        pipe += Pipeline([
            node(_dict_node(src, tgt), [f"{src}.manifest", f"{tgt}.manifest"], "profiling.check_manifests",
                 name="collect_check_manifests"),
            node(nodes.augmentation_check,
                 ["profiling.check_manifests", "profiling.all_profiles", "params:profiling", "params:augmentation",
                  "params:ingestion"],
                 ["profiling.augmentation_distances", "profiling.augmentation_plot"], name="augmentation_check"),
        ])
        report_inputs.append("profiling.augmentation_distances")
    pipe += Pipeline([node(nodes.build_report, report_inputs, ["profiling.report", "profiling.pair_factors"],
                           name="profiling_report")])
    return pipe
