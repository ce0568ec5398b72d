"""Bad arguments to every public entry point raise a typed axx exception whose message names the
function and the argument; awkward but valid tensors (empty, non-contiguous) give the right result.

The table below lists (call, exception class, whole message). The class is compared exactly
(``type(e) is cls``), so a check that starts raising a plain ``ValueError`` or torch's
``RuntimeError`` fails here; the message is compared whole, as in test_ops.py. Results of
valid-but-awkward operands are compared with the int64 gather-and-sum references of conftest.py,
which share no code with the kernels.
"""
from __future__ import annotations

import os
from typing import Callable, NamedTuple

import pytest
import torch
from torch import nn

import axx
from axx.nn import ApproxConv2d, ApproxLinear, ApproxMatmul, approx_product
from axx.nn._product import LinearKind, table_for
from conftest import lowrank_table, random_operand, random_table, ref_conv2d, ref_matmul

_random_operand = random_operand

S = random_table(1, True)           # signed, full rank: lookup paths only
U = random_table(2, False)          # unsigned
L = lowrank_table(3, True)          # signed, exact rank 2: every path
EXACT = axx.Multiplier.builtin("mul8s_exact")
SMALL = axx.Multiplier.from_lut(torch.zeros(16, 16, dtype=torch.int32), name="m4")
PATHS = ("auto", "lut", "lowrank", "baseline")


def i8(*shape, device="cpu"):
    return torch.zeros(shape, dtype=torch.int8, device=device)


def u8(*shape):
    return torch.zeros(shape, dtype=torch.uint8)


def f32(*shape, device="cpu"):
    return torch.zeros(shape, device=device)


def message(error: BaseException) -> str:
    text = str(error)
    if os.environ.get("TORCH_SHOW_CPP_STACKTRACES", "0") not in ("", "0"):
        text = text.split("\nException raised from ", 1)[0]
    return text


class Case(NamedTuple):
    id: str
    call: Callable[[], object]
    error: type
    message: str


def _conv_m(x, w, **kw):
    return lambda: axx.ops.lut_conv2d(x, w, S, **kw)


def _raw_matmul(a, b, lut, u=None, v=None):
    return lambda: torch.ops.axx.lut_matmul(a, b, lut, u, v, True)


LUT = torch.zeros(256, 256, dtype=torch.int32)
FACTOR = torch.zeros(2, 256, dtype=torch.int32)

ATE = "ArgumentTypeError"


def _err(name):
    return getattr(axx, name)


