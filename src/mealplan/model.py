r"""The MILP formulation of one day of a plan (PuLP), solved by HiGHS.

A week is planned day by day (see :mod:`mealplan.solve`): each day is one small MILP, and
what earlier days used is carried into the next (variety caps, no identical days, weekly
averages). This module builds and solves one such day; it knows nothing of files or UI.

Data (per day)
    F: candidate foods (after diet filters, bans, variety caps); S: meal slots;
    P = {(f, s): food f suits slot s}.
    For food f: portion grams :math:`g_f`, portion bounds :math:`[m_f, M_f]`,
    nutrient content per portion :math:`a_{fn} = g_f \cdot c_{fn} / 100` where
    :math:`c_{fn}` is per 100 g (unknown values: see "Missing values").
    Bounds B: nutrient n, :math:`[L_b, U_b]` (either may be absent); supplement-only
    bounds sum over supplement foods only.

Variables
    :math:`x_{fs} \ge 0` portions of f in slot s (integer, or continuous in continuous mode);
    :math:`y_{fs} \in \{0,1\}` food f is served in slot s;
    :math:`d^+, d^- \ge 0` energy above / below the energy centre :math:`E^*`;
    in elastic mode, :math:`s^-_b, s^+_b \ge 0` slack on each bound.

Objective (balanced): minimise
    :math:`100 (d^+ + d^-)/E^* + \sum_{fs} w_f y_{fs} + \lambda \sum_{fs} g_f x_{fs} / 100`
    (energy within +/- 3 % of the centre costs nothing: constraint 4 has a dead zone)
    where :math:`w_f` = item cost (fewer foods) + dislike penalty - favourite reward
    + a small penalty per earlier day that used f (variety); cost: :math:`\sum p_f x_{fs}`
    (price per portion) plus the item cost; usual: balanced with a large reward on the
    user's usual foods. In elastic mode the objective is :math:`\sum_b (s^-_b + s^+_b)/|B_b|`
    (slack in units of the bound) so the smallest relative violation is found.

Constraints (named in the .lp file by the same numbers)
    1. portion: :math:`m_f y_{fs} \le x_{fs} \le M_f y_{fs}` (no item below its minimum);
    2. once a day: :math:`\sum_s y_{fs} \le 1`;
    3. bounds: :math:`L_b \le \sum_{fs} a_{fn} x_{fs} \le U_b` (+/- slack when elastic);
       3b. shares of energy (AMDR, saturated fat, fibre per 1,000 kcal): also
       :math:`l_b E \le \sum a_{fn} x_{fs} \le u_b E` with :math:`E` the day's energy and
       :math:`l_b = L_b / E^*`, :math:`u_b = U_b / E^*`;
    4. energy centre: :math:`(1-z)E^* - d^- \le \sum a_{f,kcal} x_{fs} \le (1+z)E^* + d^+`;
    5. slot energy share: :math:`\sigma^-_s E^* \le \sum_f a_{f,kcal} x_{fs} \le \sigma^+_s E^*`;
    6. main meals: :math:`\sum_f y_{fs} \ge 1` for breakfast, lunch, dinner;
    7. items per meal: :math:`\sum_f y_{fs} \le K_s`;
    8. foods per day: :math:`N^- \le \sum_{fs} y_{fs} \le N^+` (supplements not counted);
    9. grams per day: :math:`\sum g_f x_{fs} \le G` (supplements not counted);
    10. no identical day: for each earlier day's food set D, :math:`\sum_{f\in D,s} y_{fs}
        \le |D| - 1` (only when every food of D is a candidate); a regenerated meal
        likewise may not hold all of its old foods again: :math:`\sum_{f\in M} y_{fs}
        \le |M| - 1`;
    11. locks: :math:`x_{fs} \ge \ell` and :math:`y_{fs} = 1` for a locked item;
    12. main dish: :math:`\sum_{f \in Main} y_{fs} \ge 1` for lunch and dinner (when the
        table marks main dishes with the flag ``main``);
    13. add-ons (flag ``addon``: oil, butter): at most one per meal, and only in a meal with
        another food;
    14. vegetables and fruit (flag ``produce``): at least :math:`P` items a day (default 2,
        when the table marks produce);
    15. aims (soft minimums such as sodium's AI): :math:`\sum a_{fn} x_{fs} + s_n \ge A_n`,
        :math:`s_n \ge 0`, with :math:`w_n \cdot 100 s_n / A_n` added to the objective
        (``w_n`` points per % short; never a hard floor).
    16. a swap: exactly ``new_items`` items besides the fixed ones.
    17. meal patterns (:mod:`mealplan.patterns`): each candidate plays roles
        :math:`r_{f\rho}` (whole numbers: base, pour, fruit, main, vegetable, starch, cheese,
        ...) and holds :math:`k_{f\kappa}` grams of food kind :math:`\kappa` per portion.
        Count rule (slot s, roles R, [lo, hi]): :math:`lo \le \sum_f \sum_{\rho \in R}
        r_{f\rho} y_{fs} \le hi`; needs rule (role :math:`\rho` needs one of R in the
        meal): :math:`y_{fs} \le \sum_{g \ne f} [r_{gR} > 0] y_{gs}` for every f with
        :math:`r_{f\rho} > 0`; grams rule (kind :math:`\kappa`, meal s or the whole day):
        :math:`\sum k_{f\kappa} x_{fs} \le G`. E.g. lunch = exactly one main + a vegetable +
        a starch; breakfast = a base + milk, yogurt or fruit; cereal needs milk.
    18. kind caps: :math:`\sum_{fs} k_{f\kappa} x_{fs} \le C_\kappa` (what is left today
        of a weekly allowance, e.g. pregnancy's 340 g of fish a week); item caps:
        :math:`\sum_{fs: k_{f\kappa} \ge t} y_{fs} \le N_\kappa` (e.g. fish servings, natto
        packs left this week).
    19. no food twice in a meal (with meal patterns): for a single food f and the dishes
        :math:`D_f` that hold it, :math:`|D_f| y_{fs} + \sum_{d \in D_f} y_{ds} \le |D_f|`
        (no crisp rice cereal beside a bowl of it).

    20. new purchases (a shopping list a cook can buy): :math:`p_k \ge y_{fs}` for each
        purchase k new to the week that food f adds (a dish: its ingredients' purchases),
        :math:`\sum_k p_k \le N` (what is left of the week's list), :math:`0 \le p_k
        \le 1`; or, for a day that cannot keep to the list, :math:`\omega \sum_k p_k`
        added to the objective (as few purchases beyond it as the targets allow).

Missing values
    An unknown nutrient value counts as 0 toward a minimum (a food is never credited with
    what is not known). Foods with an unknown value for a nutrient that has a maximum are
    dropped from the candidates (``mealplan.planning.pool``), except for nutrients whose unknowns
    are declared zero by the caller (vitamin K2 by default); the plan lists such foods.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pulp

__all__ = ["DayBound", "DayFood", "DayModel", "DayResult", "RelaxedDay", "build_problem",
           "highs_solver", "quiet_highs", "relax_day", "solve_day"]

MAIN_MEALS = ("breakfast", "lunch", "dinner")


@dataclass(frozen=True)
class DayFood:
    """A candidate food for one day, with per-portion amounts."""

    food_id: str
    slots: tuple[str, ...]
    per_portion: Mapping[str, float]  # nutrient -> amount in one portion (unknown -> 0)
    grams: float  # grams per portion
    min_portions: float
    max_portions: float
    weight: float = 0.0  # objective weight per use (items, likes, variety)
    price: float = 0.0  # price per portion
    is_supplement: bool = False
    is_main: bool = False  # flag "main": a main dish
    is_addon: bool = False  # flag "addon": oil, butter: served with other foods
    is_produce: bool = False  # flag "produce": a vegetable or fruit
    roles: Mapping[str, int] = field(default_factory=dict)  # meal-pattern roles (patterns.py)
    kind_grams: Mapping[str, float] = field(default_factory=dict)  # grams per kind, per portion
    parts: frozenset[str] = frozenset()  # a dish's ingredient food ids (empty: a single food)
    purchases: frozenset[str] = frozenset()  # purchases new to the week this item adds


@dataclass(frozen=True)
class DayBound:
    """A bound on a day's total of one nutrient."""

    name: str  # unique, used for constraint names and slack reports
    nutrient: str
    lo: float | None
    hi: float | None
    supplements_only: bool = False
    # (lo, hi) per kcal of the day's actual energy (a share of energy); None: not a share
    per_kcal: tuple[float | None, float | None] | None = None


