"""What the audit log's kinds, subjects and details are called on the secretariat's page.

Every verb passed to `audit.record` has a label here (`tests/test_audit_log.py` fails on one
that has none); a verb without one is shown as it is stored.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

# The kinds, grouped by what they are about (the part of the verb before the dot).
KIND_GROUPS = {
    "user": _l("People"),
    "organisation": _l("Organisations"),
    "access": _l("Access to the benefits"),
    "action": _l("Actions"),
    "course": _l("Courses"),
    "event": _l("Events"),
    "mailing": _l("Mailing list"),
    "mgi": _l("Local MGI"),
}

KIND_LABELS = {
    "user.signed_up": _l("Account created"),
    "user.email_confirmed": _l("Email address confirmed"),
    "user.login_attempts_reported": _l("Failed log-ins reported"),
    "user.password_reset_requested": _l("Password reset asked for"),
    "user.password_changed": _l("Password changed"),
    "user.email_change_requested": _l("Change of email address asked for"),
    "user.email_changed": _l("Email address changed"),
    "user.deleted": _l("Account deleted"),
    "user.role_changed": _l("Role changed"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.made_admin": _l("Made an admin"),
    "user.two_factor_enabled": _l("Two-step sign-in turned on"),
    "user.two_factor_disabled": _l("Two-step sign-in turned off"),
    "user.api_token_created": _l("API token created"),
    "user.api_token_revoked": _l("API token revoked"),
    "organisation.created": _l("Profile created"),
    "organisation.updated": _l("Profile edited"),
    "organisation.member_invited": _l("Member invited"),
    "organisation.member_joined": _l("Member joined"),
    "organisation.invitation_revoked": _l("Invitation withdrawn"),
    "organisation.member_removed": _l("Member removed"),
    "organisation.member_role_changed": _l("Member's role changed"),
    "organisation.handed_over": _l("Profile handed to a new person"),
    "organisation.owner_succeeded": _l("New person in charge after a departure"),
    "organisation.unlocked": _l("Benefits opened"),
    "organisation.locked": _l("Benefits closed"),
    "access.granted": _l("Access granted for a submitted action"),
    "access.granted_manually": _l("Access granted by the secretariat"),
    "access.revoked": _l("Access withdrawn"),
    "action.drafted": _l("Action drafted"),
    "action.submitted": _l("Action submitted"),
    "action.published": _l("Action published"),
    "action.returned": _l("Action returned for changes"),
    "action.rejected": _l("Action rejected"),
    "action.correction_requested": _l("Correction asked for"),
    "action.corrected": _l("Action corrected"),
    "action.correction_declined": _l("Correction declined"),
    "action.translated": _l("Action translated"),
    "course.enrolled": _l("Enrolled in a course"),
    "course.completed": _l("Course completed"),
    "event.created": _l("Event created"),
    "event.updated": _l("Event edited"),
    "event.published": _l("Event published"),
    "event.deleted": _l("Event deleted"),
    "event.postponed": _l("Event postponed"),
    "event.cancelled": _l("Event cancelled"),
    "event.messaged": _l("Message sent to participants"),
    "event.agenda_changed": _l("Agenda changed"),
    "event.materials": _l("Materials added"),
    "event.registered": _l("Registered for an event"),
    "event.promoted": _l("Moved from the waiting list"),
    "event.registration_cancelled": _l("Registration cancelled"),
    "event.registration_approved": _l("Registration approved"),
    "event.registration_declined": _l("Registration declined"),
    "event.attendance": _l("Attendance recorded"),
    "mailing.subscribed": _l("Subscribed to the mailing list"),
    "mailing.unsubscribed": _l("Left the mailing list"),
    "mailing.preferences": _l("Mailing preferences changed"),
    "mailing.erased": _l("Subscriber erased"),
    "mailing.campaign_saved": _l("Campaign saved"),
    "mailing.campaign_scheduled": _l("Campaign scheduled"),
    "mailing.campaign_paused": _l("Campaign paused"),
    "mailing.campaign_resumed": _l("Campaign resumed"),
    "mgi.requested": _l("Local MGI interest registered"),
    "mgi.step_changed": _l("Local MGI request moved to another step"),
}

# What an event is about: the table named by its `subject_type`.
SUBJECT_LABELS = {
    "users": _l("Person"),
    "organisations": _l("Organisation"),
    "actions": _l("Action"),
    "events": _l("Event"),
    "mailing_subscribers": _l("Subscriber"),
    "mailing_campaigns": _l("Campaign"),
    "mgi_requests": _l("Local MGI request"),
}

DETAIL_LABELS = {
    "action": _l("Action"),
    "action_id": _l("Action"),
    "at": _l("When"),
    "attended": _l("Attended"),
    "changes": _l("Changes"),
    "course": _l("Course"),
    "deleted": _l("Deleted"),
    "email": _l("Email"),
    "email_domain": _l("Email domain"),
    "external_id": _l("Number on the submission site"),
    "from_step": _l("From step"),
    "grant_id": _l("Grant"),
    "held": _l("Messages held"),
    "language": _l("Language"),
    "new_email": _l("New email address"),
    "name": _l("Name"),
    "old_email": _l("Previous email address"),
    "organisation_id": _l("Organisation"),
    "prefix": _l("Start of the token"),
    "reason": _l("Reason"),
    "registration": _l("Registration"),
    "released": _l("Messages released"),
    "removed": _l("Removed"),
    "request_id": _l("Request"),
    "role": _l("Role"),
    "segment": _l("Agenda item"),
    "source": _l("Source"),
    "starts_at": _l("Starts"),
    "status": _l("Status"),
    "successor_id": _l("New person in charge"),
    "title": _l("Title"),
    "to_step": _l("To step"),
    "topics": _l("Topics"),
    "user_id": _l("Person"),
    "withdrawn": _l("Consent withdrawn"),
}


def kind_label(verb: str) -> str:
    return str(KIND_LABELS.get(verb, verb))


def kind_choices() -> list[SelectChoice]:
    """The kinds as select options, in an <optgroup> per thing they are about."""
    return [
        SelectChoice(verb, str(label), optgroup=str(KIND_GROUPS[verb.partition(".")[0]]))
        for verb, label in KIND_LABELS.items()
    ]


def subject_label(subject_type: str) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type.replace("_", " ")))


def detail_label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()))
