"""Project hooks in a real KedroSession on a copy of the project: bad parameters stop a run before any node
and list every problem; the MLflow experiment is tagged as a model-training one."""

from __future__ import annotations

import shutil
from pathlib import Path

import mlflow
import pytest
import yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from ser_generalize.hooks import EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND
from ser_generalize.pipelines.validation import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def project_copy(tmp_path: Path) -> tuple[Path, str]:
    """pyproject + conf/base of this project, with a local MLflow store inside ``tmp_path``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    project = tmp_path / "project"
    shutil.copytree(ROOT / "conf" / "base", project / "conf" / "base")
    (project / "conf" / "local").mkdir()
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    (project / "src").mkdir()  # the package itself is imported from this checkout
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    (project / "conf" / "local" / "mlflow.yml").write_text(yaml.safe_dump({"server": {"mlflow_tracking_uri": uri}}))
    bootstrap_project(project)
    return project, uri


@pytest.fixture(autouse=True)
def _no_active_run():
    yield
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def test_bad_parameters_fail_before_any_node_with_one_message(tmp_path: Path) -> None:
    project, uri = project_copy(tmp_path)
    bad = {"backbone": "wav2vec", "cross_corpus": {"head": {"type": "transformer"}, "corpora": ["iemocap"]}}
    with KedroSession.create(project_path=project, runtime_params=bad) as session, pytest.raises(ParameterError) as info:
        session.run(pipeline_names=["cross_corpus"])
    message = str(info.value)
    assert "3 parameter problem(s); nothing has run" in message
    assert "backbone: unknown backbone 'wav2vec'" in message
    assert "cross_corpus.head.type: unknown head type 'transformer'" in message
    assert "cross_corpus.corpora: unknown corpus iemocap" in message
    assert not (project / "data").exists()  # no node ran: nothing was synthesised, ingested or extracted
    experiment = mlflow.MlflowClient(tracking_uri=uri).get_experiment_by_name("ser_generalize")
    assert mlflow.MlflowClient(tracking_uri=uri).search_runs([experiment.experiment_id]) == []  # no run opened


def test_experiment_is_tagged_as_model_training(tmp_path: Path) -> None:
    project, uri = project_copy(tmp_path)
    with KedroSession.create(project_path=project) as session:
        session.load_context()  # the hooks of a run's start: kedro-mlflow creates the experiment, then ours
    client = mlflow.MlflowClient(tracking_uri=uri)
    assert client.get_experiment_by_name("ser_generalize").tags[EXPERIMENT_KIND_TAG] == MODEL_TRAINING_KIND



def test_an_older_experiment_gets_the_tag_and_a_chosen_kind_is_kept(tmp_path: Path) -> None:
    project, uri = project_copy(tmp_path)
    client = mlflow.MlflowClient(tracking_uri=uri)
    old = client.create_experiment("ser_generalize")  # created before the project tagged experiments
    with KedroSession.create(project_path=project) as session:
        session.load_context()
    assert client.get_experiment(old).tags[EXPERIMENT_KIND_TAG] == MODEL_TRAINING_KIND
    client.set_experiment_tag(old, EXPERIMENT_KIND_TAG, "genai_development")
    with KedroSession.create(project_path=project) as session:
        session.load_context()
    assert client.get_experiment(old).tags[EXPERIMENT_KIND_TAG] == "genai_development"
