"""Many rows quickly, for tests that check query counts do not grow with the data."""

from sqlalchemy import insert, select

from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.database import utcnow
from cta_learning.extensions import db

BATCH = 2_000


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def add_organisations(app, number: int, members_each: int = 2) -> None:
    """Add `number` organisations, each with `members_each` confirmed members."""
    now = utcnow()
    with app.app_context():
        first = db.session.scalar(select(db.func.count(Organisation.id))) or 0
        _insert(
            Organisation.__table__,
            [
                {
                    "kind": "lrg",
                    "name": f"Bulk city {first + n:06d}",
                    "country": "BR",
                    "region": "americas",
                    "preferred_language": "es",
                    "policy_processes": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(number)
            ],
        )
        organisation_ids = db.session.scalars(
            select(Organisation.id)
            .where(Organisation.name.like("Bulk city %"))
            .order_by(Organisation.id)
            .offset(first)
        ).all()
        _insert(
            User.__table__,
            [
                {
                    "email": f"bulk{org_id}-{n}@bulk.example.org",
                    "name": f"Bulk {org_id}-{n}",
                    "password_hash": "x",
                    "role": "member",
                    "locale": "en",
                    "timezone": "UTC",
                    "is_active": True,
                    "session_token": f"bulk-{org_id}-{n}",
                    "created_at": now,
                    "email_confirmed_at": now,
                }
                for org_id in organisation_ids
                for n in range(members_each)
            ],
        )
        users = dict(
            db.session.execute(
                select(User.session_token, User.id).where(User.email.like("bulk%"))
            ).all()
        )
        _insert(
            Membership.__table__,
            [
                {
                    "organisation_id": org_id,
                    "user_id": users[f"bulk-{org_id}-{n}"],
                    "role": "owner" if n == 0 else "member",
                    "joined_at": now,
                }
                for org_id in organisation_ids
                for n in range(members_each)
            ],
        )
        db.session.commit()
