"""Transfer attribution: explain a matrix's cross-corpus drops by descriptors of (training, test) pairs.

For each off-diagonal cell of a single-corpus row, the drop is the training corpus's in-domain score
minus the cell's score. Each cell gets pair descriptors (language mismatch, label-set distance, speaker
count and gender-balance differences, duration difference, acted vs natural, the difference in emotion
contrast of the prosody, and the acoustic profile's per-parameter distances). A non-negative ridge
regression (a mismatch can only cost performance) of the drops on the descriptors, scaled by their
standard deviation but not centred (zero = no mismatch), gives each descriptor's effect; descriptors are
grouped into factors, a factor's contribution to a cell is the sum of its descriptors' effect x value,
and its share is its mean contribution over the mean drop. Intervals come from a bootstrap that resamples
cells.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

log = logging.getLogger(__name__)

ACOUSTIC_FACTORS: dict[str, str] = {
    "snr_db": "recording",
    "dnsmos_bak": "recording",
    "t60_s": "recording",
    "c50_db": "recording",
    "bandwidth_hz": "recording",
    "rolloff_hz": "recording",
    "loudness_lufs": "recording",
    "dnsmos_sig": "recording",
    "dnsmos_ovrl": "recording",
    "f0_mean_hz": "speakers",
    "f0_std_hz": "expressiveness",
    "f0_range_hz": "expressiveness",
}
"""Acoustic profile parameter -> the factor its corpus distance describes (duration comes from manifests).

