"""Every error kind the core has (the native module's ``ERROR_KINDS``) maps to
its own exception class, exported by the package, with one meaning per
attribute; a new kind in the core cannot silently become the base class."""

from __future__ import annotations

import pytest

import mapsindoors_auth as mia
from mapsindoors_auth import _errors, _native


def test_the_core_exports_every_kind_once() -> None:
    assert len(_native.ERROR_KINDS) == len(set(_native.ERROR_KINDS)) >= 13
    assert "unauthorized" in _native.ERROR_KINDS and "rotation_incomplete" in _native.ERROR_KINDS


@pytest.mark.parametrize("kind", _native.ERROR_KINDS)
def test_each_kind_has_its_own_class(kind: str) -> None:
    error = _errors._from_native("a message", kind=kind, status=418, retry_after=2.0)
    cls = type(error)
    assert cls is not mia.MapsIndoorsAuthError and issubclass(cls, mia.MapsIndoorsAuthError)
    assert cls.kind == kind and error.kind == kind
    assert getattr(mia, cls.__name__) is cls and cls.__name__ in mia.__all__
    assert error.message == str(error) == "a message"
    assert error.status == 418 and error.retry_after == 2.0 and error.stage is None


def test_classes_are_distinct_and_conflict_is_a_store_error() -> None:
    classes = {type(_errors._from_native("m", kind=k)) for k in _native.ERROR_KINDS}
    assert len(classes) == len(_native.ERROR_KINDS)
    conflict = _errors._from_native("m", kind="store", store_kind="conflict")
    assert type(conflict) is mia.StoreConflictError and isinstance(conflict, mia.StoreError)
    incomplete = _errors._from_native("m", kind="rotation_incomplete", stage="verify", cause_kind="invalid_client")
    assert incomplete.stage == "verify" and incomplete.cause_kind == "invalid_client"


def test_step_vocabularies_are_exported() -> None:
    assert "login" in _native.PURPOSES and "delete_orphan" in _native.PURPOSES
    assert "promote" in _native.PERSIST_REASONS and "seed" in _native.PERSIST_REASONS