@dataclass(frozen=True)
class DayModel:
    """Everything needed to build one day's MILP."""

    foods: Sequence[DayFood]
    bounds: Sequence[DayBound]
    slots: Sequence[str]
    energy_centre: float | None
    slot_shares: Mapping[str, tuple[float, float]]
    items_per_meal: Mapping[str, int]
    min_foods: int
    max_foods: int
    max_grams: float
    require_main_meals: bool = True
    continuous: bool = False
    objective: str = "balanced"
    grams_weight: float = 0.05
    energy_dead_zone: float = 0.03
    forbid_sets: Sequence[frozenset[str]] = ()
    # (slot, foods): that meal may not hold all of these foods again (regenerate a meal)
    forbid_meals: Sequence[tuple[str, frozenset[str]]] = ()
    locks: Sequence[tuple[str, str, float]] = ()  # (slot, food_id, portions)
    fixed: Sequence[tuple[str, str, float]] = ()  # items that must stay exactly as they are
    elastic: bool = False
    maximise: tuple[str, int] | None = None  # (nutrient, +1 max / -1 min): best achievable
    main_slots: Sequence[str] = ()  # slots that must include a main dish
    min_produce: int = 0  # vegetables and fruit per day
    formulation: str = "bigm"  # integer mode: "bigm" (x <= M y) or "choice" (a binary per count)
    # soft minimums: (nutrient, aim, points per % short), e.g. sodium's AI
    aims: Sequence[tuple[str, float, float]] = ()
    # when set: exactly this many items besides the fixed ones (a swap: 1)
    new_items: int | None = None
    # meal-pattern rules (mealplan.patterns): CountRule, NeedsRule, GramsRule
    pattern: Sequence[object] = ()
    # at most this many grams of a food kind today (what is left of a weekly allowance)
    kind_caps: Mapping[str, float] = field(default_factory=dict)
    # at most this many items today that hold a kind (key -> (min grams per portion, count))
    item_caps: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    # sum of kind_grams[key] over the items served (y, not portions) at most this much
    # (e.g. key "new_cheese": how many cheeses not yet bought this week an item adds)
    count_caps: Mapping[str, float] = field(default_factory=dict)
    # at most this many purchases new to the week today (DayFood.purchases); None: no cap
    max_new_purchases: int | None = None
    # objective points per purchase new to the week today (on top of the items' weights)
    purchase_weight: float = 0.0


