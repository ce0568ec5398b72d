"""axx.Multiplier: from_file (C, BLIF, structural and behavioural Verilog, .npy, .json), builtin, from_lut,
metrics, low-rank rank, errors mapped to Python exceptions, copying and pickling."""
from __future__ import annotations

import copy
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import axx
from conftest import lowrank_table, random_table, values

METRIC_KEYS = ["name", "bits_a", "bits_b", "signed", "ep_percent", "mae", "mae_percent", "wce",
               "wce_percent", "mse", "rmse", "mre_percent", "wcre_percent", "mred", "nmed", "bias",
               "error_variance"]

# A 2x2-bit unsigned multiplier that gets only 3 * 3 wrong (7 instead of 9): the output's
# top bit is never set and the carry into bit 2 is dropped. The same design in four forms.
KMUL_C = """\
#include <stdint.h>
/* approximate 2x2 multiplier */
uint8_t kmul(uint8_t a, uint8_t b) {
  return (a == 3 && b == 3) ? 7 : (uint8_t)(a * b);
}
"""

KMUL_BLIF = """\
# approximate 2x2 multiplier
.model kmul
.inputs a[0] a[1] b[0] b[1]
.outputs p[0] p[1] p[2] p[3]
.names a[0] b[0] p[0]
11 1
.names a[1] b[0] a[0] b[1] p[1]
11-- 1
--11 1
.names a[1] b[1] p[2]
11 1
.names p[3]
.end
"""

KMUL_STRUCT_V = """\
// approximate 2x2 multiplier, structural
module kmul(a, b, p);
  input [1:0] a;
  input [1:0] b;
  output [3:0] p;
  assign p[0] = a[0] & b[0];
  assign p[1] = (a[1] & b[0]) | (a[0] & b[1]);
  assign p[2] = a[1] & b[1];
  assign p[3] = 1'b0;
endmodule
"""

KMUL_BEHAV_V = """\
module kmul(input [1:0] a, input [1:0] b, output [3:0] p);
  assign p = (a == 2'd3 && b == 2'd3) ? 4'd7 : a * b;
endmodule
"""


def kmul_table() -> torch.Tensor:
    x = torch.arange(4)
    t = (x[:, None] * x[None, :]).int()
    t[3, 3] = 7
    return t


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- from_file -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,text,options", [
    ("kmul.c", KMUL_C, {"bits": 2}),
    ("kmul.blif", KMUL_BLIF, {}),
    ("kmul.v", KMUL_STRUCT_V, {"yosys": False}),
])
def test_from_file_sources_give_the_same_table(tmp_path, name, text, options):
    path = write(tmp_path, name, text)
    m = axx.Multiplier.from_file(path, signed=False, **options)
    assert m.name == "kmul"
    assert (m.bits_a, m.bits_b, m.is_signed) == (2, 2, False)
    assert m.lut.dtype == torch.int32 and m.lut.shape == (4, 4)
    assert torch.equal(m.lut, kmul_table())
    assert m.provenance["path"]


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_from_file_behavioural_verilog_through_yosys(tmp_path):
    path = write(tmp_path, "kmul_behav.v", KMUL_BEHAV_V)
    m = axx.Multiplier.from_file(str(path), signed=False, top="kmul", name="kmul_yosys")
    assert m.name == "kmul_yosys"
    assert torch.equal(m.lut, kmul_table())


def test_from_file_options(tmp_path):
    path = write(tmp_path, "kmul.c", KMUL_C)
    m = axx.Multiplier.from_file(path, signed=False, a_bits=2, b_bits=3, name="renamed")
    assert (m.name, m.bits_a, m.bits_b) == ("renamed", 2, 3)
    assert m.lut[3, 3] == 7 and m.lut[3, 5] == 15
    options = ("(expected: bits, a_bits, b_bits, name, top, func, port_a, port_b, port_out, yosys, "
               "yosys_bin)")
    with pytest.raises(axx.ArgumentTypeError) as info:
        axx.Multiplier.from_file(path, colour="red")
    assert str(info.value) == f"Multiplier.from_file: unknown option(s) colour {options}"
    # The old port keywords are gone (a, b, out were too easy to mistake for other things).
    with pytest.raises(axx.ArgumentTypeError) as info:
        axx.Multiplier.from_file(path, out="p")
    assert str(info.value) == f"Multiplier.from_file: unknown option(s) out {options}"
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(path, bits=2, a_bits=2)
    assert str(info.value) == "Multiplier.from_file: give bits or a_bits/b_bits, not both"


