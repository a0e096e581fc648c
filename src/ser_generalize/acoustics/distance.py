"""Corpus x corpus distances between acoustic-parameter distributions (pooled-std normalised 1-D Wasserstein)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance


def corpus_distances(profiles: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Long table (corpus_a, corpus_b, parameter, distance) incl. parameter 'mean'; W1 divided by the pair's pooled std."""
    corpora = sorted(profiles["corpus"].unique())
    rows = []
    for a, b in itertools.product(corpora, corpora):
        per = []
        for p in parameters:
            xa = profiles.loc[profiles["corpus"] == a, p].dropna().to_numpy(float)
            xb = profiles.loc[profiles["corpus"] == b, p].dropna().to_numpy(float)
            if xa.size == 0 or xb.size == 0:
                d = np.nan
            else:
                scale = np.std(np.concatenate([xa, xb]))
                d = wasserstein_distance(xa, xb) / scale if scale > 0 else 0.0
            per.append(d)
            rows.append({"corpus_a": a, "corpus_b": b, "parameter": p, "distance": d})
        rows.append({"corpus_a": a, "corpus_b": b, "parameter": "mean", "distance": float(np.nanmean(per)) if per else np.nan})
    return pd.DataFrame(rows)


def distance_matrix(long: pd.DataFrame, parameter: str = "mean") -> pd.DataFrame:
    """Wide corpus x corpus matrix of one parameter's distance (default: the mean over parameters)."""
    sub = long[long["parameter"] == parameter]
    return sub.pivot(index="corpus_a", columns="corpus_b", values="distance")