CASES = [
    # --- axx.ops.lut_matmul: dtypes -------------------------------------------------------------
    Case("matmul-a-float", lambda: axx.ops.lut_matmul(f32(2, 3), i8(3, 4), S), _err(ATE),
         "axx.lut_matmul: a must be torch.int8 for a signed multiplier, got torch.float32"),
    Case("matmul-a-int16", lambda: axx.ops.lut_matmul(i8(2, 3).short(), i8(3, 4), S), _err(ATE),
         "axx.lut_matmul: a must be torch.int8 for a signed multiplier, got torch.int16"),
    Case("matmul-b-bool", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4).bool(), S), _err(ATE),
         "axx.lut_matmul: b must be torch.int8 for a signed multiplier, got torch.bool"),
    Case("matmul-a-int8-unsigned", lambda: axx.ops.lut_matmul(i8(2, 3), u8(3, 4), U), _err(ATE),
         "axx.lut_matmul: a must be torch.uint8 for an unsigned multiplier, got torch.int8"),
    Case("matmul-a-list", lambda: axx.ops.lut_matmul([[1]], i8(3, 4), S), _err(ATE),
         "axx.lut_matmul: a must be a torch.Tensor, got list"),
    Case("matmul-multiplier-str", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4), "mul8s_exact"),
         _err(ATE), "axx.lut_matmul: multiplier must be an axx.Multiplier, got str"),
    Case("matmul-path-int", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4), S, path=1), _err(ATE),
         "axx.lut_matmul: path must be a str (one of auto, lut, lowrank, baseline), got int"),
    Case("matmul-path-unknown", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4), S, path="fast"),
         axx.UsageError,
         "axx.lut_matmul: unknown path 'fast' (expected one of: auto, lut, lowrank, baseline)"),
    Case("matmul-path-lowrank-none", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4), S, path="lowrank"),
         axx.UsageError, "axx.lut_matmul: path 'lowrank' needs the multiplier's exact low-rank form "
                         "(lowrank_u, lowrank_v); this table has none"),
    Case("matmul-wide-table",
         lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4),
                                    axx.Multiplier.from_lut(LUT.repeat(2, 2)[:512, :512], name="w9")),
         axx.UsageError, "axx.lut_matmul: multiplier 'w9' has 9x9-bit operands (table shape "
                         "(512, 512)); the emulator runs operands of up to 8 bits"),
    # --- shapes
    Case("matmul-a-0d", lambda: axx.ops.lut_matmul(i8(), i8(3, 4), S), axx.UsageError,
         "axx.lut_matmul: a must have shape (..., M, K), got []"),
    Case("matmul-b-1d", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3), S), axx.UsageError,
         "axx.lut_matmul: b must have shape (K, N) or (..., K, N), got [3]"),
    Case("matmul-k-mismatch", lambda: axx.ops.lut_matmul(i8(2, 3), i8(4, 5), S), axx.UsageError,
         "axx.lut_matmul: K mismatch: a has shape [2, 3] (K = 3) but b has shape [4, 5] (K = 4)"),
    Case("matmul-k-mismatch-empty", lambda: axx.ops.lut_matmul(i8(0, 3), i8(0, 5), S), axx.UsageError,
         "axx.lut_matmul: K mismatch: a has shape [0, 3] (K = 3) but b has shape [0, 5] (K = 0)"),
    Case("matmul-batch", lambda: axx.ops.lut_matmul(i8(2, 4, 3), i8(3, 3, 5), S), axx.UsageError,
         "axx.lut_matmul: batch dimensions of a [2, 4, 3] and b [3, 3, 5] do not broadcast (2 vs 3)"),
    Case("matmul-batch-zero-vs-two", lambda: axx.ops.lut_matmul(i8(0, 4, 3), i8(2, 3, 5), S),
         axx.UsageError,
         "axx.lut_matmul: batch dimensions of a [0, 4, 3] and b [2, 3, 5] do not broadcast (0 vs 2)"),
    # --- devices (meta stands in for a second device on a machine without a GPU)
    Case("matmul-devices", lambda: axx.ops.lut_matmul(i8(2, 3), i8(3, 4, device="meta"), S),
         axx.UsageError, "axx.lut_matmul: a and b must be on the same device, got cpu and meta"),

    # --- axx.ops.lut_conv2d ---------------------------------------------------------------------
    Case("conv-x-float", _conv_m(f32(1, 3, 5, 5), i8(2, 3, 3, 3)), _err(ATE),
         "axx.lut_conv2d: x must be torch.int8 for a signed multiplier, got torch.float32"),
    Case("conv-w-int16", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3).short()), _err(ATE),
         "axx.lut_conv2d: w must be torch.int8 for a signed multiplier, got torch.int16"),
    Case("conv-x-bool", _conv_m(i8(1, 3, 5, 5).bool(), i8(2, 3, 3, 3)), _err(ATE),
         "axx.lut_conv2d: x must be torch.int8 for a signed multiplier, got torch.bool"),
    Case("conv-w-none", _conv_m(i8(1, 3, 5, 5), None), _err(ATE),
         "axx.lut_conv2d: w must be a torch.Tensor, got NoneType"),
    Case("conv-x-3d", _conv_m(i8(3, 5, 5), i8(2, 3, 3, 3)), axx.UsageError,
         "axx.lut_conv2d: x must be NCHW (4 dimensions), got shape [3, 5, 5]"),
    Case("conv-x-0d", _conv_m(i8(), i8(2, 3, 3, 3)), axx.UsageError,
         "axx.lut_conv2d: x must be NCHW (4 dimensions), got shape []"),
    Case("conv-w-3d", _conv_m(i8(1, 3, 5, 5), i8(3, 3, 3)), axx.UsageError,
         "axx.lut_conv2d: w must be OIHW (4 dimensions), got shape [3, 3, 3]"),
    Case("conv-w-channels", _conv_m(i8(1, 3, 5, 5), i8(2, 4, 3, 3)), axx.UsageError,
         "axx.lut_conv2d: w has shape [2, 4, 3, 3] so expects 4 input channels (4 per group x 1 "
         "groups), but x has shape [1, 3, 5, 5] (3 channels)"),
    Case("conv-w-hwio", _conv_m(i8(1, 2, 5, 5), i8(3, 3, 2, 4)), axx.UsageError,
         "axx.lut_conv2d: w has shape [3, 3, 2, 4] so expects 3 input channels (3 per group x 1 "
         "groups), but x has shape [1, 2, 5, 5] (2 channels)"),
    Case("conv-kernel-too-large", _conv_m(i8(1, 1, 3, 3), i8(1, 1, 5, 5)), axx.UsageError,
         "axx.lut_conv2d: output would be -1x-1 for input 3x3, kernel 5x5, padding [0, 0], dilation "
         "[1, 1], stride [1, 1]; the kernel does not fit"),
    Case("conv-dilated-kernel-too-large", _conv_m(i8(1, 1, 5, 5), i8(1, 1, 3, 3), dilation=3),
         axx.UsageError,
         "axx.lut_conv2d: output would be -1x-1 for input 5x5, kernel 3x3, padding [0, 0], dilation "
         "[3, 3], stride [1, 1]; the kernel does not fit"),
    Case("conv-kernel-zero", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 0, 3)), axx.UsageError,
         "axx.lut_conv2d: w has shape [2, 3, 0, 3]; the kernel must be at least 1x1"),
    Case("conv-input-height-zero", _conv_m(i8(1, 3, 0, 5), i8(2, 3, 1, 1)), axx.UsageError,
         "axx.lut_conv2d: output would be 0x5 for input 0x5, kernel 1x1, padding [0, 0], dilation "
         "[1, 1], stride [1, 1]; the kernel does not fit"),
    Case("conv-dilation-zero", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), dilation=0), axx.UsageError,
         "axx.lut_conv2d: dilation must be positive, got [0, 0]"),
    Case("conv-dilation-negative", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), dilation=(1, -1)),
         axx.UsageError, "axx.lut_conv2d: dilation must be positive, got [1, -1]"),
    Case("conv-dilation-triple", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), dilation=(1, 2, 3)),
         axx.UsageError, "axx.lut_conv2d: dilation must be an int or a pair, got (1, 2, 3)"),
    Case("conv-stride-float", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), stride=1.5), _err(ATE),
         "axx.lut_conv2d: stride must be an int or a pair of ints, got 1.5"),
    Case("conv-padding-str", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), padding="same"), _err(ATE),
         "axx.lut_conv2d: padding must be an int or a pair of ints, got 'same'"),
    Case("conv-stride-zero", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), stride=(0, 1)), axx.UsageError,
         "axx.lut_conv2d: stride must be positive, got [0, 1]"),
    Case("conv-padding-negative", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), padding=-1),
         axx.UsageError, "axx.lut_conv2d: padding must be non-negative, got [-1, -1]"),
    Case("conv-groups-zero", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), groups=0), axx.UsageError,
         "axx.lut_conv2d: groups must be positive, got 0"),
    Case("conv-groups-str", _conv_m(i8(1, 3, 5, 5), i8(2, 3, 3, 3), groups="2"), _err(ATE),
         "axx.lut_conv2d: groups must be an int, got '2'"),
    Case("conv-groups-in", _conv_m(i8(1, 6, 5, 5), i8(4, 1, 3, 3), groups=4), axx.UsageError,
         "axx.lut_conv2d: input channels (6) must be divisible by groups (4)"),
    Case("conv-groups-out", _conv_m(i8(1, 4, 5, 5), i8(3, 2, 3, 3), groups=2), axx.UsageError,
         "axx.lut_conv2d: output channels (3) must be divisible by groups (2)"),
    Case("conv-groups-w-channels", _conv_m(i8(1, 4, 5, 5), i8(4, 4, 3, 3), groups=2), axx.UsageError,
         "axx.lut_conv2d: w has shape [4, 4, 3, 3] so expects 8 input channels (4 per group x 2 "
         "groups), but x has shape [1, 4, 5, 5] (4 channels)"),
    Case("conv-devices", _conv_m(i8(1, 3, 5, 5, device="meta"), i8(2, 3, 3, 3)), axx.UsageError,
         "axx.lut_conv2d: x and w must be on the same device, got meta and cpu"),

    # --- the raw torch operators: torch's own ValueError (they run inside TorchScript/compile too)
    Case("raw-lut-device", _raw_matmul(i8(2, 3), i8(3, 4), LUT.to("meta")), ValueError,
         "axx.lut_matmul: lut must be on the operands' device cpu, got meta"),
    Case("raw-lowrank-u-device", _raw_matmul(i8(2, 3), i8(3, 4), LUT, FACTOR.to("meta"), FACTOR),
         ValueError, "axx.lut_matmul: lowrank_u must be on the operands' device cpu, got meta"),
    Case("raw-lowrank-v-device", _raw_matmul(i8(2, 3), i8(3, 4), LUT, FACTOR, FACTOR.to("meta")),
         ValueError, "axx.lut_matmul: lowrank_v must be on the operands' device cpu, got meta"),
    Case("raw-conv-lowrank-device",
         lambda: torch.ops.axx.lut_conv2d(i8(1, 1, 3, 3), i8(1, 1, 1, 1), LUT, FACTOR,
                                          FACTOR.to("meta"), True),
         ValueError, "axx.lut_conv2d: lowrank_v must be on the operands' device cpu, got meta"),
    Case("raw-lowrank-dtype", _raw_matmul(i8(2, 3), i8(3, 4), LUT, FACTOR.float(), FACTOR),
         ValueError, "axx.lut_matmul: lowrank_u must be an R x 256 torch.int32 tensor, got "
                     "torch.float32 of shape [2, 256]"),
    # the layers' one-pass quantize / dequantize
    Case("raw-quantize-dtype", lambda: torch.ops.axx.quantize(f32(2, 3).half(), f32(1), 0, -127, 127),
         TypeError, "axx.quantize: x must be torch.float32, got torch.float16"),
    Case("raw-quantize-scale-dtype", lambda: torch.ops.axx.quantize(f32(2, 3), f32(3).double(), 1, -127, 127),
         TypeError, "axx.quantize: scale must be torch.float32, got torch.float64"),
    Case("raw-quantize-scale-numel", lambda: torch.ops.axx.quantize(f32(2, 3), f32(3), 0, -127, 127),
         ValueError, "axx.quantize: scale must hold 1 element or x.size(0) = 2 elements (one per channel), "
                     "got 3 (shape [3])"),
    Case("raw-quantize-dim", lambda: torch.ops.axx.quantize(f32(2, 3), f32(1), -3, -127, 127), ValueError,
         "axx.quantize: dim -3 is out of range for x of shape [2, 3] (expected -2 <= dim < 2)"),
    Case("raw-quantize-range", lambda: torch.ops.axx.quantize(f32(2, 3), f32(1), 0, -127, 128), ValueError,
         "axx.quantize: qmin and qmax must satisfy -128 <= qmin <= qmax <= 127, got qmin = -127, qmax = 128"),
    Case("raw-quantize-device", lambda: torch.ops.axx.quantize(f32(2, 3), f32(1, device="meta"), 0, -127, 127),
         ValueError, "axx.quantize: x and scale must be on the same device, got cpu and meta"),
    Case("raw-dequantize-dtype", lambda: torch.ops.axx.dequantize(i8(2, 3), f32(1), 0), TypeError,
         "axx.dequantize: acc must be torch.int32, got torch.int8"),
    Case("raw-dequantize-scale-numel",
         lambda: torch.ops.axx.dequantize(i8(2, 3).int(), f32(2), -1), ValueError,
         "axx.dequantize: scale must hold 1 element or acc.size(-1) = 3 elements (one per channel), "
         "got 2 (shape [2])"),
    Case("raw-dequantize-bias-dtype",
         lambda: torch.ops.axx.dequantize(i8(2, 3).int(), f32(1), -1, f32(3).double()), TypeError,
         "axx.dequantize: bias must be torch.float32, got torch.float64"),
    Case("raw-dequantize-bias-shape",
         lambda: torch.ops.axx.dequantize(i8(2, 3).int(), f32(3), 1, f32(2)), ValueError,
         "axx.dequantize: bias must be 1-D with acc.size(1) = 3 elements (one per channel), got shape [2]"),
    Case("raw-dequantize-bias-2d",
         lambda: torch.ops.axx.dequantize(i8(2, 3).int(), f32(1), 0, f32(2, 1)), ValueError,
         "axx.dequantize: bias must be 1-D with acc.size(0) = 2 elements (one per channel), got shape [2, 1]"),
    Case("raw-dequantize-bias-device",
         lambda: torch.ops.axx.dequantize(i8(2, 3).int(), f32(1), 0, f32(2, device="meta")), ValueError,
         "axx.dequantize: acc and bias must be on the same device, got cpu and meta"),

    # --- axx.nn layers --------------------------------------------------------------------------
    Case("linear-grad", lambda: ApproxLinear(2, 2, multiplier=EXACT, grad="exact"), axx.UsageError,
         "ApproxLinear: unknown grad mode grad='exact'; choose one of ste, lut"),
    Case("linear-grad-set", lambda: setattr(ApproxLinear(2, 2), "grad", "none"), axx.UsageError,
         "ApproxLinear: unknown grad mode grad='none'; choose one of ste, lut"),
    Case("conv-layer-grad", lambda: ApproxConv2d(1, 1, 1, multiplier=EXACT, grad=None),
         axx.UsageError, "ApproxConv2d: unknown grad mode grad=None; choose one of ste, lut"),
    Case("matmul-layer-grad", lambda: ApproxMatmul(EXACT, grad="LUT"), axx.UsageError,
         "ApproxMatmul: unknown grad mode grad='LUT'; choose one of ste, lut"),
    Case("approx-product-grad",
         lambda: approx_product(f32(2, 3), f32(4, 3), torch.tensor(1.0), torch.tensor(1.0),
                                LinearKind(), table_for(EXACT), grad="x"),
         axx.UsageError, "axx.nn.approx_product: unknown grad mode grad='x'; choose one of ste, lut"),
    Case("linear-small-table", lambda: ApproxLinear(2, 2, multiplier=SMALL), axx.UsageError,
         "ApproxLinear: multiplier 'm4': the approximate layers quantize to int8 and need an 8x8-bit "
         "signed table, got 4x4 bits"),
    Case("conv-small-unsigned",
         lambda: ApproxConv2d(1, 1, 1, multiplier=axx.Multiplier.from_lut(LUT[:64, :64], signed=False,
                                                                          name="u6")),
         axx.UsageError, "ApproxConv2d: multiplier 'u6': sign-magnitude mode needs an unsigned table "
                         "of 7 or 8 bits per operand (magnitudes up to 127), got 6x6 bits"),
    Case("linear-multiplier-str", lambda: ApproxLinear(2, 2, multiplier="mul8s_exact"), _err(ATE),
         "ApproxLinear: multiplier must be an axx.Multiplier or None, got str"),
    Case("matmul-layer-multiplier-tensor", lambda: ApproxMatmul(LUT), _err(ATE),
         "ApproxMatmul: multiplier must be an axx.Multiplier or None, got Tensor"),
    Case("linear-input-int", lambda: ApproxLinear(4, 3, multiplier=EXACT)(torch.ones(2, 4, dtype=torch.int64)),
         _err(ATE), "ApproxLinear: input must be a floating-point tensor, got torch.int64"),
    Case("linear-input-bool", lambda: ApproxLinear(4, 3, multiplier=EXACT)(torch.ones(2, 4).bool()),
         _err(ATE), "ApproxLinear: input must be a floating-point tensor, got torch.bool"),
    Case("linear-input-list", lambda: ApproxLinear(4, 3, multiplier=EXACT)([1.0] * 4),
         _err(ATE), "ApproxLinear: input must be a torch.Tensor, got list"),
    Case("linear-input-features", lambda: ApproxLinear(4, 3, multiplier=EXACT)(f32(2, 5)),
         axx.UsageError, "ApproxLinear: input has shape [2, 5]; its last dimension must be "
                         "in_features=4"),
    Case("linear-input-0d", lambda: ApproxLinear(4, 3, multiplier=EXACT)(torch.tensor(1.0)),
         axx.UsageError, "ApproxLinear: input has shape []; its last dimension must be in_features=4"),
    Case("linear-devices", lambda: ApproxLinear(4, 3, multiplier=EXACT, device="meta")(f32(2, 4)),
         axx.UsageError, "ApproxLinear: input is on cpu but the layer's weight is on meta"),
    Case("conv-layer-input-int",
         lambda: ApproxConv2d(3, 2, 3, multiplier=EXACT)(torch.ones(1, 3, 5, 5, dtype=torch.int8)),
         _err(ATE), "ApproxConv2d: input must be a floating-point tensor, got torch.int8"),
    Case("conv-layer-input-2d", lambda: ApproxConv2d(3, 2, 3, multiplier=EXACT)(f32(5, 5)),
         axx.UsageError, "ApproxConv2d: input must be (N, C, H, W) or unbatched (C, H, W), got shape "
                         "[5, 5]"),
    Case("conv-layer-channels", lambda: ApproxConv2d(3, 2, 3, multiplier=EXACT)(f32(1, 4, 5, 5)),
         axx.UsageError, "ApproxConv2d: input has shape [1, 4, 5, 5]; expected in_channels=3 channels"),
    Case("conv-layer-small-input", lambda: ApproxConv2d(3, 2, 3, multiplier=EXACT)(f32(1, 3, 2, 2)),
         axx.UsageError, "ApproxConv2d: input has shape [1, 3, 2, 2]; the 3x3 kernel (dilation "
                         "[1, 1], padding [0, 0]) does not fit"),
    Case("conv-layer-devices",
         lambda: ApproxConv2d(3, 2, 3, multiplier=EXACT, device="meta")(f32(1, 3, 5, 5)),
         axx.UsageError, "ApproxConv2d: input is on cpu but the layer's weight is on meta"),
    Case("matmul-layer-other-int", lambda: ApproxMatmul(EXACT)(f32(2, 3), torch.ones(3, 4).int()),
         _err(ATE), "ApproxMatmul: other must be a floating-point tensor, got torch.int32"),
    Case("matmul-layer-inner", lambda: ApproxMatmul(EXACT)(f32(2, 3), f32(4, 5)), axx.UsageError,
         "ApproxMatmul: input [2, 3] and other [4, 5] cannot be multiplied (3 vs 4)"),
    Case("matmul-layer-0d", lambda: ApproxMatmul(EXACT)(torch.tensor(1.0), f32(4, 5)), axx.UsageError,
         "ApproxMatmul: input and other need at least 1 dimension each, got shapes [] and [4, 5]"),
    Case("matmul-layer-batch", lambda: ApproxMatmul(EXACT)(f32(2, 2, 3), f32(3, 3, 5)), axx.UsageError,
         "ApproxMatmul: batch dimensions of input [2, 2, 3] and other [3, 3, 5] do not broadcast"),
    Case("matmul-layer-devices", lambda: ApproxMatmul(EXACT)(f32(2, 3), f32(3, 4, device="meta")),
         axx.UsageError, "ApproxMatmul: input is on cpu but other is on meta"),

    Case("mha-heads", lambda: axx.nn.ApproxMultiheadAttention(10, 3), axx.UsageError,
         "ApproxMultiheadAttention: embed_dim 10 is not divisible by num_heads 3"),

    # --- axx.Multiplier -------------------------------------------------------------------------
    Case("from-lut-none", lambda: axx.Multiplier.from_lut(None), _err(ATE),
         "Multiplier: the table must be an integer tensor or array, got NoneType"),
    Case("from-lut-str", lambda: axx.Multiplier.from_lut("table"), _err(ATE),
         "Multiplier: the table must be an integer tensor or array, got str"),
    Case("from-lut-ragged", lambda: axx.Multiplier.from_lut([[1, 2], [3]]), _err(ATE),
         "Multiplier: the table must be an integer tensor or array, got list"),
    Case("from-lut-signed", lambda: axx.Multiplier.from_lut(LUT, signed="no"), _err(ATE),
         "Multiplier: signed must be True or False, got 'no'"),
    Case("from-lut-bool", lambda: axx.Multiplier.from_lut(LUT.bool()), axx.InputError,
         "Multiplier: the table must hold integers, got torch.bool"),
    Case("builtin-int", lambda: axx.Multiplier.builtin(5), _err(ATE),
         "Multiplier.builtin: name must be a str, got int"),
    Case("from-file-int", lambda: axx.Multiplier.from_file(5), _err(ATE),
         "Multiplier.from_file: path must be a str or os.PathLike, got int"),
    Case("from-file-bits", lambda: axx.Multiplier.from_file("builtin:mul8s_exact", bits="8"),
         _err(ATE), "Multiplier.from_file: bits must be an int, got '8'"),
    Case("from-file-signed", lambda: axx.Multiplier.from_file("builtin:mul8s_exact", signed="yes"),
         _err(ATE), "Multiplier.from_file: signed must be True, False or None, got 'yes'"),
    Case("cost-pairs", lambda: EXACT.cost(pairs="many"), _err(ATE),
         "Multiplier.cost: pairs must be an int, got 'many'"),
    Case("cost-seed", lambda: EXACT.cost(seed=1.5), _err(ATE),
         "Multiplier.cost: seed must be an int, got 1.5"),
    Case("cost-activity-float", lambda: EXACT.cost(activity=torch.zeros(4, 2)), axx.InputError,
         "Multiplier.cost: activity must hold integer operand values, got torch.float32"),

    # --- axx.approximate / axx.calibrate --------------------------------------------------------
    Case("approximate-model", lambda: axx.approximate("resnet", EXACT), _err(ATE),
         "axx.approximate: model must be a torch.nn.Module, got str"),
    Case("approximate-multiplier", lambda: axx.approximate(nn.Linear(2, 2), 5), _err(ATE),
         "axx.approximate: multiplier must be an axx.Multiplier, a built-in name, a mapping "
         "{pattern: multiplier} or None, got int"),
    Case("approximate-mapping-value", lambda: axx.approximate(nn.Linear(2, 2), {"*": 5}), _err(ATE),
         "axx.approximate: multiplier must be an axx.Multiplier, a built-in name, a mapping "
         "{pattern: multiplier} or None, got int"),
    Case("approximate-grad", lambda: axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT, grad="x"),
         axx.UsageError, "axx.approximate: unknown grad mode grad='x'; choose one of ste, lut"),
    Case("approximate-include", lambda: axx.approximate(nn.Linear(2, 2), EXACT, include=5), _err(ATE),
         "axx.approximate: include must be a pattern (str) or a list of patterns, got int"),
    Case("approximate-exclude", lambda: axx.approximate(nn.Linear(2, 2), EXACT, exclude=[1]), _err(ATE),
         "axx.approximate: exclude must be a pattern (str) or a list of patterns, got list"),
    Case("calibrate-method",
         lambda: axx.calibrate(axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT), [f32(1, 2)],
                               method="minmax"),
         axx.UsageError,
         "axx.calibrate: unknown calibration method='minmax'; choose one of max, percentile, mse, entropy"),
    Case("calibrate-no-layers", lambda: axx.calibrate(nn.Sequential(nn.Linear(2, 2)), [f32(1, 2)]),
         axx.UsageError,
         "axx.calibrate: the model has no approximate layers; call axx.approximate(model, ...) first"),
    Case("calibrate-no-batches",
         lambda: axx.calibrate(axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT), []),
         axx.UsageError, "axx.calibrate: data yielded no batches"),
    Case("calibrate-percentile",
         lambda: axx.calibrate(axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT), [f32(1, 2)],
                               percentile=200),
         axx.UsageError, "axx.calibrate: percentile must be in (0, 100], got 200"),
    Case("calibrate-model", lambda: axx.calibrate(None, [f32(1, 2)]), _err(ATE),
         "axx.calibrate: model must be a torch.nn.Module, got NoneType"),
    Case("calibrate-data",
         lambda: axx.calibrate(axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT), 5), _err(ATE),
         "axx.calibrate: data must be an iterable of batches, got int"),
    Case("calibrate-batch",
         lambda: axx.calibrate(axx.approximate(nn.Sequential(nn.Linear(2, 2)), EXACT), ["x"]),
         _err(ATE), "axx.calibrate: a batch must be a tensor or an (inputs, targets) pair, got str"),

    # --- axx.explore / axx.sensitivity (argument checks before any evaluation) ------------------
    Case("explore-method", lambda: axx.explore(nn.Linear(2, 2), [], [EXACT], method="annealing"),
         axx.UsageError, "explore: unknown method 'annealing'; choose one of "
         + ", ".join(__import__("axx.explore", fromlist=["METHODS"]).METHODS)),
    Case("explore-evaluations", lambda: axx.explore(nn.Linear(2, 2), [], [EXACT], evaluations=0),
         axx.UsageError, "explore: evaluations must be at least 1, got 0"),
    Case("explore-no-candidates", lambda: axx.explore(nn.Linear(2, 2), [], []), axx.UsageError,
         "explore: no candidate multipliers"),
    Case("explore-candidate-type", lambda: axx.explore(nn.Linear(2, 2), [], ["mul8s_exact"]),
         _err(ATE), "explore: candidates must be axx.Multiplier objects, got str"),
    Case("sensitivity-no-candidates", lambda: axx.sensitivity(nn.Linear(2, 2), [], []), axx.UsageError,
         "sensitivity: no candidate multipliers"),
    Case("sensitivity-repeated",
         lambda: axx.sensitivity(nn.Linear(2, 2), [], [EXACT, EXACT]), axx.UsageError,
         "sensitivity: candidate names must be unique; repeated: mul8s_exact"),

    # --- axx.evaluate ---------------------------------------------------------------------------
    Case("evaluate-calibration",
         lambda: axx.evaluate(nn.Linear(2, 2), [], calibration="minmax", progress=False),
         axx.UsageError, "unknown calibration method 'minmax'; choose one of max, percentile, mse, "
                         "entropy or none"),
    Case("evaluate-batch-size", lambda: axx.evaluate(nn.Linear(2, 2), [], batch_size=0, progress=False),
         axx.UsageError, "batch_size must be at least 1, got 0"),
    Case("evaluate-limit", lambda: axx.evaluate(nn.Linear(2, 2), [], limit=-1, progress=False),
         axx.UsageError, "limit must be at least 0, got -1"),
    Case("evaluate-device", lambda: axx.evaluate(nn.Linear(2, 2), [], device="meta", progress=False),
         axx.UsageError, "unsupported device 'meta' (cuda or cpu)"),

    # --- CPU kernel settings
    Case("set-cpu-isa", lambda: axx.set_cpu_isa("sse9"), axx.UsageError,
         "set_cpu_isa: unknown instruction set 'sse9'; expected one of auto, portable, avx2, avxvnni, "
         "avx512, amx"),
    Case("set-cpu-isa-int", lambda: axx.set_cpu_isa(5), _err(ATE),
         "set_cpu_isa: name must be a str, got int"),
    Case("set-cpu-threads-str", lambda: axx.set_cpu_threads("4"), _err(ATE),
         "set_cpu_threads: n must be an int, got '4'"),
    Case("set-cpu-threads-negative", lambda: axx.set_cpu_threads(-1), axx.UsageError,
         "set_cpu_threads: negative thread count -1"),
]



