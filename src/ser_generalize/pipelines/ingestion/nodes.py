"""Ingestion nodes: make sure corpora exist, build one manifest per corpus, summarize them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from ser_generalize.corpora.ingest import CorpusError, build_manifest
from ser_generalize.reporting.corpus_summary import label_distribution_figure, summarize, summary_markdown


def prepare_corpora(ingestion: dict[str, Any], synthesize: dict[str, Any]) -> dict[str, str]:
    """Generate missing synthetic corpora (when enabled), then fail early, naming every missing root."""
    corpora = ingestion.get("corpora") or {}
    if not corpora:
        raise CorpusError("ingestion.corpora is empty; list at least one corpus in parameters_ingestion.yml")
    wanted = {n for n, c in corpora.items() if c.get("synthetic")}
    if ingestion.get("synthesize_if_missing", True) and wanted:
        from ser_generalize.corpora.synthetic.generate import ensure_synthetic_corpora

        specs = {n: s for n, s in (synthesize.get("corpora") or {}).items() if n in wanted}
        ensure_synthetic_corpora({**synthesize, "corpora": specs})
    missing = [f"{n} ({c['root']})" for n, c in corpora.items() if not Path(c["root"]).is_dir()]
    if missing:
        raise CorpusError(
            f"corpus roots not found: {', '.join(missing)}; fix ingestion.corpora.<name>.root "
            "in conf/local/parameters_ingestion.yml"
        )
    return {n: str(c["root"]) for n, c in corpora.items()}


def ingest_corpus(corpus: dict[str, Any], roots: dict[str, str], name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Manifest and rejects of one corpus (``roots`` only orders this node after ``prepare_corpora``)."""
    return build_manifest(
        name=name,
        adapter=corpus["adapter"],
        root=roots[name],
        language=corpus.get("language", "und"),
        label_map=corpus.get("label_map"),
        adapter_options=corpus.get("options"),
        seed=int(corpus.get("seed", 0)),
    )


def summarize_corpora(ingestion: dict[str, Any], *manifests_and_rejects: pd.DataFrame) -> tuple[pd.DataFrame, str, plt.Figure]:
    """Summary table, its markdown and the label-distribution plot over all corpora."""
    names = list((ingestion.get("corpora") or {}).keys())
    half = len(manifests_and_rejects) // 2
    manifests = dict(zip(names, manifests_and_rejects[:half], strict=True))
    rejects = dict(zip(names, manifests_and_rejects[half:], strict=True))
    synthetic = {n: bool(c.get("synthetic")) for n, c in ingestion["corpora"].items()}
    summary = summarize(manifests, rejects, synthetic)
    return summary, summary_markdown(summary), label_distribution_figure(summary)
