"""axx.approximate replaces exactly the layers asked for."""
import pytest
import torch
from torch import nn

import axx
from axx.apps.models import ViT
from axx.nn import (ApproxConv2d, ApproxLinear, ApproxMatmul, ApproxModule, ApproxMultiheadAttention,
                    ApproxTimmAttention, approx_layers)

_v = torch.where(torch.arange(256) >= 128, torch.arange(256) - 256, torch.arange(256))
A = axx.Multiplier.from_lut((_v[:, None] * _v[None, :]).to(torch.int32), name="A")
B = axx.Multiplier.from_lut(((_v[:, None] * _v[None, :]) >> 3 << 3).to(torch.int32), name="B")


def assigned(model):
    return {n: (m.multiplier.name if m.multiplier is not None else None) for n, m in approx_layers(model)}


def test_whole_vit():
    model = axx.approximate(ViT(), A)
    a = assigned(model)
    assert isinstance(model.patch_embed, ApproxConv2d)
    assert isinstance(model.blocks[0].attn, ApproxMultiheadAttention)
    # per block: q, k, v, out projections, 2 matmuls, 2 MLP layers; plus patch conv and head
    assert len(a) == 4 * 8 + 2 and set(a.values()) == {"A"}
    assert not any(type(m) in (nn.Linear, nn.Conv2d, nn.MultiheadAttention) for m in model.modules())


def test_include_and_exclude():
    model = axx.approximate(ViT(), A, include=["blocks.0", "head"], exclude="*.matmul_*")
    a = assigned(model)
    assert a["head"] == "A" and a["blocks.0.mlp.0"] == "A" and a["blocks.0.attn.q_proj"] == "A"
    assert a["blocks.0.attn.matmul_qk"] is None and a["blocks.0.attn.matmul_av"] is None
    assert isinstance(model.blocks[1].attn, nn.MultiheadAttention)
    assert type(model.blocks[1].mlp[0]) is nn.Linear and type(model.patch_embed) is nn.Conv2d


def test_mapping_later_patterns_override():
    model = axx.approximate(ViT(), {"*": A, "blocks.*.mlp.*": B, "head": None})
    a = assigned(model)
    assert a["blocks.2.mlp.3"] == "B" and a["blocks.2.attn.out_proj"] == "A" and a["patch_embed"] == "A"
    assert "head" not in a and type(model.head) is nn.Linear


def test_reapproximate_switches_multiplier_and_keeps_scales():
    model = axx.approximate(ViT(), A)
    axx.calibrate(model, [torch.randn(4, 1, 28, 28)], method="max")
    scale = model.blocks[0].mlp[0].input_quantizer.scale.clone()
    layer = model.blocks[0].mlp[0]
    axx.approximate(model, B, include="blocks.0.mlp")
    assert model.blocks[0].mlp[0] is layer and layer.multiplier is B
    assert assigned(model)["blocks.1.mlp.0"] == "A"
    assert torch.equal(layer.input_quantizer.scale, scale)


def test_grad_mode_option_and_root_layer():
    lin = axx.approximate(nn.Linear(3, 2), A, grad="lut")
    assert isinstance(lin, ApproxLinear) and lin.grad == "lut"
    conv = nn.Sequential(nn.Conv2d(2, 2, 3, groups=2))
    axx.approximate(conv, A, per_channel=False)
    assert isinstance(conv[0], ApproxConv2d) and not conv[0].per_channel


def test_unused_pattern_warns():
    with pytest.warns(UserWarning, match="^axx.approximate: pattern 'nothing.here' matched no layer$"):
        axx.approximate(ViT(), A, exclude="nothing.here")


def test_bad_multiplier_type():
    with pytest.raises(axx.ArgumentTypeError, match="^axx.approximate: multiplier must be an axx.Multiplier, a built-in name, "
                                                    r"a mapping \{pattern: multiplier\} or None, got int$"):
        axx.approximate(ViT(), 3)


def test_exact_table_keeps_vit_outputs_close():
    torch.manual_seed(0)
    model = ViT().eval()
    x = torch.randn(8, 1, 28, 28)
    with torch.no_grad():
        ref = model(x)
        axx.approximate(model, A)
        axx.calibrate(model, [x], method="max")
        out = model(x)
    assert (out - ref).abs().max() < 0.05 * ref.abs().max() + 1e-3


def test_timm_vit_converts():
    timm = pytest.importorskip("timm")
    torch.manual_seed(0)
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, img_size=32, patch_size=8,
                              depth=2, num_classes=5).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref = model(x)
        axx.approximate(model, A)
        out = model(x)
    assert isinstance(model.blocks[0].attn, ApproxTimmAttention)
    assert isinstance(model.blocks[0].attn.qkv, ApproxLinear)
    assert isinstance(model.blocks[0].attn.matmul_qk, ApproxMatmul) and model.blocks[0].attn.matmul_qk.multiplier is A
    assert isinstance(model.patch_embed.proj, ApproxConv2d)
    assert (out - ref).abs().max() < 0.1 * ref.abs().max() + 1e-3
    # only the matmuls excluded: attention still replaced, its projections approximate
    model2 = timm.create_model("vit_tiny_patch16_224", pretrained=False, img_size=32, patch_size=8, depth=1)
    axx.approximate(model2, A, exclude=["*.matmul_*"])
    assert not isinstance(model2.blocks[0].attn, ApproxTimmAttention)
    assert isinstance(model2.blocks[0].attn.qkv, ApproxLinear)