@dataclass(frozen=True)
class DayResult:
    """The solver's answer for one day.

    ``status``: "optimal" (proven within the gap), "feasible" (a plan, but a limit stopped the
    search before the proof), "infeasible" (proven: no plan), "limit" (a limit stopped the
    search before any plan was found). ``stopped_by`` names the limit: "work" (the
    deterministic node or solution limit) or "time" (the wall-clock safety net), else None.
    """

    status: str
    items: tuple[tuple[str, str, float], ...]  # (slot, food_id, portions)
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    slacks: Mapping[str, tuple[float, float]]  # bound name -> (below, above) when elastic
    duals: Mapping[str, float] = field(default_factory=dict)
    stopped_by: str | None = None
    nodes: int = 0


@dataclass(frozen=True)
class RelaxedDay:
    """The day's LP relaxation (every portion and every yes/no fractional).

    ``objective`` is the relaxed optimum, a lower bound on the MILP's objective (None when
    the relaxation has no optimum: then the MILP has no plan either). ``ranking`` orders
    the candidates by how much the relaxed day wants them: first those it serves, then the
    others by their least reduced cost (what serving one would add to the objective), ties
    by food id; deterministic.
    """

    objective: float | None
    ranking: tuple[str, ...]
    seconds: float
    infeasible: bool = False  # proven: no plan (the relaxation has none)
    # food id -> least reduced cost of serving it (0 when the relaxed day serves it): any
    # plan that serves the food scores at least objective + this (a bound for the foods a
    # kernel leaves out)
    reduced: Mapping[str, float] = field(default_factory=dict)


_QUIET_LOCK = threading.Lock()
_quiet_done = False


def quiet_highs() -> None:
    """Create HiGHS's first solver of the process with stdout and stderr sent to /dev/null.

    HiGHS (1.16) prints a banner from C++ when the first solver of a process is created,
    before any option such as ``output_flag`` can apply; it would corrupt a command's JSON on
    stdout. Once per process, under a lock, the file descriptors 1 and 2 are pointed at
    /dev/null around that first creation (C's buffers flushed before they are restored).
    """
    global _quiet_done
    with _QUIET_LOCK:
        if _quiet_done:
            return
        import highspy

        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        fflush = _libc_fflush()
        fflush()
        saved: dict[int, int] = {}
        null = -1
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            for fd in (1, 2):
                try:
                    os.fstat(fd)
                except OSError:
                    continue  # closed: nothing to protect (and nothing to print to)
                # copies at fd >= 3, so a closed 1 or 2 can never be handed out as a copy
                saved[fd] = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
                os.dup2(null, fd)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
            h.setOptionValue("output_flag", False)
            fflush()
        finally:
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            if null >= 0:
                os.close(null)
        _quiet_done = True


