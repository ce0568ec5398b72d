"""``axx.explore``: choose one multiplier per product of a model, trading accuracy for energy.

    res = axx.explore(model, data, candidates, costs=None, energy_budget=None, method="auto",
                      evaluations=64, seed=0)
    res.front            # Pareto points, by energy: .assignment {product: name}, .accuracy, .energy
    res.model_for(res.front[0])

The search space is one candidate multiplier per approximate product, the products named as
:func:`axx.approximate` names them. The model is converted once (on a copy), calibrated once with
the exact multiplier -- the activation scales come from float activations and do not depend on the
multiplier -- and every assignment after that is a switch of the layers' multipliers.

The energy of an assignment is ``sum_p macs[p] * cost[m_p] / sum_p macs[p]``: multiply energy
relative to running every product on the exact multiplier (whose cost is 1.0). ``macs[p]`` is what
one input example costs in product ``p``, measured with forward hooks on one batch.

Methods (docs/explore.md compares them at equal budgets):

* ``"greedy"`` (what ``"auto"`` runs): the exact reference, every candidate everywhere, one probe per
  product (products by MACs, the smallest grouped when the budget is short), then a multiple-choice
  knapsack path over a separable model of the accuracy loss (product sensitivity x candidate harm),
  searched by bisection for the accuracy-loss tolerances, then local refinement from measured
  results.
* ``"sensitivity"``: one product at a time with each candidate (:func:`sensitivity`), then every
  product on the cheapest candidate it tolerated alone, for a ladder of tolerances.
* ``"mcts"``: Monte Carlo tree search, UCT over the products in order, random rollouts, the reward
  the energy saved scaled down linearly to 0 at 5 points of accuracy lost.
* ``"evolutionary"``: the exact reference and every candidate everywhere, then
  offspring of the best points by non-dominated rank, uniform crossover and mutation.
* ``"hybrid"``: ``"greedy"`` with fewer probes, then ``"evolutionary"`` from every point evaluated.
* ``"random"``: uniformly random assignments (a baseline).

Evaluations are cached (an assignment is evaluated once) and never exceed ``evaluations``.

Under ``torchrun`` (or in any initialised process group) every rank runs the same search and
each evaluation is spread over the ranks by batch: rank ``r`` of ``W`` runs the batches
``r, r+W, ...`` of ``data``, and every rank sums the per-batch counts and losses of all ranks in
batch order, exactly as one process adds them. The ranks take the same decisions in lockstep and
return the front of one process (docs/distributed.md).
"""
from __future__ import annotations

import copy
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from . import distributed as _dist
from ._C import ArgumentTypeError, UsageError
from ._multiplier import Multiplier
from .convert import approximate
from .nn import ApproxConv2d, approx_layers
from .quant import calibrate

__all__ = ["explore", "sensitivity", "Explored", "Point", "Sensitivity", "hypervolume", "METHODS"]

METHODS = ("auto", "hybrid", "greedy", "sensitivity", "mcts", "evolutionary", "random")
# Accuracy-loss tolerances (fractions) the greedy search brackets, and the ladder of the sensitivity method.
_TOLERANCES = (0.005, 0.01, 0.02, 0.05)


@dataclass(frozen=True)
class Point:
    """One evaluated assignment."""

    assignment: dict          # {product: multiplier name}, every product
    accuracy: float           # top-1 accuracy as a fraction (or the metric's value)
    energy: float             # relative multiply energy, exact everywhere = 1.0

    def to_dict(self) -> dict:
        return {"assignment": dict(self.assignment), "accuracy": self.accuracy, "energy": self.energy}


def _dominates(a: Point, b: Point) -> bool:
    return a.energy <= b.energy and a.accuracy >= b.accuracy and (a.energy < b.energy or a.accuracy > b.accuracy)


def pareto_front(points: Iterable[Point]) -> list[Point]:
    """The non-dominated points (lower energy, higher accuracy), sorted by energy; of equal points the first."""
    front: list[Point] = []
    for p in points:
        if any(_dominates(q, p) or (q.energy == p.energy and q.accuracy == p.accuracy) for q in front):
            continue
        front = [q for q in front if not _dominates(p, q)] + [p]
    return sorted(front, key=lambda p: (p.energy, p.accuracy))


