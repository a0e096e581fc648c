"""Hugging Face audio encoders (Whisper encoder, WavLM, HuBERT, wav2vec 2.0, ...) as backbones.

Whisper is run *trimmed*: the log-mel input covers only the clip (rounded up to 320 samples)
instead of 30 s of padding, and :func:`whisper_encoder_states` slices the positional
embedding to that length (the stock ``WhisperEncoder.forward`` in transformers 5 raises
unless the input is exactly 3000 mel frames). ``trim=False`` runs the stock 30 s forward.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoConfig, AutoFeatureExtractor, AutoModel

from ..models.whisper_encoder import WHISPER_HOP, trimmed_whisper_inputs, whisper_encoder_states
from ..utils.device import pick_device
from ..utils.hashing import config_hash
from .base import SAMPLE_RATE, autocast_context, autocast_dtype, mean_pool, safe_name

log = logging.getLogger(__name__)

__all__ = ["WHISPER_HOP", "HFBackbone", "trimmed_whisper_inputs", "whisper_encoder_states"]

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


class HFBackbone:
    """A transformers audio encoder; frames = hidden states of one layer, pooled = mean over frames.

    Options: ``layer`` (index into the hidden states, 0 = embeddings, -1 = last), ``batch_size``,
    ``device`` ('auto' = CUDA when present), ``max_seconds`` (longer clips are cut), ``trim``
    (Whisper only: feed only the clip's length instead of 30 s), ``dtype`` (float32/float16/bfloat16),
    ``autocast`` (CUDA mixed precision: auto = bfloat16 where supported else float16; none on CPU).
    The model is loaded lazily, so ``config()`` (the cache key) costs only the config.json read.
    """

    def __init__(
        self,
        checkpoint: str,
        layer: int = -1,
        batch_size: int = 8,
        device: str = "auto",
        max_seconds: float = 30.0,
        trim: bool = True,
        dtype: str = "float32",
        autocast: str = "auto",
    ) -> None:
        self.checkpoint = str(checkpoint)
        try:
            self.hf_config = AutoConfig.from_pretrained(self.checkpoint)
        except Exception as exc:
            raise ValueError(
                f"cannot load Hugging Face checkpoint '{self.checkpoint}' ({exc}); pass a local directory "
                "holding config.json, weights and preprocessor_config.json, or allow network access"
            ) from exc
        if dtype not in _DTYPES:
            raise ValueError(f"dtype '{dtype}' not supported; use one of {sorted(_DTYPES)}")
        self.model_type = str(self.hf_config.model_type)
        self.is_whisper = self.model_type == "whisper"
        cfg = self.hf_config
        self.num_layers = int(cfg.encoder_layers if self.is_whisper else cfg.num_hidden_layers)
        if not -(self.num_layers + 1) <= int(layer) <= self.num_layers:
            raise ValueError(
                f"layer {layer} out of range for {self.checkpoint}: it has {self.num_layers} layers "
                f"(valid: 0..{self.num_layers} or negative from the end, -1 = last)"
            )
        self.layer = int(layer) % (self.num_layers + 1)
        self.batch_size = max(1, int(batch_size))
        self.device = pick_device(device)
        self.autocast = autocast_dtype(self.device, autocast)
        self.max_seconds = float(max_seconds)
        if self.is_whisper and self.max_seconds > 30:
            raise ValueError("Whisper's encoder covers at most 30 s; set max_seconds <= 30")
        self.trim = bool(trim)
        self.dtype = dtype
        self.name = "hf-" + safe_name(Path(self.checkpoint.rstrip("/")).name)
        self._dim = int(getattr(cfg, "d_model", None) or cfg.hidden_size)
        self._model: torch.nn.Module | None = None
        self._extractor: Any = None

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def pooled_dim(self) -> int:
        return self._dim

    def config(self) -> dict[str, Any]:
        """Checkpoint, architecture fingerprint, layer, length limit, trimming and dtype (not device/batch)."""
        return {
            "backbone": "hf",
            "checkpoint": self.checkpoint,
            "model_type": self.model_type,
            "model_config": config_hash(self.hf_config.to_dict()),
            "layer": self.layer,
            "max_seconds": self.max_seconds,
            "trim": self.trim if self.is_whisper else None,
            "dtype": self.dtype,
            "autocast": self.autocast,
            "pooling": "mean",
        }

    def _load(self) -> torch.nn.Module:
        if self._model is None:
            self._extractor = AutoFeatureExtractor.from_pretrained(self.checkpoint)
            model = AutoModel.from_pretrained(self.checkpoint, dtype=_DTYPES[self.dtype])
            if self.is_whisper:
                model = model.get_encoder()
            self._model = model.eval().to(self.device)
            log.info(
                "loaded %s (%s, layer %d) on %s", self.checkpoint, self.model_type, self.layer, self.device
            )
        return self._model

    def _whisper_batch(self, waves: list[np.ndarray]) -> list[np.ndarray]:
        encoder = self._load()
        frames = torch.tensor([math.ceil(len(w) / WHISPER_HOP) for w in waves])
        if self.trim:
            feats, frames = trimmed_whisper_inputs(self._extractor, waves, self.device)
            feats = feats.to(_DTYPES[self.dtype])
            states = whisper_encoder_states(encoder, feats, frames, self.layer)
        else:
            inputs = self._extractor(
                waves, sampling_rate=SAMPLE_RATE, return_tensors="pt", device=str(self.device)
            )
            feats = inputs["input_features"].to(self.device, _DTYPES[self.dtype])
            states = encoder(feats, output_hidden_states=True).hidden_states[self.layer]
        return [states[i, : int(n)].float().cpu().numpy() for i, n in enumerate(frames)]

    def _generic_batch(self, waves: list[np.ndarray]) -> list[np.ndarray]:
        model = self._load()
        use_mask = bool(getattr(self._extractor, "return_attention_mask", False))
        inputs = self._extractor(
            waves,
            sampling_rate=SAMPLE_RATE,
            padding=True,
            return_attention_mask=use_mask,
            return_tensors="pt",
        )
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        for key, value in inputs.items():
            if value.is_floating_point():
                inputs[key] = value.to(_DTYPES[self.dtype])
        states = model(**inputs, output_hidden_states=True).hidden_states[self.layer]
        if len(waves) == 1:
            return [states[0].float().cpu().numpy()]
        lengths = model._get_feat_extract_output_lengths(torch.tensor([len(w) for w in waves]))
        return [states[i, : int(n)].float().cpu().numpy() for i, n in enumerate(lengths)]

    def _effective_batch_size(self) -> int:
        """Batch only when padding cannot change a clip's output (attention mask + known output lengths)."""
        if self.is_whisper:
            return self.batch_size
        model = self._load()
        maskable = bool(getattr(self._extractor, "return_attention_mask", False))
        return self.batch_size if maskable and hasattr(model, "_get_feat_extract_output_lengths") else 1

    @torch.inference_mode()
    def extract(self, waveforms: list[np.ndarray]) -> list[np.ndarray]:
        """Hidden-state frames of the chosen layer per waveform; batches are formed from similar lengths."""
        limit = int(self.max_seconds * SAMPLE_RATE)
        waves = [np.asarray(w, dtype=np.float32)[:limit] for w in waveforms]
        out: list[np.ndarray | None] = [None] * len(waves)
        order = np.argsort([len(w) for w in waves], kind="stable")
        step = self._effective_batch_size()
        run = self._whisper_batch if self.is_whisper else self._generic_batch
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            with autocast_context(self.device, self.autocast):
                batch = run([waves[i] for i in idx])
            for i, frames in zip(idx, batch, strict=True):
                out[i] = frames
        return out  # type: ignore[return-value]

    def encode(self, waveforms: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        """Frames and their mean over time."""
        frames = self.extract(waveforms)
        return frames, mean_pool(frames, self.dim)
