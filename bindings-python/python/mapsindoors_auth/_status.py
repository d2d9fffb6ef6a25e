"""``Status``: a store's status for monitoring, as the core computed it
(``Client.status``): the current secret's age and due date, an unfinished
rotation, kept secrets, and, with ``probe=True``, the server's verdict on
the current secret (``StatusCheck``). ``health``, ``exit_code`` and
``findings`` are the core's verdict, copied; nothing is decided here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Literal, Optional, Tuple

    from ._native import KeptSecret

__all__ = ["Status", "StatusCheck"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _utc(ms: Optional[int]) -> Optional[datetime.datetime]:
    return None if ms is None else _EPOCH + datetime.timedelta(milliseconds=ms)


def _span(ms: Optional[int]) -> Optional[datetime.timedelta]:
    return None if ms is None else datetime.timedelta(milliseconds=ms)


@dataclass(frozen=True)
class StatusCheck:
    """What the server said of the current secret (``status(probe=True)``)."""

    #: Whether a login with the current secret succeeded.
    accepted: bool
    #: The refusal, when it did not (the error's text; never a secret).
    refusal: Optional[str]
    #: The refusal's error kind (``invalid_client``, ``unauthorized``, ``forbidden``).
    refusal_kind: Optional[str]
    #: How many secrets the client has (from one listing), when accepted.
    secret_count: Optional[int]


@dataclass(frozen=True)
class Status:
    """A store's status at one moment. Times are Unix milliseconds (``*_ms``
    fields), also as aware UTC datetimes and timedeltas (``updated_at``,
    ``age``, ``max_age``, ``due_at``, ``last_rotation`` properties). Its
    ``repr`` holds ids and dates, never a secret.

    ``health`` is ``"ok"``, ``"warning"`` (due, age unknown with a
    ``max_age``, or a rotation unfinished: run ``rotate``) or ``"critical"``
    (the server refuses the current secret); ``exit_code`` is the Nagios
    code (0, 1, 2); ``findings`` says what the verdict rests on.
    """

    #: The store's generation.
    generation: int
    #: When that generation was saved.
    updated_at_ms: int
    client_id: str
    customer_id: str
    #: The current secret's id, if known.
    current_id: Optional[str]
    #: Its ``createdAt`` as the server wrote it (RFC 3339), if known.
    current_created_at: Optional[str]
    #: Whether it is the store's own (a rotation deletes it once replaced).
    current_owned: bool
    #: Its age, if its date is known.
    age_ms: Optional[int]
    #: The ``max_age`` asked about, if any.
    max_age_ms: Optional[int]
    #: When it is due: its date plus ``max_age``, if both are known.
    due_at_ms: Optional[int]
    #: With a ``max_age``: whether a rotation would create a new secret now (due, or age unknown).
    due: bool
    #: The stage a rotation is unfinished at (``verify``, ``delete_old``, ``delete``, ``sweep``), if one is.
    unfinished: Optional[str]
    #: Replaced secrets kept for deletion by hand (each with ``advice``).
    kept: Tuple[KeptSecret, ...]
    #: When the current secret was created by a rotation; None if the store never rotated.
    last_rotation_ms: Optional[int]
    #: The server's answer, when probed.
    check: Optional[StatusCheck]
    #: The verdict: ``"ok"``, ``"warning"`` or ``"critical"``.
    health: Literal["ok", "warning", "critical"]
    #: The Nagios plugin exit code: 0, 1 or 2.
    exit_code: int
    #: What the verdict rests on, one sentence each (empty when ok).
    findings: Tuple[str, ...]

    @property
    def updated_at(self) -> datetime.datetime:
        """``updated_at_ms`` as an aware UTC datetime."""
        return _EPOCH + datetime.timedelta(milliseconds=self.updated_at_ms)

    @property
    def age(self) -> Optional[datetime.timedelta]:
        """``age_ms`` as a timedelta."""
        return _span(self.age_ms)

    @property
    def max_age(self) -> Optional[datetime.timedelta]:
        """``max_age_ms`` as a timedelta."""
        return _span(self.max_age_ms)

    @property
    def due_at(self) -> Optional[datetime.datetime]:
        """``due_at_ms`` as an aware UTC datetime."""
        return _utc(self.due_at_ms)

    @property
    def last_rotation(self) -> Optional[datetime.datetime]:
        """``last_rotation_ms`` as an aware UTC datetime."""
        return _utc(self.last_rotation_ms)

    @property
    def ok(self) -> bool:
        """Whether ``health`` is ``"ok"``."""
        return self.health == "ok"


def status_of(fields: Dict[str, Any]) -> Status:
    """The ``Status`` of the native task's fields."""
    check = fields.pop("check")
    return Status(
        check=None if check is None else StatusCheck(**check),
        kept=tuple(fields.pop("kept")),
        findings=tuple(fields.pop("findings")),
        **fields,
    )
