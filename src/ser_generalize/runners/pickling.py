"""Let datasets whose class is built at run time (kedro-mlflow's MlflowArtifactDataset) cross process bounds.

``MlflowArtifactDataset`` returns an instance of a class created inside its ``__new__``; the standard pickler
(used by ``ParallelRunner`` to validate the catalog and ship tasks) can only pickle classes importable by
name, so every artifact dataset made ``kedro run --runner=ParallelRunner`` fail before the first node.
Registering a copyreg reducer that pickles such an instance, class included, by value with cloudpickle
fixes that without touching the datasets.
"""

from __future__ import annotations

import copyreg
import pickle
from collections.abc import Iterable
from typing import Any

import cloudpickle

_REGISTERED: set[type] = set()


def _rebuild(cls_by_value: bytes, state: dict[str, Any]) -> Any:
    """Recreate an instance from its class (pickled by value) and its ``__dict__``, without ``__init__``."""
    cls = cloudpickle.loads(cls_by_value)
    obj = object.__new__(cls)
    obj.__dict__.update(state)
    return obj


def _reduce_by_value(obj: Any) -> tuple[Any, tuple[bytes, dict[str, Any]]]:
    """Class by value through cloudpickle, instance state through the ordinary pickler."""
    return _rebuild, (cloudpickle.dumps(type(obj)), obj.__dict__)


def class_is_picklable(cls: type) -> bool:
    """True when the standard pickler can store ``cls`` by reference (its module and qualified name)."""
    try:
        pickle.dumps(cls)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def register_by_value_pickling(datasets: Iterable[Any]) -> list[str]:
    """Make each object whose class cannot be pickled by reference picklable by value; return their class names.

    Idempotent; applies to every later instance of the same class in this process (and, through fork,
    its children). Unpickling needs only cloudpickle, so spawned processes need no registration.
    """
    registered = []
    for obj in datasets:
        cls = type(obj)
        if cls in _REGISTERED or class_is_picklable(cls):
            continue
        copyreg.pickle(cls, _reduce_by_value)
        _REGISTERED.add(cls)
        registered.append(cls.__qualname__)
    return registered
