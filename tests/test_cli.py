"""Command-line: admins, users, demo data."""

from cta_learning.accounts.models import Organisation, User
from tests.conftest import count, fetch


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_admin_list_and_deactivate(app):
    result = run(
        app,
        "users",
        "create-admin",
        "--email",
        "Sec@Example.org",
        "--name",
        "Sec",
        "--password",
        "a long password",
    )
    assert result.exit_code == 0, result.output
    admin = fetch(app, User, email="sec@example.org")
    assert admin.role == "admin" and admin.email_confirmed_at is not None
    assert "sec@example.org\tSec\tadmin\tactive" in run(app, "users", "list").output
    assert run(app, "users", "deactivate", "sec@example.org").exit_code == 0
    assert fetch(app, User, email="sec@example.org").is_active is False


def test_create_admin_refuses_bad_input(app):
    bad_email = run(
        app,
        "users",
        "create-admin",
        "--email",
        "not-an-email",
        "--name",
        "A",
        "--password",
        "a long password",
    )
    short = run(
        app,
        "users",
        "create-admin",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--password",
        "short",
    )
    newline = run(
        app,
        "users",
        "create-admin",
        "--email",
        "a@example.org",
        "--name",
        "A\nB",
        "--password",
        "a long password",
    )
    for result in (bad_email, short, newline):
        assert result.exit_code == 2
        assert "Error" in result.output
    assert count(app, User) == 0


def test_deactivate_unknown_user_is_an_error(app):
    result = run(app, "users", "deactivate", "nobody@example.org")
    assert result.exit_code == 1 and "No account uses" in result.output


def test_seed_demo_is_idempotent(app):
    first = run(app, "seed-demo")
    assert first.exit_code == 0 and "demo-password" in first.output
    users, organisations = count(app, User), count(app, Organisation)
    assert run(app, "seed-demo").exit_code == 0
    assert (count(app, User), count(app, Organisation)) == (users, organisations)
    assert fetch(app, User, email="admin@demo.cta-learning.org").role == "admin"


def test_seed_demo_refuses_production(app):
    app.config["ENV_NAME"] = "production"
    result = run(app, "seed-demo")
    assert result.exit_code == 1 and "not loaded in production" in result.output


def test_seed_demo_unlocks_the_cities_that_submitted(app):
    from sqlalchemy import select

    from cta_learning.access import access_for
    from cta_learning.actions.models import Action
    from cta_learning.extensions import db

    assert run(app, "seed-demo").exit_code == 0
    with app.app_context():

        def named(name):
            return db.session.scalar(select(Organisation).where(Organisation.name == name))

        assert access_for(named("Montréal")).is_unlocked
        assert not access_for(named("Accra Metropolitan Assembly")).is_unlocked
        accra = db.session.scalars(
            select(Action).where(Action.organisation_id == named("Accra Metropolitan Assembly").id)
        ).all()
        assert [action.status for action in accra] == ["draft"]
        published = db.session.scalars(select(Action).where(Action.status == "published")).all()
        assert len(published) >= 10
