"""The seven augmentations of Emmanouilidou et al. (2024, §5.2), each with ranges validated against the paper.

Every step draws its own random parameters from a ``numpy.random.Generator`` and then runs a
library transform (audiomentations, pedalboard) with exactly those parameters, so the drawn
values are returned for inspection and a seed reproduces the output. Library calls run inside
``seeded_globals`` because audiomentations also draws from Python's and NumPy's global RNGs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pedalboard
from audiomentations import (
    NOISE_COLOR_DECAYS,
    AddColorNoise,
    BandStopFilter,
    HighPassFilter,
    LowPassFilter,
    Shift,
    TimeMask,
    TimeStretch,
)
from audiomentations.core.utils import convert_frequency_to_mel, convert_mel_to_frequency

from .seeding import child_seed, seeded_globals

PAPER = "Emmanouilidou et al. 2024, §5.2"
CONFIG_FILE = "conf/base/parameters_augmentation.yml"
BUTTERWORTH_ORDER = 9
"""The paper's equalisation filters are 9th-order Butterworth (9 x 6 = 54 dB/octave roll-off)."""


class AugmentationConfigError(ValueError):
    """An augmentation config is malformed or leaves the paper's limits; the message names step, key and fix."""


def _pair(step: str, key: str, value: Any, limit: tuple[float, float]) -> tuple[float, float]:
    """Parse ``value`` (a number or ``[low, high]``) and check it lies within ``limit``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = float(value), float(value)
    elif (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        low, high = float(value[0]), float(value[1])
    else:
        raise AugmentationConfigError(
            f"augmentation '{step}': {key}={value!r} must be a number or [low, high]; fix it in {CONFIG_FILE}"
        )
    if low > high:
        raise AugmentationConfigError(
            f"augmentation '{step}': {key}=[{low}, {high}] has low > high; swap them in {CONFIG_FILE}"
        )
    lo, hi = limit
    if low < lo - 1e-9 or high > hi + 1e-9:
        raise AugmentationConfigError(
            f"augmentation '{step}': {key}=[{low}, {high}] leaves the allowed range [{lo}, {hi}] "
            f"({PAPER}); narrow it in {CONFIG_FILE}"
        )
    return low, high


def _uniform_mel(rng: np.random.Generator, low_hz: float, high_hz: float) -> float:
    """A frequency drawn uniformly on the mel scale, as audiomentations' filters do."""
    mel = rng.uniform(convert_frequency_to_mel(low_hz), convert_frequency_to_mel(high_hz))
    return float(np.clip(convert_mel_to_frequency(mel), low_hz, high_hz))


