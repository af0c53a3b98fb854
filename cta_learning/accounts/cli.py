"""`flask users …`: create an admin, list users, deactivate a user, two-step sign-in."""

import click
from email_validator import EmailNotValidError
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from cta_learning.accounts import two_factor, user_admin_operations
from cta_learning.accounts.forms import PASSWORD_MAX, PASSWORD_MIN
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import find_user_by_email
from cta_learning.extensions import db
from cta_learning.forms import NonAsciiLocalPart, normalise_email


@click.group()
def users() -> None:
    """Manage user accounts."""


def _valid_email(ctx, param, value: str) -> str:
    try:
        return normalise_email(value)
    except NonAsciiLocalPart:
        raise click.BadParameter("only ASCII characters are allowed before the @") from None
    except EmailNotValidError as error:
        raise click.BadParameter(str(error)) from None


@users.command("create-admin")
@click.option("--email", prompt=True, callback=_valid_email)
@click.option("--name", prompt=True)
@click.password_option(prompt="Password")
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account (or make an existing account admin)."""
    name = name.strip()
    if not name or len(name) > 120 or any(c in name for c in "\r\n\x00"):
        raise click.BadParameter(
            "give a name of 1 to 120 characters on one line", param_hint="--name"
        )
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.BadParameter(
            f"a password has between {PASSWORD_MIN} and {PASSWORD_MAX} characters",
            param_hint="--password",
        )
    user = user_admin_operations.create_admin(name, email, password)
    db.session.commit()
    click.echo(f"{user.email} is an admin.")


@users.command("list")
@click.option("--role", type=click.Choice(["member", "organiser", "admin"]))
@with_appcontext
def list_users(role: str | None) -> None:
    """List accounts: email, name, role, active, confirmed."""
    query = select(User).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    for user in db.session.scalars(query):
        click.echo(
            f"{user.email}\t{user.name}\t{user.role}\t"
            f"{'active' if user.is_active else 'inactive'}\t"
            f"{'confirmed' if user.email_confirmed_at else 'unconfirmed'}"
        )


def _account(email: str):
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    return user


@users.command()
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Deactivate an account: it is signed out everywhere and cannot log in."""
    user = _account(email)
    user_admin_operations.set_active(user, False, None)
    db.session.commit()
    click.echo(f"{user.email} is deactivated.")


@users.command("totp-code")
@click.argument("email")
@with_appcontext
def totp_code(email: str) -> None:
    """Print the current two-step code of an account (development only: for the demo)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Codes are never printed in production.")
    user = find_user_by_email(email)
    if user is None or not two_factor.is_enabled(user):
        raise click.ClickException(f"No account with two-step sign-in uses {email}.")
    click.echo(two_factor.current_code(user))


@users.command("reset-two-step")
@click.argument("email")
@with_appcontext
def reset_two_step(email: str) -> None:
    """Turn two-step sign-in off for someone who lost both their phone and recovery codes."""
    user = _account(email)
    two_factor.reset(user, None)
    db.session.commit()
    click.echo(f"Two-step sign-in is off for {user.email}; staff set it up at their next visit.")
