"""The seven augmentations of the Domain-mismatch paper, and helpers to run audiomentations deterministically."""

from .steps import AUGMENTATIONS, Augmentation, AugmentationConfigError, build_step

__all__ = ["AUGMENTATIONS", "Augmentation", "AugmentationConfigError", "build_step"]
