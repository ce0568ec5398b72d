"""A compact Vision Transformer for 28x28 grey images (Fashion-MNIST).

Patch-embedding convolution (patch 7 -> 16 tokens), a class token, learned position
embeddings, pre-norm blocks of ``torch.nn.MultiheadAttention`` + GELU MLP, LayerNorm and
a linear head. The default configuration (width 64, depth 4, 4 heads, MLP 128) has
139,018 parameters; every multiply in it runs through an approximate multiplier once
``axx.approximate`` has converted it.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

__all__ = ["ViT", "Block", "vit_fmnist", "CHECKPOINT"]

CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "vit_fmnist.pt"


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_dim: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, image_size: int = 28, patch_size: int = 7, in_chans: int = 1, num_classes: int = 10,
                 dim: int = 64, depth: int = 4, heads: int = 4, mlp_dim: int = 128, dropout: float = 0.0):
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"image_size {image_size} is not a multiple of patch_size {patch_size}")
        num_patches = (image_size // patch_size) ** 2
        self.config = dict(image_size=image_size, patch_size=patch_size, in_chans=in_chans,
                           num_classes=num_classes, dim=dim, depth=depth, heads=heads,
                           mlp_dim=mlp_dim, dropout=dropout)
        self.patch_embed = nn.Conv2d(in_chans, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, num_patches + 1, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_dim, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x).flatten(2).transpose(1, 2)          # (B, patches, dim)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))


def vit_fmnist(pretrained: bool = True, checkpoint: str | Path | None = None) -> ViT:
    """The Fashion-MNIST ViT; with ``pretrained`` the weights shipped in axx/apps/checkpoints."""
    model = ViT()
    if pretrained:
        path = Path(checkpoint) if checkpoint is not None else CHECKPOINT
        if not path.exists():
            raise FileNotFoundError(f"{path}: no checkpoint; train one with "
                                    f"`python -m axx.train --epochs 8 --out {path}`")
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"] if "model" in state else state)
    model.eval()
    return model