def hypervolume(points: Iterable[Point], accuracy_floor: float, energy_ref: float = 1.0) -> float:
    """Area dominated by ``points`` in (energy, accuracy) above ``accuracy_floor`` and below ``energy_ref``
    (energy minimised, accuracy maximised)."""
    front = [p for p in pareto_front(points) if p.energy < energy_ref and p.accuracy > accuracy_floor]
    hv = 0.0
    for i, p in enumerate(front):
        right = front[i + 1].energy if i + 1 < len(front) else energy_ref
        hv += (right - p.energy) * (p.accuracy - accuracy_floor)
    return hv


# ------------------------------------------------------------------------------------------------
# The search space: the converted, calibrated model and its products


class _BudgetSpent(Exception):
    pass


def _reiterable(data):
    return list(data) if iter(data) is data else data


def _exact_reference(candidates: Sequence[Multiplier]) -> Multiplier:
    signed = candidates[0].is_signed if candidates else True
    return Multiplier.builtin("mul8s_exact" if signed else "mul8u_exact")


def _is_exact(m: Multiplier, ref: Multiplier) -> bool:
    return m.is_signed == ref.is_signed and tuple(m.lut.shape) == tuple(ref.lut.shape) and torch.equal(m.lut, ref.lut)


def _cost_of(m: Multiplier, costs: Mapping | None) -> float | None:
    if costs is not None and m.name in costs:
        return float(costs[m.name])
    fn = getattr(m, "cost", None)
    if fn is None:
        return None
    try:
        return float(fn()["power_rel"])
    except UsageError:
        return None


def _reduction(module, inputs) -> int:
    """Multiplies per output element of an approximate layer."""
    if isinstance(module, ApproxConv2d):
        kh, kw = module.kernel_size
        return module.in_channels // module.groups * kh * kw
    return int(inputs[0].shape[-1])


class _Space:
    """The model copy every evaluation runs, the products, their MACs, the candidates and costs."""

    def __init__(self, model, data, candidates, *, costs, need_costs, metric, calibration, calibration_data,
                 calibration_batches, world: _dist.World = _dist.World(), where="explore"):
        cands = list(candidates)
        if not cands:
            raise UsageError(f"{where}: no candidate multipliers")
        for m in cands:
            if not isinstance(m, Multiplier):
                raise ArgumentTypeError(f"{where}: candidates must be axx.Multiplier objects, got {type(m).__name__}")
        names = [m.name for m in cands]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise UsageError(f"{where}: candidate names must be unique; repeated: {', '.join(dup)}")
        ref = _exact_reference(cands)
        found = [m for m in cands if _is_exact(m, ref)]
        self.reference = found[0] if found else ref
        if not found:
            if ref.name in names:
                raise UsageError(f"{where}: candidate '{ref.name}' is not the exact product")
            cands.insert(0, ref)
        else:
            cands.remove(self.reference)
            cands.insert(0, self.reference)
        self.candidates = cands
        self.by_name = {m.name: m for m in cands}
        self.costs: dict[str, float] = {}
        for m in cands:
            if m is self.reference:
                self.costs[m.name] = 1.0
                continue
            c = _cost_of(m, costs)
            if c is None:
                if need_costs:
                    raise UsageError(f"explore: no cost for candidate '{m.name}': Multiplier.cost() gives none; "
                                     f"pass costs={{'{m.name}': relative energy per multiply}}")
                c = float("nan")
            self.costs[m.name] = c
        self.world = world
        self.data = _reiterable(data)
        if world.distributed and not hasattr(self.data, "__len__"):
            self.data = list(self.data)        # batch i goes to rank i % W: the ranks need the count
        self.metric = metric
        self.model = copy.deepcopy(model).eval()
        approximate(self.model, self.reference)
        self.device = _dist.collective_device(_device(self.model))
        if world.distributed:
            n = float(len(self.data))
            lo_hi = _dist.all_reduce_max([n, -n], self.device).tolist()
            if lo_hi[0] != -lo_hi[1]:
                raise UsageError(f"explore: the data differs between processes: {int(-lo_hi[1])} to "
                                 f"{int(lo_hi[0])} batches (every rank must pass the same data)")
        calib = self.data if calibration_data is None else _reiterable(calibration_data)
        if world.distributed:               # every rank searches rank 0's model
            with torch.no_grad():
                for t in list(self.model.parameters()) + list(self.model.buffers()):
                    _dist.broadcast_(t.data)
        # rank 0 calibrates, as one process would, and every rank takes its scales
        if world.is_main:
            calibrate(self.model, calib, method=calibration, num_batches=calibration_batches)
        _dist.broadcast_scales(self.model)
        self.modules = dict(approx_layers(self.model))
        self.products = list(self.modules)
        if not self.products:
            raise UsageError(f"{where}: the model has no Linear, Conv2d or attention product to approximate")
        self.macs = self._measure_macs()
        self.total_macs = sum(self.macs.values())
        if self.total_macs <= 0:
            raise UsageError("explore: no product ran on the first batch of data")
        self.current: tuple | None = None

    def _first_inputs(self):
        for batch in self.data:
            return batch[0] if isinstance(batch, (tuple, list)) else batch
        raise UsageError("explore: data yielded no batches")

    def _measure_macs(self) -> dict[str, float]:
        counts = {p: 0 for p in self.products}
        hooks = []
        for name, mod in self.modules.items():
            def hook(module, inputs, output, name=name):
                counts[name] += output.numel() * _reduction(module, inputs)
            hooks.append(mod.register_forward_hook(hook))
        x = self._first_inputs()
        try:
            with torch.no_grad():
                self.model(x.to(_device(self.model)))
        finally:
            for h in hooks:
                h.remove()
        n = len(x)
        return {p: counts[p] / n for p in self.products}

    def energy(self, key: tuple) -> float:
        return sum(self.macs[p] * self.costs[n] for p, n in zip(self.products, key)) / self.total_macs

    def assignment(self, key: tuple) -> dict:
        return dict(zip(self.products, key))

    def apply(self, model, key: tuple) -> None:
        mods = dict(approx_layers(model))
        for p, n in zip(self.products, key):
            mods[p].multiplier = self.by_name[n]

    def score(self, key: tuple) -> tuple[float, float | None]:
        """(accuracy or metric, mean cross-entropy or None) of the assignment ``key``."""
        if self.current != key:
            self.apply(self.model, key)
            self.current = key
        if self.metric is not None:
            value = float(self.metric(self.model))
            if self.world.distributed:        # every rank calls the metric; rank 0's value counts
                value = float(_dist.broadcast_(torch.tensor([value], dtype=torch.float64, device=self.device))[0])
            return value, None
        return _accuracy(self.model, self.data, self.world, self.device)