def test_from_file_func_picks_one_of_several(tmp_path):
    path = write(tmp_path, "two.c", KMUL_C + "int other(int a, int b) { return a + b; }\n")
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(path, signed=False, bits=2)
    assert str(info.value) == f"{path}: several functions (kmul, other); choose one with --func"
    m = axx.Multiplier.from_file(path, signed=False, bits=2, func="kmul")
    assert torch.equal(m.lut, kmul_table())
    m = axx.Multiplier.from_file(path, signed=False, bits=2, func="other")
    assert m.lut[3, 3] == 6


def test_from_file_npy_round_trip(tmp_path):
    m = random_table(4, True)
    np.save(tmp_path / "t.npy", m.lut.numpy())
    back = axx.Multiplier.from_file(tmp_path / "t.npy", signed=True)
    assert torch.equal(back.lut, m.lut) and back.is_signed
    assert back.provenance["signedness"] == "given: signed=True"
    # A .npy says nothing about its operands: the caller must.
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(tmp_path / "t.npy")
    assert str(info.value) == (f"{tmp_path / 't.npy'}: a .npy table does not say whether its "
                               f"operands are signed; give signed=True or signed=False")


def test_from_file_json_round_trip(tmp_path):
    # json.dump of a table (a bare 2-D list) and of an object like axx's --format json output.
    m = random_table(5, False)
    (tmp_path / "bare.json").write_text(json.dumps(m.lut.tolist()))
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(tmp_path / "bare.json")
    assert str(info.value) == (f"{tmp_path / 'bare.json'}: a bare JSON array does not say whether "
                               f"its operands are signed; give signed=True or signed=False")
    back = axx.Multiplier.from_file(tmp_path / "bare.json", signed=False)
    assert torch.equal(back.lut, m.lut) and not back.is_signed and back.name == "bare"
    (tmp_path / "obj.json").write_text(json.dumps(
        {"name": "mine", "signed": False, "metrics": {"mae": 1.0}, "table": m.lut.tolist()}))
    back = axx.Multiplier.from_file(tmp_path / "obj.json")  # the file's "signed"
    # Named after the file, like every file input (the "name" inside is not used).
    assert torch.equal(back.lut, m.lut) and not back.is_signed and back.name == "obj"
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(tmp_path / "obj.json", signed=True)
    assert str(info.value) == (f'{tmp_path / "obj.json"}: its "signed" key says unsigned; '
                               f'signed=True contradicts it')
    (tmp_path / "bad.json").write_text('{"table": [[1, 2], [3, 4],\n [5], [7, 8]]}')
    with pytest.raises(axx.ParseError) as info:
        axx.Multiplier.from_file(tmp_path / "bad.json", signed=True)
    assert (info.value.line, info.value.col) == (2, 2)
    assert str(info.value) == f"{tmp_path / 'bad.json'}:2:2: row 2 has 1 entries, row 0 has 2"


def test_bad_blif_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.blif", ".model bad\n.inputs a[0] b[0]\n.bogus x\n.end\n")
    with pytest.raises(axx.ParseError) as info:
        axx.Multiplier.from_file(path)
    e = info.value
    assert str(e) == f"{path}:3: unsupported BLIF construct '.bogus'"
    assert (e.file, e.line) == (str(path), 3)
    assert isinstance(e, axx.InputError) and isinstance(e, ValueError)
    assert isinstance(e, axx.AxxError)


def test_bad_c_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.c", "#include <stdint.h>\n\nint mul(int a, int b) {\n"
                                    "  return a * b\n}\n")
    with pytest.raises(axx.ParseError) as info:
        axx.Multiplier.from_file(path, bits=2, signed=True)
    # After file and line comes the C compiler's own diagnostic, whose wording is the compiler's.
    assert str(info.value).startswith(f"{path}:4:")
    assert (info.value.file, info.value.line) == (str(path), 4)