Noise, reverberation and band limit form one factor, the recording condition: their blind estimators
read each other (T60 reads high under noise, WADA-SNR low under reverberation), so only the group is
identifiable; the per-descriptor effects table keeps them apart for reading."""

CONTRAST_PARAMETERS = ("f0_mean_hz", "f0_range_hz", "loudness_lufs")
"""Profile parameters whose between-emotion share of variance measures how strongly emotions are acted."""

MANIFEST_FACTORS: dict[str, str] = {
    "language_mismatch": "language",
    "label_distance": "labels",
    "speaker_count_diff": "speakers",
    "gender_balance_diff": "speakers",
    "duration_diff": "length",
    "acted_mismatch": "acting",
    "contrast_diff": "expressiveness",
}
"""Descriptor from manifests / ingestion parameters -> factor."""

UNATTRIBUTED = "unattributed"


def emotion_contrast(profile: pd.DataFrame, manifest: pd.DataFrame) -> float:
    """Mean over :data:`CONTRAST_PARAMETERS` of the between-emotion share of variance (eta squared), 0-1.

    High when emotions are acted with strong, consistent prosody; NaN without profiled utterances.
    """
    emotion = manifest.set_index(manifest["utt_id"].astype(str))["emotion"].astype(str)
    rows = profile.assign(emotion=profile["utt_id"].astype(str).map(emotion)).dropna(subset=["emotion"])
    shares = []
    for p in CONTRAST_PARAMETERS:
        if p not in rows.columns:
            continue
        x = rows[[p, "emotion"]].dropna()
        total = float(((x[p] - x[p].mean()) ** 2).sum())
        if len(x) < 4 or total <= 0:
            continue
        means = x.groupby("emotion")[p].transform("mean")
        shares.append(float(((means - x[p].mean()) ** 2).sum()) / total)
    return float(np.mean(shares)) if shares else np.nan


def corpus_descriptors(
    manifests: Mapping[str, pd.DataFrame],
    ingestion: Mapping[str, Any] | None = None,
    profiles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per corpus: language, label set, speaker count, female share, mean duration, acted flag,
    and (with ``profiles``) the emotion contrast of its prosody.

    ``acted`` is ``ingestion.corpora.<name>.acted`` when declared (True/False), else unknown (NaN);
    synthetic corpora are acted (their emotions are rendered on purpose).
    """
    groups = {c: g for c, g in profiles.groupby("corpus")} if profiles is not None and len(profiles) else {}
    declared = (ingestion or {}).get("corpora") or {}
    rows = []
    for name, m in manifests.items():
        info = declared.get(name) or {}
        acted = info.get("acted", True if info.get("synthetic") or str(name).startswith("syn") else None)
        speakers = m.drop_duplicates("speaker") if "speaker" in m.columns else m.iloc[:0]
        genders = (
            speakers["gender"].astype(str).str.lower() if "gender" in speakers.columns else pd.Series([])
        )
        known = genders[genders.isin(["female", "male"])]
        language = m["language"].astype(str).mode().iloc[0] if "language" in m.columns and len(m) else ""
        rows.append(
            {
                "corpus": name,
                "language": str(info.get("language", language)),
                "labels": ",".join(sorted(set(m["emotion"].astype(str)))),
                "n_speakers": int(m["speaker"].nunique()) if "speaker" in m.columns else np.nan,
                "female_share": float((known == "female").mean()) if len(known) else np.nan,
                "mean_duration_s": float(m["duration_s"].mean()) if "duration_s" in m.columns else np.nan,
                "acted": np.nan if acted is None else float(bool(acted)),
                "emotion_contrast": emotion_contrast(groups[name], m) if name in groups else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("corpus")


def _w1(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import wasserstein_distance

    if a.size == 0 or b.size == 0:
        return np.nan
    scale = np.std(np.concatenate([a, b]))
    return float(wasserstein_distance(a, b) / scale) if scale > 0 else 0.0


def _floor(values: np.ndarray, seed: int = 0, splits: int = 8) -> float:
    """Within-corpus sampling floor of the normalised W1, from distances between random halves of a corpus."""
    if values.size < 4:
        return 0.0
    rng = np.random.default_rng(seed)
    halves = [rng.permutation(values) for _ in range(splits)]
    # two halves of n/2 differ by ~sqrt(2) more than two samples of n: scale to the size of the pair
    return float(np.mean([_w1(h[: h.size // 2], h[h.size // 2 :]) for h in halves])) / np.sqrt(2)


def pair_descriptors(
    pairs: pd.DataFrame,
    corpora: pd.DataFrame,
    profiles: pd.DataFrame | None = None,
    parameters: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Descriptors of each (train, test) row of ``pairs``; acoustic ones as ``dist_<parameter>``.

    Acoustic distances are the 1-D Wasserstein distance between the two corpora's per-utterance values
    divided by their pooled standard deviation (as ``acoustics.distance``), minus the mean within-corpus
    floor of the two (distance between random halves of each corpus), clipped at zero: a distance two
    samples of one corpus would show is not a mismatch. Left out without profiles.
    """
    out = pairs[["train", "test"]].copy().reset_index(drop=True)
    a, b = corpora.loc[out["train"]].reset_index(drop=True), corpora.loc[out["test"]].reset_index(drop=True)
    out["language_mismatch"] = (a["language"] != b["language"]).astype(float)
    jaccard = [
        len(set(x.split(",")) & set(y.split(","))) / max(1, len(set(x.split(",")) | set(y.split(","))))
        for x, y in zip(a["labels"], b["labels"], strict=True)
    ]
    out["label_distance"] = 1.0 - np.asarray(jaccard)
    out["speaker_count_diff"] = np.abs(np.log(b["n_speakers"].astype(float) / a["n_speakers"].astype(float)))
    out["gender_balance_diff"] = np.abs(b["female_share"] - a["female_share"])
    out["duration_diff"] = np.abs(np.log(b["mean_duration_s"] / a["mean_duration_s"]))
    out["acted_mismatch"] = np.abs(b["acted"] - a["acted"])
    if "emotion_contrast" in corpora.columns and corpora["emotion_contrast"].notna().any():
        out["contrast_diff"] = np.abs(b["emotion_contrast"] - a["emotion_contrast"])
    if profiles is not None and len(profiles):
        params = [
            p for p in (parameters or ACOUSTIC_FACTORS) if p in profiles.columns and p in ACOUSTIC_FACTORS
        ]
        groups = {c: g for c, g in profiles.groupby("corpus")}
        for p in params:
            values = {c: g[p].dropna().to_numpy(float) for c, g in groups.items()}
            floor = {c: _floor(v) for c, v in values.items()}
            out[f"dist_{p}"] = [
                max(
                    0.0,
                    _w1(values.get(tr, np.zeros(0)), values.get(te, np.zeros(0)))
                    - (floor.get(tr, 0.0) + floor.get(te, 0.0)) / 2,
                )
                for tr, te in zip(out["train"], out["test"], strict=True)
            ]
    return out


def descriptor_factor(name: str) -> str:
    """The factor a descriptor column belongs to."""
    if name.startswith("dist_"):
        return ACOUSTIC_FACTORS.get(name[5:], name[5:])
    return MANIFEST_FACTORS.get(name, name)


def matrix_drops(cells: pd.DataFrame, metric: str = "macro_f1") -> pd.DataFrame:
    """Off-diagonal cells of single-corpus rows; ``drop`` = the row's in-domain score minus the cell score.

    ``cells`` has columns train, test and ``metric`` (one row per cell, e.g. means over folds and seeds);
    rows whose training corpus has no diagonal cell (joint rows) are left out.
    """
    diag = cells[cells["train"] == cells["test"]].set_index("train")[metric]
    off = cells[(cells["train"] != cells["test"]) & cells["train"].isin(diag.index)].copy()
    off["in_domain"] = off["train"].map(diag).to_numpy(float)
    off["score"] = off[metric].to_numpy(float)
    off["drop"] = off["in_domain"] - off["score"]
    return off[["train", "test", "in_domain", "score", "drop"]].reset_index(drop=True)


def _design(
    frame: pd.DataFrame, descriptors: list[str], scale: pd.Series, corpus_effects: bool
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Columns: scaled descriptors (effects >= 0), centred train/test corpus dummies, intercept (>= 0)."""
    cols = [frame[descriptors].to_numpy(float) / scale.to_numpy(float)]
    names = list(descriptors)
    if corpus_effects:
        for role in ("train", "test"):
            dummies = pd.get_dummies(frame[role]).astype(float)
            cols.append(dummies.to_numpy() - dummies.to_numpy().mean(0))
            names += [f"{role}:{c}" for c in dummies.columns]
    cols.append(np.ones((len(frame), 1)))
    names.append("intercept")
    nonneg = np.array([n in descriptors or n == "intercept" for n in names])
    return np.hstack(cols), names, nonneg


def _fit(x: np.ndarray, y: np.ndarray, nonneg: np.ndarray, alpha: float) -> np.ndarray:
    """Ridge (every column penalised but the intercept); descriptor effects and intercept non-negative."""
    penalty = np.sqrt(alpha) * np.eye(x.shape[1])[:-1]
    a = np.vstack([x, penalty])
    b = np.concatenate([y, np.zeros(len(penalty))])
    lower = np.where(nonneg, 0.0, -np.inf)
    return lsq_linear(a, b, bounds=(lower, np.full(x.shape[1], np.inf))).x


@dataclass
class Attribution:
    """Effects per descriptor, shares per factor (with bootstrap intervals), per-cell contributions, words."""

    effects: pd.DataFrame
    factors: pd.DataFrame
    cells: pd.DataFrame
    r2: float
    notes: list[str] = field(default_factory=list)
    paragraph: str = ""


def attribute(
    drops: pd.DataFrame,
    descriptors: pd.DataFrame,
    alpha: float = 1.0,
    n_boot: int = 300,
    seed: int = 0,
    corpus_effects: bool | str = "auto",
    alpha_ci: float = 0.05,
) -> Attribution:
    """Fit the drop model on ``drops`` (train, test, drop) joined with ``descriptors`` (train, test, ...).

    ``corpus_effects='auto'`` adds training- and test-corpus effects only when each corpus appears in
    several cells and there are at least twice as many cells as parameters; otherwise the model is
    descriptors + intercept (said in ``notes``). Bootstrap intervals resample cells with replacement.
    """
    frame = drops.merge(descriptors, on=["train", "test"], how="inner")
    notes: list[str] = []
    candidates = [c for c in descriptors.columns if c not in ("train", "test")]
    missing = [c for c in candidates if frame[c].isna().any()]
    if missing:
        notes.append(f"left out for missing values: {', '.join(missing)}")
    usable = [c for c in candidates if c not in missing]
    scale = frame[usable].std(ddof=0)
    constant = [c for c in usable if not scale[c] > 1e-12]
    if constant:
        notes.append(f"constant on this matrix, so not estimable: {', '.join(constant)}")
    used = [c for c in usable if c not in constant]
    if not any(c.startswith("dist_") for c in candidates):
        notes.append(
            "no acoustic profile was available: recording-condition distances are not among the descriptors"
        )
    n_corpora = frame["train"].nunique() + frame["test"].nunique()
    if corpus_effects == "auto":
        corpus_effects = (
            frame["train"].nunique() > 1
            and frame["test"].nunique() > 1
            and len(frame) >= 2 * (len(used) + n_corpora + 1)
        )
    notes.append(
        "model: non-negative ridge on descriptors"
        + (
            " with training- and test-corpus effects"
            if corpus_effects
            else " and an intercept (too few cells for corpus effects)"
        )
    )
    y = frame["drop"].to_numpy(float)
    x, _names, nonneg = _design(frame, used, scale[used], bool(corpus_effects))
    coef = _fit(x, y, nonneg, alpha)
    pred = x @ coef
    r2 = float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)) if np.ptp(y) > 0 else float("nan")
    factors = sorted({descriptor_factor(c) for c in used})

    def contributions(xm: np.ndarray, b: np.ndarray) -> pd.DataFrame:
        parts = {f: np.zeros(len(xm)) for f in factors}
        for j, c in enumerate(used):
            parts[descriptor_factor(c)] += xm[:, j] * b[j]
        return pd.DataFrame(parts)

    contrib = contributions(x, coef)
    mean_drop = float(np.mean(y))
    rng = np.random.default_rng(seed)
    boot_coef, boot_share = [], []
    for _ in range(int(n_boot)):
        idx = rng.integers(0, len(y), len(y))
        b = _fit(x[idx], y[idx], nonneg, alpha)
        boot_coef.append(b[: len(used)])
        denom = float(np.mean(y[idx]))
        boot_share.append(
            (contributions(x[idx], b).mean(0) / denom).to_numpy() if denom else np.full(len(factors), np.nan)
        )
    lo_q, hi_q = 100 * alpha_ci / 2, 100 * (1 - alpha_ci / 2)
    bc = np.array(boot_coef).reshape(-1, len(used))
    bs = np.array(boot_share).reshape(-1, len(factors))
    effects = pd.DataFrame(
        {
            "descriptor": used,
            "factor": [descriptor_factor(c) for c in used],
            "effect": coef[: len(used)],
            "scale": scale[used].to_numpy(float),
            "lo": np.nanpercentile(bc, lo_q, 0) if len(bc) else np.nan,
            "hi": np.nanpercentile(bc, hi_q, 0) if len(bc) else np.nan,
        }
    )
    share = contrib.mean(0) / mean_drop if mean_drop else contrib.mean(0) * np.nan
    table = pd.DataFrame(
        {
            "factor": factors,
            "mean_contribution": contrib.mean(0).to_numpy(),
            "share": share.to_numpy(),
            "lo": np.nanpercentile(bs, lo_q, 0) if len(bs) else np.nan,
            "hi": np.nanpercentile(bs, hi_q, 0) if len(bs) else np.nan,
        }
    )
    table = pd.concat(
        [
            table,
            pd.DataFrame(
                [
                    {
                        "factor": UNATTRIBUTED,
                        "mean_contribution": coef[-1],
                        "share": coef[-1] / mean_drop if mean_drop else np.nan,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    table = table.sort_values(
        "mean_contribution", ascending=False, key=lambda s: s.where(table["factor"] != UNATTRIBUTED, -np.inf)
    ).reset_index(drop=True)
    cells = frame[["train", "test", "drop"]].copy()
    cells["predicted"] = pred
    for f in factors:
        cells[f"contrib_{f}"] = contrib[f].to_numpy()
    top = contrib.to_numpy()
    cells["top_factor"] = [factors[int(np.argmax(r))] if np.max(r) > 0 else "none" for r in top]
    result = Attribution(effects=effects, factors=table, cells=cells, r2=r2, notes=notes)
    result.paragraph = describe(result, mean_drop, len(frame))
    return result


def describe(result: Attribution, mean_drop: float, n_cells: int) -> str:
    """The attribution in words: which factors explain the mean drop, with intervals and caveats."""
    named = result.factors[(result.factors["factor"] != UNATTRIBUTED) & (result.factors["share"] > 0.005)]
    if named.empty:
        lead = "no descriptor explains any of the drop"
    else:
        parts = [
            f"{r.factor} {100 * r.share:.0f} % (95 % CI {100 * r.lo:.0f} to {100 * r.hi:.0f} %)"
            for r in named.itertuples()
        ]
        top = named.iloc[0]
        lead = (
            f"{top['factor']} mismatch explains most of it, {100 * top['share']:.0f} % of the mean drop "
            f"(95 % CI {100 * top['lo']:.0f} to {100 * top['hi']:.0f} %)"
            + (f"; then {', '.join(parts[1:])}" if len(parts) > 1 else "")
        )
    rest = result.factors.loc[result.factors["factor"] == UNATTRIBUTED, "share"]
    rest_txt = f"; {100 * float(rest.iloc[0]):.0f} % stays unattributed (intercept)" if len(rest) else ""
    return (
        f"On this matrix ({n_cells} cells, mean drop {mean_drop:.3f}), {lead}{rest_txt}. "
        f"The model fits R^2 = {result.r2:.2f}. " + " ".join(n[0].upper() + n[1:] + "." for n in result.notes)
    )