def _device(model) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _batch_counts(model, data, rank: int, size: int):
    """``[(index, correct, loss sum, examples)]`` of the batches ``rank, rank + size, ...``."""
    device = _device(model)
    rows = []
    if size > 1 and hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        mine = ((i, data[i]) for i in range(rank, len(data), size))
    else:
        mine = ((i, b) for i, b in enumerate(data) if i % size == rank)
    with torch.no_grad():
        for i, (x, y) in mine:
            out = model(x.to(device))
            y = y.to(out.device)
            rows.append((i, int((out.argmax(-1) == y).sum()),
                         float(F.cross_entropy(out.float(), y, reduction="sum")), len(y)))
    return rows


def _accuracy(model, data, world: _dist.World = _dist.World(), device="cpu") -> tuple[float, float]:
    """Top-1 accuracy and mean cross-entropy over all of ``data``. The per-batch figures are added
    in batch order whichever rank computed them, so the float sum is one process's bit for bit."""
    rows = _batch_counts(model, data, world.rank, world.size)
    if world.distributed:
        # every batch has one owner and zeros elsewhere: the sum over ranks is the owner's row exactly
        table = torch.zeros(len(data), 3, dtype=torch.float64)
        for i, c, l, n in rows:
            table[i] = torch.tensor([c, l, n], dtype=torch.float64)
        table = _dist.all_reduce_sum(table, device).cpu()
        rows = [(i, int(c), float(l), int(n)) for i, (c, l, n) in enumerate(table.tolist())]
    correct = total = 0
    loss = 0.0
    for _, c, l, n in rows:
        correct += c
        loss += l
        total += n
    if total == 0:
        raise UsageError("explore: data yielded no examples")
    return correct / total, loss / total