def _libc_fflush() -> Callable[[], None]:
    """C's fflush(NULL) (flush every C stream), or a no-op where libc cannot be loaded."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else ctypes.CDLL(None)
    except OSError:
        return lambda: None
    return lambda: libc.fflush(None)


class _HiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS, silent, with two optional early stops once a plan is in hand.

    ``soft_nodes`` (deterministic): stop once this many branch-and-bound nodes are done *and*
    a plan is in hand; HiGHS counts nodes the same way on any machine, so the answer does not
    depend on speed or load. ``soft_seconds`` (opt-in, machine-dependent): stop once past it
    *and* a plan is in hand; a limit in seconds makes the plan depend on the machine's speed.
    ``stopped_by_nodes`` tells which of them interrupted the solve.
    """

    def __init__(self, soft_seconds: float | None = None, soft_nodes: int | None = None,
                 **kwargs: object) -> None:
        quiet_highs()
        super().__init__(**kwargs)
        self.soft_seconds = soft_seconds
        self.soft_nodes = soft_nodes
        self.stopped_by_nodes = False

    def callSolver(self, lp: pulp.LpProblem) -> None:
        soft, nodes = self.soft_seconds, self.soft_nodes
        if soft is not None or nodes is not None:
            def stop_when_good_enough(event: object) -> None:
                out = event.data_out  # type: ignore[attr-defined]
                if abs(out.mip_primal_bound) >= 1e30:
                    return  # no plan yet: go on
                if nodes is not None and out.mip_node_count >= nodes:
                    self.stopped_by_nodes = True
                    event.interrupt()  # type: ignore[attr-defined]
                elif soft is not None and out.running_time >= soft:
                    event.interrupt()  # type: ignore[attr-defined]

            lp.solverModel.cbMipInterrupt += stop_when_good_enough
        lp.solverModel.run()

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:
        """PuLP's reader, plus HiGHS's node/solution limits (PuLP 3.3 has no entry for them)."""
        try:
            result: tuple[int, int] = super().findSolutionValues(lp)
        except KeyError:  # the values are assigned before PuLP looks the status up
            feasible = int(lp.solverModel.getInfo().primal_solution_status) == 2
            return (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible) if feasible else (
                pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
        return result


def highs_solver(*, time_limit: float | None = None, soft_seconds: float | None = None,
                 soft_nodes: int | None = None, **options: object) -> _HiGHS:
    """A silent, single-threaded, seeded HiGHS for PuLP (``options``: PuLP's HiGHS keyword
    arguments such as ``gapRel``, and HiGHS options such as ``mip_max_nodes``)."""
    kwargs: dict[str, object] = {"msg": False, "threads": 1, "random_seed": 0, **options}
    if time_limit is not None:
        kwargs["timeLimit"] = max(time_limit, 0.05)
    return _HiGHS(soft_seconds, soft_nodes, **kwargs)


def _name(s: str) -> str:
    return s.replace("-", "_").replace(" ", "_")


@dataclass
class _Built:
    """A day problem built in PuLP, with the handles needed to read a solution."""

    prob: pulp.LpProblem
    xt: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]]
    yt: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]]
    slack_vars: dict[str, tuple[pulp.LpVariable | None, pulp.LpVariable | None]]
    energy: pulp.LpAffineExpression
    energy_slack: tuple[pulp.LpVariable, pulp.LpVariable, float, float] | None
    slots: list[str]


def build_problem(model: DayModel) -> pulp.LpProblem:
    """The day's MILP as a PuLP problem (e.g. to write an .lp/.mps file or time HiGHS)."""
    return _build(model).prob


