"""The day planner (OR-Tools routing with time windows) on real places around Huế."""

from tests.factories import HUE_CENTRE, HUE_SITES
from tourism_api.catalogue.itinerary import Candidate, plan_route
from tourism_api.catalogue.travel import travel_minutes

POINTS = {slug: (lon, lat) for slug, _vi, _en, _kind, lon, lat in HUE_SITES}


def candidates():
    # Minutes from 08:00: Thiên Mụ closes for lunch 11:30-13:30.
    return [
        Candidate("dai-noi", POINTS["dai-noi"], 150, [(0, 570)]),
        Candidate("chua-thien-mu", POINTS["chua-thien-mu"], 45, [(0, 210), (330, 540)]),
        Candidate("lang-tu-duc", POINTS["lang-tu-duc"], 75, [(0, 570)]),
        Candidate("cho-dong-ba", POINTS["cho-dong-ba"], 45, []),  # closed that day
        Candidate("pho-co-hoi-an", POINTS["pho-co-hoi-an"], 120, [(0, 900)]),  # 100 km away
    ]


def check_feasible(plan, cands, budget, mode):
    by_id = {c.id: c for c in cands}
    points = [HUE_CENTRE, *(by_id[s.id].point for s in plan.stops), HUE_CENTRE]
    minutes, _ = travel_minutes(points, mode)
    clock = 0
    for i, stop in enumerate(plan.stops, start=1):
        assert stop.travel_minutes == minutes[i - 1][i]
        assert stop.arrive >= clock + stop.travel_minutes  # no teleporting
        assert stop.depart - stop.arrive == by_id[stop.id].visit_minutes
        windows = by_id[stop.id].windows
        assert any(a <= stop.arrive and stop.depart <= b for a, b in windows), stop
        clock = stop.depart
    assert plan.end_arrive == clock + plan.end_travel_minutes <= budget


def test_a_day_by_car_keeps_to_opening_hours_and_says_what_it_left_out():
    cands = candidates()
    plan = plan_route(HUE_CENTRE, HUE_CENTRE, cands, 360, "car")
    assert {s.id for s in plan.stops} == {"dai-noi", "chua-thien-mu", "lang-tu-duc"}
    assert plan.left_out == {"cho-dong-ba": "closed", "pho-co-hoi-an": "unreachable"}
    check_feasible(plan, cands, 360, "car")


def test_a_short_budget_drops_what_does_not_fit():
    cands = candidates()[:3]
    plan = plan_route(HUE_CENTRE, HUE_CENTRE, cands, 200, "car")
    check_feasible(plan, cands, 200, "car")
    assert len(plan.stops) == 2  # the citadel (150) with either of the others does not fit
    assert set(plan.left_out.values()) == {"no_time"}
    assert "dai-noi" in plan.left_out


def test_a_visit_never_straddles_a_lunch_break():
    # Thiên Mụ alone, leaving at 11:00: it cannot be visited 11:00-11:45 (closes 11:30),
    # so the visit waits for 13:30.
    only = [Candidate("chua-thien-mu", POINTS["chua-thien-mu"], 45, [(0, 30), (150, 360)])]
    plan = plan_route(HUE_CENTRE, HUE_CENTRE, only, 300, "car")
    (stop,) = plan.stops
    assert stop.arrive == 150


def test_suggested_sites_give_way_to_chosen_ones_and_weight_counts():
    chosen = Candidate("dai-noi", POINTS["dai-noi"], 150, [(0, 570)])
    minor = Candidate("cau-truong-tien", POINTS["cau-truong-tien"], 90, [(0, 570)], chosen=False)
    major = Candidate(
        "lang-khai-dinh", POINTS["lang-khai-dinh"], 90, [(0, 570)], chosen=False, weight=5
    )
    # 300 minutes: the citadel and one more, not both (the tomb is 23 minutes out).
    plan = plan_route(HUE_CENTRE, HUE_CENTRE, [minor, chosen, major], 300, "car")
    assert [s.id for s in plan.stops if s.id != "dai-noi"] == ["lang-khai-dinh"]
    assert plan.left_out == {"cau-truong-tien": "no_time"}
