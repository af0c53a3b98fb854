"""Words for the identifiers of actions, so pages and e-mails show labels, not codes."""

from flask_babel import lazy_gettext as _l

from cta_learning import languages
from cta_learning.actions.models import ActionStatus, CorrectionStatus

TARGET_GROUP_LABELS = {
    "migrants": _l("Migrants"),
    "refugees": _l("Refugees"),
    "idps": _l("Internally displaced persons"),
    "stateless": _l("Stateless persons"),
}

PLEDGE_TYPE_LABELS = {
    "mirror": _l("Mirror pledge (GCM and GCR)"),
    "gcm": _l("Global Compact for Migration (GCM)"),
    "gcr": _l("Global Compact on Refugees (GCR)"),
    "idps": _l("Internal displacement (outside both compacts)"),
}

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "ongoing": _l("Ongoing"),
    "concluded": _l("Concluded"),
}

ACTION_STATUS_LABELS = {
    ActionStatus.DRAFT: _l("Draft"),
    ActionStatus.SUBMITTED: _l("Submitted"),
    ActionStatus.PUBLISHED: _l("Published"),
    ActionStatus.RETURNED: _l("Returned for changes"),
    ActionStatus.REJECTED: _l("Rejected"),
}

NATURE_LABELS = {
    "commitment": _l("Commitment"),
    "good_practice": _l("Good practice"),
}

PLATFORM_LABELS = {
    "gcm-pledging": _l("GCM pledging platform"),
    "gcm-practices": _l("GCM practices repository"),
    "gcr-pledging": _l("GCR pledging platform"),
    "gcr-practices": _l("GCR good practices platform"),
    "gfmd-partnerships": _l("GFMD partnerships platform"),
}

PARTNER_LABELS = {
    "civil-society": _l("Civil society organisations"),
    "un-agencies": _l("UN agencies"),
    "networks": _l("Networks"),
    "private-sector": _l("Private sector"),
}

LANGUAGE_LABELS = languages.labels()

CORRECTION_STATUS_LABELS = {
    CorrectionStatus.OPEN: _l("Open"),
    CorrectionStatus.APPLIED: _l("Applied"),
    CorrectionStatus.DECLINED: _l("Declined"),
}
