"""Day-planner benchmark: OR-Tools routing with time windows against a greedy baseline
(nearest open site next) measured in the same run, on the same candidates.

    .venv/bin/python bench/itinerary_bench.py --candidates 5 10 15 20 --rounds 5

Candidates are synthetic (labelled so): points scattered within 8 km of Huế's centre with a
fixed seed, each with a visit of 30-150 minutes and the opening hours Huế's monuments keep
(07:00-17:30, a third of them closed 11:30-13:30 for lunch). The day starts at 08:00 with a
six-hour budget by car. Printed per size: the solver's median and worst time, how many sites
each plan visits and its travel minutes. The target: 15 candidates in under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tourism_api.catalogue.itinerary import Candidate, plan_route  # noqa: E402
from tourism_api.catalogue.travel import travel_minutes  # noqa: E402

CENTRE = (107.5909, 16.4637)
BUDGET = 360


def candidates(count: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    found = []
    for i in range(count):
        point = (CENTRE[0] + rng.uniform(-0.075, 0.075), CENTRE[1] + rng.uniform(-0.075, 0.075))
        lunch = i % 3 == 0
        windows = [(0, 210), (330, 570)] if lunch else [(0, 570)]
        found.append(Candidate(f"s{i}", point, rng.choice((30, 45, 60, 90, 150)), windows))
    return found


def greedy(cands: list[Candidate], mode: str) -> tuple[int, int]:
    """Visited count and travel minutes of 'go to the nearest site that can still be
    visited, until none can': what a visitor without a planner does."""
    points = [CENTRE, *(c.point for c in cands)]
    minutes, _ = travel_minutes(points, mode)
    clock, here, left, visited, travel = 0, 0, set(range(1, len(points))), 0, 0
    while True:
        options = []
        for j in left:
            c = cands[j - 1]
            arrive = clock + minutes[here][j]
            for a, b in c.windows:
                start = max(arrive, a)
                if (
                    start + c.visit_minutes <= b
                    and start + c.visit_minutes + minutes[j][0] <= BUDGET
                ):
                    options.append((minutes[here][j], j, start))
                    break
        if not options:
            return visited, travel + minutes[here][0]
        step, j, start = min(options)
        travel += step
        clock, here = start + cands[j - 1].visit_minutes, j
        left.discard(j)
        visited += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[5, 10, 15, 20])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'sites':>5} {'median s':>9} {'worst s':>8} {'visits':>7} {'greedy':>7} "
        f"{'travel min':>11} {'greedy min':>11}"
    )
    for count in args.candidates:
        times, visits, travel = [], [], []
        greedy_visits, greedy_travel = [], []
        for seed in range(args.rounds):
            cands = candidates(count, seed)
            began = time.perf_counter()
            plan = plan_route(CENTRE, CENTRE, cands, BUDGET, "car")
            times.append(time.perf_counter() - began)
            visits.append(len(plan.stops))
            travel.append(sum(s.travel_minutes for s in plan.stops) + plan.end_travel_minutes)
            g_visits, g_travel = greedy(cands, "car")
            greedy_visits.append(g_visits)
            greedy_travel.append(g_travel)
        print(
            f"{count:>5} {statistics.median(times):>9.3f} {max(times):>8.3f} "
            f"{statistics.mean(visits):>7.1f} {statistics.mean(greedy_visits):>7.1f} "
            f"{statistics.mean(travel):>11.1f} {statistics.mean(greedy_travel):>11.1f}"
        )
        if count == 15:
            verdict = "met" if max(times) < 1.0 else "NOT met"
            print(f"      target (15 candidates under 1 s, worst of {args.rounds}): {verdict}")


if __name__ == "__main__":
    main()
