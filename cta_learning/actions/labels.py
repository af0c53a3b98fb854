"""Words for the identifiers of actions, so pages and e-mails show labels, not codes."""

from flask_babel import lazy_gettext as _l

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
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "published": _l("Published"),
    "returned": _l("Returned for changes"),
    "rejected": _l("Rejected"),
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

LANGUAGE_LABELS = {
    "en": _l("English"),
    "fr": _l("French"),
    "es": _l("Spanish"),
}

CORRECTION_STATUS_LABELS = {
    "open": _l("Open"),
    "applied": _l("Applied"),
    "declined": _l("Declined"),
}
