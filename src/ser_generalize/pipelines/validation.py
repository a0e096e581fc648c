"""Check the project's parameters before any node runs, and report every problem in one message.

A bad name (backbone, head, corpus, emotion set, balancing method, chain) or a wrong type otherwise
fails only when its node runs, often after minutes of feature extraction. Each check reuses the
function that will later consume the value (``resolve_emotion_set``, ``get_adapter``, ``build_chain``,
``build_head``, ``make_fit_predict``, ``check_rate``) so the rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..corpora.adapters import ADAPTERS, get_adapter
from ..corpora.labels import resolve_emotion_set
from ..metrics import METRICS

CONFIG_HINT = "conf/base/parameters_*.yml (or conf/local, or --params)"
BACKBONE_NAMES: tuple[str, ...] = ("egemaps", "logmel", "cnn14")
"""Backbone specs without a path; ``hf:<checkpoint-or-local-path>`` is the fourth form (backbones.build_backbone)."""
DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
_MISSING = object()


class ParameterError(ValueError):
    """The parameters have problems; the message lists every one of them."""


def _get(params: Mapping[str, Any], key: str) -> Any:
    """Value at dotted ``key``, or ``_MISSING`` when some part of the path is absent."""
    node: Any = params
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


class _Checker:
    """Collects problems; each helper checks one key when present (absent keys take the code's default)."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.problems: list[str] = []
        declared = _get(params, "ingestion.corpora")
        self.corpora: set[str] | None = set(declared) if isinstance(declared, Mapping) else None

    def add(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def number(
        self, key: str, *, integer: bool = False, low: float | None = None, high: float | None = None,
        low_open: bool = False, high_open: bool = False, nullable: bool = False,
    ) -> None:
        value = _get(self.params, key)
        if value is _MISSING or (value is None and nullable):
            return
        self.check_number(key, value, integer=integer, low=low, high=high, low_open=low_open, high_open=high_open)

    def check_number(
        self, key: str, value: Any, *, integer: bool = False, low: float | None = None, high: float | None = None,
        low_open: bool = False, high_open: bool = False,
    ) -> None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.add(key, f"{value!r} is not {'an integer' if integer else 'a number'}")
            return
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            lo = "" if low is None else f"{'(' if low_open else '['}{low:g}"
            hi = "" if high is None else f"{high:g}{')' if high_open else ']'}"
            self.add(key, f"{value!r} is outside {lo or '(-inf'}, {hi or 'inf)'}")

    def boolean(self, key: str) -> None:
        value = _get(self.params, key)
        if value is not _MISSING and not isinstance(value, bool):
            self.add(key, f"{value!r} is not true/false")

    def choice(self, key: str, options: tuple[str, ...], nullable: bool = False) -> None:
        value = _get(self.params, key)
        if value is _MISSING or (value is None and nullable):
            return
        if value not in options:
            self.add(key, f"{value!r} is not one of {', '.join(options)}")

    def corpus_names(self, key: str, value: Any = _MISSING, nullable: bool = True) -> None:
        """A corpus name or a list of them, each declared under ingestion.corpora."""
        value = _get(self.params, key) if value is _MISSING else value
        if value is _MISSING or (value is None and nullable):
            return
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            self.add(key, f"{value!r} is not a corpus name or a list of corpus names")
            return
        unknown = [n for n in names if self.corpora is not None and n not in self.corpora]
        if unknown:
            self.add(key, f"unknown corpus {', '.join(unknown)}; ingestion.corpora has {', '.join(sorted(self.corpora or []))}")

    def emotion_set(self, key: str, value: Any = _MISSING) -> None:
        value = _get(self.params, key) if value is _MISSING else value
        if value is _MISSING:
            return
        try:
            resolve_emotion_set(value if isinstance(value, list | tuple) else str(value))
        except (KeyError, TypeError) as exc:
            self.add(key, str(exc).strip("'\""))

    def backbone(self, key: str, value: Any = _MISSING) -> None:
        value = _get(self.params, key) if value is _MISSING else value
        if value is _MISSING:
            return
        if isinstance(value, Mapping):
            extra = sorted(set(value) - {"spec", "options", "name"})
            if extra or "spec" not in value:
                self.add(key, f"a backbone mapping needs 'spec' (and optional 'options', 'name'), got keys "
                              f"{sorted(value)}")
                return
            self.options(f"{key}.options", value.get("options"))
            value = value["spec"]
        if not isinstance(value, str) or not (
            value.strip() in BACKBONE_NAMES or (value.strip().startswith("hf:") and len(value.strip()) > 3)
        ):
            self.add(key, f"unknown backbone {value!r}; use {', '.join(BACKBONE_NAMES)} or hf:<checkpoint-or-local-path>")

    def options(self, key: str, value: Any = _MISSING) -> None:
        value = _get(self.params, key) if value is _MISSING else value
        if value is not _MISSING and value is not None and not isinstance(value, Mapping):
            self.add(key, f"{value!r} is not a mapping of options")

    def items(self, key: str, nullable: bool = False) -> Iterator[tuple[str, Any]]:
        """``(key[i], item)`` for each item of the list at ``key`` (a single value, null included unless
        ``nullable``, counts as a list of one); nothing when the key is absent."""
        value = _get(self.params, key)
        if value is _MISSING or (value is None and nullable):
            return
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            yield f"{key}[{i}]", item

    def list_items(self, key: str, what: str, non_empty: bool = False) -> Iterator[tuple[str, Any]]:
        """``(key[i], item)`` for each item of the list at ``key``; a value that is not a (non-empty, if asked)
        list is a problem ("... is not ``what``"); nothing when the key is absent or null."""
        value = _get(self.params, key)
        if value is _MISSING or value is None:
            return
        if not isinstance(value, list) or (non_empty and not value):
            self.add(key, f"{value!r} is not {what}")
            return
        for i, item in enumerate(value):
            yield f"{key}[{i}]", item

    def guarded(self, key: str, check: Callable[[], object]) -> None:
        """Run the consumer's own check; its error message becomes the problem."""
        try:
            check()
        except (ValueError, TypeError, KeyError) as exc:
            self.add(key, str(exc).strip("'\""))


def _ingestion(c: _Checker) -> None:
    corpora = _get(c.params, "ingestion.corpora")
    if corpora is _MISSING:
        return
    if not isinstance(corpora, Mapping):
        c.add("ingestion.corpora", f"{corpora!r} is not a mapping of corpus name -> settings")
        return
    c.boolean("ingestion.synthesize_if_missing")
    for name, spec in corpora.items():
        key = f"ingestion.corpora.{name}"
        if not isinstance(spec, Mapping):
            c.add(key, f"{spec!r} is not a mapping with adapter, root, language")
            continue
        adapter = spec.get("adapter")
        if adapter not in ADAPTERS:
            c.add(f"{key}.adapter", f"unknown adapter {adapter!r}; use one of {', '.join(sorted(ADAPTERS))}")
        else:
            options = spec.get("options") or {}
            if isinstance(options, Mapping):
                c.guarded(f"{key}.options", lambda a=adapter, o=options: get_adapter(a, **dict(o)))
        for field in ("root", "language"):
            if not isinstance(spec.get(field), str):
                c.add(f"{key}.{field}", f"{spec.get(field)!r} is not a string")
        c.boolean(f"{key}.synthetic")
        if spec.get("ood_eligible") is not None:
            c.boolean(f"{key}.ood_eligible")
        c.options(f"{key}.options")


def _cross_corpus(c: _Checker) -> None:
    c.backbone("backbone")
    c.options("backbone_options")
    for key, spec in c.list_items("cross_corpus.backbones", "a list of backbone specs"):
        c.backbone(key, spec)
    c.corpus_names("cross_corpus.corpora")
    c.number("cross_corpus.fold", integer=True, low=0)
    if _get(c.params, "cross_corpus.folds") != "all":
        for key, fold in c.list_items("cross_corpus.folds", "'all' or a non-empty list of fold indices", True):
            c.check_number(key, fold, integer=True, low=0)
    for key, seed in c.list_items("cross_corpus.seeds", "a non-empty list of integers", non_empty=True):
        c.check_number(key, seed, integer=True)
    c.choice("cross_corpus.metric", METRICS)
    c.number("cross_corpus.lambda")
    c.number("cross_corpus.bootstrap.n", integer=True, low=1)
    c.number("cross_corpus.bootstrap.seed", integer=True)
    c.number("cross_corpus.bootstrap.alpha", low=0, high=1, low_open=True, high_open=True)
    c.boolean("cross_corpus.balanced_test.enabled")
    c.number("cross_corpus.balanced_test.n_per_class", integer=True, low=1)
    c.number("cross_corpus.balanced_test.seed", integer=True)
    c.emotion_set("cross_corpus.balanced_test.emotions")
    c.emotion_set("cross_corpus.emotion_set")
    c.choice("cross_corpus.device", ("auto", "cpu", "cuda", "mps"))
    head = _get(c.params, "cross_corpus.head")
    if isinstance(head, Mapping):
        for key, kw in {
            "epochs": {"integer": True, "low": 1}, "batch_size": {"integer": True, "low": 1},
            "patience": {"integer": True, "low": 0}, "max_frames": {"integer": True, "low": 1},
            "seed": {"integer": True}, "lr": {"low": 0, "low_open": True}, "weight_decay": {"low": 0},
            "dropout": {"low": 0, "high": 1, "high_open": True}, "label_smoothing": {"low": 0, "high": 1, "high_open": True},
            "val_fraction": {"low": 0, "high": 1, "low_open": True, "high_open": True},
        }.items():
            c.number(f"cross_corpus.head.{key}", **kw)

        def build() -> None:
            from ..training.heads import build_head  # torch: imported only when a head is configured

            build_head(str(head.get("type", "ser_evals_mlp")), 4, 2, head.get("hidden"), float(head.get("dropout", 0.1)))

        if not isinstance(head.get("type", "ser_evals_mlp"), str):
            c.add("cross_corpus.head.type", f"{head.get('type')!r} is not a head name")
        else:
            c.guarded("cross_corpus.head.type", build)
    elif head is not _MISSING:
        c.add("cross_corpus.head", f"{head!r} is not a mapping")
    c.boolean("cross_corpus.logit_adjustment.enabled")
    c.number("cross_corpus.logit_adjustment.tau")
    for key, row in c.list_items("cross_corpus.joint", "a list of {name, train} rows"):
        if not isinstance(row, Mapping) or not isinstance(row.get("name"), str) or "train" not in row:
            c.add(key, f"{row!r} needs a name and a train list")
            continue
        c.corpus_names(f"{key}.train", row["train"], nullable=False)


def _head_kind(c: _Checker, key: str) -> None:
    head = _get(c.params, key)
    if head is _MISSING or head is None:
        return
    if not isinstance(head, Mapping):
        c.add(key, f"{head!r} is not a mapping")
        return
    from ..evaluation.scramble import make_fit_predict

    c.guarded(f"{key}.kind", lambda: make_fit_predict(dict(head)))


def _features_and_head(c: _Checker, section: str) -> None:
    """The ``features`` block (backbone, options) and the ``head`` of a section that trains a pooled-feature head."""
    c.backbone(f"{section}.features.backbone")
    c.options(f"{section}.features.backbone_options")
    _head_kind(c, f"{section}.head")


def _balancing(c: _Checker) -> None:
    from ..training.balancing import METHODS

    if _get(c.params, "balancing") is _MISSING:
        return
    c.corpus_names("balancing.train_corpora")
    for key, name in c.items("balancing.emotion_sets"):
        c.emotion_set(key, name)
    for key, method in c.items("balancing.methods"):
        if method not in METHODS:
            c.add(key, f"{method!r} is not one of {', '.join(METHODS)}")
    c.number("balancing.seed", integer=True)
    c.number("balancing.k_neighbors", integer=True, low=1)
    protocol = _get(c.params, "balancing.protocol")
    if isinstance(protocol, str):
        c.choice("balancing.protocol", ("fold", "loso"))
    elif protocol is not _MISSING and protocol is not None:
        c.choice("balancing.protocol.name", ("fold", "loso"))
        c.number("balancing.protocol.fold", integer=True, low=0)
        c.number("balancing.protocol.k", integer=True, low=2)
        c.number("balancing.protocol.seed", integer=True)
    _features_and_head(c, "balancing")


def _scramble(c: _Checker) -> None:
    from ..audio.augment import check_rate

    if _get(c.params, "scramble_ablation") is _MISSING:
        return
    for key, pair in c.items("scramble_ablation.pairs", nullable=True):
        if not isinstance(pair, list) or len(pair) != 2:
            c.add(key, f"{pair!r} is not a pair [corpus_a, corpus_b]")
        else:
            c.corpus_names(key, pair, nullable=False)
    swap = _get(c.params, "scramble_ablation.swap")
    if isinstance(swap, Mapping):
        for source, target in swap.items():
            c.emotion_set(f"scramble_ablation.swap.{source}", [source, target])
            if swap.get(target) != source:
                c.add(f"scramble_ablation.swap.{source}", f"the swap must be symmetric: {target} -> {swap.get(target)!r}")
    elif swap is not _MISSING and swap is not None:
        c.add("scramble_ablation.swap", f"{swap!r} is not a mapping emotion -> emotion")
    c.choice("scramble_ablation.scramble_corpus", ("first", "second", "both"))
    for key, rate in c.items("scramble_ablation.augmentation_rates"):
        c.guarded(key, lambda r=rate: check_rate(r))
    c.emotion_set("scramble_ablation.emotion_set")
    c.number("scramble_ablation.fold", integer=True, low=0)
    c.number("scramble_ablation.seed", integer=True)
    c.boolean("scramble_ablation.nested_mlflow_runs")
    _features_and_head(c, "scramble_ablation")


def _augmentation(c: _Checker) -> None:
    from ..audio.augment import build_chain, check_rate

    if _get(c.params, "augmentation") is _MISSING:
        return
    rate = _get(c.params, "augmentation.rate")
    if rate is not _MISSING:
        c.guarded("augmentation.rate", lambda: check_rate(rate))
    for key, rate in c.items("augmentation.rates_sweep"):
        c.guarded(key, lambda r=rate: check_rate(r))
    c.number("augmentation.seed", integer=True)
    chains = _get(c.params, "augmentation.chains")
    chains = chains if isinstance(chains, Mapping) else {}
    chain = _get(c.params, "augmentation.chain")
    if chain is not _MISSING:
        c.guarded("augmentation.chain", lambda: build_chain(chain, chains=chains))
    for name, cfg in chains.items():
        c.guarded(f"augmentation.chains.{name}", lambda cfg=cfg: build_chain(cfg, chains=chains))
    c.number("augmentation.materialize.fold", integer=True, low=0)
    c.corpus_names("augmentation.examples.corpus")
    c.number("augmentation.examples.n_clips", integer=True, low=1)
    c.number("augmentation.examples.plots", integer=True, low=0)


def _training(c: _Checker) -> None:
    if _get(c.params, "training") is _MISSING:
        return
    c.choice("training.model", ("cnn14", "whisper"))
    c.corpus_names("training.train_corpora")
    c.emotion_set("training.emotion_set")
    c.number("training.fold", integer=True, low=0)
    c.number("training.val_fraction", low=0, high=1, low_open=True, high_open=True)
    c.number("training.epochs", integer=True, low=1)
    c.number("training.batch_size", integer=True, low=1)
    c.number("training.lr", low=0, low_open=True)
    c.number("training.weight_decay", low=0)
    c.number("training.max_seconds", low=0, low_open=True)
    c.number("training.log_every", integer=True, low=1)
    c.number("training.tail_fraction", low=0, high=1, low_open=True)
    c.number("training.seed", integer=True)
    c.number("training.num_workers", integer=True, low=0)
    c.boolean("training.amp")
    device = _get(c.params, "training.device")
    if device is not _MISSING and not (isinstance(device, str) and DEVICE.match(device)):
        c.add("training.device", f"{device!r} is not auto, cpu, mps, cuda or cuda:<index>")


def _profiling(c: _Checker) -> None:
    from ..audio.augment import build_chain

    if _get(c.params, "profiling") is _MISSING:
        return
    c.number("profiling.max_utterances_per_corpus", integer=True, low=1, nullable=True)
    c.number("profiling.seed", integer=True)
    c.boolean("profiling.augmentation_check.enabled")
    c.corpus_names("profiling.augmentation_check.source")
    c.corpus_names("profiling.augmentation_check.target")
    chain = _get(c.params, "profiling.augmentation_check.chain")
    if chain is not _MISSING and chain is not None:
        chains = _get(c.params, "augmentation.chains")
        chains = chains if isinstance(chains, Mapping) else {}
        c.guarded("profiling.augmentation_check.chain", lambda: build_chain(chain, chains=chains))


CHECKS: dict[str, Callable[[_Checker], None]] = {
    "ingestion": _ingestion, "cross_corpus": _cross_corpus, "balancing": _balancing,
    "scramble_ablation": _scramble, "augmentation": _augmentation, "training": _training, "profiling": _profiling,
}
"""The check of each parameter section."""

PIPELINE_SECTIONS: dict[str, tuple[str, ...]] = {
    "__default__": ("ingestion", "cross_corpus"),
    "cross_corpus": ("ingestion", "cross_corpus"),
    "ingestion": ("ingestion",),
    "synthesize": ("ingestion",),
    "balancing": ("ingestion", "balancing"),
    "scramble_ablation": ("ingestion", "scramble_ablation", "augmentation"),
    "augmentation": ("ingestion", "augmentation"),
    "training": ("ingestion", "training"),
    "profiling": ("ingestion", "profiling"),
}
"""Sections a pipeline reads: a run checks those of its pipelines only, so (say) scramble pairs naming the
synthetic corpora do not stop a cross_corpus run on real corpora declared in conf/local."""


def sections_for(pipelines: Iterable[str] | None) -> list[str]:
    """The sections to check for a run of ``pipelines`` (None or an unknown pipeline: every section)."""
    names = list(pipelines or ["__default__"]) if pipelines is not None else []
    if not names or any(n not in PIPELINE_SECTIONS for n in names):
        return list(CHECKS)
    return [s for s in CHECKS if any(s in PIPELINE_SECTIONS[n] for n in names)]


def validate_parameters(params: Mapping[str, Any], pipelines: Iterable[str] | None = None) -> list[str]:
    """Every problem of ``params`` (the merged parameters of a run) as ``"<dotted.key>: <what is wrong>"``.

    ``pipelines``: the pipelines about to run (their sections are checked); None checks every section.
    """
    checker = _Checker(params)
    for section in sections_for(pipelines):
        CHECKS[section](checker)
    return checker.problems


def check_parameters(params: Mapping[str, Any], pipelines: Iterable[str] | None = None) -> None:
    """Raise :class:`ParameterError` listing every problem of ``params``; return quietly when there is none."""
    problems = validate_parameters(params, pipelines)
    if problems:
        raise ParameterError(
            f"{len(problems)} parameter problem(s); nothing has run. Fix them in {CONFIG_HINT}:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
