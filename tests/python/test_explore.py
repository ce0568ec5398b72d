"""axx.explore and axx.sensitivity on tiny models with known answers."""
import json
import subprocess
import sys

import pytest
import torch
from torch import nn

import axx
from axx.apps.data import FASHION_MNIST_DIR
from axx.explore import METHODS, Point, hypervolume, pareto_front

_VALS = torch.arange(256)
_VALS = torch.where(_VALS < 128, _VALS, _VALS - 256)   # operand value of each signed bit pattern
_EXACT = _VALS[:, None] * _VALS[None, :]


def _mult(name, table):
    return axx.Multiplier.from_lut(table.to(torch.int32), signed=True, name=name)


# A zero table ruins any product it is used in; "mild" floors products to a multiple of 4.
ZERO = _mult("zero", torch.zeros(256, 256))
MILD = _mult("mild", torch.div(_EXACT, 4, rounding_mode="floor") * 4)
COSTS = {"zero": 0.1, "mild": 0.7}


class Toy(nn.Module):
    """``head`` decides the class; ``big`` (16x as many multiplies) only adds a vanishing term, so it is
    insensitive: the best assignment puts ``big`` on the zero table and keeps ``head`` accurate."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.big = nn.Linear(16, 64)
        self.head = nn.Linear(16, 4)
        with torch.no_grad():
            self.big.weight.copy_(torch.randn(64, 16, generator=g))
            self.head.weight.copy_(TEACHER)
            self.head.bias.zero_()

    def forward(self, x):
        return self.head(x) + 1e-4 * self.big(x).mean(-1, keepdim=True)


TEACHER = torch.randn(4, 16, generator=torch.Generator().manual_seed(1))


def _data(n=256, batch=64):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(n, 16, generator=g)
    logits = x @ TEACHER.t()
    top2 = logits.topk(2, dim=1).values
    keep = (top2[:, 0] - top2[:, 1]) > 0.5        # a margin the mild table cannot cross
    x, y = x[keep], logits[keep].argmax(1)
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]


DATA = _data()


def _explore(**kw):
    kw.setdefault("costs", COSTS)
    kw.setdefault("evaluations", 12)
    kw.setdefault("progress", False)
    return axx.explore(Toy(), DATA, [ZERO, MILD], **kw)


def test_layers_are_macs_per_example():
    res = _explore(evaluations=1)
    assert res.layers == {"big": 16 * 64, "head": 16 * 4}
    assert res.evaluations == 1 and res.front[0].energy == 1.0


def test_linear_on_the_class_token_counts_one_token():
    class Tok(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, stride=1, padding=1, groups=1)
            self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
            self.head = nn.Linear(8, 3)

        def forward(self, x):
            t = self.conv(x).flatten(2).transpose(1, 2).reshape(len(x), 5, 8)    # (B, 5 tokens, 8)
            t = self.attn(t, t, t, need_weights=False)[0]
            return self.head(t[:, 0])

    x = torch.randn(6, 1, 5, 2)
    data = [(x, torch.zeros(6, dtype=torch.long))]
    res = axx.explore(Tok(), data, [MILD], costs=COSTS, evaluations=1, progress=False)
    L, E, H = 5, 8, 2
    assert res.layers == {
        "conv": 4 * 5 * 2 * 9,
        "attn.q_proj": L * E * E, "attn.k_proj": L * E * E, "attn.v_proj": L * E * E, "attn.out_proj": L * E * E,
        "attn.matmul_qk": H * L * L * (E // H), "attn.matmul_av": H * L * (E // H) * L,
        "head": E * 3,
    }


def test_front_is_nondominated_and_energies_recomputed():
    res = _explore(evaluations=12)
    total = sum(res.layers.values())
    costs = {**COSTS, "mul8s_exact": 1.0}
    for p in res.points:
        e = sum(res.layers[q] * costs[n] for q, n in p.assignment.items()) / total
        assert p.energy == pytest.approx(e, abs=1e-12)
        assert set(p.assignment) == set(res.layers)
    for p in res.front:
        assert not any((q.energy <= p.energy and q.accuracy >= p.accuracy
                        and (q.energy < p.energy or q.accuracy > p.accuracy)) for q in res.points)
    assert [p.energy for p in res.front] == sorted(p.energy for p in res.front)
    # every evaluated point off the front is dominated by (or equal to) a front point
    for p in res.points:
        assert any(q.energy <= p.energy and q.accuracy >= p.accuracy for q in res.front)


@pytest.mark.parametrize("method", METHODS)
def test_finds_the_known_good_assignment(method):
    res = _explore(method=method, evaluations=20, seed=3)
    assert res.evaluations <= 20
    best = res.saving_within(0.0)
    assert best.assignment == {"big": "zero", "head": "mild"}, (method, res.points)
    assert best.energy == pytest.approx((1024 * 0.1 + 64 * 0.7) / 1088)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("budget", [1, 2, 5])
def test_evaluations_never_above_the_budget(method, budget):
    res = _explore(method=method, evaluations=budget)
    assert res.evaluations <= budget and len(res.points) == res.evaluations
    assert len({tuple(sorted(p.assignment.items())) for p in res.points}) == len(res.points)   # cached


def test_energy_budget_is_respected():
    res = _explore(energy_budget=0.5, evaluations=12)
    assert res.front and all(p.energy <= 0.5 for p in res.front)
    assert any(p.energy > 0.5 for p in res.points)


@pytest.mark.parametrize("method", ["hybrid", "mcts", "evolutionary", "random"])
def test_same_seed_same_front(method):
    a = _explore(method=method, seed=7, evaluations=8)
    b = _explore(method=method, seed=7, evaluations=8)
    assert [p.to_dict() for p in a.front] == [p.to_dict() for p in b.front]


def test_model_for_reproduces_the_accuracy_and_leaves_the_model_alone():
    model = Toy()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    res = axx.explore(model, DATA, [ZERO, MILD], costs=COSTS, evaluations=12, progress=False)
    assert not axx.nn.approx_layers(model)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    for p in res.front:
        m = res.model_for(p)
        layers = dict(axx.nn.approx_layers(m))
        assert {k: layers[k].multiplier.name for k in layers} == p.assignment
        correct = total = 0
        with torch.no_grad():
            for x, y in DATA:
                correct += int((m(x).argmax(1) == y).sum())
                total += len(y)
        assert correct / total == p.accuracy


def test_metric_replaces_accuracy():
    calls = []

    def metric(model):
        calls.append(1)
        return -float(model.head.multiplier.name == "zero")

    res = _explore(metric=metric, evaluations=6)
    assert len(calls) == res.evaluations
    assert all(p.accuracy == (-1.0 if p.assignment["head"] == "zero" else 0.0) for p in res.points)


def test_errors_name_the_candidate():
    with pytest.raises(axx.UsageError, match="mild"):
        axx.explore(Toy(), DATA, [ZERO, MILD], costs={"zero": 0.1}, progress=False)
    with pytest.raises(axx.UsageError, match="unique"):
        axx.explore(Toy(), DATA, [MILD, _mult("mild", _EXACT)], costs=COSTS, progress=False)
    with pytest.raises(axx.UsageError, match="method"):
        _explore(method="annealing")
    with pytest.raises(axx.UsageError, match="evaluations"):
        _explore(evaluations=0)


def test_exact_candidate_is_the_reference_whatever_its_name():
    exact = _mult("my_exact", _EXACT)
    res = axx.explore(Toy(), DATA, [MILD, exact], costs={"mild": 0.7, "my_exact": 5.0}, evaluations=3,
                      progress=False)
    assert res.costs == {"my_exact": 1.0, "mild": 0.7}
    assert res.points[0].assignment == {"big": "my_exact", "head": "my_exact"}


def test_sensitivity_grid():
    s = axx.sensitivity(Toy(), DATA, [ZERO, MILD], progress=False)
    assert s.evaluations == 1 + 2 * 2
    assert s.reference_accuracy == 1.0
    assert s.accuracy["big"] == {"zero": 1.0, "mild": 1.0}
    assert s.accuracy["head"]["mild"] == 1.0 and s.accuracy["head"]["zero"] < 0.5
    assert s.drop("head", "zero") > 0.5


def test_hypervolume_by_hand():
    pts = [Point({}, 0.9, 0.5), Point({}, 0.95, 0.8), Point({}, 0.8, 0.9), Point({}, 0.99, 1.0)]
    assert [p.energy for p in pareto_front(pts)] == [0.5, 0.8, 1.0]
    # floor 0.85: [0.5, 0.8) x 0.05 + [0.8, 1.0) x 0.10
    assert hypervolume(pts, 0.85) == pytest.approx(0.3 * 0.05 + 0.2 * 0.10)


def test_json_and_plot(tmp_path):
    res = _explore(evaluations=6)
    res.to_json(tmp_path / "r.json")
    d = json.loads((tmp_path / "r.json").read_text())
    assert d["evaluations"] == 6 and len(d["points"]) == 6 and d["layers"] == res.layers
    assert d["front"] == [p.to_dict() for p in res.front]
    res.plot(tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.skipif(not FASHION_MNIST_DIR.exists(), reason="Fashion-MNIST not installed")
def test_command_line_on_the_bundled_vit(tmp_path):
    from axx.apps.explore import DEFAULT_CANDIDATES

    names = list(DEFAULT_CANDIDATES[:3])
    costs = tmp_path / "costs.json"
    costs.write_text(json.dumps({n: 0.5 for n in names}))
    r = subprocess.run([sys.executable, "-m", "axx.explore", "--out", str(tmp_path / "out"), "--candidates",
                        ",".join(names), "--costs", str(costs), "--evaluations", "2", "--samples", "20",
                        "--batch-size", "20", "--calib-batches", "1"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "RuntimeWarning" not in r.stderr
    d = json.loads((tmp_path / "out" / "explore.json").read_text())
    assert d["evaluations"] == 2 and len(d["layers"]) == 34
    assert (tmp_path / "out" / "report.md").exists() and (tmp_path / "out" / "explore.png").exists()
    r = subprocess.run([sys.executable, "-m", "axx.explore", "--out", str(tmp_path / "o2"), "--candidates",
                        "no_such_multiplier"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "no_such_multiplier" in r.stderr
    assert not (tmp_path / "o2").exists()


class _Costed(axx.Multiplier):
    """A multiplier whose cost() answers as Multiplier.cost() does (or fails with a UsageError)."""

    def __init__(self, table, name, power):
        super().__init__(table.to(torch.int32), signed=True, name=name)
        self._power = power

    def cost(self):
        if self._power is None:
            raise axx.UsageError(f"{self.name}: no netlist to cost")
        return {"power_rel": self._power, "area_rel": 0.0}


def test_costs_from_multiplier_cost_and_overrides():
    zero = _Costed(torch.zeros(256, 256), "zero", 0.2)
    mild = _Costed(torch.div(_EXACT, 4, rounding_mode="floor") * 4, "mild", None)
    with pytest.raises(axx.UsageError, match="'mild'"):
        axx.explore(Toy(), DATA, [zero, mild], evaluations=1, progress=False)
    res = axx.explore(Toy(), DATA, [zero, mild], costs={"mild": 0.6}, evaluations=1, progress=False)
    assert res.costs == {"mul8s_exact": 1.0, "zero": 0.2, "mild": 0.6}
    res = axx.explore(Toy(), DATA, [zero, mild], costs={"mild": 0.6, "zero": 0.5}, evaluations=1, progress=False)
    assert res.costs["zero"] == 0.5
