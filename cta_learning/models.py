"""Every model module, imported in one place so that migrations see all tables."""

from cta_learning.access import AccessGrant
from cta_learning.accounts.models import (
    Invitation,
    LoginThrottle,
    Membership,
    Organisation,
    RecoveryCode,
    User,
)
from cta_learning.actions import versions as _repository_versions  # noqa: F401 - its flush listener
from cta_learning.actions.models import Action, ActionPriority, ActionTranslation, CorrectionRequest
from cta_learning.api.tokens import ApiToken
from cta_learning.audit import AuditEvent
from cta_learning.community.events import versions as _event_versions  # noqa: F401 - listener
from cta_learning.community.events.models import (
    AgendaSegment,
    CalendarFeed,
    Event,
    EventInvitation,
    EventPriority,
    Registration,
    SegmentPerson,
)
from cta_learning.community.mailing.models import (
    Campaign,
    CampaignRecipient,
    Subscriber,
    SubscriberTopic,
)
from cta_learning.community.mgi.models import MgiRequest, MgiStepChange
from cta_learning.content_versions import ContentVersion
from cta_learning.courses import versions as _course_versions  # noqa: F401 - its flush listeners
from cta_learning.courses.models import (
    Attempt,
    Certificate,
    Chapter,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from cta_learning.mail.models import OutboxMessage

__all__ = [
    "AccessGrant",
    "Action",
    "ActionPriority",
    "ActionTranslation",
    "AgendaSegment",
    "ApiToken",
    "Attempt",
    "AuditEvent",
    "CalendarFeed",
    "Campaign",
    "CampaignRecipient",
    "Certificate",
    "Chapter",
    "ContentVersion",
    "CorrectionRequest",
    "Course",
    "Enrolment",
    "Event",
    "EventInvitation",
    "EventPriority",
    "Invitation",
    "Lesson",
    "LessonProgress",
    "LoginThrottle",
    "Membership",
    "MgiRequest",
    "MgiStepChange",
    "Organisation",
    "OutboxMessage",
    "RecoveryCode",
    "Registration",
    "SegmentPerson",
    "Subscriber",
    "SubscriberTopic",
    "User",
]