def _build(model: DayModel) -> _Built:
    prob = pulp.LpProblem("day", pulp.LpMinimize)
    cat = "Continuous" if model.continuous else "Integer"
    slots = list(model.slots)
    pairs = [(f, s) for f in model.foods for s in f.slots if s in slots]
    by_id = {f.food_id: f for f in model.foods}
    # x[f,s] and y[f,s] as lists of (variable, coefficient), so that every row is built as
    # one LpAffineExpression (PuLP's operator overloading is slow on large sums).
    xt: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = {}
    yt: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = {}
    if model.continuous or model.formulation == "bigm":
        for f, s in pairs:
            k = (f.food_id, s)
            xv = pulp.LpVariable(f"x_{f.food_id}__{s}", lowBound=0, upBound=f.max_portions,
                                 cat=cat)
            yv = pulp.LpVariable(f"y_{f.food_id}__{s}", cat="Binary")
            xt[k], yt[k] = [(xv, 1.0)], [(yv, 1.0)]
            # 1. portion bounds
            prob += pulp.LpAffineExpression([(xv, 1.0), (yv, -f.max_portions)]) <= 0, \
                f"c1_max_{f.food_id}__{s}"
            prob += pulp.LpAffineExpression([(xv, 1.0), (yv, -f.min_portions)]) >= 0, \
                f"c1_min_{f.food_id}__{s}"
    else:
        # 1. portion bounds as a choice: z[f,s,n] = 1 when exactly n portions are served
        for f, s in pairs:
            k = (f.food_id, s)
            counts = range(max(1, math.ceil(f.min_portions - 1e-9)),
                           math.floor(f.max_portions + 1e-9) + 1)
            zs = {n: pulp.LpVariable(f"z_{f.food_id}__{s}__{n}", cat="Binary") for n in counts}
            xt[k] = [(z, float(n)) for n, z in zs.items()]
            yt[k] = [(z, 1.0) for z in zs.values()]

    def lin(terms: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]],
            weights: Iterable[tuple[tuple[str, str], float]]) -> pulp.LpAffineExpression:
        acc: dict[pulp.LpVariable, float] = {}
        for k, w in weights:
            if w == 0.0:
                continue
            for v, c in terms[k]:
                acc[v] = acc.get(v, 0.0) + w * c
        return pulp.LpAffineExpression(list(acc.items()))

    def X(weights: Iterable[tuple[tuple[str, str], float]]) -> pulp.LpAffineExpression:
        return lin(xt, weights)

    def Y(keys: Iterable[tuple[str, str]], w: float = 1.0) -> pulp.LpAffineExpression:
        return lin(yt, ((k, w) for k in keys))

    x = xt  # keys of the candidate (food, slot) pairs
    # 2. once a day
    for f in model.foods:
        ks = [(f.food_id, s) for s in f.slots if s in slots]
        if len(ks) > 1 or not (model.continuous or model.formulation == "bigm"):
            prob += Y(ks) <= 1, f"c2_once_{f.food_id}"

    def total(nutrient: str, supplements_only: bool = False) -> pulp.LpAffineExpression:
        return X(((fid, s), by_id[fid].per_portion.get(nutrient, 0.0)) for (fid, s) in x
                 if not supplements_only or by_id[fid].is_supplement)

    # 3. nutrient bounds
    slack_vars: dict[str, tuple[pulp.LpVariable | None, pulp.LpVariable | None]] = {}
    elastic_terms = []
    for b in model.bounds:
        expr = total(b.nutrient, b.supplements_only)
        lo_s = hi_s = None
        if model.elastic:
            if b.lo is not None:
                lo_s = pulp.LpVariable(f"sl_lo_{_name(b.name)}", lowBound=0)
                elastic_terms.append(lo_s * (1.0 / max(abs(b.lo), 1e-9)))
            if b.hi is not None:
                hi_s = pulp.LpVariable(f"sl_hi_{_name(b.name)}", lowBound=0)
                elastic_terms.append(hi_s * (1.0 / max(abs(b.hi), 1e-9)))
        slack_vars[b.name] = (lo_s, hi_s)
        if b.lo is not None:
            prob += (expr + lo_s if lo_s is not None else expr) >= b.lo, f"c3_lo_{_name(b.name)}"
        if b.hi is not None:
            prob += (expr - hi_s if hi_s is not None else expr) <= b.hi, f"c3_hi_{_name(b.name)}"

    energy = total("energy_kcal")
    # 3b. shares of energy: lo_k E <= total <= hi_k E, E the day's actual energy
    for b in model.bounds:
        if b.per_kcal is None or model.elastic:
            continue
        expr = total(b.nutrient, b.supplements_only)
        r_lo, r_hi = b.per_kcal
        if r_lo is not None:
            prob += expr - r_lo * energy >= 0, f"c3b_lo_{_name(b.name)}"
        if r_hi is not None:
            prob += expr - r_hi * energy <= 0, f"c3b_hi_{_name(b.name)}"
    objective_terms: list[pulp.LpAffineExpression | pulp.LpVariable] = []
    energy_slack: tuple[pulp.LpVariable, pulp.LpVariable, float, float] | None = None
    if model.energy_centre:
        e = model.energy_centre
        d_plus = pulp.LpVariable("energy_above", lowBound=0)
        d_minus = pulp.LpVariable("energy_below", lowBound=0)
        # 4. energy centre (no penalty inside +/- energy_dead_zone of the centre)
        dz = model.energy_dead_zone * e
        prob += energy - d_plus <= e + dz, "c4_energy_above"
        prob += energy + d_minus >= e - dz, "c4_energy_below"
        objective_terms.append((d_plus + d_minus) * (100.0 / e))
        if not (model.elastic or model.maximise is not None):
            energy_slack = (d_plus, d_minus, e, dz)
        # 5. slot energy shares
        for s in slots:
            lo_sh, hi_sh = model.slot_shares.get(s, (0.0, 1.0))
            se = X(((fid, ss), by_id[fid].per_portion.get("energy_kcal", 0.0))
                   for (fid, ss) in x if ss == s)
            if lo_sh > 0:
                prob += se >= lo_sh * e, f"c5_share_lo_{s}"
            if hi_sh < 1:
                prob += se <= hi_sh * e, f"c5_share_hi_{s}"
    # 6./7. meals
    for s in slots:
        ys = Y(k for k in x if k[1] == s and not by_id[k[0]].is_supplement)
        if model.require_main_meals and s in MAIN_MEALS:
            prob += ys >= 1, f"c6_meal_{s}"
        prob += ys <= model.items_per_meal.get(s, 4), f"c7_items_{s}"
    # 12. a main dish at lunch and dinner; 13. add-ons (oil, butter) with other foods
    for s in slots:
        keys = [k for k in x if k[1] == s]
        if s in model.main_slots:
            prob += Y(k for k in keys if by_id[k[0]].is_main) >= 1, f"c12_main_{s}"
        addons = [k for k in keys if by_id[k[0]].is_addon]
        if addons:
            others = [k for k in keys if not by_id[k[0]].is_addon
                      and not by_id[k[0]].is_supplement]
            prob += Y(addons) <= 1, f"c13_addon_max_{s}"
            prob += Y(addons) - Y(others) <= 0, f"c13_addon_with_{s}"
    # 14. vegetables and fruit
    if model.min_produce > 0:
        prob += Y(k for k in x if by_id[k[0]].is_produce) >= model.min_produce, "c14_produce"
    # 8. foods per day, 9. grams per day
    food_keys = [k for k in x if not by_id[k[0]].is_supplement]
    food_ys = Y(food_keys)
    prob += food_ys <= model.max_foods, "c8_max_foods"
    if model.min_foods > 0:
        prob += Y(food_keys) >= model.min_foods, "c8_min_foods"
    grams = X((k, by_id[k[0]].grams) for k in food_keys)
    prob += grams <= model.max_grams, "c9_grams"
    # 10. no identical day
    for i, fs in enumerate(model.forbid_sets):
        if fs and all(fid in by_id for fid in fs):
            prob += Y(k for k in x if k[0] in fs) <= len(fs) - 1, f"c10_distinct_{i}"
    for i, (meal, fs) in enumerate(model.forbid_meals):
        prob += Y(k for k in x if k[0] in fs and k[1] == meal) <= len(fs) - 1, f"c10_meal_{i}"
    # 11. locks and fixed items
    for i, (s, fid, n) in enumerate(model.locks):
        if (fid, s) not in x:
            raise KeyError(f"locked item {fid} in {s} is not a candidate")
        prob += Y([(fid, s)]) == 1, f"c11_lock_y_{i}"
        prob += X([((fid, s), 1.0)]) >= n, f"c11_lock_x_{i}"
    for i, (s, fid, n) in enumerate(model.fixed):
        if (fid, s) not in x:
            raise KeyError(f"fixed item {fid} in {s} is not a candidate")
        prob += Y([(fid, s)]) == 1, f"c11_fix_y_{i}"
        prob += X([((fid, s), 1.0)]) == n, f"c11_fix_x_{i}"
    # 17. meal patterns; 18. kind caps
    _pattern_rows(prob, model, x, by_id, X, Y, slots)
    # 20. new purchases
    new = (_purchase_rows(prob, model, x, by_id, Y)
           if model.max_new_purchases is not None or model.purchase_weight else [])
    # 16. a swap: exactly new_items items besides the fixed ones (supplements included)
    if model.new_items is not None:
        fixed_keys = {(fid, s) for s, fid, _n in model.fixed}
        prob += Y(k for k in x if k not in fixed_keys) == model.new_items, "c16_new_items"

    if model.elastic:
        prob += pulp.lpSum(elastic_terms) + Y(food_keys, 1e-4)
    elif model.maximise is not None:
        nutrient, sense = model.maximise
        prob += -sense * total(nutrient) + Y(food_keys, 1e-6)
    else:
        # 15. aims: each % below costs its weight in points (never a hard floor)
        aim_terms = []
        for i, (nutrient, aim, weight) in enumerate(model.aims):
            if aim > 0:
                short = pulp.LpVariable(f"aim_short_{i}_{_name(nutrient)}", lowBound=0)
                prob += total(nutrient) + short >= aim, f"c15_aim_{i}_{_name(nutrient)}"
                aim_terms.append(short * (weight * 100.0 / aim))
        if model.objective == "cost":
            objective_terms = [X((k, by_id[k[0]].price) for k in x)]
        objective_terms += aim_terms
        objective_terms.append(lin(yt, ((k, by_id[k[0]].weight) for k in x)))
        if model.objective != "cost":
            objective_terms.append(grams * (model.grams_weight / 100.0))
        if model.purchase_weight and new:
            objective_terms.append(pulp.lpSum(new) * model.purchase_weight)
        prob += pulp.lpSum(objective_terms)

    return _Built(prob, xt, yt, slack_vars, energy, energy_slack, slots)


