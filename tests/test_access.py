"""Who may open which page and use which action: routes x roles, as a table.

Roles: a visitor (not logged in), a signed-in member without an organisation, a member of
organisation A (role "member"), the owner (person in charge) of A, an organiser and an admin
(neither belongs to an organisation). Organisation B, with its own member and invitation,
stands next door: A's owner acting on B's rows gets 404.

A refused request (login redirect, 403, 404) must also leave the database untouched.
"""

from contextlib import nullcontext
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from cta_learning.accounts.models import Invitation, Membership, User
from cta_learning.accounts.tokens import hash_random_token
from cta_learning.actions.models import CorrectionRequest
from cta_learning.courses import operations
from cta_learning.courses.grading import answers_from, submit_attempt
from cta_learning.courses.models import Certificate
from cta_learning.courses.progress import progress_for
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.actions.helpers import make_action
from tests.community.events.helpers import event_form, make_event
from tests.community.mailing.helpers import campaign_form
from tests.community.mgi.helpers import interest_form, make_request
from tests.conftest import PASSWORD, fetch
from tests.courses.helpers import SLUG, import_shipped, right_answers, unlock, wrong_answers
from tests.hostile import ORGANISATION, nothing_changes

VISITOR, NO_ORGANISATION, MEMBER, OWNER, ORGANISER, ADMIN = ROLES = (
    "visitor",
    "no-organisation",
    "member",
    "owner",
    "organiser",
    "admin",
)

LOGIN = "login"  # 302 to /login?next=<the path>
# The events of the table take place a month from now, 12:00-15:00 in Paris (summer or winter).
EVENT_DAY = (datetime.now(UTC) + timedelta(days=30)).date()


def to(location: str) -> tuple[int, str]:
    """A 302 redirect to `location` (which may use the same {placeholders} as the path)."""
    return 302, location


HOME, DASHBOARD, ACCOUNT = to("/"), to("/dashboard"), to("/account")
PROFILE, NEW_PROFILE, MEMBERS = (
    to("/organisation"),
    to("/organisation/new"),
    to("/organisation/members"),
)
USERS = to("/admin/users")
TWO_STEP = to("/account/two-step")
MGI = to("/mgi/")
SYLLABUS = to("/courses/{course}/")
FORGOT, CONFIRM = to("/password/forgot"), to("/confirm")
ANYWHERE = "redirect"  # a 302, wherever it goes (e.g. to a row created by the request)