class _Evaluator:
    """Cached, budgeted evaluation of assignments (tuples of names in product order)."""

    def __init__(self, space: _Space, budget: int, progress: bool, desc: str):
        from tqdm.auto import tqdm

        progress = progress and space.world.is_main
        self.space = space
        self.budget = budget
        self.cache: dict[tuple, tuple[float, float | None]] = {}
        self.order: list[tuple] = []
        self.bar = tqdm(total=budget, desc=desc, disable=None if progress else True, leave=False)

    @property
    def spent(self) -> int:
        return len(self.order)

    @property
    def left(self) -> int:
        return self.budget - self.spent

    def __call__(self, key: tuple) -> float:
        return self.full(key)[0]

    def full(self, key: tuple) -> tuple[float, float | None]:
        key = tuple(key)
        if key not in self.cache:
            if self.spent >= self.budget:
                raise _BudgetSpent
            self.cache[key] = self.space.score(key)
            self.order.append(key)
            self.bar.update(1)
        return self.cache[key]

    def many(self, keys: Iterable[tuple]) -> list[float]:
        return [self(k) for k in keys]

    def points(self) -> list[Point]:
        return [Point(self.space.assignment(k), self.cache[k][0], self.space.energy(k)) for k in self.order]

    def close(self):
        self.bar.close()


# ------------------------------------------------------------------------------------------------
# Search methods. Each takes (space, evaluator, rng, energy_budget) and spends the evaluator's budget
# (or stops earlier); _BudgetSpent ends any of them.


def _ref_key(space) -> tuple:
    return tuple(space.reference.name for _ in space.products)


def _uniform(space, name) -> tuple:
    return tuple(name for _ in space.products)


def _with(key: tuple, i: int, name: str) -> tuple:
    return key[:i] + (name,) + key[i + 1:]


def _active(space) -> list[int]:
    """Indices of the products that cost anything, by MACs descending."""
    return sorted((i for i, p in enumerate(space.products) if space.macs[p] > 0),
                  key=lambda i: -space.macs[space.products[i]])


def _smooth(ev, key) -> float:
    """A loss-like score (lower is better) with more resolution than accuracy: the cross-entropy when
    the built-in accuracy is measured, else minus the metric."""
    acc, loss = ev.full(key)
    return loss if loss is not None else -acc


