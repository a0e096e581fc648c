"""Kedro project settings: OmegaConf loader with per-pipeline parameter files; project hooks.

kedro-mlflow's hooks register themselves through their entry point, next to the project's HOOKS.
"""

from ser_generalize.hooks import MlflowExperimentKindHook, ParameterValidationHook
from ser_generalize.pipelines.project_config import RunParametersConfigLoader
from ser_generalize.runners.hooks import MultiprocessRunHooks

HOOKS = (ParameterValidationHook(), MlflowExperimentKindHook(), MultiprocessRunHooks())

CONFIG_LOADER_CLASS = RunParametersConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "parameters": ["parameters*", "parameters*/**", "**/parameters*"],
        "catalog": ["catalog*", "catalog*/**", "**/catalog*"],
    },
}
