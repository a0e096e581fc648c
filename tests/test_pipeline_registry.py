"""The registry composes every manifest-reading pipeline with ingestion, also when the CLI loads one pipeline."""

from __future__ import annotations

import pytest
from kedro.framework.project import configure_project, pipelines

from ser_generalize.pipeline_registry import NEEDS_MANIFESTS


@pytest.fixture(scope="module", autouse=True)
def project() -> None:
    configure_project("ser_generalize")


@pytest.mark.parametrize("name", [n for n in NEEDS_MANIFESTS])
def test_requested_pipeline_starts_with_ingestion(name: str) -> None:
    pipelines.set_requested([name])
    try:
        pipeline = pipelines.get(name)
        if pipeline is None:
            pytest.skip(f"pipeline {name} is not part of this project")
        node_names = {n.name for n in pipeline.nodes}
        assert "prepare_corpora" in node_names
        assert any(n.endswith(".build_manifest") for n in node_names)
    finally:
        pipelines.set_requested(None)


def test_default_pipeline_is_cross_corpus() -> None:
    pipelines.set_requested(None)
    assert {n.name for n in pipelines["__default__"].nodes} == {n.name for n in pipelines["cross_corpus"].nodes}
