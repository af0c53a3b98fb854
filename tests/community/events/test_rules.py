"""The agenda's rule: a segment lies within its event's times."""

from datetime import datetime, timedelta

import pytest

from cta_learning.community.events.models import Event
from cta_learning.community.events.rules import segment_fits

START = datetime(2030, 3, 4, 9, 0)
EVENT = Event(starts_at=START, ends_at=START + timedelta(hours=3))


@pytest.mark.parametrize(
    ("begins", "ends", "fits"),
    [
        (0, 180, True),  # the whole event
        (30, 60, True),
        (-1, 60, False),  # starts before the event
        (120, 181, False),  # ends after it
        (-60, 240, False),  # wider on both sides
    ],
)
def test_a_segment_must_lie_within_its_event(begins, ends, fits):
    starts_at, ends_at = START + timedelta(minutes=begins), START + timedelta(minutes=ends)
    assert segment_fits(EVENT, starts_at, ends_at) is fits
