"""Every combination of target groups, timeline and evidence, against the FAQ's rules."""

from datetime import date
from itertools import combinations

import pytest

from cta_learning.actions.classification import TARGET_GROUPS, classify, pledge_type

TODAY = date(2026, 11, 22)


def all_group_sets():
    for size in range(1, len(TARGET_GROUPS) + 1):
        yield from (frozenset(groups) for groups in combinations(TARGET_GROUPS, size))


EXPECTED_PLEDGE_TYPE = {
    frozenset({"migrants"}): "gcm",
    frozenset({"refugees"}): "gcr",
    frozenset({"idps"}): "idps",
    frozenset({"stateless"}): "mirror",
    frozenset({"migrants", "refugees"}): "mirror",
    frozenset({"migrants", "idps"}): "gcm",
    frozenset({"migrants", "stateless"}): "mirror",
    frozenset({"refugees", "idps"}): "gcr",
    frozenset({"refugees", "stateless"}): "mirror",
    frozenset({"idps", "stateless"}): "mirror",
    frozenset({"migrants", "refugees", "idps"}): "mirror",
    frozenset({"migrants", "refugees", "stateless"}): "mirror",
    frozenset({"migrants", "idps", "stateless"}): "mirror",
    frozenset({"refugees", "idps", "stateless"}): "mirror",
    frozenset(TARGET_GROUPS): "mirror",
}

TIMELINES = {  # name: (start, end)
    "not_started": (date(2027, 3, 1), None),
    "ongoing_open_ended": (date(2023, 10, 1), None),
    "ongoing_with_end": (date(2023, 8, 1), date(2027, 12, 31)),
    "concluded": (date(2019, 1, 1), date(2022, 6, 30)),
}

EXPECTED_NATURES = {
    ("not_started", False): ("commitment",),
    ("not_started", True): ("commitment",),
    ("ongoing_open_ended", False): ("commitment",),
    ("ongoing_open_ended", True): ("commitment", "good_practice"),
    ("ongoing_with_end", False): ("commitment",),
    ("ongoing_with_end", True): ("commitment", "good_practice"),
    ("concluded", False): ("good_practice",),
    ("concluded", True): ("good_practice",),
}


def expected_platforms(kind, natures):
    compacts = {"mirror": ("gcm", "gcr"), "gcm": ("gcm",), "gcr": ("gcr",), "idps": ()}[kind]
    platforms = []
    for compact in compacts:
        if "commitment" in natures:
            platforms.append(f"{compact}-pledging")
        if "good_practice" in natures:
            platforms.append(f"{compact}-practices")
    return (*platforms, "gfmd-partnerships")


def test_the_table_covers_every_set_of_target_groups():
    assert set(EXPECTED_PLEDGE_TYPE) == set(all_group_sets())


@pytest.mark.parametrize(
    "groups", sorted(all_group_sets(), key=sorted), ids=lambda g: "+".join(sorted(g))
)
@pytest.mark.parametrize("timeline", TIMELINES)
@pytest.mark.parametrize("evidence", [False, True], ids=["no-evidence", "evidence"])
def test_every_combination(groups, timeline, evidence):
    start, end = TIMELINES[timeline]
    result = classify(groups, start, end, evidence, TODAY)
    assert result.pledge_type == EXPECTED_PLEDGE_TYPE[groups]
    assert result.natures == EXPECTED_NATURES[(timeline, evidence)]
    assert result.platforms == expected_platforms(result.pledge_type, result.natures)
    assert result.status == timeline.split("_with")[0].replace("_open_ended", "")


def test_only_migrants_never_reaches_refugee_platforms():
    result = classify({"migrants"}, date(2024, 1, 1), None, True, TODAY)
    assert not any(platform.startswith("gcr") for platform in result.platforms)


def test_concluded_actions_leave_the_pledging_platforms():
    result = classify({"migrants", "refugees"}, date(2019, 5, 1), date(2021, 5, 1), False, TODAY)
    assert result.platforms == ("gcm-practices", "gcr-practices", "gfmd-partnerships")


def test_no_target_group_means_no_pledge_type():
    assert pledge_type(set()) is None


def test_an_action_ending_today_is_still_ongoing():
    assert classify({"refugees"}, date(2024, 1, 1), TODAY, False, TODAY).status == "ongoing"