# Each row: method, path, then the outcome for each role, in the order of ROLES.
# {member} is the membership of A's member, {invitation} an open invitation of A,
# {other_member} / {other_invitation} belong to organisation B.
# fmt: off
TABLE = [
    # method  path                                     visitor  no-org       member       owner        organiser    admin
    # public pages
    ("GET",  "/",                                      200,     200,         200,         200,         200,         200),
    ("GET",  "/faq",                                   200,     200,         200,         200,         200,         200),
    ("GET",  "/priorities",                            200,     200,         200,         200,         200,         200),
    ("GET",  "/healthz",                               200,     200,         200,         200,         200,         200),
    ("GET",  "/login",                                 200,     DASHBOARD,   DASHBOARD,   DASHBOARD,   DASHBOARD,   DASHBOARD),
    ("GET",  "/signup",                                200,     DASHBOARD,   DASHBOARD,   DASHBOARD,   DASHBOARD,   DASHBOARD),
    ("GET",  "/password/forgot",                       200,     200,         200,         200,         200,         200),
    ("GET",  "/confirm",                               200,     200,         200,         200,         200,         200),
    ("GET",  "/check-email",                           200,     200,         200,         200,         200,         200),
    ("GET",  "/confirm/not-a-token",                   CONFIRM, CONFIRM,     CONFIRM,     CONFIRM,     CONFIRM,     CONFIRM),
    ("GET",  "/password/reset/not-a-token",            FORGOT,  FORGOT,      FORGOT,      FORGOT,      FORGOT,      FORGOT),
    ("POST", "/password/reset/not-a-token",            FORGOT,  FORGOT,      FORGOT,      FORGOT,      FORGOT,      FORGOT),
    ("GET",  "/account/email/confirm/not-a-token",     HOME,    HOME,        HOME,        HOME,        HOME,        HOME),
    ("GET",  "/invitations/{token}",                   200,     200,         200,         200,         200,         200),
    ("POST", "/invitations/{token}",                   200,     200,         200,         200,         200,         200),
    # any signed-in person
    ("POST", "/logout",                                LOGIN,   HOME,        HOME,        HOME,        HOME,        HOME),
    ("GET",  "/dashboard",                             LOGIN,   200,         200,         200,         200,         200),
    ("GET",  "/account",                               LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account",                               LOGIN,   ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT),
    ("GET",  "/account/email",                         LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account/email",                         LOGIN,   ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT),
    ("GET",  "/account/password",                      LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account/password",                      LOGIN,   ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT,     ACCOUNT),
    ("GET",  "/account/export",                        LOGIN,   200,         200,         200,         200,         200),
    ("GET",  "/account/delete",                        LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account/delete",                        LOGIN,   HOME,        HOME,        HOME,        HOME,        HOME),
    ("POST", "/account/language",                      to("/faq?lang=fr"),   to("/faq"),  to("/faq"),  to("/faq"),  to("/faq"),  to("/faq")),
    # two-step sign-in: organisers and admins have it on, the others not
    ("GET",  "/login/verify",                          to("/login"), DASHBOARD, DASHBOARD,  DASHBOARD,   DASHBOARD,   DASHBOARD),
    ("POST", "/login/verify",                          to("/login"), DASHBOARD, DASHBOARD,  DASHBOARD,   DASHBOARD,   DASHBOARD),
    ("GET",  "/reauth",                                LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/reauth",                                LOGIN,   ACCOUNT,     ACCOUNT,     ACCOUNT,     200,         200),
    ("GET",  "/account/two-step",                      LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account/two-step/start",                LOGIN,   to("/account/two-step/confirm"), to("/account/two-step/confirm"), to("/account/two-step/confirm"), TWO_STEP, TWO_STEP),
    ("GET",  "/account/two-step/confirm",              LOGIN,   TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP),
    ("POST", "/account/two-step/confirm",              LOGIN,   TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP),
    ("POST", "/account/two-step/recovery-codes",       LOGIN,   TWO_STEP,    TWO_STEP,    TWO_STEP,    200,         200),
    ("POST", "/account/two-step/disable",              LOGIN,   TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP,    TWO_STEP),
    # the organisation profile: its members; owner-only actions are 403 for a member
    ("GET",  "/organisation",                          LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/organisation/new",                      LOGIN,   200,         PROFILE,     PROFILE,     200,         200),
    ("POST", "/organisation/new",                      LOGIN,   PROFILE,     PROFILE,     PROFILE,     PROFILE,     PROFILE),
    ("GET",  "/organisation/edit",                     LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/edit",                     LOGIN,   NEW_PROFILE, PROFILE,     PROFILE,     NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/organisation/members",                  LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/members",                  LOGIN,   NEW_PROFILE, 403,         MEMBERS,     NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/members/{member}/role",    LOGIN,   NEW_PROFILE, 403,         MEMBERS,     NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/members/{member}/remove",  LOGIN,   NEW_PROFILE, 403,         MEMBERS,     NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/invitations/{invitation}/revoke",
                                                       LOGIN,   NEW_PROFILE, 403,         MEMBERS,     NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/leave",                    LOGIN,   NEW_PROFILE, DASHBOARD,   MEMBERS,     NEW_PROFILE, NEW_PROFILE),
    # another organisation's rows: 404 for A's owner
    ("POST", "/organisation/members/{other_member}/role",
                                                       LOGIN,   NEW_PROFILE, 403,         404,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/members/{other_member}/remove",
                                                       LOGIN,   NEW_PROFILE, 403,         404,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/organisation/invitations/{other_invitation}/revoke",
                                                       LOGIN,   NEW_PROFILE, 403,         404,         NEW_PROFILE, NEW_PROFILE),
    # the secretariat: admins only
    ("GET",  "/admin/users",                           LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/users?q=person",                  LOGIN,   403,         403,         403,         403,         200),
    ("POST", "/admin/users/{user}/role",               LOGIN,   403,         403,         403,         403,         USERS),
    ("POST", "/admin/users/{user}/active",             LOGIN,   403,         403,         403,         403,         USERS),
    ("POST", "/admin/users/999999/role",               LOGIN,   403,         403,         403,         403,         404),
    ("GET",  "/admin/organisations",                   LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/organisations/{organisation}",    LOGIN,   403,         403,         403,         403,         200),
    ("POST", "/admin/organisations/{organisation}",    LOGIN,   403,         403,         403,         403,         to("/admin/organisations/{organisation}")),
    ("GET",  "/admin/organisations/999999",            LOGIN,   403,         403,         403,         403,         404),
    ("GET",  "/admin/audit-log",                       LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/audit-log?organisation={organisation}&kind=organisation.created", LOGIN, 403, 403, 403, 403,  200),
    ("GET",  "/admin/audit-log?since=soon",            LOGIN,   403,         403,         403,         403,         400),
    ("GET",  "/admin/audit-log.csv",                   LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailbox/",                        LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailbox/?status=queued",          LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailbox/{message}",               LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailbox/999999",                  LOGIN,   403,         403,         403,         403,         404),
    ("GET",  "/admin/mailbox/{message}/attachments/1", LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailbox/{message}/attachments/2", LOGIN,   403,         403,         403,         403,         404),
    ("POST", "/admin/organisations/{organisation}/grants", LOGIN, 403,         403,         403,         403,         to("/admin/organisations/{organisation}")),
    ("POST", "/admin/organisations/{organisation}/grants/999999/revoke", LOGIN, 403, 403,  403,         403,         404),
    # the public repository
    ("GET",  "/actions/",                              200,     200,         200,         200,         200,         200),
    ("GET",  "/actions/?priority=3&year=2023",         200,     200,         200,         200,         200,         200),
    ("GET",  "/actions/{published}",                   200,     200,         200,         200,         200,         200),
    ("GET",  "/actions/{draft}",                       404,     404,         404,         404,         404,         404),
    ("GET",  "/actions/999999",                        404,     404,         404,         404,         404,         404),
    # the Call in figures: public; the export of published actions for admins only
    ("GET",  "/figures",                               200,     200,         200,         200,         200,         200),
    ("GET",  "/figures?year=1990&region=mars",         400,     400,         400,         400,         400,         400),
    ("GET",  "/figures.json",                          200,     200,         200,         200,         200,         200),
    ("GET",  "/figures.csv",                           200,     200,         200,         200,         200,         200),
    ("GET",  "/figures/published-actions.csv",         LOGIN,   403,         403,         403,         403,         200),
    # an organisation's own actions
    ("GET",  "/my/actions/",                           LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/my/actions/new",                        LOGIN,   NEW_PROFILE, ANYWHERE,    ANYWHERE,    NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/my/actions/{draft}",                    LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/my/actions/{draft}/about",              LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/my/actions/{draft}/about",              LOGIN,   NEW_PROFILE, to("/my/actions/{draft}/timeline"), to("/my/actions/{draft}/timeline"), NEW_PROFILE, NEW_PROFILE),
    ("POST", "/my/actions/{draft}/submit",             LOGIN,   NEW_PROFILE, DASHBOARD,   DASHBOARD,   NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/my/actions/{published}/correction",     LOGIN,   NEW_PROFILE, 200,         200,         NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/my/actions/{draft}/correction",         LOGIN,   NEW_PROFILE, 404,         404,         NEW_PROFILE, NEW_PROFILE),
    ("GET",  "/my/actions/{other_action}",             LOGIN,   NEW_PROFILE, 404,         404,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/my/actions/{other_action}/about",       LOGIN,   NEW_PROFILE, 404,         404,         NEW_PROFILE, NEW_PROFILE),
    ("POST", "/my/actions/{other_action}/submit",      LOGIN,   NEW_PROFILE, 404,         404,         NEW_PROFILE, NEW_PROFILE),
    # moderation
    ("GET",  "/admin/actions/",                        LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/actions/{submitted}",             LOGIN,   403,         403,         403,         403,         200),
    ("POST", "/admin/actions/{submitted}/publish",     LOGIN,   403,         403,         403,         403,         to("/admin/actions/{submitted}")),
    ("POST", "/admin/actions/{submitted}/return",      LOGIN,   403,         403,         403,         403,         to("/admin/actions/{submitted}")),
    ("POST", "/admin/actions/{submitted}/reject",      LOGIN,   403,         403,         403,         403,         to("/admin/actions/{submitted}")),
    ("POST", "/admin/actions/{submitted}/translation", LOGIN,   403,         403,         403,         403,         to("/admin/actions/{submitted}")),
    ("GET",  "/admin/actions/999999",                  LOGIN,   403,         403,         403,         403,         404),
    ("GET",  "/admin/actions/corrections/{correction}", LOGIN,  403,         403,         403,         403,         200),
    ("POST", "/admin/actions/corrections/{correction}/decline", LOGIN, 403,  403,         403,         403,         to("/admin/actions/corrections/{correction}")),
    ("GET",  "/admin/actions/corrections/999999",      LOGIN,   403,         403,         403,         403,         404),
    # the MOOC: A is unlocked and its owner enrolled (with a quiz attempt and a certificate)
    ("GET",  "/courses/",                              200,     200,         200,         200,         200,         200),
    ("GET",  "/courses/{course}/",                     200,     200,         200,         200,         200,         200),
    ("GET",  "/courses/no-such-course/",               404,     404,         404,         404,         404,         404),
    ("GET",  "/courses/{course}/welcome/",             200,     200,         200,         200,         200,         200),
    ("GET",  "/courses/{course}/people-on-the-move/",  LOGIN,   403,         403,         200,         403,         403),
    ("GET",  "/courses/{course}/chapter-2-quiz/",      LOGIN,   403,         403,         403,         403,         403),
    ("GET",  "/courses/{course}/no-such-lesson/",      404,     404,         404,         404,         404,         404),
    ("POST", "/courses/{course}/enrol",                LOGIN,   403,         ANYWHERE,    ANYWHERE,    403,         403),
    ("POST", "/courses/{course}/welcome/done",         LOGIN,   403,         403,         ANYWHERE,    403,         403),
    ("POST", "/courses/{course}/chapter-1-quiz/answers", LOGIN, 403,         403,         ANYWHERE,    403,         403),
    ("POST", "/courses/{course}/chapter-2-quiz/answers", LOGIN, 403,         403,         403,         403,         403),
    ("GET",  "/courses/{course}/chapter-1-quiz/attempts/{attempt}", LOGIN, 404, 404,       200,         404,         404),
    ("GET",  "/courses/{course}/certificate",          LOGIN,   SYLLABUS,    SYLLABUS,    200,         SYLLABUS,    SYLLABUS),
    ("GET",  "/courses/{course}/certificate.pdf",      LOGIN,   404,         404,         200,         404,         404),
    ("GET",  "/courses/{course}/resume",               LOGIN,   SYLLABUS,    SYLLABUS,    ANYWHERE,    SYLLABUS,    SYLLABUS),
    ("GET",  "/courses/media/no-such-file.mp3",        404,     404,         404,         404,         404,         404),
    ("GET",  "/courses/{course}/welcome/transcript.txt", 404,   404,         404,         404,         404,         404),
    ("GET",  "/courses/{course}/cities-on-the-front-line/transcript.txt", LOGIN, 403, 403, 200,     403,         403),
    ("GET",  "/certificates/",                         200,     200,         200,         200,         200,         200),
    ("GET",  "/certificates/{certificate}",            200,     200,         200,         200,         200,         200),
    ("GET",  "/certificates/NOPE-NOPE-NOPE",           404,     404,         404,         404,         404,         404),
    ("GET",  "/manage/courses/",                       LOGIN,   403,         403,         403,         200,         200),
    ("GET",  "/manage/courses/{course}.csv",           LOGIN,   403,         403,         403,         200,         200),
    ("GET",  "/manage/courses/no-such-course.csv",     LOGIN,   403,         403,         403,         404,         404),
    # events: {event} and {draft_event} are the organiser's, {other_event} another organiser's;
    # A's member holds {registration} at {event}
    ("GET",  "/events/",                               200,     200,         200,         200,         200,         200),
    ("GET",  "/events/?when=past&kind=nope&page=1",    200,     200,         200,         200,         200,         200),
    ("GET",  "/events/{event}",                        200,     200,         200,         200,         200,         200),
    ("GET",  "/events/{draft_event}",                  404,     404,         404,         404,         200,         200),
    ("GET",  "/events/999999",                         404,     404,         404,         404,         404,         404),
    ("POST", "/events/{event}/register",               LOGIN,   ANYWHERE,    ANYWHERE,    ANYWHERE,    ANYWHERE,    ANYWHERE),
    ("POST", "/events/{draft_event}/register",         LOGIN,   404,         404,         404,         403,         403),
    ("POST", "/events/{event}/cancel",                 LOGIN,   400,         ANYWHERE,    400,         400,         400),
    ("GET",  "/events/{event}/calendar.ics",           200,     200,         200,         200,         200,         200),
    # nobody's attendance is marked: no certificate of attendance, and no code checks
    ("GET",  "/events/{event}/attendance-certificate.pdf", LOGIN, 404,       404,         404,         404,         404),
    ("GET",  "/events/attendance/WzEsMSwxXQ.forged",   404,     404,         404,         404,         404,         404),
    ("GET",  "/events/mine",                           LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/events/mine/calendar",                  LOGIN,   ANYWHERE,    ANYWHERE,    ANYWHERE,    ANYWHERE,    ANYWHERE),
    ("GET",  "/events/calendar/{feed}.ics",            200,     200,         200,         200,         200,         200),
    ("GET",  "/events/calendar/not-a-token.ics",       404,     404,         404,         404,         404,         404),
    ("GET",  "/manage/events/",                        LOGIN,   403,         403,         403,         200,         200),
    ("GET",  "/manage/events/new",                     LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/new",                     LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/new?series={other_event}", LOGIN,  403,         403,         403,         403,         200),
    ("GET",  "/manage/events/{event}/edit",            LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/edit",            LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{other_event}/edit",      LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/manage/events/999999/edit",             LOGIN,   403,         403,         403,         404,         404),
    ("POST", "/manage/events/{draft_event}/publish",   LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("POST", "/manage/events/{other_event}/publish",   LOGIN,   403,         403,         403,         403,         409),
    ("POST", "/manage/events/{draft_event}/delete",    LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{event}/postpone",        LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/postpone",        LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{event}/cancel",          LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{other_event}/cancel",    LOGIN,   403,         403,         403,         403,         ANYWHERE),
    ("GET",  "/manage/events/{event}/agenda",          LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/agenda",          LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{event}/agenda/{segment}", LOGIN,  403,         403,         403,         200,         200),
    ("GET",  "/manage/events/{other_event}/agenda/{segment}", LOGIN, 403,    403,         403,         403,         404),
    ("POST", "/manage/events/{event}/agenda/{segment}/delete", LOGIN, 403,   403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{event}/materials",       LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/materials",       LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    ("GET",  "/manage/events/{event}/registrations",   LOGIN,   403,         403,         403,         200,         200),
    ("GET",  "/manage/events/{event}/registrations.csv", LOGIN, 403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/registrations/{registration}/approve", LOGIN, 403, 403, 403,   409,         409),
    ("POST", "/manage/events/{event}/registrations/{registration}/decline", LOGIN, 403, 403, 403,   ANYWHERE,    ANYWHERE),
    ("POST", "/manage/events/{other_event}/registrations/{registration}/decline", LOGIN, 403, 403, 403, 403,   404),
    ("POST", "/manage/events/{event}/attendance",      LOGIN,   403,         403,         403,         409,         409),
    ("GET",  "/manage/events/{event}/message",         LOGIN,   403,         403,         403,         200,         200),
    ("POST", "/manage/events/{event}/message",         LOGIN,   403,         403,         403,         ANYWHERE,    ANYWHERE),
    # Local MGI: A (unlocked) has the open request {mgi}; B's request {other_mgi} is shared
    ("GET",  "/mgi/",                                  LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/mgi/",                                  LOGIN,   403,         MGI,         MGI,         403,         403),
    ("GET",  "/mgi/{mgi}",                             LOGIN,   404,         200,         200,         404,         404),
    ("GET",  "/mgi/{other_mgi}",                       LOGIN,   404,         404,         404,         404,         404),
    ("GET",  "/mgi/999999",                            LOGIN,   404,         404,         404,         404,         404),
    ("GET",  "/admin/mgi/",                            LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mgi/?step=shared&region=africa",  LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mgi/requests.csv",                LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mgi/{mgi}",                       LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mgi/999999",                      LOGIN,   403,         403,         403,         403,         404),
    ("POST", "/admin/mgi/{mgi}/step",                  LOGIN,   403,         403,         403,         403,         to("/admin/mgi/{mgi}")),
    ("POST", "/admin/mgi/{other_mgi}/step",            LOGIN,   403,         403,         403,         403,         409),
    ("POST", "/admin/mgi/999999/step",                 LOGIN,   403,         403,         403,         403,         404),
    # Mailing list: {mailing_token} signs the links of a subscriber's messages, {mailing_confirm}
    # is a sign-up awaiting confirmation; {draft_campaign} and {sent_campaign} are campaigns
    ("GET",  "/mailing/",                              200,     200,         200,         200,         200,         200),
    ("POST", "/mailing/",                              200,     200,         200,         200,         200,         200),
    ("GET",  "/mailing/mine",                          LOGIN,   to("/mailing/"), ANYWHERE, ANYWHERE,   to("/mailing/"), to("/mailing/")),  # A's members: their own preferences
    ("GET",  "/mailing/confirm/{mailing_confirm}",     200,     200,         200,         200,         200,         200),
    ("POST", "/mailing/confirm/{mailing_confirm}",     ANYWHERE, ANYWHERE,   ANYWHERE,    ANYWHERE,    ANYWHERE,    ANYWHERE),
    ("POST", "/mailing/confirm/not-a-token",           404,     404,         404,         404,         404,         404),
    ("GET",  "/mailing/preferences/{mailing_token}",   200,     200,         200,         200,         200,         200),
    ("POST", "/mailing/preferences/{mailing_token}",   to("/mailing/preferences/{mailing_token}"), to("/mailing/preferences/{mailing_token}"), to("/mailing/preferences/{mailing_token}"), to("/mailing/preferences/{mailing_token}"), to("/mailing/preferences/{mailing_token}"), to("/mailing/preferences/{mailing_token}")),
    ("POST", "/mailing/preferences/not-a-token",       404,     404,         404,         404,         404,         404),
    ("GET",  "/mailing/preferences/{mailing_token}/data.json", 200, 200,     200,         200,         200,         200),
    ("GET",  "/mailing/preferences/not-a-token/data.json", 404, 404,         404,         404,         404,         404),
    ("GET",  "/mailing/preferences/{mailing_token}/erase", 200, 200,         200,         200,         200,         200),
    ("POST", "/mailing/preferences/{mailing_token}/erase", 200, 200,         200,         200,         200,         200),
    ("POST", "/mailing/preferences/not-a-token/erase", 404,     404,         404,         404,         404,         404),
    ("GET",  "/mailing/unsubscribe/{mailing_token}",   200,     200,         200,         200,         200,         200),
    ("POST", "/mailing/unsubscribe/{mailing_token}",   200,     200,         200,         200,         200,         200),
    ("POST", "/mailing/unsubscribe/not-a-token",       404,     404,         404,         404,         404,         404),
    ("GET",  "/mailing/archive/",                      200,     200,         200,         200,         200,         200),
    ("GET",  "/mailing/archive/events/",               200,     200,         200,         200,         200,         200),
    ("GET",  "/mailing/archive/nope/",                 404,     404,         404,         404,         404,         404),
    ("GET",  "/mailing/archive/campaigns/{sent_campaign}", 200, 200,         200,         200,         200,         200),
    ("GET",  "/mailing/archive/campaigns/{draft_campaign}", 404, 404,        404,         404,         404,         404),
    ("GET",  "/admin/mailing/",                        LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailing/subscribers.csv",         LOGIN,   403,         403,         403,         403,         200),
    ("GET",  "/admin/mailing/campaigns/new",           LOGIN,   403,         403,         403,         403,         200),
    ("POST", "/admin/mailing/campaigns/new",           LOGIN,   403,         403,         403,         403,         ANYWHERE),
    ("GET",  "/admin/mailing/campaigns/{draft_campaign}", LOGIN, 403,        403,         403,         403,         200),
    ("GET",  "/admin/mailing/campaigns/{sent_campaign}?preview=fr", LOGIN, 403, 403,      403,         403,         200),
    ("GET",  "/admin/mailing/campaigns/999999",        LOGIN,   403,         403,         403,         403,         404),
    ("GET",  "/admin/mailing/campaigns/{draft_campaign}/edit", LOGIN, 403,   403,         403,         403,         200),
    ("POST", "/admin/mailing/campaigns/{draft_campaign}/edit", LOGIN, 403,   403,         403,         403,         to("/admin/mailing/campaigns/{draft_campaign}")),
    ("POST", "/admin/mailing/campaigns/{sent_campaign}/edit", LOGIN, 403,    403,         403,         403,         409),
    ("POST", "/admin/mailing/campaigns/{draft_campaign}/test", LOGIN, 403,   403,         403,         403,         to("/admin/mailing/campaigns/{draft_campaign}")),
    ("POST", "/admin/mailing/campaigns/{draft_campaign}/schedule", LOGIN, 403, 403,       403,         403,         to("/admin/mailing/campaigns/{draft_campaign}")),
    ("POST", "/admin/mailing/campaigns/{sent_campaign}/schedule", LOGIN, 403, 403,        403,         403,         409),
    ("POST", "/admin/mailing/campaigns/{draft_campaign}/pause", LOGIN, 403,  403,         403,         403,         409),
    ("POST", "/admin/mailing/campaigns/{sent_campaign}/pause", LOGIN, 403,   403,         403,         403,         409),
    ("POST", "/admin/mailing/campaigns/{draft_campaign}/resume", LOGIN, 403, 403,         403,         403,         409),
    ("POST", "/admin/mailing/campaigns/999999/pause",  LOGIN,   403,         403,         403,         403,         404),
    # the external submission site's webhook (no secret is configured in the tests)
    ("POST", "/api/v1/hooks/action-submitted",         503,     503,         503,         503,         503,         503),
    # the public API: what visitors see, the same for everyone (drafts are 404 even to staff)
    ("GET",  "/api/v1/priorities",                     200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/actions",                        200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/actions/{published}",            200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/actions/{draft}",                404,     404,         404,         404,         404,         404),
    ("GET",  "/api/v1/courses",                        200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/events",                         200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/events/{event}",                 200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/events/{draft_event}",           404,     404,         404,         404,         404,         404),
    ("GET",  "/api/v1/openapi.json",                   200,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/docs",                           200,     200,         200,         200,         200,         200),
    # the personal API, here with the session (tokens: tests/api/test_tokens.py); A's member
    # holds a place at {event}; a draft is not there (404) but for those who manage it
    ("GET",  "/api/v1/me",                             401,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/me/organisation",                401,     404,         200,         200,         404,         404),
    ("GET",  "/api/v1/me/courses",                     401,     200,         200,         200,         200,         200),
    ("GET",  "/api/v1/me/registrations",               401,     200,         200,         200,         200,         200),
    ("POST", "/api/v1/events/{event}/registration",    401,     200,         200,         200,         200,         200),
    ("POST", "/api/v1/events/{draft_event}/registration", 401,  404,         404,         404,         409,         409),
    ("DELETE", "/api/v1/events/{event}/registration",  401,     404,         200,         404,         404,         404),
    ("DELETE", "/api/v1/events/{draft_event}/registration", 401, 404,        404,         404,         404,         404),
    # personal API tokens on the account page
    ("POST", "/account/api-tokens",                    LOGIN,   200,         200,         200,         200,         200),
    ("POST", "/account/api-tokens/999999/revoke",      LOGIN,   404,         404,         404,         404,         404),
]
# fmt: on

MATRIX = [
    (method, path, role, expected)
    for method, path, *outcomes in TABLE
    for role, expected in zip(ROLES, outcomes, strict=True)
]

# What each POST sends: a valid form, so that an allowed person's action goes through.
POST_DATA = {
    "/account": {"name": "Awa Diop", "locale": "en", "timezone": "UTC"},
    "/account/email": {"email": "new.address@example.org", "current_password": PASSWORD},
    "/account/password": {
        "current_password": PASSWORD,
        "password": "a brand new password",
        "confirm": "a brand new password",
    },
    "/account/delete": {"current_password": PASSWORD, "confirm": "y"},
    "/account/api-tokens": {"token-name": "Reporting script", "token-scopes": ["read"]},
    "/account/language": {"lang": "fr", "next": "/faq"},
    "/reauth": {"password": PASSWORD},
    "/organisation/new": ORGANISATION,
    "/organisation/edit": ORGANISATION,
    "/organisation/members": {"email": "colleague@example.org", "role": "member"},
    "/organisation/members/{member}/role": {"role": "owner"},
    "/organisation/members/{other_member}/role": {"role": "member"},
    "/admin/users/{user}/role": {"role": "organiser"},
    "/admin/users/999999/role": {"role": "organiser"},
    "/admin/organisations/{organisation}": {"email": "new.owner@example.org"},
    "/admin/organisations/{organisation}/grants": {"reason": "Invited partner"},
    "/my/actions/{draft}/about": {"title": "Renamed", "description": "Text", "language": "en"},
    "/my/actions/{other_action}/about": {
        "title": "Renamed",
        "description": "Text",
        "language": "en",
    },
    "/admin/actions/{submitted}/return": {"return-reason": "Please add the dates."},
    "/admin/actions/{submitted}/reject": {"reject-reason": "Not an action of a local government."},
    "/admin/actions/{submitted}/translation": {
        "language": "fr",
        "title": "Titre",
        "description": "Texte",
    },
    "/admin/actions/corrections/{correction}/decline": {"decline-reason": "Nothing to correct."},
    "/courses/{course}/chapter-1-quiz/answers": right_answers("chapter-1-quiz"),
    "/courses/{course}/chapter-2-quiz/answers": right_answers("chapter-2-quiz"),
    "/manage/events/new": event_form(),
    "/manage/events/{event}/edit": event_form(),
    "/manage/events/{event}/postpone": {
        "start_date": str(EVENT_DAY + timedelta(days=7)),
        "start_time": "14:00",
        "end_date": str(EVENT_DAY + timedelta(days=7)),
        "end_time": "15:00",
    },
    "/manage/events/{other_event}/cancel": {"reason": "The speakers cannot travel."},
    "/manage/events/{event}/agenda": {
        "kind": "opening",
        "en-title": "Opening",
        "day": str(EVENT_DAY),
        "start_time": "12:00",
        "end_time": "12:10",
    },
    "/manage/events/{event}/materials": {"recording_url": "https://video.example.org/1"},
    "/manage/events/{event}/message": {"subject": "Agenda", "body": "The agenda is online."},
    "/mgi/": interest_form(),
    "/admin/mgi/{mgi}/step": {"step": "shared", "note": "Sent to IOM's regional office."},
    "/admin/mgi/{other_mgi}/step": {"step": "received"},
    "/admin/mgi/999999/step": {"step": "shared"},
    "/mailing/": {
        "email": "reader.two@example.org",
        "name": "Reader",
        "language": "fr",
        "topics": ["events"],
    },
    "/mailing/preferences/{mailing_token}": {"language": "fr", "topics": ["events"]},
    "/mailing/preferences/not-a-token": {"language": "fr", "topics": ["events"]},
    "/admin/mailing/campaigns/new": campaign_form(),
    "/admin/mailing/campaigns/{draft_campaign}/edit": campaign_form(),
    "/admin/mailing/campaigns/{sent_campaign}/edit": campaign_form(),
    "/admin/mailing/campaigns/{draft_campaign}/schedule": {"when": "now"},
    "/admin/mailing/campaigns/{sent_campaign}/schedule": {"when": "now"},
}


class World:
    """Organisations A and B, one person per role, an outbox message, and sign-in."""

    def __init__(
        self,
        app,
        make,
        auth,
        learning: bool = True,
        with_events: bool = True,
        mgi: bool = False,
        mailing: bool = False,
    ):
        self.auth = auth
        owner, organisation = make.member(email="owner@a.example.org")
        member, _ = make.member(organisation, role="member", email="member@a.example.org")
        other_owner, other = make.member(email="owner@b.example.org")
        self.people = {
            NO_ORGANISATION: make.user(email="alone@example.org"),
            MEMBER: member,
            OWNER: owner,
            ORGANISER: make.user(role="organiser", email="organiser@example.org"),
            ADMIN: make.user(role="admin", email="admin@example.org"),
        }
        target = make.user(email="target@example.org")
        with app.app_context():
            now = utcnow()
            for org, email, token in (
                (organisation, "guest@a.example.org", "token-for-a"),
                (other, "guest@b.example.org", "token-for-b"),
            ):
                db.session.add(
                    Invitation(
                        organisation_id=org.id,
                        email=email,
                        role="member",
                        token_hash=hash_random_token(token),
                        expires_at=now.replace(year=now.year + 1),
                    )
                )
            message = OutboxMessage(
                category="account",
                to_address=target.email,
                subject="Hello",
                body_text="Hello",
                body_html="<p>Hello</p>",
                attachments=[
                    {"filename": "a.ics", "content_type": "text/calendar", "content": "BEGIN"}
                ],
            )
            db.session.add(message)
            db.session.commit()
            message_id = message.id
        draft = make_action(app, organisation, owner)
        submitted = make_action(app, organisation, owner, status="submitted")
        published = make_action(app, organisation, owner, status="published")
        other_action = make_action(app, other, other_owner)
        with app.app_context():
            correction = CorrectionRequest(
                action_id=submitted, requested_by_id=owner.id, message="Please fix the start date."
            )
            db.session.add(correction)
            db.session.commit()
            correction_id = correction.id
        # Only the course pages need the course (importing it for every row would be slow).
        course, attempt, certificate = (
            _learning(app, organisation, owner) if learning else (SLUG, 0, "-")
        )
        events = _events(app, make, self.people[ORGANISER], member) if with_events else {}
        if mgi and not learning:
            unlock(app, organisation)  # the MOOC rows unlock A already
        mgi_ids = _mgi(app, organisation, owner, other, other_owner) if mgi else {}
        mailing_ids = _mailing(app, self.people[ADMIN]) if mailing else {}
        self.ids = {
            **events,
            **mgi_ids,
            **mailing_ids,
            "course": course,
            "attempt": attempt,
            "certificate": certificate,
            "draft": draft,
            "submitted": submitted,
            "published": published,
            "other_action": other_action,
            "correction": correction_id,
            "token": "token-for-a",
            "member": fetch(app, Membership, user_id=member.id).id,
            "invitation": fetch(app, Invitation, organisation_id=organisation.id).id,
            "other_member": fetch(app, Membership, user_id=other_owner.id).id,
            "other_invitation": fetch(app, Invitation, organisation_id=other.id).id,
            "user": target.id,
            "organisation": organisation.id,
            "message": message_id,
        }

    def sign_in(self, role: str) -> None:
        if role != VISITOR:
            response = self.auth.login(self.people[role].email)
            assert response.status_code == 302, response.status_code


def _learning(app, organisation, owner) -> tuple[str, int, str]:
    """A unlocked, its owner enrolled in the shipped course with one attempt and a certificate."""
    import_shipped(app)
    unlock(app, organisation)
    with app.app_context():
        user = db.session.get(User, owner.id)
        course = operations.course_by_slug(SLUG)
        enrolment = operations.enrol(user, course)
        db.session.flush()
        progress = progress_for(course, enrolment)
        quiz = next(lesson for lesson in course.lessons if lesson.slug == "chapter-1-quiz")
        attempt, _ = submit_attempt(
            user, progress, quiz, answers_from(MultiDict(wrong_answers(quiz.slug)), quiz)
        )
        enrolment.completed_at = utcnow()
        certificate = Certificate(
            code="ABCD-EFGH-JKLM", enrolment_id=enrolment.id, course_id=course.id, name=user.name
        )
        db.session.add(certificate)
        db.session.commit()
        return SLUG, attempt.id, certificate.code


def _events(app, make, organiser, member) -> dict:
    """The organiser's event (A's member registered, one agenda segment) and draft, and another
    organiser's event; a calendar feed for A's member."""
    from zoneinfo import ZoneInfo

    from cta_learning.community.events import operations as event_operations
    from cta_learning.community.events import registration_operations
    from cta_learning.community.events.models import AgendaSegment, Event

    noon = datetime.combine(EVENT_DAY, time(12), tzinfo=ZoneInfo("Europe/Paris"))
    start = noon.astimezone(UTC).replace(tzinfo=None)
    times = {"starts_at": start, "ends_at": start + timedelta(hours=3)}
    event = make_event(app, organiser, **times)
    draft = make_event(app, organiser, status="draft", published_at=None, **times)
    other = make_event(app, make.user(role="organiser"), **times)
    with app.test_request_context():
        segment = AgendaSegment(
            event_id=event.id,
            kind="welcome",
            title="Welcome",
            starts_at=start,
            ends_at=start + timedelta(minutes=10),
        )
        db.session.add(segment)
        person = db.session.get(User, member.id)
        registration = registration_operations.register(
            db.session.get(Event, event.id), person, None, utcnow()
        )
        feed = event_operations.calendar_feed(person)
        db.session.commit()
        return {
            "event": event.id,
            "draft_event": draft.id,
            "other_event": other.id,
            "segment": segment.id,
            "registration": registration.id,
            "feed": feed.token,
        }


def _mgi(app, organisation, owner, other, other_owner) -> dict:
    """A's open Local MGI request, and B's, already shared with IOM."""
    mine = make_request(app, organisation, owner)
    theirs = make_request(app, other, other_owner, step="shared")
    return {"mgi": mine.id, "other_mgi": theirs.id}


def _mailing(app, admin) -> dict:
    """A subscriber (and the token of their links), a sign-up awaiting confirmation, a draft
    campaign and a sent one."""
    from cta_learning.community.mailing import subscriptions
    from cta_learning.community.mailing.models import Campaign, Subscriber, SubscriberTopic

    with app.test_request_context():
        now = utcnow()
        reader = Subscriber(
            email="reader@example.org", status="subscribed", consent_source="signup"
        )
        reader.topic_links = [SubscriberTopic(topic="events")]
        pending = Subscriber(
            email="unsure@example.org",
            confirm_token_hash=hash_random_token("mailing-confirm-token"),
            confirm_expires_at=now + timedelta(days=1),
        )
        texts = {"subjects": {"en": "News"}, "bodies": {"en": "Text"}, "topics": ["events"]}
        draft = Campaign(**texts, created_by_id=admin.id)
        sent = Campaign(**texts, status="sent", scheduled_at=now, sent_at=now)
        db.session.add_all([reader, pending, draft, sent])
        db.session.flush()
        ids = {
            "mailing_token": subscriptions.preferences_token(reader),
            "mailing_confirm": "mailing-confirm-token",
            "draft_campaign": draft.id,
            "sent_campaign": sent.id,
        }
        db.session.commit()
        return ids


@pytest.fixture
def world(request, app, make, auth):
    path = getattr(request.node, "callspec", None) and request.node.callspec.params.get("path")
    learning = path is None or path.startswith(("/courses", "/certificates", "/manage/courses"))
    with_events = path is None or path.startswith(("/events", "/manage/events", "/api/v1/events"))
    mgi = path is None or path.startswith(("/mgi", "/admin/mgi"))
    mailing = path is None or path.startswith(("/mailing", "/admin/mailing"))
    return World(app, make, auth, learning, with_events, mgi, mailing)


def assert_outcome(response, expected, url: str, ids: dict) -> None:
    if expected == ANYWHERE:
        assert response.status_code == 302, response.status_code
    elif expected == LOGIN:
        assert response.status_code == 302, response.status_code
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [url]
    elif isinstance(expected, tuple):
        status, location = expected
        assert response.status_code == status, response.status_code
        assert response.headers["Location"] == location.format(**ids)
    else:
        assert response.status_code == expected, response.status_code


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"),
    MATRIX,
    ids=[f"{method} {path} as {role}" for method, path, role, _ in MATRIX],
)
def test_access(app, client, world, method, path, role, expected):
    world.sign_in(role)
    url = path.format(**world.ids)
    refused = expected in (LOGIN, 403, 404)
    with nothing_changes(app) if refused else nullcontext():
        response = client.open(url, method=method, data=POST_DATA.get(path, {}))
    assert_outcome(response, expected, url, world.ids)


def test_every_route_is_in_the_table(app):
    """A new route must get its row in the table above (static files excepted)."""
    tested = [path.split("?")[0] for _, path, *_ in TABLE]
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = {rule for rule in rules if not any(_matches(rule, path) for path in tested)}
    assert missing == set(), f"routes missing from the access table: {sorted(missing)}"


def _matches(rule: str, path: str) -> bool:
    rule_parts, path_parts = rule.strip("/").split("/"), path.strip("/").split("/")
    return len(rule_parts) == len(path_parts) and all(
        r == p or r.startswith("<") for r, p in zip(rule_parts, path_parts, strict=True)
    )