def _pattern_rows(prob: pulp.LpProblem, model: DayModel,
                  x: Mapping[tuple[str, str], object], by_id: Mapping[str, DayFood],
                  X: Callable[[Iterable[tuple[tuple[str, str], float]]], pulp.LpAffineExpression],
                  Y: Callable[..., pulp.LpAffineExpression], slots: Sequence[str]) -> None:
    """Constraints 17 (meal patterns) and 18 (kind caps); see the module docstring."""
    from .patterns import CountRule, GramsRule, NeedsRule

    def role_n(fid: str, roles: Sequence[str]) -> int:
        return sum(by_id[fid].roles.get(r, 0) for r in roles)

    for i, rule in enumerate(model.pattern):
        if isinstance(rule, CountRule):
            if rule.slot not in slots:
                continue
            terms = [(k, float(role_n(k[0], rule.roles))) for k in x if k[1] == rule.slot]
            terms = [(k, w) for k, w in terms if w]
            acc = pulp.LpAffineExpression()
            for k, w in terms:
                acc += Y([k], w)
            if rule.min is not None and rule.min > 0:
                prob += acc >= rule.min, f"c17_count_lo_{i}_{rule.slot}"
            if rule.max is not None and terms:
                prob += acc <= rule.max, f"c17_count_hi_{i}_{rule.slot}"
        elif isinstance(rule, NeedsRule):
            if rule.slot not in slots:
                continue
            keys = [k for k in x if k[1] == rule.slot]
            for k in keys:
                if by_id[k[0]].roles.get(rule.role, 0):
                    partners = [q for q in keys if q != k and role_n(q[0], rule.needs)]
                    prob += Y([k]) - Y(partners) <= 0, f"c17_needs_{i}_{_name(k[0])}_{k[1]}"
        elif isinstance(rule, GramsRule):
            if rule.slot is not None and rule.slot not in slots:
                continue
            terms = [(k, by_id[k[0]].kind_grams.get(rule.kind, 0.0)) for k in x
                     if rule.slot is None or k[1] == rule.slot]
            terms = [(k, g) for k, g in terms if g]
            where = rule.slot or "day"
            if rule.min_g is not None and rule.min_g > 0:
                prob += X(terms) >= rule.min_g, f"c17_grams_lo_{i}_{where}"
            if rule.max_g is not None and terms:
                prob += X(terms) <= rule.max_g, f"c17_grams_{i}_{where}"
    for kind, cap in sorted(model.kind_caps.items()):
        terms = [(k, by_id[k[0]].kind_grams.get(kind, 0.0)) for k in x]
        terms = [(k, g) for k, g in terms if g]
        if terms:
            prob += X(terms) <= max(cap, 0.0), f"c18_cap_{_name(kind)}"
    for key, cap in sorted(model.count_caps.items()):
        weights = [(k, by_id[k[0]].kind_grams.get(key, 0.0)) for k in x]
        weights = [(k, w) for k, w in weights if w]
        if weights:
            acc = pulp.LpAffineExpression()
            for k, w in weights:
                acc += Y([k], w)
            prob += acc <= max(cap, 0.0), f"c18_count_{_name(key)}"
    for kind, (at_least, count) in sorted(model.item_caps.items()):
        keys = [k for k in x if by_id[k[0]].kind_grams.get(kind, 0.0) >= at_least]
        if keys:
            prob += Y(keys) <= max(count, 0), f"c18_items_{_name(kind)}"
    # 19. a food served alone is not also inside a dish of the same meal (no crisp rice
    # cereal beside a bowl of it): M y[f,s] + sum of y[d,s] over dishes d holding f <= M
    if model.pattern:
        for s in slots:
            dishes = [k for k in x if k[1] == s and by_id[k[0]].parts]
            for k in sorted(k for k in x if k[1] == s and not by_id[k[0]].parts):
                holding = [d for d in dishes if k[0] in by_id[d[0]].parts]
                if holding:
                    m = float(len(holding))
                    prob += (Y([k], m) + Y(holding) <= m,
                             f"c19_alone_{_name(k[0])}_{s}")


