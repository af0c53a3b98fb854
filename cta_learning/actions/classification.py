"""How an action is classified, derived from what it says: the one place for these rules.

The rules follow the Call's FAQ:
- target groups decide the compacts: only migrants -> not on the refugee (GCR) platforms; only
  refugees -> not on the migration (GCM) platforms; both -> a mirror pledge; only internally
  displaced persons -> outside both compacts. Stateless persons are within the scope of both
  compacts (GCM objective 4, and the refugee protection mandate).
- the timeline decides the nature: not started or ongoing -> a commitment (pledging platforms);
  ongoing with evidence of results -> also a good practice; concluded -> a good practice only
  (practice repositories), removed from the pledging platforms.
- every action also goes to the GFMD partnerships platform.
"""

from dataclasses import dataclass
from datetime import date

TARGET_GROUPS = ("migrants", "refugees", "idps", "stateless")
PLEDGE_TYPES = ("mirror", "gcm", "gcr", "idps")
STATUSES = ("not_started", "ongoing", "concluded")
PLATFORMS = ("gcm-pledging", "gcm-practices", "gcr-pledging", "gcr-practices", "gfmd-partnerships")

_GCM_GROUPS = {"migrants", "stateless"}
_GCR_GROUPS = {"refugees", "stateless"}


def pledge_type(target_groups: set[str] | frozenset[str]) -> str | None:
    """mirror, gcm, gcr or idps; None when no target group is chosen."""
    groups = set(target_groups)
    if not groups:
        return None
    gcm, gcr = bool(groups & _GCM_GROUPS), bool(groups & _GCR_GROUPS)
    if gcm and gcr:
        return "mirror"
    if gcm:
        return "gcm"
    if gcr:
        return "gcr"
    return "idps"


def status(start_on: date, end_on: date | None, today: date) -> str:
    """not_started, ongoing or concluded, from the dates (no end date: ongoing)."""
    if start_on > today:
        return "not_started"
    if end_on is not None and end_on < today:
        return "concluded"
    return "ongoing"


def natures(action_status: str, has_evidence: bool) -> tuple[str, ...]:
    """('commitment',), ('commitment', 'good_practice') or ('good_practice',)."""
    if action_status == "concluded":
        return ("good_practice",)
    if action_status == "ongoing" and has_evidence:
        return ("commitment", "good_practice")
    return ("commitment",)


def platforms(kind: str | None, action_natures: tuple[str, ...]) -> tuple[str, ...]:
    """The UN platforms an action of this pledge type and nature is shared with."""
    if kind is None:
        return ()
    shared = []
    for compact, covered in (
        ("gcm", kind in ("mirror", "gcm")),
        ("gcr", kind in ("mirror", "gcr")),
    ):
        if covered and "commitment" in action_natures:
            shared.append(f"{compact}-pledging")
        if covered and "good_practice" in action_natures:
            shared.append(f"{compact}-practices")
    shared.append("gfmd-partnerships")
    return tuple(shared)


@dataclass(frozen=True)
class Classification:
    pledge_type: str | None
    status: str
    natures: tuple[str, ...]
    platforms: tuple[str, ...]


def classify(
    target_groups, start_on: date, end_on: date | None, has_evidence: bool, today: date
) -> Classification:
    """Everything derived about an action, from its target groups, dates and evidence."""
    kind = pledge_type(target_groups)
    action_status = status(start_on, end_on, today)
    action_natures = natures(action_status, has_evidence)
    return Classification(kind, action_status, action_natures, platforms(kind, action_natures))
