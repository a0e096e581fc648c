"""Named chains of the seven augmentations, and their application to a seeded fraction of training utterances.

``build_chain`` turns a chain name or config into a callable ``chain(waveform, rng)``;
``augmentation_transform`` picks ``round(rate * n)`` training utterances and returns the
``waveform_transform(utt_id, waveform)`` the feature store applies before extraction, plus the
``transform_key`` that keeps augmented feature caches apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..utils.hashing import config_hash
from .augmentations.steps import AUGMENTATIONS, CONFIG_FILE, Augmentation, AugmentationConfigError, build_step

__all__ = [
    "BUILTIN_CHAINS",
    "AugmentationConfigError",
    "AugmentationTransform",
    "Chain",
    "augmentation_transform",
    "build_chain",
    "check_rate",
    "n_augmented",
    "select_augmented",
    "utterance_rng",
]

DEFAULT_ORDER = ("time_stretch", "time_shift", "equalization", "reverb", "pink_noise", "fade", "specaugment")
"""Chain order of ``all_seven``: signal-level changes, then the room and microphone (EQ, reverb), then
ambient noise on top (not reverberated), and fades and masks last so they stay silent."""

BUILTIN_CHAINS: dict[str, list[dict[str, Any]]] = {
    "all_seven": [{"name": n, "p": 1.0} for n in DEFAULT_ORDER],
    **{n: [{"name": n, "p": 1.0}] for n in AUGMENTATIONS},
}
"""Chains available without configuration: ``all_seven`` and each augmentation alone; the parameters
file adds or overrides chains by name."""


class Chain:
    """An ordered list of augmentations; each call draws which steps apply (probability ``p``) and their parameters.

    If fewer than ``min_applied`` steps come up, further steps are picked at random so an
    augmented utterance is never left unchanged (default 1).
    """

    def __init__(
        self, steps: Sequence[Augmentation], sample_rate: int = 16_000, min_applied: int = 1
    ) -> None:
        if not steps:
            raise AugmentationConfigError(
                f"an augmentation chain needs at least one step; add one in {CONFIG_FILE}"
            )
        if not 0 <= int(min_applied) <= len(steps):
            raise AugmentationConfigError(
                f"min_applied={min_applied} must be between 0 and the number of steps ({len(steps)})"
            )
        self.steps = list(steps)
        self.sample_rate = int(sample_rate)
        self.min_applied = int(min_applied)

    def config(self) -> dict[str, Any]:
        """Everything that changes the output, for cache keys and MLflow."""
        return {
            "sample_rate": self.sample_rate,
            "min_applied": self.min_applied,
            "steps": [s.config() for s in self.steps],
        }

    @property
    def key(self) -> str:
        """Short hash of :meth:`config`."""
        return config_hash(self.config())

    def apply_with_params(
        self, waveform: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """Augment ``waveform`` and return it with one record per step (``name``, ``applied``, drawn parameters)."""
        waveform = np.asarray(waveform, dtype=np.float32)
        if waveform.ndim != 1:
            raise ValueError(f"augmentation expects a mono 1-D waveform, got shape {waveform.shape}")
        applied = [bool(rng.random() < s.p) for s in self.steps]
        missing = self.min_applied - sum(applied)
        if missing > 0:
            idle = [i for i, a in enumerate(applied) if not a]
            for i in rng.choice(idle, size=missing, replace=False):
                applied[int(i)] = True
        records: list[dict[str, Any]] = []
        out = waveform
        for step, use in zip(self.steps, applied, strict=True):
            if use and out.size:
                out, params = step(out, rng)
                records.append({"name": step.name, "applied": True, **params})
            else:
                records.append({"name": step.name, "applied": False})
        if not np.all(np.isfinite(out)):
            raise FloatingPointError(
                f"augmentation chain {[r['name'] for r in records]} produced NaN/inf samples"
            )
        return np.ascontiguousarray(out, dtype=np.float32), records

    def __call__(self, waveform: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Augment one mono float32 waveform with parameters drawn from ``rng``."""
        return self.apply_with_params(waveform, rng)[0]

    def __repr__(self) -> str:
        return f"Chain({[s.name for s in self.steps]}, sample_rate={self.sample_rate}, min_applied={self.min_applied})"