def _purchase_rows(prob: pulp.LpProblem, model: DayModel,
                   x: Mapping[tuple[str, str], object], by_id: Mapping[str, DayFood],
                   Y: Callable[..., pulp.LpAffineExpression]) -> list[pulp.LpVariable]:
    """Constraint 20 (new purchases): p[k] >= y[f,s] for each purchase k that f adds,
    sum of p[k] <= the day's allowance (p continuous: the cap or its objective weight
    pushes it to its least). Returns the p variables."""
    keys = sorted({k for f in by_id.values() for k in f.purchases})
    bought = {k: pulp.LpVariable(f"p_{i}", lowBound=0, upBound=1) for i, k in enumerate(keys)}
    for fs in sorted(x):
        for k in sorted(by_id[fs[0]].purchases):
            prob += (pulp.LpAffineExpression([(bought[k], 1.0)]) - Y([fs]) >= 0,
                     f"c20_buy_{_name(fs[0])}_{fs[1]}_{keys.index(k)}")
    if bought and model.max_new_purchases is not None:
        prob += (pulp.lpSum(bought.values()) <= max(model.max_new_purchases, 0),
                 "c20_new_purchases")
    return list(bought.values())


def relax_day(model: DayModel) -> RelaxedDay:
    """Solve the day's LP relaxation (HiGHS simplex, single-threaded: the same answer on any
    machine); see :class:`RelaxedDay`."""
    t0 = time.perf_counter()
    b = _build(model)
    b.prob.solve(highs_solver(mip=False))
    h = b.prob.solverModel
    status = h.getModelStatus()
    if status != type(status).kOptimal:
        return RelaxedDay(None, (), time.perf_counter() - t0,
                          infeasible=status == type(status).kInfeasible)
    score: dict[str, tuple[int, float]] = {}
    for (fid, _s), terms in b.yt.items():
        for var, _c in terms:
            key = (0, 0.0) if (var.value() or 0.0) > 1e-6 else (1, float(var.dj or 0.0))
            if fid not in score or key < score[fid]:
                score[fid] = key
    ranking = tuple(sorted(score, key=lambda f: (*score[f], f)))
    reduced = {f: max(dj, 0.0) for f, (_served, dj) in score.items()}
    return RelaxedDay(pulp.value(b.prob.objective), ranking, time.perf_counter() - t0,
                      reduced=reduced)


