"""Bad input to the mailing list: a clear message, a 4xx where it is HTTP, nothing changed."""

import pytest
from itsdangerous import URLSafeSerializer

from cta_learning.accounts.tokens import fingerprint
from cta_learning.community.mailing.models import Campaign, Subscriber
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.community.mailing.helpers import (
    campaign_form,
    load_campaign,
    make_subscriber,
    subscriber,
    token_for,
    write_campaign,
)
from tests.conftest import count, outbox
from tests.hostile import (
    HEADER_INJECTION,
    LONG,
    MISSING,
    NOT_A_CHOICE,
    NOT_ALLOWED,
    ONE_LINE,
    assert_form_refused,
    case,
    email_cases,
    form,
    nothing_changes,
    page_text,
    tampered,
)

SIGNUP = {
    "email": "ana@bogota.example.org",
    "name": "Ana",
    "language": "es",
    "topics": ["global_processes", "events"],
}
NO_TOPIC = "Choose at least one topic."
NOT_A_TOPIC = "is not a valid choice for this field."
LINK_INVALID = "This link does not work"
BOTH_OR_NEITHER = "Give both the subject and the message in this language, or neither."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        case("name-header-injection", ONE_LINE, name=HEADER_INJECTION),
        case("name-line-separator", ONE_LINE, name="Ana\u2028Bcc: x@y.org"),
        case("name-nul-byte", NOT_ALLOWED, name="A\x00na"),
        case("name-control-character", NOT_ALLOWED, name="Ana\x1b"),
        case("name-overlong", "At most 120 characters.", name=LONG),
        *email_cases("email"),
        case("no-topic", NO_TOPIC, topics=[]),
        case("topics-missing", NO_TOPIC, topics=MISSING),
        case("topic-unknown", NOT_A_TOPIC, topics=["sports"]),
        case("topic-unknown-among-known", NOT_A_TOPIC, topics=["events", "sports"]),
        case("language-unknown", NOT_A_CHOICE, language="de"),
        case("language-overlong", NOT_A_CHOICE, language=LONG),
    ],
)
def test_the_sign_up_form_refuses_bad_input(app, client, overrides, message):
    with nothing_changes(app):
        response = client.post("/mailing/", data=form(SIGNUP, overrides))
    assert_form_refused(response, message)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        case("no-topic", NO_TOPIC, topics=[]),
        case("topic-unknown", NOT_A_TOPIC, topics=["sports"]),
        case("language-unknown", NOT_A_CHOICE, language="de"),
        case("language-header-injection", NOT_A_CHOICE, language="en\r\nBcc: x@y.org"),
    ],
)
def test_the_preferences_form_refuses_bad_input(app, client, overrides, message):
    ana = make_subscriber(app, "ana@bogota.example.org", "es")
    token = token_for(app, ana.id)
    data = form({"language": "fr", "topics": ["events"]}, overrides)
    with nothing_changes(app):
        response = client.post(f"/mailing/preferences/{token}", data=data)
    assert_form_refused(response, message)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        case("subject-header-injection", ONE_LINE, subject_en="News\r\nBcc: x@y.org"),
        case("french-subject-header-injection", ONE_LINE, subject_fr="Nouvelles\nBcc: x@y.org"),
        case("subject-line-separator", ONE_LINE, subject_en="News\u2028Bcc: x@y.org"),
        case("subject-nul-byte", NOT_ALLOWED, subject_en="News\x00"),
        case("subject-overlong", "At most 200 characters.", subject_en=LONG),
        case("body-nul-byte", NOT_ALLOWED, body_en="Text\x00"),
        case("french-subject-without-body", BOTH_OR_NEITHER, body_fr=""),
        case("french-body-without-subject", BOTH_OR_NEITHER, subject_fr=""),
        case("spanish-body-only", BOTH_OR_NEITHER, body_es="Texto"),
        case(
            "no-english-subject",
            "Write at least the English subject: it is the fallback.",
            subject_en="",
        ),
        case(
            "english-subject-only-spaces",
            "Write at least the English subject: it is the fallback.",
            subject_en="   ",
        ),
        case(
            "no-english-body",
            "Write at least the English message: it is the fallback.",
            body_en=MISSING,
        ),
        case("no-topic", NO_TOPIC, topics=[]),
        case("topic-unknown", NOT_A_TOPIC, topics=["sports"]),
        case("audience-unknown", NOT_A_CHOICE, audience="everyone-on-earth"),
        case("region-unknown", NOT_A_CHOICE, audience="members", region="mars"),
        case("priority-unknown", NOT_A_CHOICE, audience="members", priority_id="99"),
        case("priority-not-a-number", NOT_A_CHOICE, audience="members", priority_id="1 OR 1=1"),
    ],
)
def test_the_campaign_form_refuses_bad_input(app, client, auth, overrides, message):
    auth.login_as("admin")
    draft = write_campaign(client)
    data = form(campaign_form(), overrides)
    with nothing_changes(app):
        response = client.post("/admin/mailing/campaigns/new", data=data)
        assert_form_refused(response, message)
        response = client.post(f"/admin/mailing/campaigns/{draft}/edit", data=data)
        assert_form_refused(response, message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "later"}, "Give the date and the time."),
        ({"when": "later", "date": "2030-01-01"}, "Give the date and the time."),
        ({"when": "later", "date": "31/12/2030", "time": "09:00"}, "Not a valid date value."),
        ({"when": "later", "date": "2030-01-01", "time": "25:00"}, "Not a valid time value."),
        ({"when": "yesterday"}, NOT_A_CHOICE),
        (
            {"when": "later", "date": "2030-03-31", "time": "02:30"},
            "This time does not exist in your time zone: the clocks change then.",
        ),
    ],
)
def test_a_bad_schedule_says_why_and_sends_nothing(app, client, auth, data, message):
    make_subscriber(app, "awa@dakar.example.org")
    auth.login_as("admin", timezone="Europe/Paris")
    campaign_id = write_campaign(client)
    with nothing_changes(app):
        response = client.post(f"/admin/mailing/campaigns/{campaign_id}/schedule", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert message in page_text(page)
    assert load_campaign(app, campaign_id).status == "draft"


def forged(app, payload) -> str:
    """A token signed with another secret than the platform's."""
    return URLSafeSerializer("not-the-secret", salt="cta-mailing-preferences").dumps(payload)


def test_altered_or_forged_links_change_nothing(app, client):
    ana = make_subscriber(app, "ana@bogota.example.org", "es")
    token = token_for(app, ana.id)
    with app.test_request_context():
        wrong_address = URLSafeSerializer(
            app.config["SECRET_KEY"], salt="cta-mailing-preferences"
        ).dumps({"s": ana.id, "e": fingerprint("someone@else.example.org")})
        not_a_number = URLSafeSerializer(
            app.config["SECRET_KEY"], salt="cta-mailing-preferences"
        ).dumps({"s": str(ana.id), "e": fingerprint(ana.email)})
    bad_tokens = [
        tampered(token),
        token + "x",
        token[:-1],
        forged(app, {"s": ana.id, "e": fingerprint(ana.email)}),
        wrong_address,
        not_a_number,
        "A" * 300,
        "..",
    ]
    for bad in bad_tokens:
        with nothing_changes(app):
            for method, path, data in (
                ("GET", f"/mailing/preferences/{bad}", {}),
                ("POST", f"/mailing/preferences/{bad}", {"language": "fr", "topics": ["events"]}),
                ("GET", f"/mailing/preferences/{bad}/data.json", {}),
                ("GET", f"/mailing/unsubscribe/{bad}", {}),
                ("POST", f"/mailing/unsubscribe/{bad}", {}),
                ("POST", f"/mailing/unsubscribe/{bad}", {"List-Unsubscribe": "One-Click"}),
                ("POST", f"/mailing/preferences/{bad}/erase", {}),
            ):
                response = client.open(path, method=method, data=data)
                assert response.status_code == 404, (bad, method, path)
                assert LINK_INVALID in page_text(response), (bad, path)
    assert subscriber(app, "ana@bogota.example.org").status == "subscribed"
    # The genuine token still works.
    assert client.get(f"/mailing/preferences/{token}").status_code == 200


def test_the_link_of_an_erased_subscription_is_dead(app, client):
    ana = make_subscriber(app, "ana@bogota.example.org", "es")
    token = token_for(app, ana.id)
    assert client.post(f"/mailing/preferences/{token}/erase").status_code == 200
    assert count(app, Subscriber) == 0
    with nothing_changes(app):
        for path in (f"/mailing/preferences/{token}", f"/mailing/unsubscribe/{token}"):
            response = client.post(path, data={"List-Unsubscribe": "One-Click"})
            assert response.status_code == 404 and LINK_INVALID in page_text(response)


def test_expired_used_or_altered_confirmation_links_change_nothing(app, client):
    client.post("/mailing/", data=SIGNUP)
    [message] = outbox(app)
    link = "/mailing/confirm/" + message.body_text.split("/mailing/confirm/")[1].split()[0]
    link = link.split("?")[0]
    with nothing_changes(app):
        for bad in (link + "x", link[:-1], "/mailing/confirm/" + "A" * 300):
            for method in ("GET", "POST"):
                response = client.open(bad, method=method)
                assert response.status_code == 404 and LINK_INVALID in page_text(response)
    with app.app_context():
        pending = db.session.scalar(db.select(Subscriber))
        pending.confirm_expires_at = utcnow()
        db.session.commit()
    with nothing_changes(app):
        response = client.post(link)
    assert response.status_code == 404 and LINK_INVALID in page_text(response)
    assert subscriber(app, "ana@bogota.example.org").status == "pending"


def test_someone_else_cannot_change_a_subscriber_s_choices_by_signing_up(app, client):
    ana = make_subscriber(app, "ana@bogota.example.org", "es", topics=["events"], name="Ana")
    response = client.post(
        "/mailing/", data={**SIGNUP, "name": "Mallory", "language": "fr", "topics": ["cities_fund"]}
    )
    assert "Check your inbox" in page_text(response)  # the same answer as for a new address
    after = subscriber(app, "ana@bogota.example.org")
    assert (after.name, after.language, after.topics) == ("Ana", "es", ["events"])
    assert after.updated_at == ana.updated_at
    # Only its owner hears of it, in her language, with her own preferences link.
    [message] = outbox(app)
    assert message.to_address == "ana@bogota.example.org" and message.to_name == "Ana"
    assert message.locale == "es" and "Mallory" not in message.body_text


ADMIN_PAGES = [
    ("GET", "/admin/mailing/"),
    ("GET", "/admin/mailing/subscribers.csv"),
    ("GET", "/admin/mailing/campaigns/new"),
    ("POST", "/admin/mailing/campaigns/new"),
    ("GET", "/admin/mailing/campaigns/{id}"),
    ("GET", "/admin/mailing/campaigns/{id}/edit"),
    ("POST", "/admin/mailing/campaigns/{id}/edit"),
    ("POST", "/admin/mailing/campaigns/{id}/test"),
    ("POST", "/admin/mailing/campaigns/{id}/schedule"),
    ("POST", "/admin/mailing/campaigns/{id}/pause"),
    ("POST", "/admin/mailing/campaigns/{id}/resume"),
]


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_only_admins_reach_the_mailing_administration(app, client, auth, make, role):
    make_subscriber(app, "awa@dakar.example.org")
    admin = make.user(role="admin")
    with app.app_context():
        campaign = Campaign(
            subjects={"en": "News"},
            bodies={"en": "Text"},
            topics=["events"],
            created_by_id=admin.id,
        )
        db.session.add(campaign)
        db.session.commit()
        campaign_id = campaign.id
    auth.login_as(role)
    with nothing_changes(app):
        for method, path in ADMIN_PAGES:
            data = campaign_form() if method == "POST" else None
            if path.endswith("schedule"):
                data = {"when": "now"}
            response = client.open(path.format(id=campaign_id), method=method, data=data)
            assert response.status_code == 403, (method, path)
    auth.logout()
    with nothing_changes(app):
        for method, path in ADMIN_PAGES:
            response = client.open(path.format(id=campaign_id), method=method)
            assert response.status_code == 302 and "/login" in response.headers["Location"]
