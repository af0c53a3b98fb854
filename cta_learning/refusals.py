"""The one expected refusal: a rule says no, with a translated reason and an HTTP status.

Rules and operations raise `Refused`; `edges.py` answers it once for every page (the error page
with the reason and, when there is one, a way forward) and for the API (JSON). Nothing of the
request is kept. This module imports no Flask, so any rule may raise it.
"""

from dataclasses import dataclass, field

from werkzeug.http import HTTP_STATUS_CODES


@dataclass(frozen=True)
class WayForward:
    """A link offered with a refusal: its label and the endpoint (with values) it leads to."""

    label: str
    endpoint: str
    values: dict = field(default_factory=dict)


class Refused(Exception):
    """A request the person may not make: `message` says why, `status` is the HTTP answer."""

    def __init__(
        self,
        message: str,
        status: int = 403,
        forward: WayForward | None = None,
        details: dict | None = None,
    ):
        super().__init__(str(message))
        self.message = message  # a lazy string or an already translated one
        self.status = status
        self.forward = forward
        self.details = details or {}  # machine-readable specifics, for API answers

    @property
    def code(self) -> str:
        """The status as a word for API clients: 'forbidden', 'conflict', 'bad_request'…"""
        return HTTP_STATUS_CODES.get(self.status, "error").lower().replace(" ", "_")

    def leading_to(self, forward: WayForward) -> "Refused":
        """The same refusal, offering `forward` as the way on."""
        return Refused(self.message, self.status, forward, self.details)