def _search_greedy(space, ev, rng, energy_budget, refine_share=1.0, probe_share=0.5, tolerances=_TOLERANCES):
    ref = _ref_key(space)
    ref_acc = ev(ref)
    ref_s = _smooth(ev, ref)
    approx = sorted((m.name for m in space.candidates[1:]), key=lambda n: space.costs[n])
    active = _active(space)
    if not approx or not active:
        return
    # 1. every candidate everywhere: how much each one harms, independent of the product
    harm = {space.reference.name: 0.0}
    uniform_acc = {}
    for n in approx:
        if ev.left <= 0:
            harm[n] = float("inf")
            continue
        uniform_acc[n] = ev(_uniform(space, n))
        harm[n] = max(0.0, _smooth(ev, _uniform(space, n)) - ref_s)
    known = [n for n in approx if n in uniform_acc]
    if not known:
        return
    # 2. probe each product with the cheapest candidate that is not ruinous everywhere
    tolerable = [n for n in known if ref_acc - uniform_acc[n] <= 0.10] or sorted(known, key=lambda n: harm[n])[:1]
    probe = min(tolerable, key=lambda n: space.costs[n])
    probe_harm = max(harm[probe], 1e-9)
    n_probes = min(len(active), max(1, int(ev.left * probe_share)))
    single = active[:n_probes - 1] if n_probes < len(active) else active
    rest = [i for i in active if i not in single]
    sens = {}
    for i in single:
        sens[i] = max(0.0, _smooth(ev, _with(ref, i, probe)) - ref_s)
    if rest:
        k = ref
        for i in rest:
            k = _with(k, i, probe)
        group = max(0.0, _smooth(ev, k) - ref_s)
        rest_macs = sum(space.macs[space.products[i]] for i in rest)
        for i in rest:
            sens[i] = group * space.macs[space.products[i]] / rest_macs
    eps = 1e-6 * max(1e-9, max(sens.values(), default=0.0) + 1e-9)

    def predicted(i, n):
        return sens[i] * (harm[n] if math.isfinite(harm[n]) else 1e9) / probe_harm

    # 3. the knapsack path: from exact, repeatedly take the move with the most energy saved per predicted loss
    path = [ref]
    key = ref
    while True:
        best, best_eff = None, -1.0
        for i in active:
            p = space.products[i]
            cur = key[i]
            for n in known:
                save = space.macs[p] * (space.costs[cur] - space.costs[n])
                if save <= 0:
                    continue
                loss = predicted(i, n) - predicted(i, cur)
                eff = save / max(loss, eps)
                if eff > best_eff:
                    best, best_eff = (i, n), eff
        if best is None:
            break
        key = _with(key, *best)
        path.append(key)

    # bisection along the path for the last assignment within each tolerance
    def within(k, tol):
        return ev(k) >= ref_acc - tol

    lo_hint = 0
    for tol in tolerances:
        lo, hi = lo_hint, len(path) - 1
        if within(path[hi], tol):
            lo = hi
        else:
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if within(path[mid], tol):
                    lo = mid
                else:
                    hi = mid
        lo_hint = lo

    # 4. refinement from measured results: cheaper steps for the base of each tolerance, most promising first
    tried: set = set()
    stop_at = ev.left - int(ev.left * refine_share)
    while ev.left > stop_at:
        progressed = False
        for tol in _TOLERANCES:
            if ev.left <= 0:
                return
            base = min((k for k in ev.order if ev.cache[k][0] >= ref_acc - tol),
                       key=lambda k: (space.energy(k), -ev.cache[k][0]))
            moves = []
            for i in active:
                p = space.products[i]
                for n in known:
                    save = space.macs[p] * (space.costs[base[i]] - space.costs[n])
                    k2 = _with(base, i, n)
                    if save > 0 and k2 not in ev.cache and (base, i, n) not in tried:
                        moves.append((save / max(predicted(i, n) - predicted(i, base[i]), eps), i, n, k2))
            if not moves:
                continue
            _, i, n, k2 = max(moves, key=lambda m: m[0])
            tried.add((base, i, n))
            progressed = True
            s = _smooth(ev, k2) - _smooth(ev, base)
            # what the step cost in fact replaces the model's guess for this product
            h = harm[n] - harm[base[i]]
            if h > 0:
                sens[i] = max(sens[i], s * probe_harm / h)
        if not progressed:
            break
    if refine_share < 1.0:
        # 5. the rest evolves the points evaluated so far
        _evolve(space, ev, rng)
    # 6. whatever budget is left: random perturbations of front points
    _perturb(space, ev, rng, known, active)


def _perturb(space, ev, rng, names, active):
    ref_name = space.reference.name
    choices = [ref_name] + list(names)
    stall = 0
    while ev.left > 0 and stall < 50:
        front = pareto_front(ev.points())
        base = tuple(rng.choice(front).assignment[p] for p in space.products)
        k = base
        for _ in range(rng.randint(1, 2)):
            i = rng.choice(active)
            k = _with(k, i, rng.choice(choices))
        if k in ev.cache:
            stall += 1
            continue
        ev(k)


def _search_random(space, ev, rng, energy_budget):
    names = [m.name for m in space.candidates]
    ev(_ref_key(space))
    stall = 0
    while ev.left > 0 and stall < 1000:
        k = tuple(rng.choice(names) for _ in space.products)
        if k in ev.cache:
            stall += 1
            continue
        ev(k)


