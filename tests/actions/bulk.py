"""Many published actions quickly (SQLAlchemy Core), for query-count scale tests."""

from datetime import date

from sqlalchemy import insert, select

from cta_learning import content_versions
from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action, ActionPriority
from cta_learning.actions.versions import REPOSITORY
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.bulk import BATCH, add_organisations

PLEDGE_TYPES = ("mirror", "gcm", "gcr", "idps")


def add_published_actions(app, number: int) -> None:
    """Add `number` published actions spread over 20 bulk organisations, two priorities each."""
    now = utcnow()
    with app.app_context():
        organisation_ids = db.session.scalars(
            select(Organisation.id).where(Organisation.name.like("Bulk city %")).limit(20)
        ).all()
    if not organisation_ids:
        add_organisations(app, 20, members_each=0)
        return add_published_actions(app, number)
    with app.app_context():
        first = db.session.scalar(select(db.func.max(Action.id))) or 0
        rows = [
            {
                "id": first + 1 + n,
                "organisation_id": organisation_ids[n % len(organisation_ids)],
                "status": "published",
                "language": "en",
                "title": f"Bulk action {first + n}",
                "description": "Bulk.",
                "start_on": date(2019 + n % 6, 1 + n % 12, 1),
                "is_ongoing": True,
                "results": "",
                "targets_migrants": n % 4 in (0, 1),
                "targets_refugees": n % 4 in (0, 2),
                "targets_idps": n % 4 == 3,
                "targets_stateless": False,
                "pledge_type": PLEDGE_TYPES[n % 4],
                "partners": [],
                "links": "",
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
                "published_at": now,
            }
            for n in range(number)
        ]
        links = [
            {"action_id": row["id"], "priority_id": priority}
            for n, row in enumerate(rows)
            for priority in (1 + n % 8, 1 + (n + 3) % 8)
        ]
        for table, data in ((Action.__table__, rows), (ActionPriority.__table__, links)):
            for start in range(0, len(data), BATCH):
                db.session.execute(insert(table), data[start : start + BATCH])
        content_versions.bump(REPOSITORY)  # Core inserts bypass the flush
        db.session.commit()
    return None