def test_missing_file_and_unknown_kind(tmp_path):
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_file(tmp_path / "nothere.blif")
    assert str(info.value) == f"{tmp_path / 'nothere.blif'}: cannot open: No such file or directory"
    path = write(tmp_path, "table.txt", "1 2 3\n")
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_file(path)
    assert str(info.value) == (f"{path}: unknown input kind; expected one of: .blif (blif); "
                               f".v, .sv (verilog); .c, .cpp, .cc, .cxx (c); builtin:NAME "
                               f"(builtin); .h, .hpp, .hh, .cuh (header); .npy (npy); "
                               f".json (json)")


def test_missing_yosys_is_a_tool_error(tmp_path):
    path = write(tmp_path, "kmul_behav.v", KMUL_BEHAV_V)
    with pytest.raises(axx.ToolError) as info:
        axx.Multiplier.from_file(path, signed=False, yosys=True,
                                 yosys_bin=str(tmp_path / "no-such-yosys"))
    assert isinstance(info.value, RuntimeError)
    assert str(info.value) == (f"yosys not found ('{tmp_path / 'no-such-yosys'}' is not an "
                               f"executable); it is needed to read {path}: install the Debian "
                               f"package 'yosys' (apt-get install yosys) or name the executable "
                               f"with the yosys-bin option")


# --- signedness: one rule, the CLI's, applied in C++ -------------------------------------------

BUNDLED = Path(__file__).resolve().parents[2] / "multipliers" / "src"


def trunc6_table() -> torch.Tensor:
    """The truncated unsigned 8x8 array (columns below 2^6 dropped) by a plain loop."""
    t = torch.zeros(256, 256, dtype=torch.int64)
    for a in range(256):
        for b in range(256):
            t[a, b] = sum(((a << i) & ~63) for i in range(8) if (b >> i) & 1)
    return t


def test_unsigned_c_design_is_read_as_its_types_declare():
    # uint8_t parameters: unsigned, with no signed= needed; the table and MAE equal the loop's.
    m = axx.Multiplier.from_file(BUNDLED / "mul8u_trunc6.c")
    assert not m.is_signed
    expected = trunc6_table()
    assert torch.equal(m.lut.long(), expected)
    x = torch.arange(256)
    exact = x[:, None] * x[None, :]
    assert m.metrics["mae"] == (expected - exact).abs().sum().item() / 65536
    assert m.metrics["signed"] is False
    assert m.provenance["signedness"] == ("parameter `uint8_t a` and parameter `uint8_t b` are "
                                          "declared unsigned")
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(BUNDLED / "mul8u_trunc6.c", signed=True)
    assert str(info.value) == (f"{BUNDLED / 'mul8u_trunc6.c'}: parameter `uint8_t a` and "
                               f"parameter `uint8_t b` are declared unsigned; signed=True "
                               f"contradicts it")


def test_blif_needs_signed(tmp_path):
    path = write(tmp_path, "kmul.blif", KMUL_BLIF)
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(path)
    assert str(info.value) == (f"{path}: BLIF ports carry no signedness; give signed=True or "
                               f"signed=False")
    m = axx.Multiplier.from_file(path, signed=False)
    assert not m.is_signed and torch.equal(m.lut, kmul_table())


def test_options_that_do_not_apply(tmp_path):
    path = write(tmp_path, "kmul.c", KMUL_C)
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(path, bits=2, port_out="p")
    assert str(info.value) == (f"{path}: port_out does not apply to a C function (its options: "
                               f"signed, bits, a_bits, b_bits, name, func)")
    blif = write(tmp_path, "kmul.blif", KMUL_BLIF)
    blif_options = ("(its options: signed, bits, a_bits, b_bits, name, top, port_a, port_b, "
                    "port_out)")
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(blif, signed=False, func="kmul")
    assert str(info.value) == f"{blif}: func does not apply to a BLIF netlist {blif_options}"
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(blif, signed=False, yosys=False)
    assert str(info.value) == f"{blif}: yosys does not apply to a BLIF netlist {blif_options}"


def test_metrics_print_integers_as_integers():
    m = axx.Multiplier.builtin("mul8s_trunc8")
    x = values(torch.arange(256), True)
    wce = (m.lut.long() - x[:, None] * x[None, :]).abs().max().item()
    metrics = m.metrics
    assert metrics["wce"] == wce and isinstance(metrics["wce"], int)
    assert json.dumps(metrics["wce"]) == str(wce)                 # 1793, as `axx metrics --json`
    assert isinstance(metrics["mae"], float)                      # 576.25