@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_argument_raises_typed_error(case):
    with pytest.raises(Exception) as info:
        case.call()
    assert type(info.value) is case.error, f"{type(info.value).__name__}: {info.value}"
    assert message(info.value) == case.message


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_hierarchy_keeps_the_builtin_bases():
    """Code written against ValueError / TypeError keeps catching what axx raises."""
    assert issubclass(axx.UsageError, (axx.AxxError, ValueError))
    assert issubclass(axx.ArgumentTypeError, axx.UsageError)
    assert issubclass(axx.ArgumentTypeError, TypeError)
    assert issubclass(axx.ArgumentTypeError, ValueError)
    assert issubclass(axx.InputError, ValueError) and issubclass(axx.ToolError, RuntimeError)
    assert axx.ArgumentTypeError.__module__ == "axx" and "ArgumentTypeError" in axx.__all__
    with pytest.raises(TypeError):
        axx.ops.lut_matmul(f32(2, 3), i8(3, 4), S)
    with pytest.raises(ValueError):
        axx.ops.lut_matmul(i8(2, 3), i8(4, 4), S)


def test_devices_without_kernels_are_named(monkeypatch):
    """What the wrappers say before torch's dispatcher would (its message names no argument): a
    CUDA tensor in a build without the CUDA kernels, and a device axx has no kernels for. The
    tensor is a stand-in (only its device is read), since this must hold on machines without a GPU."""
    from types import SimpleNamespace

    monkeypatch.setattr(axx._C, "has_cuda_ops", False)
    with pytest.raises(axx.UsageError) as info:
        axx.ops._check_device("axx.lut_matmul", "a", SimpleNamespace(device=torch.device("cuda", 0)))
    assert message(info.value) == ("axx.lut_matmul: a is on cuda:0, but this build of axx has no CUDA "
                                   "kernels (built with AXX_CUDA=OFF)")
    with pytest.raises(axx.UsageError) as info:
        axx.ops._check_device("axx.lut_conv2d", "x", SimpleNamespace(device=torch.device("xpu", 1)))
    assert message(info.value) == "axx.lut_conv2d: x is on xpu:1; axx runs on cpu and cuda tensors"
    for ok in ("cpu", "meta"):
        axx.ops._check_device("axx.lut_matmul", "a", SimpleNamespace(device=torch.device(ok)))
    monkeypatch.setattr(axx._C, "has_cuda_ops", True)
    axx.ops._check_device("axx.lut_matmul", "a", SimpleNamespace(device=torch.device("cuda", 0)))


