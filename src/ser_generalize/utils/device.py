"""Pick the compute device: CUDA when present, CPU otherwise."""

from __future__ import annotations

import torch


def pick_device(preferred: str | None = "auto") -> torch.device:
    """Return ``cuda`` when available (or asked for and present), else ``cpu``.

    ``preferred`` may be 'auto', 'cpu', 'cuda' or 'cuda:N'; asking for CUDA on a machine
    without it raises a clear error instead of silently falling back.
    """
    choice = (preferred or "auto").lower()
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device '{preferred}' requested but CUDA is not available; use device: auto or cpu")
    return torch.device(choice)
