"""Kedro project settings: OmegaConf loader with per-pipeline parameter files; kedro-mlflow hooks load via entry points."""

from ser_generalize.pipelines.project_config import RunParametersConfigLoader

CONFIG_LOADER_CLASS = RunParametersConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "parameters": ["parameters*", "parameters*/**", "**/parameters*"],
        "catalog": ["catalog*", "catalog*/**", "**/catalog*"],
    },
}