def build_chain(
    name_or_cfg: str | list | dict | Chain,
    sample_rate: int = 16_000,
    chains: Mapping[str, Any] | None = None,
) -> Chain:
    """Build a chain from a name (in ``chains``, else built-in), a list of steps, or ``{steps, min_applied}``.

    A step is an augmentation name or ``{name, p, <range keys>}``; every range is validated
    against the paper's limits and a violation raises ``AugmentationConfigError`` naming it.
    """
    if isinstance(name_or_cfg, Chain):
        return name_or_cfg
    cfg: Any = name_or_cfg
    if isinstance(cfg, str):
        known = {**BUILTIN_CHAINS, **dict(chains or {})}
        if cfg not in known:
            raise AugmentationConfigError(
                f"unknown augmentation chain '{cfg}'; define it under augmentation.chains in {CONFIG_FILE} "
                f"or use one of {sorted(known)}"
            )
        cfg = known[cfg]
    min_applied = 1
    if isinstance(cfg, Mapping) and "steps" in cfg:
        extra = sorted(set(cfg) - {"steps", "min_applied"})
        if extra:
            raise AugmentationConfigError(
                f"chain config has unknown keys {extra}; use 'steps' and 'min_applied'"
            )
        min_applied = int(cfg.get("min_applied", 1))
        cfg = cfg["steps"]
    elif isinstance(cfg, Mapping):
        cfg = [cfg]
    if not isinstance(cfg, (list, tuple)):
        raise AugmentationConfigError(
            f"a chain must be a name, a list of steps or {{steps: [...]}}, got {cfg!r}"
        )
    steps = [build_step(step, sample_rate) for step in cfg]
    return Chain(steps, sample_rate=sample_rate, min_applied=min(min_applied, len(steps)))


def n_augmented(rate: float, n: int) -> int:
    """How many of ``n`` training utterances a rate augments: ``round(rate * n)``."""
    return round(float(rate) * n)


def check_rate(rate: float) -> float:
    """Return ``rate`` as a float, or raise a ValueError saying how to set a valid one."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= float(rate) <= 1.0:
        raise ValueError(
            f"augmentation rate {rate!r} must be a fraction in [0, 1] (the paper uses 0, 0.2, 0.5, 0.7, 1.0); "
            f"set augmentation.rate in {CONFIG_FILE} or --params=augmentation.rate=0.5"
        )
    return float(rate)


def select_augmented(train_utt_ids: Iterable[str], rate: float, seed: int) -> frozenset[str]:
    """The seeded choice of ``round(rate * n)`` utterances; independent of the order ids come in."""
    ids = sorted({str(u) for u in train_utt_ids})
    k = n_augmented(check_rate(rate), len(ids))
    if k == 0:
        return frozenset()
    chosen = np.random.default_rng(int(seed)).choice(len(ids), size=k, replace=False)
    return frozenset(ids[int(i)] for i in chosen)


def utterance_rng(seed: int, utt_id: str) -> np.random.Generator:
    """A generator seeded by (seed, utt_id), so an utterance's augmentation never depends on processing order."""
    digest = hashlib.sha256(f"{int(seed)}\x1f{utt_id}".encode()).digest()
    return np.random.default_rng([int(seed) % 2**63, int.from_bytes(digest[:8], "little")])


class AugmentationTransform:
    """``transform(utt_id, waveform)``: the chain on the selected utterances, identity on every other one."""

    def __init__(self, chain: Chain, augmented_ids: frozenset[str], seed: int, key: str) -> None:
        self.chain = chain
        self.augmented_ids = augmented_ids
        self.seed = int(seed)
        self.key = key

    def __call__(self, utt_id: str, waveform: np.ndarray) -> np.ndarray:
        if str(utt_id) not in self.augmented_ids:
            return waveform
        return self.chain(waveform, utterance_rng(self.seed, str(utt_id)))


def augmentation_transform(
    chain: str | list | dict | Chain,
    rate: float,
    seed: int,
    train_utt_ids: Iterable[str],
    chains: Mapping[str, Any] | None = None,
) -> tuple[Callable[[str, np.ndarray], np.ndarray], str]:
    """Transform augmenting a seeded ``round(rate * n)`` of ``train_utt_ids``, and its feature-cache key.

    Each chosen utterance gets its own parameters, seeded by (seed, utt_id); other utterances
    (test rows, unchosen training rows) pass through unchanged. The key combines the chain
    config hash, rate, seed and a hash of the exact augmented id set, so features of another fold's
    (or another manifest's) selection are never reused. At rate 0 the transform is the identity
    (callers may pass ``waveform_transform=None`` to reuse the unaugmented cache).
    """
    rate = check_rate(rate)
    built = build_chain(chain, chains=chains)
    chosen = select_augmented(train_utt_ids, rate, seed)
    ids = hashlib.sha256("\n".join(sorted(chosen)).encode("utf-8")).hexdigest()[:12]
    key = f"aug-{built.key}-rate{rate:g}-seed{int(seed)}-ids{ids}"
    return AugmentationTransform(built, chosen, seed, key), key