# --- zero-size operands: the right empty or all-zero result on every path ----------------------

ZERO_MATMUL = [
    pytest.param((0, 5), (5, 3), id="M0"),
    pytest.param((4, 0), (0, 3), id="K0"),
    pytest.param((4, 5), (5, 0), id="N0"),
    pytest.param((0, 0), (0, 0), id="all0"),
    pytest.param((0, 4, 5), (5, 3), id="batch0-2d-b"),
    pytest.param((0, 4, 5), (0, 5, 3), id="batch0"),
    pytest.param((0, 4, 5), (1, 5, 3), id="batch0-broadcast-b"),
    pytest.param((1, 4, 5), (0, 5, 3), id="batch0-broadcast-a"),
    pytest.param((2, 4, 0), (2, 0, 3), id="batched-K0"),
    pytest.param((3, 1, 4, 0), (2, 0, 3), id="broadcast-K0"),
]


@pytest.mark.parametrize("a_shape,b_shape", ZERO_MATMUL)
@pytest.mark.parametrize("path", PATHS)
def test_lut_matmul_zero_size(a_shape, b_shape, path):
    m = L  # full path set
    a, b = random_operand(a_shape, True, 1), random_operand(b_shape, True, 2)
    c = axx.ops.lut_matmul(a, b, m, path=path)
    expected = ref_matmul(a, b, m)
    assert c.dtype == torch.int32 and c.shape == expected.shape
    assert torch.equal(c, expected)
    assert not c.any()  # no products: every entry the empty sum


