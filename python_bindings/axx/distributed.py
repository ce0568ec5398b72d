"""Small helpers for running axx evaluation data-parallel with ``torch.distributed``.

A process started by ``torchrun`` finds ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and the
rendezvous address in its environment; :func:`init_from_env` joins the process group from
them (NCCL for CUDA devices, gloo for CPU). Without torchrun (no ``WORLD_SIZE`` or
``WORLD_SIZE=1``) everything here degrades to a single process: rank 0 of 1, reductions are
the identity.

Sharding never pads: :func:`shard_indices` gives rank ``r`` of ``W`` the positions ``r, r+W,
r+2W, ...``, so every sample is evaluated exactly once (torch's ``DistributedSampler`` pads the
last round by repeating samples, which would count some images twice).
"""
from __future__ import annotations

import atexit
import os
from dataclasses import dataclass
from typing import Sequence

import torch
import torch.distributed as dist

__all__ = ["World", "init_from_env", "shard_indices", "all_reduce_sum", "all_reduce_max",
           "broadcast_", "broadcast_scales", "collective_device", "barrier", "destroy"]


@dataclass(frozen=True)
class World:
    """Where this process stands: ``rank`` of ``size`` processes, ``local_rank`` on its host,
    and whether it owns the process group (:func:`destroy` then ends it)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1
    owns_group: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} is not an integer") from None


def backend_for(device: torch.device | str) -> str:
    """The collective backend for tensors on ``device``: NCCL for CUDA, gloo otherwise."""
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def init_from_env(device: torch.device | str = "cpu", keep: bool = True) -> World:
    """Join the process group described by torchrun's environment, if any.

    An already initialised process group is used as it is. Otherwise, when ``WORLD_SIZE`` > 1,
    the group is created with the backend for ``device`` (``env://`` rendezvous:
    ``MASTER_ADDR``/``MASTER_PORT`` as torchrun sets them). With ``keep`` (the default) it stays
    for the rest of the process and is destroyed at exit, so that later calls (``axx.evaluate``,
    ``axx.explore``, the training loop, one after the other) join it rather than create another:
    a group destroyed and created again under torchrun's store can hang in its rendezvous.
    Without ``keep`` the returned World owns the group and :func:`destroy` ends it. For CUDA the
    process's device is ``cuda:LOCAL_RANK``.
    """
    local_rank = _env_int("LOCAL_RANK", 0)
    local_size = _env_int("LOCAL_WORLD_SIZE", 1)
    if dist.is_available() and dist.is_initialized():
        return World(dist.get_rank(), dist.get_world_size(), local_rank, local_size, False)
    size = _env_int("WORLD_SIZE", 1)
    if size <= 1:
        return World(0, 1, local_rank, local_size, False)
    if not dist.is_available():
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl", device_id=torch.device("cuda", local_rank))
    else:
        dist.init_process_group("gloo")
    if keep:
        atexit.register(_destroy_at_exit)
    return World(dist.get_rank(), dist.get_world_size(), local_rank, local_size, not keep)


def _destroy_at_exit() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def destroy(world: World) -> None:
    """End the process group if ``world`` owns it (:func:`init_from_env` with ``keep=False``)."""
    if world.owns_group and dist.is_initialized():
        dist.destroy_process_group()


def shard_indices(n: int, rank: int, size: int) -> list[int]:
    """Positions ``rank, rank + size, ...`` below ``n``: the shards of all ranks partition
    ``range(n)`` with no repeats (shard lengths differ by at most one)."""
    if size < 1 or not 0 <= rank < size:
        raise ValueError(f"shard_indices: rank {rank} outside a world of {size}")
    return list(range(rank, n, size))


def collective_device(default: torch.device | str = "cpu") -> torch.device:
    """Where tensors for this process group's collectives must live: this process's GPU under
    NCCL, ``default`` otherwise (gloo, or no group)."""
    if _collective_ok() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device(default)


def _collective_ok() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def all_reduce_sum(values: Sequence[float] | torch.Tensor, device: torch.device | str = "cpu") -> torch.Tensor:
    """Element-wise sum over all ranks (float64 for counts up to 2**53 exactly); a copy on
    ``device``. Identity without a process group."""
    t = torch.as_tensor(values, dtype=torch.float64).to(device).clone()
    if _collective_ok():
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t


def all_reduce_max(values: Sequence[float] | torch.Tensor, device: torch.device | str = "cpu") -> torch.Tensor:
    """Element-wise maximum over all ranks, as :func:`all_reduce_sum`."""
    t = torch.as_tensor(values, dtype=torch.float64).to(device).clone()
    if _collective_ok():
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t


def broadcast_(tensor: torch.Tensor, src: int = 0) -> torch.Tensor:
    """Overwrite ``tensor`` in place with rank ``src``'s (no-op without a process group)."""
    if _collective_ok():
        dist.broadcast(tensor, src=src)
    return tensor


def broadcast_scales(model: torch.nn.Module, src: int = 0) -> None:
    """Every rank takes rank ``src``'s activation scales (the ``TensorQuantizer`` buffers of an
    approximate model), through ``load_state_dict`` so that each quantizer's calibrated flag
    follows its new scale (a raw buffer copy, as DistributedDataParallel's, would leave a rank
    that did not calibrate on dynamic scales). No-op without a process group."""
    from .quant import TensorQuantizer

    if not _collective_ok():
        return
    qs = [m for m in model.modules() if isinstance(m, TensorQuantizer)]
    if not qs:
        return
    flat = torch.stack([q.scale.detach().float().reshape(()) for q in qs])
    dist.broadcast(flat, src=src)
    for q, s in zip(qs, flat):
        q.load_state_dict({"scale": s.to(q.scale.dtype).reshape(q.scale.shape)})


def barrier() -> None:
    if _collective_ok():
        dist.barrier()


def broadcast_object(obj, src: int = 0):
    """Rank ``src``'s picklable ``obj`` on every rank."""
    if not _collective_ok():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src)
    return box[0]