# --- builtin, multipliers() --------------------------------------------------------------------

def test_multipliers_lists_builtins():
    listed = axx.multipliers()
    names = [m.name for m in listed]
    assert "mul8s_exact" in names and "mul8u_exact" in names
    assert len(set(names)) == len(names)
    assert all(isinstance(m.description, str) and m.description for m in listed)
    name, description, family, params, citation = listed[0]
    assert name == listed[0].name
    assert (family, params) == ("exact", "")
    assert all(m.family and m.citation for m in listed)
    drum = {m.name: m for m in listed}["mul8s_drum4"]
    assert (drum.family, drum.params) == ("drum", "k=4")
    assert "DRUM" in drum.citation


@pytest.mark.parametrize("signed", [True, False])
def test_builtin_exact(signed):
    m = axx.Multiplier.builtin("mul8s_exact" if signed else "mul8u_exact")
    assert (m.bits_a, m.bits_b, m.is_signed) == (8, 8, signed)
    x = values(torch.arange(256), signed)
    assert torch.equal(m.lut, (x[:, None] * x[None, :]).int())
    metrics = m.metrics
    assert list(metrics) == METRIC_KEYS
    assert metrics["name"] == m.name and metrics["signed"] == signed
    assert metrics["ep_percent"] == 0 and metrics["mae"] == 0 and metrics["wce"] == 0
    assert m.rank == 0


def test_every_builtin_loads():
    for info in axx.multipliers():
        m = axx.Multiplier.builtin(info.name)
        assert m.name == info.name
        assert m.lut.shape == (2**m.bits_a, 2**m.bits_b)


def test_unknown_builtin_lists_valid_names():
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.builtin("nope")
    names = ", ".join(info.name for info in axx.multipliers())
    assert names.startswith("mul8s_exact, mul8u_exact, ")
    assert str(info.value) == (f"builtin:nope: unknown built-in multiplier 'nope'; valid names: "
                               f"{names}")


def test_approximate_builtin_metrics():
    m = axx.Multiplier.builtin("mul8s_trunc8")
    metrics = m.metrics
    assert metrics["ep_percent"] > 0 and metrics["mae"] > 0 and metrics["wce"] >= metrics["mae"]
    err = m.lut.double() - (values(torch.arange(256), True)[:, None]
                            * values(torch.arange(256), True)[None, :]).double()
    assert metrics["mae"] == pytest.approx(err.abs().mean().item(), rel=1e-12)
    assert metrics["wce"] == err.abs().max().item()


# --- from_lut ------------------------------------------------------------------------------------

def test_from_lut_accepts_tensors_and_arrays():
    t = torch.arange(16 * 64).reshape(16, 64)
    m = axx.Multiplier.from_lut(t, signed=False, name="ramp")
    assert (m.name, m.bits_a, m.bits_b, m.is_signed) == ("ramp", 4, 6, False)
    assert m.lut.dtype == torch.int32 and torch.equal(m.lut, t.int())
    t[0, 0] = 99  # the multiplier keeps its own copy
    assert m.lut[0, 0] == 0
    n = axx.Multiplier.from_lut(np.arange(16, dtype=np.int16).reshape(4, 4))
    assert (n.bits_a, n.bits_b, n.is_signed, n.name) == (2, 2, True, "custom")
    assert n.provenance["signedness"] == "given: signed=True"
    assert list(n.metrics) == METRIC_KEYS


def test_from_lut_checks():
    sides = ("Multiplier: table sides must be powers of two from 4 to 4096 (2 to 12 bits per "
             "operand), got shape ")
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut(torch.zeros(256, dtype=torch.int32))
    assert str(info.value) == ("Multiplier: the table must be 2-D (rows = operand A, columns = "
                               "operand B), got shape (256,)")
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut(torch.zeros(3, 256, dtype=torch.int32))
    assert str(info.value) == sides + "(3, 256)"
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut(torch.zeros(2, 2, dtype=torch.int32))
    assert str(info.value) == sides + "(2, 2)"
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut(torch.zeros(4, 4))
    assert str(info.value) == "Multiplier: the table must hold integers, got torch.float32"
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut(torch.tensor([[0, 2**32]] * 2).repeat(2, 2))
    assert str(info.value) == ("Multiplier: table values must fit in int32, got range "
                               "[0, 4294967296]")
    with pytest.raises(axx.InputError) as info:
        axx.Multiplier.from_lut([[1, 2, 3]])
    assert isinstance(info.value, ValueError)
    assert str(info.value) == sides + "(1, 3)"