ZERO_CONV = [
    pytest.param((0, 3, 5, 5), (2, 3, 3, 3), 1, id="N0"),
    pytest.param((2, 0, 5, 5), (2, 0, 3, 3), 1, id="C0"),
    pytest.param((2, 3, 5, 5), (0, 3, 3, 3), 1, id="O0"),
    pytest.param((2, 0, 5, 5), (0, 0, 3, 3), 1, id="C0-O0"),
    pytest.param((0, 4, 5, 5), (4, 1, 3, 3), 4, id="N0-depthwise"),
]


@pytest.mark.parametrize("x_shape,w_shape,groups", ZERO_CONV)
@pytest.mark.parametrize("path", PATHS)
def test_lut_conv2d_zero_size(x_shape, w_shape, groups, path):
    x, w = random_operand(x_shape, True, 3), random_operand(w_shape, True, 4)
    y = axx.ops.lut_conv2d(x, w, L, padding=1, groups=groups, path=path)
    expected = ref_conv2d(x, w, L, padding=(1, 1), groups=groups)
    assert y.dtype == torch.int32 and y.shape == expected.shape
    assert torch.equal(y, expected)


# --- non-contiguous operands: the same result as their contiguous copies -----------------------

def _views(signed, device="cpu"):
    def random_operand(shape, signed, seed):
        return _random_operand(shape, signed, seed, device)

    base = random_operand((6, 10, 12), signed, 5)
    wide = random_operand((10, 24), signed, 6)
    return {
        "transposed": (base[0].t(), random_operand((10, 7), signed, 7)),
        "sliced-step": (base[:, ::2, 1::3], random_operand((4, 5), signed, 8)),
        "b-column-step": (random_operand((3, 10), signed, 9), wide[:, ::3]),
        "b-transposed-batched": (base[:2, :, :5], random_operand((2, 9, 5), signed, 10).transpose(-1, -2)),
        "expanded-a": (random_operand((1, 10), signed, 11).expand(4, 10), wide),
        "expanded-b-batch": (base[:, :3, :], random_operand((12, 5), signed, 12).expand(6, 12, 5)),
        "overlapping": (random_operand((40,), signed, 13).as_strided((5, 8), (3, 1)), wide[:8]),
        "offset-storage": (base[3, 2:5, 4:], random_operand((8, 3), signed, 14)),
    }


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("view", list(_views(True)))
def test_lut_matmul_non_contiguous(signed, view):
    a, b = _views(signed)[view]
    assert not (a.is_contiguous() and b.is_contiguous())
    m = lowrank_table(4, signed)
    for path in PATHS:
        c = axx.ops.lut_matmul(a, b, m, path=path)
        assert torch.equal(c, ref_matmul(a, b, m)), path
        assert torch.equal(c, axx.ops.lut_matmul(a.contiguous(), b.contiguous(), m, path=path)), path


