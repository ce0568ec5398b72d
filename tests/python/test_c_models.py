"""Multiplier.from_file on C models that crash, hang or call exit(): an axx.InputError naming the
function and the operands, raised in a torch process with worker threads running, which carries on
(the model runs in child processes, never in this one)."""
from __future__ import annotations

import threading

import pytest
import torch

import axx

BODY = """#include <stdint.h>
#include <stdlib.h>
int16_t mul(int8_t a, int8_t b) {{
  if (a == 7 && b == -2) {{ {failure} }}
  return (int16_t)(a * b);
}}
"""


def model(tmp_path, failure: str):
    path = tmp_path / "m.c"
    path.write_text(BODY.format(failure=failure))
    return path


def test_segfault_names_function_and_operands(tmp_path):
    torch.set_num_threads(2)
    torch.ones(256, 256) @ torch.ones(256, 256)  # torch's worker threads are up
    path = model(tmp_path, "volatile int* p = 0; *p = 1;")
    with pytest.raises(axx.InputError) as e:
        axx.Multiplier.from_file(path)
    assert str(e.value) == (f"{path}: function 'mul' crashed at a=7, b=-2: SIGSEGV (invalid memory access, "
                            "or a stack overflow such as from unbounded recursion)")


def test_exit_in_the_model_does_not_end_python(tmp_path):
    path = model(tmp_path, "exit(3);")
    with pytest.raises(axx.InputError, match=r"function 'mul' ended the process with exit\(3\) at a=7, b=-2$"):
        axx.Multiplier.from_file(path)


def test_hang_hits_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("AXX_C_TIMEOUT", "0.5")
    path = model(tmp_path, "volatile int spin = 1; while (spin) {}")
    with pytest.raises(axx.InputError, match=r"function 'mul' did not return within 0\.5 s at a=7, b=-2 "):
        axx.Multiplier.from_file(path)


def test_healthy_model_from_another_python_thread(tmp_path):
    # From a thread other than the main one, while the main thread computes in torch.
    path = model(tmp_path, "")
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("m", axx.Multiplier.from_file(path)))
    t.start()
    for _ in range(20):
        torch.ones(128, 128) @ torch.ones(128, 128)
    t.join()
    v = torch.arange(256)
    v = torch.where(v >= 128, v - 256, v)
    assert torch.equal(result["m"].lut, (v[:, None] * v[None, :]).int())
