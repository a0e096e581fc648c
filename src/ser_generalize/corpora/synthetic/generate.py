"""Generate the synthetic corpora: eSpeak NG speech, emotional prosody, recording conditions, real layouts.

The default run of the project needs no downloaded corpus: ``ensure_synthetic_corpora`` writes
each configured corpus to ``data/01_raw/<name>/`` once, deterministically from the seed.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import zlib
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import yaml
from tqdm.auto import tqdm

from ...audio.io import resample
from .conditions import RENDER_VERSION, Condition, apply_condition
from .espeak import ESpeak
from .layouts import LAYOUTS, METADATA_WRITERS, PlannedUtterance, Speaker
from .prosody import utterance_prosody

log = logging.getLogger(__name__)

MARKER = "SYNTHETIC.txt"
SETTINGS_FILE = "conditions.json"
"""Settings a corpus was generated with (seed, rate, recording-chain version, spec): its cache key."""
AUDIO_SUFFIXES = (".wav", ".flac")


@lru_cache(maxsize=1)
def sentences() -> dict[str, list[str]]:
    """Carrier sentences per eSpeak language code (package data)."""
    text = resources.files("ser_generalize.corpora").joinpath("sentences/sentences.yml").read_text("utf-8")
    return yaml.safe_load(text)


def _speakers(spec: dict[str, Any]) -> list[Speaker]:
    speakers = [Speaker(**{k: (str(v) if k == "id" else v) for k, v in s.items()}) for s in spec["speakers"]]
    if len(speakers) < 1:
        raise ValueError("a synthetic corpus needs at least one speaker")
    return speakers


def plan_corpus(spec: dict[str, Any]) -> list[PlannedUtterance]:
    """Every file of a corpus spec, in the layout's naming; duplicate names are a config error."""
    layout = spec["layout"]
    if layout not in LAYOUTS:
        raise KeyError(f"unknown synthetic layout '{layout}'; choose one of {sorted(LAYOUTS)}")
    plan = LAYOUTS[layout](_speakers(spec), list(spec["emotions"]), int(spec["per_emotion"]))
    names = [p.relpath for p in plan]
    if len(set(names)) != len(names):
        raise ValueError(
            f"per_emotion={spec['per_emotion']} is more than the {layout} naming can hold uniquely"
        )
    return plan


def _seed_for(seed: int, corpus: str, relpath: str) -> np.random.Generator:
    """Each file has its own generator, so a file's audio does not depend on generation order."""
    return np.random.default_rng([seed, zlib.crc32(corpus.encode()), zlib.crc32(relpath.encode())])


def synthesize_utterance(
    item: PlannedUtterance, spec: dict[str, Any], corpus: str, seed: int, sample_rate: int
) -> np.ndarray:
    """Speak one planned utterance and pass it through the corpus's recording condition.

    Optional spec keys (absent from the default corpora): ``sentences`` replaces the language's carrier
    sentences, ``seed_corpus`` seeds per-file randomness as that corpus does (paired factor-sweep variants).
    """
    rng = _seed_for(seed, str(spec.get("seed_corpus") or corpus), item.relpath)
    language = spec["language"]
    lines = list(spec.get("sentences") or sentences()[language])
    text = lines[item.sentence % len(lines)]
    prosody = utterance_prosody(
        item.emotion, item.speaker.pitch, item.speaker.rate, float(spec.get("expressiveness", 1.0)), rng
    )
    engine = ESpeak.get()
    speech = engine.synthesize(
        text, f"{language}+{item.speaker.variant}", prosody, seed=int(rng.integers(2**31))
    )
    speech = resample(speech, engine.sample_rate, sample_rate)
    lead = np.zeros(int(rng.uniform(0.1, 0.3) * sample_rate), np.float32)
    trail = np.zeros(int(rng.uniform(0.1, 0.3) * sample_rate), np.float32)
    speech = np.concatenate([lead, speech, trail])
    return apply_condition(speech, sample_rate, Condition.from_dict(spec.get("condition")), rng)


