"""Demo data for the mailing list and Local MGI: a few people who signed up themselves (members of
unlocked organisations are subscribed by the unlock itself), a campaign already sent (the public
archive), a draft for the admin to try, and Montréal's Local MGI request, shared with IOM."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cta_learning.accounts.models import User
from cta_learning.community.mailing import campaigns, subscriptions
from cta_learning.community.mailing.models import TOPICS, Campaign
from cta_learning.community.mgi import operations as mgi
from cta_learning.community.mgi.models import MgiStep
from cta_learning.database import utcnow
from cta_learning.extensions import db

SIGNUPS = (
    ("ngozi@lagos.demo.cta-learning.org", "Ngozi", "en", ["global_processes", "cities_fund"]),
    ("lucia@quito.demo.cta-learning.org", "Lucía", "es", ["events"]),
    ("claire@lyon.demo.cta-learning.org", "Claire", "fr", list(TOPICS)),
)
SENT: dict[str, Any] = {
    "subjects": {
        "en": "The road to the 2026 International Migration Review Forum",
        "fr": "En route vers le Forum d'examen des migrations internationales 2026",
        "es": "Rumbo al Foro de Examen de la Migración Internacional 2026",
    },
    "bodies": {
        "en": "Member States review the **Global Compact for Migration** at the IMRF. "
        "Local and regional governments can take part: submit your actions to the Call so "
        "that they are counted, and join the peer exchanges announced on the platform.",
        "fr": "Les États membres examinent le **Pacte mondial sur les migrations** lors de "
        "l'IMRF. Les collectivités locales et régionales peuvent y prendre part : soumettez "
        "vos actions à l'Appel pour qu'elles soient comptées, et rejoignez les échanges entre "
        "pairs annoncés sur la plateforme.",
        "es": "Los Estados miembros examinan el **Pacto Mundial para la Migración** en el "
        "IMRF. Los gobiernos locales y regionales pueden participar: presenten sus acciones al "
        "Llamado para que se tengan en cuenta y únanse a los intercambios entre pares "
        "anunciados en la plataforma.",
    },
    "topics": ["global_processes"],
    "audience": "subscribers",
    "region": None,
    "priority_id": None,
}
DRAFT: dict[str, Any] = {
    "subjects": {"en": "Global Cities Fund: a new call for proposals"},
    "bodies": {
        "en": "The Global Cities Fund for Migrants and Refugees opens a new call. "
        "Members of unlocked organisations in Africa are invited to apply."
    },
    "topics": ["cities_fund"],
    "audience": "members",
    "region": "africa",
    "priority_id": None,
}


def seed_mailing(admin: User) -> None:
    """Add what is missing; an existing campaign with the same English subject is kept."""
    now = utcnow()
    for email, name, language, topics in SIGNUPS:
        if subscriptions.find(email) is None:
            subscriber = subscriptions.request_signup(email, name, language, topics, now)
            if subscriber is not None:  # None for an address already subscribed
                subscriptions.confirm(subscriber, "192.0.2.10", now)
    known = {subjects.get("en") for subjects in db.session.scalars(select(Campaign.subjects))}
    if SENT["subjects"]["en"] not in known:
        campaign = campaigns.save_campaign(None, SENT, admin)
        campaigns.schedule(campaign, now - timedelta(days=12), admin)
        while campaigns.queue_batch(campaign, now - timedelta(days=12)):
            pass  # the last call finds nobody left and marks the campaign sent
    if DRAFT["subjects"]["en"] not in known:
        campaigns.save_campaign(None, DRAFT, admin)


MGI_REQUEST = {
    "focal_name": "Élise Tremblay",
    "focal_position": "Head of the Bureau d'intégration des nouveaux arrivants",
    "focal_email": "elise.tremblay@montreal.demo.cta-learning.org",
    "focal_phone": "+1 514 555 0142",
    "motivation": "We want an outside view of how our services reach newcomers, before the "
    "city's next action plan on inclusion.",
    "population_context": "About 1.8 million inhabitants; one in three was born abroad, and the "
    "city receives many asylum seekers each year.",
    "previous_assessments": "An internal review of access to services without status (2019).",
    "departments": "Newcomer integration, housing, public health, libraries.",
    "language": "fr",
}


def seed_mgi(member: User, admin: User) -> None:
    """Montréal's request, moved to "shared with IOM", unless the city already has one."""
    organisation = member.organisation
    if organisation is None or mgi.latest_request(organisation) is not None:
        return
    now = utcnow()
    request = mgi.register_interest(organisation, MGI_REQUEST, member, now - timedelta(days=20))
    mgi.change_step(request, MgiStep.SHARED, "Sent to IOM's Local MGI team.", admin, now)