class Augmentation:
    """One configured augmentation: validated ranges, a parameter draw, and the library call that applies it."""

    name: ClassVar[str] = ""
    DEFAULTS: ClassVar[dict[str, Any]] = {}
    """Default value of every accepted key (ranges as ``[low, high]``, options as scalars)."""
    OPTIONS: ClassVar[dict[str, tuple[Any, ...]]] = {}
    """Non-range keys and their allowed values."""

    def __init__(self, config: Mapping[str, Any] | None = None, sample_rate: int = 16_000) -> None:
        cfg = dict(config or {})
        cfg.pop("name", None)
        self.sample_rate = int(sample_rate)
        p = cfg.pop("p", 1.0)
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= float(p) <= 1.0:
            raise AugmentationConfigError(
                f"augmentation '{self.name}': p={p!r} must be a probability in [0, 1]; fix it in {CONFIG_FILE}"
            )
        self.p = float(p)
        unknown = sorted(set(cfg) - set(self.DEFAULTS))
        if unknown:
            raise AugmentationConfigError(
                f"augmentation '{self.name}': unknown keys {unknown}; accepted keys are "
                f"{sorted(['p', *self.DEFAULTS])} (see docs/augmentation.md)"
            )
        merged = {**self.DEFAULTS, **cfg}
        limits = self.limits(self.sample_rate)
        self.ranges: dict[str, tuple[float, float]] = {
            key: _pair(self.name, key, merged[key], limits[key]) for key in limits
        }
        self.options: dict[str, Any] = {}
        for key, allowed in self.OPTIONS.items():
            if merged[key] not in allowed:
                raise AugmentationConfigError(
                    f"augmentation '{self.name}': {key}={merged[key]!r} is not one of {list(allowed)} "
                    f"({PAPER}); fix it in {CONFIG_FILE}"
                )
            self.options[key] = merged[key]

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        """The allowed ``[min, max]`` of every range key (the paper's where it gives one)."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """Everything that changes the output (hashed into cache keys)."""
        return {
            "name": self.name,
            "p": self.p,
            **{k: list(v) for k, v in self.ranges.items()},
            **self.options,
        }

    def draw(self, rng: np.random.Generator, n_samples: int) -> dict[str, Any]:
        """Random parameters for one waveform: each range key uniform in its range, plus a seed for the rest."""
        params: dict[str, Any] = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in self.ranges.items()}
        params["seed"] = child_seed(rng)
        return params

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        """Apply the augmentation with the given parameters (no randomness beyond ``params['seed']``)."""
        raise NotImplementedError

    def __call__(self, waveform: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """Draw parameters from ``rng`` and apply them; return the new waveform and the drawn parameters."""
        waveform = np.ascontiguousarray(waveform, dtype=np.float32)
        params = self.draw(rng, waveform.shape[-1])
        with seeded_globals(params["seed"]):
            out = self.apply(waveform, params)
        return np.ascontiguousarray(out, dtype=np.float32), params


class SpecAugment(Augmentation):
    """SpecAugment (Park et al. 2019) on the waveform: one time mask (silenced span) and one frequency mask.

    Time mask: audiomentations ``TimeMask`` silences ``time_mask_fraction`` of the clip (SpecAugment's
    upper bound p = 0.2 of the frames). Frequency mask: a zero-phase Butterworth band-stop
    (``BandStopFilter``) centred at a mel-uniform ``freq_center_hz`` with width
    ``freq_bandwidth_fraction`` x centre; a width of at most 1.0 x centre spans about 2-29 of 80
    mel channels, SpecAugment's F = 27.
    """

    name = "specaugment"
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "time_mask_fraction": [0.0, 0.1],
        "freq_center_hz": [150.0, 5000.0],
        "freq_bandwidth_fraction": [0.1, 1.0],
    }

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {
            "time_mask_fraction": (0.0, 0.2),
            "freq_center_hz": (20.0, 0.45 * sample_rate),
            "freq_bandwidth_fraction": (0.01, 1.0),
        }

    def draw(self, rng: np.random.Generator, n_samples: int) -> dict[str, Any]:
        params = super().draw(rng, n_samples)
        params["freq_center_hz"] = _uniform_mel(rng, *self.ranges["freq_center_hz"])
        length = int(params["time_mask_fraction"] * n_samples)
        params["time_mask_start"] = int(rng.integers(0, max(n_samples - length, 0) + 1))
        params["time_mask_samples"] = length
        return params

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        # Frequency mask first, so the filter's ringing never leaks into the silenced span.
        centre, width = params["freq_center_hz"], params["freq_bandwidth_fraction"]
        band = BandStopFilter(
            min_center_freq=centre,
            max_center_freq=centre,
            min_bandwidth_fraction=width,
            max_bandwidth_fraction=width,
            min_rolloff=24,
            max_rolloff=24,
            zero_phase=True,
            p=1.0,
        )
        mask = TimeMask(min_band_part=0.0, max_band_part=1.0, fade_duration=0.005, p=1.0)
        mask.parameters = {
            "should_apply": True,
            "t": params["time_mask_samples"],
            "t0": params["time_mask_start"],
        }
        mask.freeze_parameters()
        return mask(band(waveform, self.sample_rate), self.sample_rate)


class TimeStretchAug(Augmentation):
    """Speech-rate scaling without pitch change (audiomentations ``TimeStretch``), rate in [0.9, 1.2] per the paper.

    ``leave_length_unchanged: false`` (default) keeps every sample of speech; the clip gets
    1/rate times longer or shorter.
    """

    name = "time_stretch"
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "rate": [0.9, 1.2],
        "leave_length_unchanged": False,
        "method": "signalsmith_stretch",
    }
    OPTIONS: ClassVar[dict[str, tuple[Any, ...]]] = {
        "leave_length_unchanged": (False, True),
        "method": ("signalsmith_stretch", "librosa_phase_vocoder"),
    }

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {"rate": (0.9, 1.2)}

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        rate = params["rate"]
        return TimeStretch(
            min_rate=rate,
            max_rate=rate,
            leave_length_unchanged=self.options["leave_length_unchanged"],
            method=self.options["method"],
            p=1.0,
        )(waveform, self.sample_rate)


class TimeShiftAug(Augmentation):
    """Temporal shift by a fraction of the clip (audiomentations ``Shift``); the paper gives no range, we allow |shift| <= 0.5."""

    name = "time_shift"
    DEFAULTS: ClassVar[dict[str, Any]] = {"shift_fraction": [-0.1, 0.1], "rollover": True}
    OPTIONS: ClassVar[dict[str, tuple[Any, ...]]] = {"rollover": (True, False)}

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {"shift_fraction": (-0.5, 0.5)}

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        shift = params["shift_fraction"]
        return Shift(
            min_shift=shift,
            max_shift=shift,
            shift_unit="fraction",
            rollover=self.options["rollover"],
            fade_duration=0.005,
            p=1.0,
        )(waveform, self.sample_rate)


class FadeAug(Augmentation):
    """Linear fade-in and fade-out, each over at most 10% of the signal as the paper allows."""

    name = "fade"
    DEFAULTS: ClassVar[dict[str, Any]] = {"fade_in_fraction": [0.0, 0.1], "fade_out_fraction": [0.0, 0.1]}

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {"fade_in_fraction": (0.0, 0.1), "fade_out_fraction": (0.0, 0.1)}

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        n = waveform.shape[-1]
        gain = np.ones(n, dtype=np.float32)
        fade_in = int(params["fade_in_fraction"] * n)
        fade_out = int(params["fade_out_fraction"] * n)
        if fade_in > 0:
            gain[:fade_in] = np.linspace(0.0, 1.0, fade_in, endpoint=False, dtype=np.float32)
        if fade_out > 0:
            gain[n - fade_out :] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)
        return waveform * gain


class EqualizationAug(Augmentation):
    """Equalisation by a 9th-order Butterworth high-pass then low-pass (audiomentations, 54 dB/octave, causal).

    Cut-offs are drawn mel-uniformly in ``highpass_hz`` and ``lowpass_hz``; the paper fixes the
    order, not the cut-offs: we allow high-pass 20-1000 Hz and low-pass 1000 Hz-0.45 x sample rate.
    """

    name = "equalization"
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "highpass_hz": [50.0, 400.0],
        "lowpass_hz": [3000.0, 7000.0],
        "order": BUTTERWORTH_ORDER,
    }
    OPTIONS: ClassVar[dict[str, tuple[Any, ...]]] = {"order": (BUTTERWORTH_ORDER,)}

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {"highpass_hz": (20.0, 1000.0), "lowpass_hz": (1000.0, 0.45 * sample_rate)}

    def draw(self, rng: np.random.Generator, n_samples: int) -> dict[str, Any]:
        params = super().draw(rng, n_samples)
        params["highpass_hz"] = _uniform_mel(rng, *self.ranges["highpass_hz"])
        params["lowpass_hz"] = _uniform_mel(rng, *self.ranges["lowpass_hz"])
        params["order"] = self.options["order"]
        return params

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        rolloff = 6 * params["order"]
        high = HighPassFilter(
            min_cutoff_freq=params["highpass_hz"],
            max_cutoff_freq=params["highpass_hz"],
            min_rolloff=rolloff,
            max_rolloff=rolloff,
            zero_phase=False,
            p=1.0,
        )
        low = LowPassFilter(
            min_cutoff_freq=params["lowpass_hz"],
            max_cutoff_freq=params["lowpass_hz"],
            min_rolloff=rolloff,
            max_rolloff=rolloff,
            zero_phase=False,
            p=1.0,
        )
        return low(high(waveform, self.sample_rate), self.sample_rate)


class PinkNoiseAug(Augmentation):
    """Additive pink noise (-3.01 dB/octave, audiomentations ``AddColorNoise``) at an SNR in ``snr_db``.

    The paper names pink noise without an SNR; we default to 10-30 dB and allow 0-60 dB.
    """

    name = "pink_noise"
    DEFAULTS: ClassVar[dict[str, Any]] = {"snr_db": [10.0, 30.0]}

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {"snr_db": (0.0, 60.0)}

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        decay = float(NOISE_COLOR_DECAYS["pink"])
        snr = params["snr_db"]
        noise = AddColorNoise(
            min_snr_db=snr,
            max_snr_db=snr,
            min_f_decay=decay,
            max_f_decay=decay,
            p_apply_a_weighting=0.0,
            p=1.0,
        )
        return noise(waveform, self.sample_rate)


class ReverbAug(Augmentation):
    """Freeverb reverberation with pedalboard: room size <= 0.2, wet level <= 0.5, dry level 0.4 (the paper's)."""

    name = "reverb"
    DEFAULTS: ClassVar[dict[str, Any]] = {
        "room_size": [0.0, 0.2],
        "wet_level": [0.0, 0.5],
        "dry_level": 0.4,
        "damping": [0.3, 0.7],
    }

    @classmethod
    def limits(cls, sample_rate: int) -> dict[str, tuple[float, float]]:
        return {
            "room_size": (0.0, 0.2),
            "wet_level": (0.0, 0.5),
            "dry_level": (0.4, 0.4),
            "damping": (0.0, 1.0),
        }

    def apply(self, waveform: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        reverb = pedalboard.Reverb(
            room_size=params["room_size"],
            damping=params["damping"],
            wet_level=params["wet_level"],
            dry_level=params["dry_level"],
            width=1.0,
        )
        return reverb(waveform, self.sample_rate)


AUGMENTATIONS: dict[str, type[Augmentation]] = {
    cls.name: cls
    for cls in (SpecAugment, TimeStretchAug, TimeShiftAug, FadeAug, EqualizationAug, PinkNoiseAug, ReverbAug)
}
"""The seven augmentations by name, in the paper's order."""


def build_step(config: str | Mapping[str, Any], sample_rate: int = 16_000) -> Augmentation:
    """Build one augmentation from its name or ``{name: ..., p: ..., <range keys>}``; bad names list the valid ones."""
    cfg: dict[str, Any] = {"name": config} if isinstance(config, str) else dict(config)
    name = cfg.get("name")
    if name not in AUGMENTATIONS:
        raise AugmentationConfigError(
            f"unknown augmentation {name!r} in {cfg}; choose one of {list(AUGMENTATIONS)} (see docs/augmentation.md)"
        )
    return AUGMENTATIONS[name](cfg, sample_rate)