CONV_VIEWS = {
    "channels-last-x": lambda x, w: (x.to(memory_format=torch.channels_last), w),
    "channels-last-w": lambda x, w: (x, w.to(memory_format=torch.channels_last)),
    "x-sliced-step": lambda x, w: (torch.cat([x, x], 3)[..., ::2], w),
    "w-permuted": lambda x, w: (x, w.permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2)),
    "x-batch-step": lambda x, w: (torch.cat([x, x.flip(0)], 0)[::2], w),
    "x-expanded": lambda x, w: (x[:1].expand(3, -1, -1, -1), w),
}


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("view", list(CONV_VIEWS))
def test_lut_conv2d_non_contiguous(signed, view):
    x = random_operand((3, 4, 7, 6), signed, 15)
    w = random_operand((6, 2, 3, 2), signed, 16)
    x, w = CONV_VIEWS[view](x, w)
    m = lowrank_table(5, signed)
    for path in PATHS:
        y = axx.ops.lut_conv2d(x, w, m, stride=(2, 1), padding=1, dilation=(1, 2), groups=2, path=path)
        assert torch.equal(y, ref_conv2d(x, w, m, (2, 1), (1, 1), (1, 2), 2)), path


# --- the layers: empty batches and unbatched inputs as torch's layers take them -----------------

