"""Arranging Local MGI tests: the interest form's data and requests made in the database."""

from cta_learning.community.mgi.models import MgiRequest, MgiStepChange
from cta_learning.database import utcnow
from cta_learning.extensions import db


def interest_form(**overrides) -> dict:
    """What a city's member types in the interest form."""
    data = {
        "focal_name": "Ana Mora",
        "focal_position": "Head of the Office for Migrant Inclusion",
        "focal_email": "ana.mora@sanjose.example.org",
        "focal_phone": "+506 2547 6000",
        "motivation": "We want an inventory of our policies and an action plan.",
        "population_context": "350,000 inhabitants; many arrivals from Nicaragua and Venezuela.",
        "previous_assessments": "",
        "departments": "Social services, housing, employment.",
        "language": "es",
        "consent": "y",
    }
    data.update(overrides)
    return data


def make_request(app, organisation, user=None, step="received", **fields) -> MgiRequest:
    """A request of the organisation at `step` (detached), with its first step change."""
    values = {
        "focal_name": "Focal Point",
        "focal_position": "Adviser",
        "focal_email": "focal@city.example.org",
        "focal_phone": "+221 33 123 45 67",
        "motivation": "Know where we stand.",
        "population_context": "A growing city.",
        "language": "fr",
        "consented_at": utcnow(),
    }
    values.update(fields)
    with app.app_context():
        request = MgiRequest(
            organisation_id=organisation.id,
            submitted_by_id=user.id if user else None,
            step=step,
            **values,
        )
        request.changes = [MgiStepChange(to_step="received")]
        db.session.add(request)
        db.session.commit()
        db.session.refresh(request)
        db.session.expunge(request)
        return request