# --- low-rank form -------------------------------------------------------------------------------

@pytest.mark.parametrize("signed", [True, False])
def test_rank(signed):
    assert lowrank_table(5, signed, rank=3).rank == 3
    assert random_table(6, signed).rank is None
    lut, u, v = lowrank_table(5, signed, rank=3)._tables("cpu")
    assert lut.shape == (256, 256) and u.shape == (3, 256) and v.shape == (3, 256)
    assert random_table(6, signed)._tables("cpu")[1:] == (None, None)


def test_lowrank_form_reproduces_the_table():
    m = lowrank_table(7, True, rank=2)
    lut, u, v = m._tables("cpu")
    x = values(torch.arange(256), True)
    rebuilt = x[:, None] * x[None, :] + (u.long()[:, :, None] * v.long()[:, None, :]).sum(0)
    assert torch.equal(rebuilt, lut.long())


# --- Python protocol -----------------------------------------------------------------------------

def test_copy_and_pickle():
    m = lowrank_table(8, False)
    assert copy.deepcopy(m) is m and copy.copy(m) is m
    back = pickle.loads(pickle.dumps(m))
    assert back is not m
    assert (back.name, back.is_signed, back.bits_a, back.bits_b) == (m.name, False, 8, 8)
    assert torch.equal(back.lut, m.lut) and back.rank == m.rank
    assert repr(m) == "Multiplier('lowrank8', 8x8 unsigned)"


def test_cuda_available_is_a_bool():
    assert isinstance(axx.cuda_available(), bool)
    if not torch.cuda.is_available():
        assert axx.cuda_available() is False


# --- cost ---------------------------------------------------------------------------------------

COST_KEYS = ["name", "bits_a", "bits_b", "signed", "gates", "area_nand2", "depth", "power_proxy",
             "area_rel", "power_rel", "depth_rel", "cells", "activity", "pairs", "user_figures"]
REPO = Path(__file__).resolve().parents[2]


