"""The events' content version: bumped in the flush that changes what an event's public page or
the list shows, places left included (`content_versions` explains the versions)."""

from cta_learning.community.events.models import (
    AgendaSegment,
    Event,
    EventInvitation,
    EventPriority,
    EventTranslation,
    Registration,
    SegmentPerson,
    SegmentTranslation,
)
from cta_learning.content_versions import bump_when, touches

EVENTS = "events"

bump_when(
    EVENTS,
    touches(
        Event,
        EventTranslation,
        EventPriority,
        EventInvitation,
        AgendaSegment,
        SegmentTranslation,
        SegmentPerson,
        Registration,
    ),
)
