"""The CPU kernels under every instruction set this machine has (axx.set_cpu_isa), bit for bit
against the int64 reference: on the development and CI machines "portable" and "avx2"; on the
GPU machine's Xeon also "avxvnni", "avx512" (VNNI/VBMI) and "amx" (AMX-INT8 tiles)."""
from __future__ import annotations

import pytest
import torch

import axx
from conftest import lowrank_table, random_operand, random_table, ref_matmul


@pytest.fixture
def restore_cpu_settings():
    yield
    axx.set_cpu_isa("auto")
    axx.set_cpu_threads(0)


def multipliers_for_isa_test(signed: bool):
    ms = [random_table(3, signed), lowrank_table(4, signed, rank=3)]
    if signed:  # small-factor forms: the AVX2 byte kernel, AVX-512/AMX byte form
        ms += [axx.Multiplier.builtin("mul8s_trunc4"), axx.Multiplier.builtin("mul8s_bam_h1v6"),
               axx.Multiplier.builtin("mul8s_drum4")]  # drum4: int16 form
    return ms


# Every instruction set the kernels know, so that a machine without some reports them as skipped
# (with the reason) rather than collecting fewer cases silently.
ALL_ISAS = ["portable", "avx2", "avxvnni", "avx512", "amx"]
ISA_PARAMS = [pytest.param(isa, marks=pytest.mark.skipif(isa not in axx.supported_cpu_isas(),
                                                         reason=f"this CPU lacks {isa}"))
              for isa in ALL_ISAS]


def test_isa_list_is_complete():
    assert set(axx.supported_cpu_isas()) <= set(ALL_ISAS)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("isa", ISA_PARAMS)
def test_every_cpu_isa_equals_reference(isa, signed, restore_cpu_settings):
    axx.set_cpu_isa(isa)
    assert axx.cpu_isa() == isa
    # Small, odd-sized and large enough for the column tables / several K blocks and AMX steps.
    shapes = [((7, 37), (37, 13)), ((130, 300), (300, 67)), ((2, 40, 700), (2, 700, 45))]
    for threads in (1, 3):
        axx.set_cpu_threads(threads)
        for i, (sa, sb) in enumerate(shapes):
            a = random_operand(sa, signed, 20 + i, "cpu")
            b = random_operand(sb, signed, 30 + i, "cpu")
            for m in multipliers_for_isa_test(signed):
                want = ref_matmul(a, b, m)
                for path in ("auto", "lut", "lowrank") if m.rank is not None else ("auto", "lut"):
                    got = axx.ops.lut_matmul(a, b, m, path=path)
                    assert torch.equal(got, want), (isa, threads, sa, m.name, path)


def test_cpu_settings_report_and_reject(restore_cpu_settings):
    supported = axx.supported_cpu_isas()
    assert "portable" in supported
    axx.set_cpu_isa("auto")
    assert axx.cpu_isa() == supported[-1]  # auto = the best supported
    with pytest.raises(axx.UsageError, match="unknown instruction set 'sse9'"):
        axx.set_cpu_isa("sse9")
    for isa in {"avx2", "avxvnni", "avx512", "amx"} - set(supported):
        with pytest.raises(axx.UsageError, match="does not support"):
            axx.set_cpu_isa(isa)
    axx.set_cpu_threads(2)
    assert axx.cpu_threads() == 2
    with pytest.raises(axx.UsageError, match="negative thread count"):
        axx.set_cpu_threads(-1)