def _search_sensitivity(space, ev, rng, energy_budget):
    ref = _ref_key(space)
    ref_acc = ev(ref)
    approx = sorted((m.name for m in space.candidates[1:]), key=lambda n: space.costs[n])
    active = _active(space)
    # probes in the order of what they could save: big products, cheap candidates first
    order = sorted(((i, n) for i in active for n in approx),
                   key=lambda t: -space.macs[space.products[t[0]]] * (1.0 - space.costs[t[1]]))
    reserve = min(len(_TOLERANCES), max(0, ev.budget - 1 - len(order)))
    reserve = max(reserve, min(len(_TOLERANCES), ev.budget // 4))
    acc = {}
    for i, n in order:
        if ev.left <= reserve:
            break
        acc[(i, n)] = ev(_with(ref, i, n))
    for tol in _TOLERANCES:
        k = ref
        for i in active:
            ok = [n for n in approx if (i, n) in acc and acc[(i, n)] >= ref_acc - tol]
            if ok:
                k = _with(k, i, min(ok, key=lambda n: space.costs[n]))
        ev(k)


class _Node:
    __slots__ = ("children", "visits", "value")

    def __init__(self):
        self.children: dict[str, _Node] = {}
        self.visits = 0
        self.value = 0.0


def _search_mcts(space, ev, rng, energy_budget, c_uct=0.7, scale=0.05):
    names = [m.name for m in space.candidates]
    ref_acc = ev(_ref_key(space))
    root = _Node()
    n_prod = len(space.products)

    def reward(k):
        # in [0, 1]: the energy saved, scaled down linearly to 0 at `scale` (5 points) of accuracy lost
        acc = ev(k)
        e = space.energy(k)
        if energy_budget is not None and e > energy_budget:
            return 0.0
        return max(0.0, 1.0 - e) * max(0.0, 1.0 - max(0.0, ref_acc - acc) / scale)

    for _ in range(50 * ev.budget):
        if ev.left <= 0:
            break
        node, path, prefix = root, [root], []
        while len(prefix) < n_prod:
            untried = [n for n in names if n not in node.children]
            if untried:
                n = rng.choice(untried)
                node.children[n] = _Node()
                node = node.children[n]
                prefix.append(n)
                path.append(node)
                break
            parent_visits = max(1, node.visits)
            n = max(node.children, key=lambda c: node.children[c].value / max(1, node.children[c].visits)
                    + c_uct * math.sqrt(math.log(parent_visits) / max(1, node.children[c].visits)))
            node = node.children[n]
            prefix.append(n)
            path.append(node)
        key = tuple(prefix + [rng.choice(names) for _ in range(n_prod - len(prefix))])
        r = reward(key)
        for nd in path:
            nd.visits += 1
            nd.value += r


def _nondominated_ranks(items):
    """Rank (0 = front) of each (energy, accuracy) item."""
    ranks = [0] * len(items)
    rest = list(range(len(items)))
    level = 0
    while rest:
        front = [i for i in rest if not any(
            items[j][0] <= items[i][0] and items[j][1] >= items[i][1] and items[j] != items[i] for j in rest)]
        for i in front:
            ranks[i] = level
        rest = [i for i in rest if i not in front]
        level += 1
    return ranks


def _search_evolutionary(space, ev, rng, energy_budget, population=12):
    names = [m.name for m in space.candidates]
    by_cost = sorted(names, key=lambda n: space.costs[n])
    ref = _ref_key(space)
    pop = [ref] + [_uniform(space, n) for n in by_cost if n != space.reference.name]
    while len(pop) < population:
        pop.append(tuple(rng.choice(names) for _ in space.products))
    for k in pop[:population]:
        if ev.left <= 0:
            return
        ev(k)
    _evolve(space, ev, rng, population)


def _evolve(space, ev, rng, population=12):
    """Offspring of the best evaluated points (non-dominated rank) until the budget is spent."""
    by_cost = sorted((m.name for m in space.candidates), key=lambda n: space.costs[n])
    stall = 0
    while ev.left > 0 and stall < 200:
        evaluated = list(ev.order)
        items = [(space.energy(k), ev.cache[k][0]) for k in evaluated]
        ranks = dict(zip(evaluated, _nondominated_ranks(items)))
        elite = sorted(evaluated, key=lambda k: ranks[k])[:population]

        def pick():
            a, b = rng.choice(elite), rng.choice(elite)
            return a if ranks[a] <= ranks[b] else b

        pa, pb = pick(), pick()
        child = [x if rng.random() < 0.5 else y for x, y in zip(pa, pb)]
        for i in range(len(child)):
            if rng.random() < 1.5 / len(child):
                j = by_cost.index(child[i]) + rng.choice((-1, 1))
                child[i] = by_cost[min(max(j, 0), len(by_cost) - 1)]
        child = tuple(child)
        if child in ev.cache:
            stall += 1
            continue
        ev(child)


def _search_hybrid(space, ev, rng, energy_budget):
    # fewer probes and brackets than greedy: the budget goes to evolving the measured points, whose
    # crossovers mix the candidates that are good everywhere
    _search_greedy(space, ev, rng, energy_budget, refine_share=0.0, probe_share=0.25, tolerances=(0.01, 0.02))


_SEARCHES: dict[str, Callable] = {
    "hybrid": _search_hybrid, "greedy": _search_greedy, "sensitivity": _search_sensitivity, "mcts": _search_mcts,
    "evolutionary": _search_evolutionary, "random": _search_random,
}


# ------------------------------------------------------------------------------------------------
# Results


@dataclass
class Explored:
    """What :func:`explore` found."""

    front: list                   # Pareto points within the energy budget, sorted by energy
    points: list                  # every evaluated point, in evaluation order
    layers: dict                  # {product: MACs per sample}
    costs: dict                   # {candidate name: relative energy per multiply}
    evaluations: int
    method: str
    reference_accuracy: float     # every product on the exact multiplier
    energy_budget: float | None = None
    _space: _Space | None = field(default=None, repr=False)

    def model_for(self, point: Point) -> nn.Module:
        """The converted, calibrated model of ``point`` (a new copy)."""
        sp = self._space
        key = tuple(point.assignment[p] for p in sp.products)
        model = copy.deepcopy(sp.model)
        sp.apply(model, key)
        return model

    def saving_within(self, loss: float) -> Point | None:
        """The lowest-energy front point losing at most ``loss`` (a fraction) against the exact reference."""
        ok = [p for p in self.front if p.accuracy >= self.reference_accuracy - loss - 1e-12]
        return min(ok, key=lambda p: p.energy) if ok else None

    def hypervolume(self, floor_loss: float = 0.05) -> float:
        """Hypervolume of the front above ``reference_accuracy - floor_loss`` and below energy 1.0."""
        return hypervolume(self.front, self.reference_accuracy - floor_loss)

    def to_dict(self) -> dict:
        return {
            "method": self.method, "evaluations": self.evaluations, "energy_budget": self.energy_budget,
            "reference_accuracy": self.reference_accuracy, "layers": self.layers, "costs": self.costs,
            "front": [p.to_dict() for p in self.front], "points": [p.to_dict() for p in self.points],
        }

    def to_json(self, path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    def plot(self, path, title: str | None = None) -> Path:
        """Accuracy vs energy of every evaluated point, the front highlighted (PNG)."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        path = Path(path)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        ax.scatter([p.energy for p in self.points], [100 * p.accuracy for p in self.points], s=12,
                   color="tab:gray", alpha=0.6, label=f"evaluated ({len(self.points)})")
        ax.step([p.energy for p in self.front], [100 * p.accuracy for p in self.front], where="post",
                color="tab:red", lw=1)
        ax.scatter([p.energy for p in self.front], [100 * p.accuracy for p in self.front], s=28,
                   color="tab:red", zorder=3, label=f"Pareto front ({len(self.front)})")
        ax.axhline(100 * self.reference_accuracy, color="tab:blue", ls="--", lw=1, label="exact int8")
        if self.energy_budget is not None:
            ax.axvline(self.energy_budget, color="tab:green", ls=":", lw=1, label="energy budget")
        ax.set_xlabel("relative multiply energy (exact = 1)")
        ax.set_ylabel("accuracy %")
        ax.set_title(title or f"axx.explore ({self.method}, {self.evaluations} evaluations)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def explore(model: nn.Module, data, candidates: Sequence[Multiplier], *, costs: Mapping | None = None,
            energy_budget: float | None = None, method: str = "auto", evaluations: int = 64, seed: int = 0,
            metric: Callable | None = None, calibration: str = "percentile", progress: bool = True,
            calibration_data=None, calibration_batches: int | None = 8) -> Explored:
    """Search one multiplier per approximate product of ``model`` for the accuracy/energy front.

    Args:
        model: a float module; left untouched (the search works on a copy).
        data: iterable of ``(inputs, targets)`` batches (iterated once per evaluation; a one-shot
            iterator is read into a list). Calibrates the activation scales (first
            ``calibration_batches`` batches, unless ``calibration_data`` is given) and measures top-1
            accuracy as a fraction.
        candidates: :class:`axx.Multiplier` objects with unique names. The exact multiplier of their
            kind (``mul8s_exact``, or ``mul8u_exact`` for unsigned ones) is the reference, added if none
            of them is exact; its cost is 1.0.
        costs: ``{name: relative energy per multiply}``; else ``Multiplier.cost()["power_rel"]``.
        energy_budget: only points of at most this energy are returned.
        method: one of :data:`METHODS`; ``"auto"`` runs ``"greedy"``, the best on the measured
            tasks (docs/explore.md).
        evaluations: most model evaluations to spend (cached: an assignment is evaluated once).
        seed: the same seed gives the same front.
        metric: ``metric(model) -> float``, higher is better, instead of top-1 accuracy on ``data``.
        calibration: :func:`axx.calibrate` method.
        progress: tqdm progress bar (quiet when not on a terminal).

    Under torchrun (``WORLD_SIZE`` > 1, or an initialised process group) call it on every rank
    with the same arguments: each evaluation is spread over the ranks by batch, and every rank
    returns the result of one process (docs/distributed.md).

    Raises:
        axx.UsageError: no candidates, repeated names, a candidate without cost, unknown method,
            fewer than one evaluation.
    """
    if method not in METHODS:
        raise UsageError(f"explore: unknown method '{method}'; choose one of {', '.join(METHODS)}")
    if evaluations < 1:
        raise UsageError(f"explore: evaluations must be at least 1, got {evaluations}")
    world = _dist.init_from_env(_device(model))
    space = _Space(model, data, candidates, costs=costs, need_costs=True, metric=metric,
                   calibration=calibration, calibration_data=calibration_data,
                   calibration_batches=calibration_batches, world=world)
    name = "greedy" if method == "auto" else method
    return _run(space, name, evaluations, seed, energy_budget, progress)


def _run(space: _Space, method: str, evaluations: int, seed: int, energy_budget, progress: bool) -> Explored:
    ev = _Evaluator(space, evaluations, progress, desc=f"explore ({method})")
    rng = random.Random(seed)
    try:
        ev(_ref_key(space))
        _SEARCHES[method](space, ev, rng, energy_budget)
    except _BudgetSpent:
        pass
    finally:
        ev.close()
    points = ev.points()
    inside = [p for p in points if energy_budget is None or p.energy <= energy_budget + 1e-12]
    return Explored(front=pareto_front(inside), points=points, layers=dict(space.macs), costs=dict(space.costs),
                    evaluations=ev.spent, method=method, reference_accuracy=ev.cache[_ref_key(space)][0],
                    energy_budget=energy_budget, _space=space)


# ------------------------------------------------------------------------------------------------
# Sensitivity analysis


@dataclass
class Sensitivity:
    """Accuracy with one product alone on each candidate (every other product exact)."""

    reference_accuracy: float
    accuracy: dict                # {product: {candidate name: accuracy}}
    layers: dict                  # {product: MACs per sample}
    evaluations: int

    def drop(self, product: str, name: str) -> float:
        return self.reference_accuracy - self.accuracy[product][name]

    def to_dict(self) -> dict:
        return {"reference_accuracy": self.reference_accuracy, "accuracy": self.accuracy, "layers": self.layers,
                "evaluations": self.evaluations}


def sensitivity(model: nn.Module, data, candidates: Sequence[Multiplier], *, products: Sequence[str] | None = None,
                metric: Callable | None = None, calibration: str = "percentile", progress: bool = True,
                calibration_data=None, calibration_batches: int | None = 8) -> Sensitivity:
    """Per-product sensitivity: the accuracy when product ``p`` alone uses candidate ``c``, for every ``p``
    (or those in ``products``) and every non-reference candidate; 1 + products x candidates evaluations."""
    world = _dist.init_from_env(_device(model))
    space = _Space(model, data, candidates, costs=None, need_costs=False, metric=metric, calibration=calibration,
                   calibration_data=calibration_data, calibration_batches=calibration_batches, world=world,
                   where="sensitivity")
    chosen = list(space.products) if products is None else list(products)
    unknown = [p for p in chosen if p not in space.products]
    if unknown:
        raise UsageError(f"sensitivity: no product named {', '.join(unknown)}; the products are "
                         f"{', '.join(space.products)}")
    names = [m.name for m in space.candidates[1:]]
    ev = _Evaluator(space, 1 + len(chosen) * len(names), progress, desc="sensitivity")
    ref = _ref_key(space)
    try:
        ref_acc = ev(ref)
        acc = {p: {n: ev(_with(ref, space.products.index(p), n)) for n in names} for p in chosen}
    finally:
        ev.close()
    return Sensitivity(ref_acc, acc, dict(space.macs), ev.spent)


if __name__ == "__main__":
    # `python -m axx.explore`: the command-line application (axx.apps.explore) on the copy of this
    # module that `import axx` loaded, so that its classes are the ones the results carry.
    from axx.apps.explore import main as _main

    raise SystemExit(_main())
