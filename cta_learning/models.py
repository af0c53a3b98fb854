"""Every model module, imported in one place so that migrations see all tables."""

from cta_learning.accounts.models import Invitation, Membership, Organisation, User
from cta_learning.audit import AuditEvent
from cta_learning.mail.models import OutboxMessage

__all__ = ["AuditEvent", "Invitation", "Membership", "Organisation", "OutboxMessage", "User"]