def _axx_cost_json(*args):
    """`axx cost --json` of the built binary (an independent path to the same figures)."""
    import subprocess
    binary = REPO / "build" / "converter" / "axx"
    if not binary.exists():
        pytest.skip("the axx binary is not built (cmake --build build --target axx)")
    out = subprocess.run([str(binary), "cost", "--json", *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("name", ["mul8s_exact", "mul8u_exact"])
def test_cost_of_exact_builtin_is_one(name):
    c = axx.Multiplier.builtin(name).cost()
    assert list(c) == COST_KEYS
    assert (c["area_rel"], c["power_rel"], c["depth_rel"]) == (1.0, 1.0, 1.0)
    assert c["activity"] == "uniform" and c["pairs"] == 100000 and c["user_figures"] == []
    assert isinstance(c["gates"], int) and sum(c["cells"].values()) == c["gates"]


def test_cost_matches_the_cli():
    for name in ["mul8s_trunc8", "mul8u_drum4", "mul8s_mitchell"]:
        c = axx.Multiplier.builtin(name).cost()
        (j,) = _axx_cost_json("builtin:" + name)
        for key in COST_KEYS[:-1]:
            assert c[key] == j[key], (name, key)
        assert c["area_rel"] < 1.0 or name == "mul8s_mitchell"
    src = REPO / "multipliers" / "src" / "mul8s_bam_h1v6.blif"
    m = axx.Multiplier.from_file(src, signed=True)
    (j,) = _axx_cost_json(str(src), "--signed", "--pairs", "500", "--seed", "7")
    c = m.cost(pairs=500, seed=7)
    for key in COST_KEYS[:-1]:
        assert c[key] == j[key], key


def test_cost_activity_tensor_array_and_npy(tmp_path):
    m = axx.Multiplier.builtin("mul8s_trunc8")
    rng = np.random.default_rng(0)
    # Small non-negative operands: no sign bits flip, far less switching than uniform bytes.
    pairs = rng.integers(0, 4, size=(2000, 2))
    from_array = m.cost(activity=pairs)
    from_tensor = m.cost(activity=torch.from_numpy(pairs).to(torch.int16))
    np.save(tmp_path / "act.npy", pairs.astype(np.int8))
    from_file = m.cost(activity=tmp_path / "act.npy")
    (cli,) = _axx_cost_json("builtin:mul8s_trunc8", "--activity", str(tmp_path / "act.npy"))
    assert from_array["power_proxy"] == from_tensor["power_proxy"] == from_file["power_proxy"]
    assert from_file["power_proxy"] == cli["power_proxy"]
    assert from_file["power_rel"] == cli["power_rel"]
    assert from_file["activity"] == str(tmp_path / "act.npy") and from_file["pairs"] == 2000
    assert from_array["power_proxy"] < m.cost()["power_proxy"] / 2
    assert from_array["area_nand2"] == m.cost()["area_nand2"]
    with pytest.raises(axx.InputError) as info:
        m.cost(activity=[[0, 1], [200, 1]])
    assert str(info.value) == ("Multiplier.cost activity: pair 1: operand A value 200 is outside the 8-bit signed "
                               "range [-128, 127]")
    with pytest.raises(axx.InputError) as info:
        m.cost(activity=np.zeros((4, 3), dtype=np.int64))
    assert str(info.value) == ("Multiplier.cost: activity must have shape (n, 2) (column 0 "
                               "operand A, column 1 operand B), got (4, 3)")
    with pytest.raises(axx.InputError) as info:
        m.cost(activity=np.zeros((4, 2)))
    assert str(info.value) == ("Multiplier.cost: activity must hold integer operand values, got "
                               "torch.float64")


def test_cost_needs_a_netlist_unless_figures_are_given(tmp_path):
    table = axx.Multiplier.builtin("mul8u_exact").lut
    m = axx.Multiplier.from_lut(table, signed=False)
    needs = ("was made from a table, which has no gates; its cost needs a gate-level netlist "
             "(Multiplier.from_file on a .blif/.v/.sv file, or Multiplier.builtin), or figures "
             "given as cost={'area_rel': ..., 'power_rel': ...} when the multiplier is made")
    with pytest.raises(axx.UsageError) as info:
        m.cost()
    assert str(info.value) == f"Multiplier.cost: 'custom' {needs}"
    np.save(tmp_path / "t.npy", table.numpy())
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_file(tmp_path / "t.npy", signed=False).cost()
    assert str(info.value) == f"Multiplier.cost: 't' {needs}"
    given = axx.Multiplier.from_lut(table, signed=False, cost={"area_rel": 0.5, "power_rel": 0.25})
    c = given.cost()
    assert (c["area_rel"], c["power_rel"], c["user_figures"]) == (0.5, 0.25, ["area_rel", "power_rel"])
    assert "gates" not in c
    with pytest.raises(axx.UsageError) as info:
        given.cost(activity=[[1, 2], [3, 4]])
    assert str(info.value) == ("Multiplier.cost: 'custom' is costed by the figures it was given; "
                               "activity needs a gate-level netlist to simulate")
    # Pickles keep the figures.
    assert pickle.loads(pickle.dumps(given)).cost()["area_rel"] == 0.5


def test_user_figures_override_estimates():
    estimate = axx.Multiplier.builtin("mul8s_trunc8").cost()
    m = axx.Multiplier.builtin("mul8s_trunc8", cost={"area_rel": 0.3, "gates": 99})
    c = m.cost()
    assert (c["area_rel"], c["gates"], c["user_figures"]) == (0.3, 99, ["area_rel", "gates"])
    assert c["power_rel"] == estimate["power_rel"]
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.builtin("mul8s_trunc8", cost={"area": 1})
    assert str(info.value) == ("Multiplier: unknown cost figure 'area' (expected: gates, "
                               "area_nand2, depth, power_proxy, area_rel, power_rel, depth_rel)")
    with pytest.raises(axx.UsageError) as info:
        axx.Multiplier.from_lut(estimate and axx.Multiplier.builtin("mul8s_exact").lut,
                                cost={"power_rel": -1})
    assert str(info.value) == ("Multiplier: cost figure power_rel must be a non-negative number, "
                               "got -1")
