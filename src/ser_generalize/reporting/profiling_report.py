"""Profiling report: per-corpus medians and spread, corpus distances, and what separates each corpus pair.

Parameters are grouped into factors a user can act on (noise, reverberation, channel bandwidth, level,
voice quality, speaker/prosody, duration); a pair's dominant factor is the one holding its largest
normalised distance, and the sentence says which augmentation would address it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ser_generalize.reporting.markdown import markdown_table

FACTORS = {
    "noise": ["snr_db", "dnsmos_bak"],
    "reverberation": ["t60_s", "c50_db"],
    "channel bandwidth": ["bandwidth_hz", "rolloff_hz"],
    "level": ["loudness_lufs"],
    "voice quality": ["dnsmos_sig", "dnsmos_ovrl"],
    "speaker and prosody": ["f0_mean_hz", "f0_std_hz", "f0_range_hz"],
    "duration": ["duration_s"],
}
ACTIONS = {
    "noise": "add noise at the target's SNR to the training audio",
    "reverberation": "convolve the training audio with room responses of the target's T60",
    "channel bandwidth": "band-limit the training audio to the target's bandwidth",
    "level": "loudness-normalise both corpora",
    "voice quality": "match the recording chain (noise, codec, reverberation); DNSMOS summarises them",
    "speaker and prosody": "not a recording condition (speakers, language, acting style): recording-condition "
                           "augmentation will not close it",
    "duration": "not a recording condition: compare utterance lengths or crop",
}
UNITS = {"t60_s": "s", "c50_db": "dB", "snr_db": "dB", "loudness_lufs": "LUFS", "bandwidth_hz": "Hz",
         "rolloff_hz": "Hz", "f0_mean_hz": "Hz", "f0_std_hz": "Hz", "f0_range_hz": "Hz", "duration_s": "s"}


def factor_of(parameter: str) -> str:
    """The factor a parameter belongs to (``other`` when unlisted)."""
    return next((f for f, ps in FACTORS.items() if parameter in ps), "other")


def corpus_summary(profiles: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Long table (corpus, parameter, n, median, p25, p75) of every parameter per corpus."""
    rows = []
    for corpus, grp in profiles.groupby("corpus"):
        for p in parameters:
            v = grp[p].dropna().to_numpy(float)
            q = np.percentile(v, [50, 25, 75]) if v.size else [np.nan] * 3
            rows.append({"corpus": corpus, "parameter": p, "n": int(v.size), "median": q[0], "p25": q[1],
                         "p75": q[2]})
    return pd.DataFrame(rows)


SEPARATED = 1.9
"""W1 / pooled SD saturates near 2 when two distributions do not overlap at all; from here on it cannot rank."""


def _effect_size(s: pd.DataFrame, a: str, b: str, parameter: str) -> float:
    """|median difference| over the mean within-corpus spread (IQR / 1.35), floored at 1 % of the larger median."""
    ra, rb = s.loc[(a, parameter)], s.loc[(b, parameter)]
    spread = ((ra["p75"] - ra["p25"]) + (rb["p75"] - rb["p25"])) / 2 / 1.35
    floor = 0.01 * max(abs(ra["median"]), abs(rb["median"]), 1e-9)
    return float(abs(ra["median"] - rb["median"]) / max(spread, floor))