def solve_day(model: DayModel, *, gap_rel: float, gap_abs: float = 0.0,
              node_limit: int | None = None, time_limit: float | None = None,
              first_solution: bool = False, soft_seconds: float | None = None,
              soft_nodes: int | None = None) -> DayResult:
    """Build and solve one day's MILP with HiGHS.

    HiGHS runs single-threaded with a fixed seed, so the same model gives the same answer on
    any machine at any load, as long as no wall-clock limit stops it: ``node_limit`` is the
    deterministic work limit; ``time_limit`` is only a safety net (``stopped_by="time"``
    tells the caller the answer depended on the clock).

    Args:
        model: the day's data.
        gap_rel: relative MIP gap at which HiGHS may stop.
        gap_abs: absolute gap (objective points) at which HiGHS may stop (0: off).
        node_limit: most branch-and-bound nodes (deterministic); None: no limit.
        time_limit: wall-clock safety net in seconds; None: none.
        first_solution: stop at the first plan found (deterministic: "is there a plan?").
        soft_nodes: deterministic: branch-and-bound nodes after which HiGHS stops as soon as
            it has a plan (the search goes on to ``node_limit`` while it has none); None: off.
        soft_seconds: opt-in, machine-dependent: seconds after which HiGHS stops as soon as
            it has a solution; None: off.

    Returns:
        The solution (items with portions) and the solver's report.
    """
    t0 = time.perf_counter()
    b = _build(model)
    prob, xt, yt, slack_vars = b.prob, b.xt, b.yt, b.slack_vars
    energy, energy_slack, slots = b.energy, b.energy_slack, b.slots
    x = xt
    build = time.perf_counter() - t0
    options: dict[str, object] = {}
    if node_limit is not None:
        options["mip_max_nodes"] = int(node_limit)
    if first_solution:
        options["mip_max_improving_sols"] = 1
    solver = highs_solver(time_limit=time_limit, soft_seconds=soft_seconds,
                          soft_nodes=soft_nodes, gapRel=gap_rel,
                          gapAbs=gap_abs or None, **options)
    t1 = time.perf_counter()
    prob.solve(solver)
    secs = time.perf_counter() - t1
    h = prob.solverModel
    info = h.getInfo()
    ms = h.getModelStatus()
    statuses = type(ms)
    has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    stopped_by: str | None = None
    if ms == statuses.kTimeLimit:
        stopped_by = "time"
    elif ms in (statuses.kSolutionLimit, statuses.kIterationLimit):
        stopped_by = "work"
    elif ms == statuses.kInterrupt:  # the node count (deterministic) or the opt-in clock
        stopped_by = "work" if solver.stopped_by_nodes else "time"
    nodes = int(getattr(info, "mip_node_count", 0) or 0)
    if ms == statuses.kOptimal:
        status = "optimal"
    elif ms in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
        status = "infeasible"
    elif stopped_by is not None:
        status = "feasible" if has_solution else "limit"
    else:  # a solver error: no answer either way
        status, stopped_by = "limit", f"solver status {ms.name}"
    if status in ("infeasible", "limit"):
        return DayResult(status, (), None, None, None, secs, build, {},
                         stopped_by=stopped_by, nodes=nodes)
    items = []
    for (fid, s) in x:
        v = sum((var.value() or 0.0) * c for var, c in xt[(fid, s)])
        used = sum((var.value() or 0.0) * c for var, c in yt[(fid, s)])
        if used > 0.5 and v > 1e-7:
            n = v if model.continuous else float(round(v))
            items.append((s, fid, n))
    items.sort(key=lambda t: (slots.index(t[0]), t[1]))
    obj = pulp.value(prob.objective)
    if energy_slack is not None and obj is not None:
        # An interrupted incumbent may carry loose energy slacks: count them tight, as the
        # plan's real distance from the energy band.
        d_plus, d_minus, e, dz = energy_slack
        kcal = pulp.value(energy) or 0.0
        loose = (d_plus.value() or 0.0) + (d_minus.value() or 0.0)
        tight = max(0.0, kcal - e - dz) + max(0.0, e - dz - kcal)
        obj = obj - (loose - tight) * 100.0 / e
    bound = getattr(info, "mip_dual_bound", None)
    gap = getattr(info, "mip_gap", None)
    if bound is not None and (math.isinf(bound) or math.isnan(bound)):
        bound = None
    if gap is not None and (math.isinf(gap) or math.isnan(gap) or gap > 1e20):
        gap = None
    if obj is not None and bound is not None:  # HiGHS's gap, on the corrected objective
        gap = max(0.0, obj - bound) / max(abs(obj), 1e-9)
    slacks = {}
    for name, (lo_s, hi_s) in slack_vars.items():
        below = (lo_s.value() or 0.0) if lo_s is not None else 0.0
        above = (hi_s.value() or 0.0) if hi_s is not None else 0.0
        slacks[name] = (below, above)
    return DayResult(status, tuple(items), obj, bound, gap, secs, build, slacks,
                     stopped_by=stopped_by, nodes=nodes)

