"""A day's route through several sites: which to visit, in what order, and when.

A vehicle-routing problem with time windows, solved by OR-Tools' routing library: one
traveller leaves the start at minute 0 and must be at the end by the time budget; each site
takes its visit duration and must be visited entirely while it is open (a site open
07:00-11:30 and 13:30-17:00 cannot be visited across lunch); sites may be left out (a
"disjunction" with a penalty), chosen ones only when they cannot fit. Among plans visiting
the same sites, the one with the least travel wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .travel import travel_minutes

# Leaving out a site the visitor chose costs more than any travel; a suggested one less.
CHOSEN_PENALTY = 1_000_000
SUGGESTED_PENALTY = 10_000
# Search time: enough for a day's handful of sites to reach the optimum in tests and the
# benchmark, bounded for a web request.
SOLVE_MS_BASE = 150
SOLVE_MS_MAX = 800


@dataclass
class Candidate:
    id: str
    point: tuple[float, float]  # lon, lat
    visit_minutes: int
    # Open spans in minutes from the plan's start, clipped to the budget; None: unknown
    # hours (treated as open, and said so).
    windows: list[tuple[int, int]] | None
    chosen: bool = True
    weight: int = 1  # among suggested sites: higher is kept first


@dataclass
class Stop:
    id: str
    arrive: int  # minutes from the start: the visit begins
    depart: int
    travel_minutes: int  # from the previous stop
    distance_m: int


@dataclass
class Plan:
    stops: list[Stop]
    end_arrive: int
    end_travel_minutes: int
    end_distance_m: int
    left_out: dict[str, str] = field(default_factory=dict)  # id -> why (a code)


def _arrival_ranges(candidate: Candidate, budget: int) -> list[tuple[int, int]]:
    """When a visit may begin: within an open span, leaving time to finish before it ends."""
    windows = candidate.windows if candidate.windows is not None else [(0, budget)]
    ranges = []
    for opens, closes in windows:
        latest = min(closes, budget) - candidate.visit_minutes
        if latest >= max(opens, 0):
            ranges.append((max(opens, 0), latest))
    return ranges


def plan_route(
    start: tuple[float, float],
    end: tuple[float, float],
    candidates: list[Candidate],
    budget: int,
    mode: str,
) -> Plan:
    """The best plan within `budget` minutes; reasons for what it leaves out: closed (not
    open during the plan), unreachable (no visit fits before it closes or the plan ends, even
    alone), no_time (left out so that others fit)."""
    left_out: dict[str, str] = {}
    feasible: list[tuple[Candidate, list[tuple[int, int]]]] = []
    for candidate in candidates:
        ranges = _arrival_ranges(candidate, budget)
        if ranges:
            feasible.append((candidate, ranges))
        elif candidate.windows == []:
            left_out[candidate.id] = "closed"  # not open at all during the plan
        else:
            left_out[candidate.id] = "unreachable"  # open, but not long enough for a visit
    points = [start, *(c.point for c, _ in feasible), end]
    minutes, metres = travel_minutes(points, mode)
    last = len(points) - 1
    for i, (candidate, ranges) in enumerate(feasible, start=1):
        # Even alone: the earliest visit it allows, then on to the end in time?
        arrivals = [max(minutes[0][i], a) for a, b in ranges if b >= minutes[0][i]]
        if not arrivals or arrivals[0] + candidate.visit_minutes + minutes[i][last] > budget:
            left_out[candidate.id] = "unreachable"
    if not feasible:
        return Plan([], minutes[0][last], minutes[0][last], metres[0][last], left_out)

    manager = pywrapcp.RoutingIndexManager(len(points), 1, [0], [last])
    routing = pywrapcp.RoutingModel(manager)
    service = [0] + [c.visit_minutes for c, _ in feasible] + [0]

    def transit(from_index: int, to_index: int) -> int:
        i, j = manager.IndexToNode(from_index), manager.IndexToNode(to_index)
        return minutes[i][j] + service[i]

    def travel(from_index: int, to_index: int) -> int:
        return minutes[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    time_callback = routing.RegisterTransitCallback(transit)
    routing.AddDimension(time_callback, budget, budget, True, "time")
    time = routing.GetDimensionOrDie("time")
    for node, (candidate, ranges) in enumerate(feasible, start=1):
        index = manager.NodeToIndex(node)
        cumul = time.CumulVar(index)
        cumul.SetRange(ranges[0][0], ranges[-1][1])
        for (_, gap_start), (gap_end, _) in zip(ranges, ranges[1:], strict=False):
            if gap_end - gap_start > 1:
                cumul.RemoveInterval(gap_start + 1, gap_end - 1)
        penalty = CHOSEN_PENALTY if candidate.chosen else SUGGESTED_PENALTY * candidate.weight
        routing.AddDisjunction([index], penalty)
    time.CumulVar(routing.End(0)).SetRange(0, budget)

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    # Guided local search escapes the local optima greedy descent stops in (keeping one long
    # visit where two short ones fit); it runs until the limit, small for small days.
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(min(SOLVE_MS_MAX, SOLVE_MS_BASE + 30 * len(feasible)))
    solution = routing.SolveWithParameters(parameters)

    stops: list[Stop] = []
    visited: set[int] = set()
    end_arrive = end_travel = end_distance = 0
    if solution is not None:
        index, previous = routing.Start(0), 0
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            candidate = feasible[node - 1][0]
            arrive = solution.Min(time.CumulVar(index))
            stops.append(
                Stop(
                    candidate.id,
                    arrive,
                    arrive + candidate.visit_minutes,
                    minutes[previous][node],
                    metres[previous][node],
                )
            )
            visited.add(node)
            previous, index = node, solution.Value(routing.NextVar(index))
        end_travel, end_distance = minutes[previous][last], metres[previous][last]
        end_arrive = (stops[-1].depart if stops else 0) + end_travel
    for node, (candidate, _) in enumerate(feasible, start=1):
        if node in visited:
            left_out.pop(candidate.id, None)
        elif candidate.id not in left_out:
            left_out[candidate.id] = "no_time"
    return Plan(stops, end_arrive, end_travel, end_distance, left_out)