def generate_corpus(
    spec: dict[str, Any], root: str | Path, seed: int, progress: bool = True, name: str | None = None
) -> Path:
    """Write one synthetic corpus under ``root``; built in a temporary folder and renamed when complete."""
    root = Path(root)
    name = name or root.name
    sample_rate = int(spec.get("sample_rate", 16_000))
    plan = plan_corpus(spec)
    staging = root.with_name(f".{root.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for item in tqdm(plan, desc=f"synthesize {name}", unit="clip", disable=not progress):
        audio = synthesize_utterance(item, spec, name, seed, sample_rate)
        target = staging / item.relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        sf.write(target, audio, sample_rate, subtype="PCM_16")
    writer = METADATA_WRITERS.get(spec["layout"])
    if writer:
        writer(staging, _speakers(spec))
    (staging / SETTINGS_FILE).write_text(json.dumps(corpus_settings(spec, seed), indent=2, default=str))
    (staging / MARKER).write_text(
        f"{name} is a SYNTHETIC corpus generated by ser_generalize (eSpeak NG speech, {spec['language']}, "
        f"{spec['layout']} layout). Numbers measured on it are not results on any real corpus.\n"
    )
    if root.exists():
        shutil.rmtree(root)
    staging.rename(root)
    log.info("wrote synthetic corpus %s: %d clips in %s", name, len(plan), root)
    return root


def corpus_settings(spec: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """What ``generate_corpus`` writes to ``conditions.json``: seed, rate, render version and the spec (its cache key)."""
    sample_rate = int(spec.get("sample_rate", 16_000))
    return {"seed": seed, "sample_rate": sample_rate, "render_version": RENDER_VERSION, **dict(spec)}


def is_cached(root: Path, spec: Mapping[str, Any], seed: int) -> bool:
    """True when ``root`` holds audio and the settings that ``spec``, ``seed`` and this recording chain would write."""
    settings = root / SETTINGS_FILE
    if not has_audio(root) or not settings.is_file():
        return False
    try:
        written = json.loads(settings.read_text())
    except json.JSONDecodeError:
        return False
    return written == json.loads(json.dumps(corpus_settings(spec, seed), default=str))


def has_audio(root: Path) -> bool:
    """True when ``root`` holds at least one audio file anywhere below it."""
    return root.is_dir() and any(p.suffix.lower() in AUDIO_SUFFIXES for p in root.rglob("*"))


def ensure_synthetic_corpora(params: dict[str, Any], raw_dir: str | Path | None = None) -> dict[str, str]:
    """Generate every configured synthetic corpus not yet written with these settings (or all, with ``force``).

    Returns {corpus name: root}. Idempotent: a corpus whose ``conditions.json`` matches its spec, the seed
    and the recording chain's version is left untouched; any other is written again. eSpeak keeps
    internal state (its pitch-flutter phase) from one call to the next, so each corpus is
    generated in a fresh process: the same seed then gives byte-identical files on every run.
    """
    raw_dir = Path(raw_dir or params.get("raw_dir", "data/01_raw"))
    seed = int(params.get("seed", 0))
    progress = bool(params.get("progress", True))
    roots: dict[str, str] = {name: str(raw_dir / name) for name in params.get("corpora") or {}}
    force = bool(params.get("force"))
    todo = {n: s for n, s in (params.get("corpora") or {}).items() if force or not is_cached(raw_dir / n, s, seed)}
    for name in [] if force else sorted(n for n in todo if has_audio(raw_dir / n)):  # audio, but stale settings
        log.warning("synthetic corpus %s in %s was written with other settings or an older recording chain; "
                    "writing it again", name, roots[name])
    for name in set(roots) - set(todo):
        log.info(
            "synthetic corpus %s already present in %s; skipping (set synthesize.force to redo)",
            name,
            roots[name],
        )
    if todo:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(2, len(todo)), mp_context=context, max_tasks_per_child=1
        ) as pool:
            jobs = [
                pool.submit(generate_corpus, spec, roots[name], seed, progress, name)
                for name, spec in todo.items()
            ]
            for job in jobs:
                job.result()
    return roots


def synthesize_corpora(synthesize_params: dict[str, Any]) -> dict[str, str]:
    """Kedro node: make sure the synthetic corpora exist; returns {corpus: root}."""
    return ensure_synthetic_corpora(synthesize_params)
