"""Project hooks: parameters are validated before anything runs; the MLflow experiment opens on its runs table."""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl

from .pipelines.validation import check_parameters

log = logging.getLogger(__name__)

EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
"""The experiment tag the MLflow UI (3.x) reads and writes for an experiment's kind."""
MODEL_TRAINING_KIND = "custom_model_development"
"""Its value for a model-training experiment (the UI's "Model training"; ``genai_development`` is GenAI)."""


class ParameterValidationHook:
    """Check the parameters a run's pipelines read before any node runs (and before kedro-mlflow opens a run)."""

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        # the merged parameters of this run: conf/base, the run environment and --params
        names = run_params.get("pipeline_names") or (
            [run_params["pipeline_name"]] if run_params.get("pipeline_name") else None
        )
        check_parameters(catalog.load("parameters"), names or ["__default__"])


class MlflowExperimentKindHook:
    """Tag the project's MLflow experiment as model training, after kedro-mlflow has set it up.

    conf/base/mlflow.yml tags a new experiment at creation; this also tags one created before that
    setting existed. A kind already chosen (e.g. in the UI) is left alone.
    """

    @hook_impl(trylast=True)
    def after_context_created(self, context: Any) -> None:
        config = getattr(context, "mlflow", None)
        if config is None:  # kedro-mlflow not active
            return
        import mlflow

        client = mlflow.MlflowClient(tracking_uri=config.server.mlflow_tracking_uri)
        experiment = client.get_experiment_by_name(config.tracking.experiment.name)
        if experiment is not None and EXPERIMENT_KIND_TAG not in experiment.tags:
            client.set_experiment_tag(experiment.experiment_id, EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND)
            log.info("MLflow experiment '%s' tagged as a model-training experiment", experiment.name)
