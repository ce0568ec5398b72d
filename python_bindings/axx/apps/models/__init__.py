"""Models shipped with axx."""
from .vit import ViT, Block, vit_fmnist, CHECKPOINT

__all__ = ["ViT", "Block", "vit_fmnist", "CHECKPOINT"]
