"""``kedro run --pipeline=ingestion``: one namespaced branch per corpus in ``ingestion.corpora``."""

from __future__ import annotations

from kedro.pipeline import Pipeline, node

from ser_generalize.pipelines.project_config import bind, project_parameters

from .nodes import ingest_corpus, prepare_corpora, summarize_corpora


def corpus_names(parameters: dict | None = None) -> list[str]:
    """Corpora configured in ``parameters`` (default: the project's), in file order."""
    params = project_parameters(parameters)
    return list((params.get("ingestion", {}).get("corpora") or {}).keys())


def create_pipeline(parameters: dict | None = None, **kwargs: object) -> Pipeline:
    """prepare -> per-corpus manifests (namespaced) -> summary; ``parameters`` overrides the project's (tests)."""
    names = corpus_names(parameters)
    nodes = [node(prepare_corpora, ["params:ingestion", "params:synthesize"], "corpus_roots", name="prepare_corpora")]
    for name in names:
        func = bind(ingest_corpus, name=name)
        nodes.append(
            node(
                func,
                [f"params:ingestion.corpora.{name}", "corpus_roots"],
                [f"{name}.manifest", f"{name}.rejects"],
                name="build_manifest",
                namespace=name,
            )
        )
    nodes.append(
        node(
            summarize_corpora,
            ["params:ingestion", *[f"{n}.manifest" for n in names], *[f"{n}.rejects" for n in names]],
            ["corpus_summary", "corpus_summary_markdown", "corpus_label_distribution_plot"],
            name="summarize_corpora",
        )
    )
    return Pipeline(nodes)