def pair_factors(distances: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """One row per unordered corpus pair: factors ranked by their largest parameter distance, and a sentence.

    Distances at or above ``SEPARATED`` (no overlap) are ranked among themselves by effect size (median gap
    over within-corpus spread), since the normalised Wasserstein distance cannot tell them apart.
    """
    d = distances[distances["parameter"] != "mean"].dropna(subset=["distance"])
    indexed = summary.set_index(["corpus", "parameter"])
    med = indexed["median"]
    corpora = sorted(set(d["corpus_a"]))
    rows = []
    for a, b in itertools.combinations(corpora, 2):
        sub = d[(d["corpus_a"] == a) & (d["corpus_b"] == b)].copy()
        if sub.empty:
            continue
        sub["factor"] = sub["parameter"].map(factor_of)
        sub["effect"] = [_effect_size(indexed, a, b, p) for p in sub["parameter"]]
        sub["rank_key"] = np.minimum(sub["distance"], SEPARATED)
        top = sub.sort_values(["rank_key", "effect"], ascending=False).drop_duplicates("factor")
        first, second = top.iloc[0], top.iloc[1] if len(top) > 1 else None
        rows.append({"corpus_a": a, "corpus_b": b, "dominant_factor": first["factor"],
                     "dominant_parameter": first["parameter"], "distance": float(first["distance"]),
                     "second_factor": None if second is None else second["factor"],
                     "second_distance": np.nan if second is None else float(second["distance"]),
                     "summary": _sentence(a, b, top, med)})
    return pd.DataFrame(rows)


def _value(med: pd.Series, corpus: str, parameter: str) -> str:
    v = med.get((corpus, parameter), np.nan)
    return f"{v:.3g} {UNITS.get(parameter, '')}".strip()


def _sentence(a: str, b: str, ranked: pd.DataFrame, med: pd.Series) -> str:
    first = ranked.iloc[0]
    p = first["parameter"]
    text = (f"The largest gap between {a} and {b} is {first['factor']} ({p}: median {_value(med, a, p)} vs "
            f"{_value(med, b, p)}, distance {first['distance']:.2f} pooled SD, effect size {first['effect']:.1f})")
    rest = ranked.iloc[1:]
    also = rest[rest["distance"] >= SEPARATED]
    if len(also) and first["distance"] >= SEPARATED:
        verb = "separates" if len(also) == 1 else "separate"
        text += (f"; {' and '.join(also['factor'])} also {verb} them completely (distance >= {SEPARATED}), "
                 "with smaller effect sizes")
    elif len(rest):
        text += f", ahead of {rest.iloc[0]['factor']} ({rest.iloc[0]['parameter']}, {rest.iloc[0]['distance']:.2f})"
    for big, small in (("noise", "reverberation"), ("reverberation", "noise")):
        other = rest[rest["factor"] == small]
        named = len(rest) and rest.iloc[0]["factor"] == small
        if first["factor"] == big and not other.empty and other["distance"].iloc[0] < SEPARATED and not named:
            text += f"; {small} is smaller ({other['distance'].iloc[0]:.2f})"
    return text + f". To close it first: {ACTIONS.get(first['factor'], 'inspect the distributions')}."


def _median_table(summary: pd.DataFrame) -> pd.DataFrame:
    cell = summary.assign(text=[f"{m:.3g} [{lo:.3g}, {hi:.3g}]" for m, lo, hi in
                                zip(summary["median"], summary["p25"], summary["p75"])])
    return cell.pivot(index="parameter", columns="corpus", values="text").reset_index()


def augmentation_verdicts(table: pd.DataFrame, tolerance: float = 0.05) -> pd.DataFrame:
    """Add ``verdict`` (gap shrank / grew / unchanged within ``tolerance``) to a before/after distance table."""
    out = table.copy()
    out["verdict"] = np.where(out["change"] < -tolerance, "gap shrank",
                              np.where(out["change"] > tolerance, "gap grew", "unchanged"))
    return out


def profiling_report(profiles: pd.DataFrame, rejects: pd.DataFrame, distances: pd.DataFrame,
                     parameters: list[str], notes: dict[str, str], synthetic: bool, max_per_corpus: int | None,
                     augmentation: pd.DataFrame | None = None, augmentation_label: str = "") -> tuple[str, pd.DataFrame]:
    """Markdown report and the pair table (dominant factor per corpus pair)."""
    summary = corpus_summary(profiles, parameters)
    pairs = pair_factors(distances, summary)
    counts = profiles.groupby("corpus").size()
    rej = rejects.groupby("corpus").size() if len(rejects) else pd.Series(dtype=int)
    used = pd.DataFrame({"corpus": counts.index, "clips profiled": counts.to_numpy(),
                         "clips rejected": [int(rej.get(c, 0)) for c in counts.index]})
    lines = ["# Acoustic profiling report", ""]
    if synthetic:
        lines += [("**Synthetic corpora** (eSpeak NG speech generated by this project): the numbers test the "
                  "pipeline and the estimators; they are not results on the real corpora."), ""]
    cap = "all clips" if max_per_corpus is None else f"a seeded sample of at most {max_per_corpus} clips"
    lines += [f"Each corpus is profiled on {cap} (`profiling.max_utterances_per_corpus`).", "",
              markdown_table(used), "", "## Per-corpus medians [25th, 75th percentile]", "",
              markdown_table(_median_table(summary)), "", "## How each parameter is measured", "",
              markdown_table(pd.DataFrame({"parameter": list(notes), "method": list(notes.values())})), ""]
    if "t60_s" in parameters:
        order = summary[summary["parameter"] == "t60_s"].sort_values("median")
        ranking = ", ".join(f"{c} ({m:.2f} s)" for c, m in zip(order["corpus"], order["median"]))
        lines += [f"Corpora by estimated T60, lowest first: {ranking}.", ""]
    wide = distances[distances["parameter"] == "mean"].pivot(index="corpus_a", columns="corpus_b", values="distance")
    lines += ["## Corpus x corpus distance (mean over parameters of W1 / pooled SD)", "",
              markdown_table(wide.reset_index().rename(columns={"corpus_a": "corpus"}), ".2f"), "",
              "## What separates each pair", ""]
    lines += [f"- {s}" for s in pairs["summary"]] + [""]
    if augmentation is not None and len(augmentation):
        intro = ("Distance from the augmented source to the target, per parameter, before and after the chain "
                 "(profiled with the same calibrated estimators):")
        lines += [f"## Augmentation check {augmentation_label}".rstrip(), "", intro, "",
                  markdown_table(augmentation, ".2f"), ""]
    return "\n".join(lines), pairs
