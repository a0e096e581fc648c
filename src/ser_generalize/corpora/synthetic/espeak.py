"""A small ctypes binding to the eSpeak NG library bundled by ``espeakng-loader`` (offline TTS)."""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM = {"rate": 1, "volume": 2, "pitch": 3, "range": 4}

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True)
class Prosody:
    """eSpeak's prosody controls: words per minute, volume (0-200), base pitch (0-99), pitch range (0-99)."""

    rate: int = 170
    volume: int = 100
    pitch: int = 50
    range: int = 50

    def clipped(self) -> Prosody:
        """The same prosody with each control inside eSpeak's accepted range."""
        return Prosody(
            rate=int(np.clip(self.rate, 80, 450)),
            volume=int(np.clip(self.volume, 10, 200)),
            pitch=int(np.clip(self.pitch, 0, 99)),
            range=int(np.clip(self.range, 0, 99)),
        )


class ESpeak:
    """Process-wide eSpeak NG engine; synthesis is serialised by a lock because the C library is not re-entrant."""

    _instance: ESpeak | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        import espeakng_loader

        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # keep a reference: the C side holds only the pointer
        data_path = espeakng_loader.get_data_path().encode("utf-8")
        self._lib.espeak_Initialize.restype = ctypes.c_int
        rate = self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, ctypes.c_char_p(data_path), 0)
        if rate <= 0:
            raise RuntimeError(f"eSpeak NG failed to initialise with data at {data_path.decode()}")
        self.sample_rate = int(rate)
        self._lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> ESpeak:
        """The shared engine, initialised on first use."""
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _collect(self, wav: ctypes.POINTER(ctypes.c_short), n: int, _events: ctypes.c_void_p) -> int:
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def synthesize(self, text: str, voice: str, prosody: Prosody, seed: int = 0) -> np.ndarray:
        """Speak ``text`` with eSpeak voice ``voice`` (e.g. 'en+f2') and return float32 samples at ``sample_rate``.

        eSpeak adds random pitch flutter; its generator is re-seeded with ``seed`` so output is reproducible.
        """
        prosody = prosody.clipped()
        with self._lock:
            self._lib.espeak_ng_SetRandSeed(ctypes.c_long(seed))
            if self._lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
                raise ValueError(
                    f"eSpeak NG has no voice '{voice}'; use a language code such as 'en' or 'de+m3'"
                )
            for name, code in _PARAM.items():
                self._lib.espeak_SetParameter(code, getattr(prosody, name), 0)
            self._chunks = []
            payload = text.encode("utf-8") + b"\0"
            status = self._lib.espeak_Synth(
                ctypes.c_char_p(payload), len(payload), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            self._lib.espeak_Synchronize()
            if status != 0:
                raise RuntimeError(f"eSpeak NG failed (status {status}) on text {text!r}")
            samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return samples.astype(np.float32) / 32768.0