@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
def test_layers_take_empty_batches():
    torch.manual_seed(0)
    lin = ApproxLinear(4, 3, multiplier=EXACT)
    assert lin(f32(0, 4)).shape == (0, 3)
    no_inputs = ApproxLinear(0, 3, multiplier=EXACT)
    assert torch.equal(no_inputs(f32(2, 0)), no_inputs.bias.detach().expand(2, 3))
    assert ApproxLinear(4, 0, multiplier=EXACT)(torch.randn(2, 4)).shape == (2, 0)
    conv = ApproxConv2d(3, 2, 3, padding=1, multiplier=EXACT, bias=False)
    assert conv(f32(0, 3, 5, 5)).shape == (0, 2, 5, 5)
    assert ApproxMatmul(EXACT)(f32(0, 3), torch.randn(3, 4)).shape == (0, 4)
    assert torch.equal(ApproxMatmul(EXACT)(f32(2, 0), f32(0, 4)), f32(2, 4))
    x = torch.randn(0, 4, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad.shape == (0, 4)


def test_layers_take_unbatched_inputs_like_torch():
    torch.manual_seed(0)
    lin = ApproxLinear(4, 3, multiplier=EXACT)
    x = torch.randn(4)
    assert torch.equal(lin(x), lin(x[None])[0])
    conv = ApproxConv2d(3, 2, 3, padding=1, multiplier=EXACT)
    x = torch.randn(3, 5, 5)
    assert torch.equal(conv(x), conv(x[None])[0])
    mm = ApproxMatmul(EXACT)
    a, b = torch.randn(3), torch.randn(3, 4)
    assert mm(a, b).shape == torch.matmul(a, b).shape == (4,)
    assert torch.equal(mm(a, b), mm(a[None], b)[0])
    a, b = torch.randn(2, 5, 3), torch.randn(3)
    assert mm(a, b).shape == torch.matmul(a, b).shape == (2, 5)
    assert torch.equal(mm(a, b), mm(a, b[:, None])[..., 0])
    assert mm(torch.randn(3), torch.randn(3)).shape == torch.matmul(torch.randn(3), torch.randn(3)).shape


# --- CUDA: run by the suite on a machine with a GPU ----------------------------------------------

needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
needs_cuda_ops = pytest.mark.skipif(not (torch.cuda.is_available() and axx.cuda_available()),
                                    reason="needs a GPU and axx's CUDA kernels")


@needs_gpu
def test_cuda_device_mismatch_names_the_arguments():
    a = i8(2, 3)
    cases = [
        (lambda: axx.ops.lut_matmul(a, a.new_zeros(3, 4).cuda(), S),
         "axx.lut_matmul: a and b must be on the same device, got cpu and cuda:0"),
        (lambda: axx.ops.lut_matmul(a.cuda(), a.new_zeros(3, 4), S),
         "axx.lut_matmul: a and b must be on the same device, got cuda:0 and cpu"),
        (lambda: axx.ops.lut_conv2d(i8(1, 1, 3, 3).cuda(), i8(1, 1, 1, 1), S),
         "axx.lut_conv2d: x and w must be on the same device, got cuda:0 and cpu"),
    ]
    if not axx._C.has_cuda_ops:
        cases = [(lambda: axx.ops.lut_matmul(a.cuda(), a.new_zeros(3, 4).cuda(), S),
                  "axx.lut_matmul: a is on cuda:0, but this build of axx has no CUDA kernels (built "
                  "with AXX_CUDA=OFF)")]
    for call, text in cases:
        with pytest.raises(axx.UsageError) as info:
            call()
        assert type(info.value) is axx.UsageError and message(info.value) == text


@needs_gpu
def test_cuda_layer_device_mismatch():
    with pytest.raises(axx.UsageError) as info:
        ApproxLinear(4, 3, multiplier=EXACT).cuda()(f32(2, 4))
    assert message(info.value) == "ApproxLinear: input is on cpu but the layer's weight is on cuda:0"


@needs_gpu
def test_cuda_raw_op_lowrank_on_wrong_device():
    a = i8(2, 3).cuda()
    lut = LUT.cuda()
    with pytest.raises(ValueError) as info:
        torch.ops.axx.lut_matmul(a, i8(3, 4).cuda(), lut, FACTOR, FACTOR.cuda(), True)
    assert message(info.value) == "axx.lut_matmul: lowrank_u must be on the operands' device cuda:0, got cpu"


@needs_cuda_ops
@pytest.mark.parametrize("path", PATHS)
def test_cuda_zero_size_and_non_contiguous(path):
    for a_shape, b_shape in [(p.values[0], p.values[1]) for p in ZERO_MATMUL]:
        a, b = random_operand(a_shape, True, 1, "cuda"), random_operand(b_shape, True, 2, "cuda")
        c = axx.ops.lut_matmul(a, b, L, path=path)
        assert torch.equal(c.cpu(), ref_matmul(a, b, L)), (a_shape, b_shape)
    for view, (a, b) in _views(True, "cuda").items():   # made on the GPU: .cuda() would copy
        assert not (a.is_contiguous() and b.is_contiguous())
        c = axx.ops.lut_matmul(a, b, L, path=path)
        assert torch.equal(c.cpu(), ref_matmul(a, b, L)), view
    for view, make in CONV_VIEWS.items():
        x, w = make(random_operand((3, 4, 7, 6), True, 15, "cuda"),
                    random_operand((6, 2, 3, 2), True, 16, "cuda"))
        y = axx.ops.lut_conv2d(x, w, L, stride=(2, 1), padding=1, dilation=(1, 2), groups=2, path=path)
        assert torch.equal(y.cpu(), ref_conv2d(x, w, L, (2, 1), (1, 1), (1, 2), 2)), view


def _spy_integer_outputs(monkeypatch):
    """(op, args, kwargs, int32 result on the CPU) of every table product, in call order."""
    seen = []

    def spy(fn):
        def wrapped(*args, **kwargs):
            out = fn(*args, **kwargs)
            seen.append((fn, args, kwargs, out.detach().cpu().clone()))
            return out
        return wrapped

    monkeypatch.setattr(axx.ops, "lut_matmul", spy(axx.ops.lut_matmul))
    monkeypatch.setattr(axx.ops, "lut_conv2d", spy(axx.ops.lut_conv2d))
    return seen


def _on_cpu(args):
    return [a.detach().cpu() if isinstance(a, torch.Tensor) else a for a in args]


@needs_cuda_ops
@pytest.mark.parametrize("multiplier", [S, L, U], ids=["random", "lowrank", "unsigned"])
def test_model_converted_on_cpu_then_moved_to_cuda_gives_the_same_products(monkeypatch, multiplier):
    """axx.approximate and calibrate on CPU, then .to("cuda"): every integer product of the CUDA
    forward equals the CPU op on the same operands exactly (the multiplier's tables follow the
    operands' device), and the operands are those of the CPU forward. The float steps between
    products (scales, dequantization) may round an ulp differently on the GPU, which can move a
    code at a rounding boundary: the operands are compared up to a few such codes."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, groups=2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 5))
    axx.approximate(model, multiplier)
    x = torch.randn(4, 3, 6, 6)
    axx.calibrate(model, [x], method="max")
    seen = _spy_integer_outputs(monkeypatch)
    with torch.no_grad():
        y_cpu = model(x)
    cpu = list(seen)
    seen.clear()
    model.to("cuda")
    assert model[0].input_quantizer.scale.device.type == "cuda"
    with torch.no_grad():
        y_gpu = model(x.cuda())
    assert len(seen) == len(cpu) == 3
    for i, ((fn, args, kwargs, out), (_, cpu_args, _, cpu_out)) in enumerate(zip(seen, cpu)):
        assert args[0].device.type == "cuda" and out.dtype == torch.int32
        assert torch.equal(out, fn(*_on_cpu(args), **kwargs)), f"product {i}: CUDA differs from CPU"
        operands = list(zip(_on_cpu(args[:2]), cpu_args[:2]))
        for mine, theirs in operands:
            assert mine.shape == theirs.shape and (mine != theirs).sum() <= 2, f"operands of product {i} differ"
        if all(torch.equal(mine, theirs) for mine, theirs in operands):
            assert torch.equal(out, cpu_out), f"product {i} differs from the CPU forward's"
    torch.testing.assert_close(y_gpu.cpu(), y_cpu, rtol=1e-4, atol=1e-4)


@needs_cuda_ops
def test_attention_converted_on_cpu_then_moved_to_cuda(monkeypatch):
    """The attention replacement on CUDA: every integer product equals the CPU op on the same
    operands (softmax may round differently on the GPU, so the operands are not compared)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dropout=0.0))
    axx.approximate(model, S)
    q = torch.randn(2, 5, 8)
    axx.calibrate(model, [q], method="max")
    model.to("cuda").eval()
    seen = _spy_integer_outputs(monkeypatch)
    with torch.no_grad():
        model(q.cuda())
    assert len(seen) == 8  # q, k, v, qk, av, out, linear1, linear2
    for i, (_, args, _, c) in enumerate(seen):
        a, b = _on_cpu(args[:2])
        assert args[0].device.type == "cuda" and torch.equal(c, ref_matmul(a, b, S)), f"product {i} differs"
