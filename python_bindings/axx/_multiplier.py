"""``axx.Multiplier``: an approximate multiplier as data (its table), from any source lutgen reads.

A multiplier is its lookup table ``lut[a][b]`` (row = operand A's bit pattern, column = operand
B's, two's complement when signed; docs/architecture.md) plus a name and where it came from.
Nothing is compiled per multiplier: the ops take the table as a tensor. What the kernels need --
the table expanded to 256x256 and its exact low-rank form -- is derived once and kept per device,
so calling an op again does not upload anything.
"""
from __future__ import annotations

import math
import os
import numbers
from typing import Any, NamedTuple

import numpy as np
import torch

from . import _C

__all__ = ["Multiplier", "MultiplierInfo", "multipliers"]

# The emulator's kernels take operands of up to 8 bits (docs/architecture.md); tables are
# materialised up to 12x12.
_MAX_EMULATED_BITS = 8
_MIN_BITS, _MAX_BITS = 2, 12
# Largest exact rank for which the low-rank path is offered (its R + 1 terms run as one int8 GEMM
# on CUDA; the CPU kernels take R <= 8 and run the LUT kernel above).
_MAX_LOWRANK = 64


def _file_options() -> tuple[str, ...]:
    """from_file's keyword options: the `axx lut` input flags as keywords, from lutgen's registry
    (``signed`` is from_file's own argument)."""
    return tuple(kw for _, keywords, _ in _C.input_options() for kw in keywords if kw != "signed")


# The numeric keys of ``axx cost --json`` (lutgen::cost_fields), the ones user figures may give.
_COST_KEYS = ("gates", "area_nand2", "depth", "power_proxy", "area_rel", "power_rel", "depth_rel")
# Input kinds that are gate-level netlists (Multiplier.cost reads them again).
_NETLIST_SUFFIXES = (".blif", ".v", ".sv")


class MultiplierInfo(NamedTuple):
    """A built-in multiplier, as listed by :func:`axx.multipliers`.

    ``family`` is the design family (``multipliers/c/FAMILY.c``, docs/multipliers.md), ``params``
    its space-separated ``key=value`` parameters (``""`` for none), ``citation`` the family's
    source in the literature.
    """

    name: str
    description: str
    family: str = ""
    params: str = ""
    citation: str = ""


def multipliers() -> list[MultiplierInfo]:
    """The built-in multipliers (``multipliers/`` registry), in registration order.

    >>> [m.name for m in axx.multipliers()][:2]   # doctest: +SKIP
    ['mul8s_exact', 'mul8u_exact']
    """
    return [MultiplierInfo(name, description, family, params, citation)
            for name, description, _a, _b, _s, family, params, citation in _C.builtins()]


def _check_figures(figures: dict | None, where: str) -> dict:
    """User-supplied cost figures: a dict whose keys are among _COST_KEYS, values non-negative
    finite numbers (integers for gates and depth)."""
    if figures is None:
        return {}
    if not isinstance(figures, dict):
        raise _C.UsageError(f"{where}: cost must be a dict of figures, e.g. "
                            f"{{'area_rel': 0.61, 'power_rel': 0.55}}, got {type(figures).__name__}")
    out = {}
    for key, value in figures.items():
        if key not in _COST_KEYS:
            raise _C.UsageError(f"{where}: unknown cost figure '{key}' (expected: "
                                f"{', '.join(_COST_KEYS)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value < 0:
            raise _C.UsageError(f"{where}: cost figure {key} must be a non-negative number, got "
                                f"{value!r}")
        if key in ("gates", "depth"):
            if value != int(value):
                raise _C.UsageError(f"{where}: cost figure {key} must be an integer, got {value!r}")
            value = int(value)
        out[key] = value if key in ("gates", "depth") else float(value)
    return out


def _bits_of(side: int) -> int:
    bits = side.bit_length() - 1
    return bits if side == 1 << bits and _MIN_BITS <= bits <= _MAX_BITS else -1


class Multiplier:
    """An approximate multiplier: a lookup table with a name and a provenance.

    Build one with :meth:`from_file`, :meth:`builtin` or :meth:`from_lut`.

    Attributes:
        name: the table's name (file stem, built-in name, or the one given).
        lut: ``torch.int32`` CPU tensor of shape ``(2**bits_a, 2**bits_b)``; ``lut[a][b]`` is the
            product of the operands with bit patterns ``a`` and ``b``. Treat it as read-only: the
            derived per-device tables are cached.
        is_signed: operands (and product) are two's complement.
        bits_a, bits_b: operand widths.
        metrics: dict of exhaustive error metrics against the exact product, with the keys of
            ``axx metrics --json`` (computed on first access).
        rank: exact rank of ``lut - a*b`` when it is at most 64 (then the ops can run it as
            rank + 1 exact GEMMs), else None; None also for operands wider than 8 bits.
        provenance: dict ``{kind, path, detail, signedness}`` saying where the table came from
            and what fixed its signedness (``"given: signed=False"``, ``"parameter `uint8_t a`
            and parameter `uint8_t b` are declared unsigned"``, ...).

    The hardware cost is a method, :meth:`cost` (``m.cost()``), since it can take operand samples.
    """

    def __init__(self, lut: Any, signed: bool = True, name: str = "custom",
                 provenance: dict | None = None, cost: dict | None = None):
        table = _as_table(lut, "Multiplier")
        if not isinstance(signed, (bool, np.bool_)):
            raise _C.ArgumentTypeError(f"Multiplier: signed must be True or False, got {signed!r}")
        self._user_cost = _check_figures(cost, "Multiplier")
        # (input, load_lut keywords) of the netlist the table came from, for cost(); None when the
        # multiplier was not read from a netlist or a built-in.
        self._cost_input: tuple[str, dict] | None = None
        self._uniform_cost: dict | None = None
        self.name = str(name)
        self.is_signed = bool(signed)
        self.bits_a = _bits_of(table.shape[0])
        self.bits_b = _bits_of(table.shape[1])
        self.provenance = dict(provenance) if provenance else {
            "kind": "tensor", "path": "", "detail": "",
            "signedness": f"given: signed={self.is_signed}"}
        self._lut = table
        self._metrics: dict | None = None
        # What the kernels take (the 256x256 table and the exact low-rank form, a few ms) is made
        # here rather than on first use, so that torch.compile traces the ops' table lookup as
        # plain attribute and dict access instead of stopping at calls into axx._C.
        self._lut256: torch.Tensor | None = None
        self._lowrank: tuple[torch.Tensor, torch.Tensor] | None = None
        if max(self.bits_a, self.bits_b) <= _MAX_EMULATED_BITS:
            self._lut256 = _C.expand_to_256(table, self.bits_a, self.bits_b, self.is_signed)
            self._lowrank = _C.decompose(self._lut256, self.is_signed, _MAX_LOWRANK)
        self._device_tables: dict[torch.device, tuple] = {}

    # --- constructors ------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike, signed: bool | None = None,
                  cost: dict | None = None, **options: Any) -> "Multiplier":
        """Reads a multiplier from a file, as ``axx lut`` does, by the same rules.

        Args:
            path: ``.blif``, ``.v``/``.sv`` (structural, or behavioural through yosys), ``.c``/
                ``.cpp`` (a C function, compiled with the system C compiler), ``.h`` (a LUT header,
                ours or TransAxx's), ``.npy``, ``.json`` (axx's JSON output or a 2-D integer
                array), or ``builtin:NAME``.
            signed: None (default) takes what the file declares: Verilog ``signed`` ports (or a
                signed ``$mul`` through yosys), C parameter types, an axx header's or JSON's own
                record, a built-in's. Where the file declares nothing (BLIF, plain Verilog ports,
                ``.npy``, a bare JSON array) it must be given, and it must agree with what a file
                declares (docs/cli.md, "Signedness").
            **options: ``bits`` (both operands) or ``a_bits`` / ``b_bits``; ``top`` (Verilog top
                module / BLIF model); ``func`` (C function); ``port_a``, ``port_b``, ``port_out``
                (netlist ports); ``yosys`` (None: when needed, True: always, False: never) and
                ``yosys_bin`` (Verilog); ``name``. An option the input kind does not take is an
                error (``port_a`` for a C file, ``func`` for a netlist, ...).
            cost: figures that override :meth:`cost`'s estimates, e.g. from a real synthesis:
                ``{"area_rel": 0.61, "power_rel": 0.55}`` (keys of ``axx cost --json``).

        Raises:
            axx.ParseError: bad input at a known place (``str(e)`` starts with ``file:line``).
            axx.InputError: other bad input. axx.UsageError: bad, inapplicable or missing options
                (``signed`` for a file that does not declare it), or ``signed`` contradicting the
                file. axx.ToolError: yosys or the C compiler is missing or failed.
            axx.ArgumentTypeError (a TypeError): a keyword that is no input option, or an argument
                of the wrong type.

        >>> m = axx.Multiplier.from_file("mul8s_trunc.blif", signed=True)  # doctest: +SKIP
        >>> m = axx.Multiplier.from_file("mul.c", func="mul8")            # doctest: +SKIP
        """
        where = "Multiplier.from_file"
        if not isinstance(path, (str, os.PathLike)):
            raise _C.ArgumentTypeError(f"{where}: path must be a str or os.PathLike, got {type(path).__name__}")
        if signed is not None and not isinstance(signed, (bool, np.bool_)):
            raise _C.ArgumentTypeError(f"{where}: signed must be True, False or None, got {signed!r}")
        for key in ("bits", "a_bits", "b_bits"):
            value = options.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
                raise _C.ArgumentTypeError(f"{where}: {key} must be an int, got {value!r}")
        known = _file_options()
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise _C.ArgumentTypeError(f"Multiplier.from_file: unknown option(s) {', '.join(unknown)} "
                                       f"(expected: {', '.join(known)})")
        bits = options.get("bits")
        if bits is not None and (options.get("a_bits") or options.get("b_bits")):
            raise _C.UsageError("Multiplier.from_file: give bits or a_bits/b_bits, not both")
        bits_a = options.get("a_bits") or bits or 0
        bits_b = options.get("b_bits") or bits or 0
        keywords = dict(
            signed=signed, bits_a=int(bits_a), bits_b=int(bits_b),
            name=options.get("name") or "", top=options.get("top") or "",
            func=options.get("func") or "", port_a=options.get("port_a") or "",
            port_b=options.get("port_b") or "", port_out=options.get("port_out") or "",
            yosys=options.get("yosys"), yosys_bin=os.fspath(options.get("yosys_bin") or ""))
        source = os.fspath(path)
        m = cls._from_raw(_C.load_lut(source, **keywords), cost)
        # Only the input and its options are kept: cost() reads the netlist again (a few ms).
        keywords["signed"] = m.is_signed
        m._cost_input = (source, keywords)
        return m

    @classmethod
    def builtin(cls, name: str, cost: dict | None = None) -> "Multiplier":
        """The built-in multiplier NAME (see :func:`axx.multipliers`). ``cost``: figures that
        override :meth:`cost`'s estimates (as for :meth:`from_file`).

        Raises axx.InputError for an unknown name; the message lists the valid ones.
        """
        if not isinstance(name, str):
            raise _C.ArgumentTypeError(f"Multiplier.builtin: name must be a str, got {type(name).__name__}")
        m = cls._from_raw(_C.load_lut("builtin:" + name), cost)
        m._cost_input = ("builtin:" + name, {})
        return m

    @classmethod
    def from_lut(cls, lut: Any, signed: bool = True, name: str = "custom",
                 cost: dict | None = None) -> "Multiplier":
        """A multiplier from its table.

        Args:
            lut: integer tensor or array of shape ``(2**bits_a, 2**bits_b)``, 2 to 12 bits per
                operand, indexed by the operands' bit patterns (two's complement when signed:
                ``lut[(a & 255)][(b & 255)]`` for 8-bit operands); values must fit in int32.
            signed: the operands are two's complement.
            name: the multiplier's name.
            cost: hardware figures of the design (a table has no gates, so :meth:`cost` returns
                only these), e.g. ``{"area_rel": 0.61, "power_rel": 0.55}``.
        """
        return cls(lut, signed=signed, name=name, cost=cost)

    @classmethod
    def _from_raw(cls, raw: dict, cost: dict | None = None) -> "Multiplier":
        return cls(raw["table"], signed=raw["signed"], name=raw["name"],
                   provenance=raw["provenance"], cost=cost)

    # --- the table and what is derived from it ------------------------------------------------

    @property
    def lut(self) -> torch.Tensor:
        return self._lut

    @property
    def metrics(self) -> dict:
        if self._metrics is None:
            self._metrics = _C.metrics(self._lut, self.bits_a, self.bits_b, self.is_signed,
                                       self.name)
        return dict(self._metrics)

    @property
    def rank(self) -> int | None:
        return None if self._lowrank is None else int(self._lowrank[0].shape[0])

    def cost(self, activity: Any = None, pairs: int = 100000, seed: int = 1) -> dict:
        """Hardware cost of the design's gate-level netlist, as ``axx cost --json`` gives it
        (docs/cost.md): ``name, bits_a, bits_b, signed, gates, area_nand2, depth, power_proxy,
        area_rel, power_rel, depth_rel, cells, activity, pairs``, plus ``user_figures``: the keys
        whose values came from the ``cost=`` figures given when the multiplier was made (those
        override the estimates).

        The netlist is the file the multiplier was read from (``.blif``, ``.v``/``.sv``, read
        again with the same options) or, for a built-in, its generated netlist
        (docs/netgen.md). ``m.cost()`` with uniform operands is computed once and kept.

        Args:
            activity: operand samples for the power proxy: an integer tensor or array of shape
                ``(n, 2)``, ``n >= 2`` (column 0 operand A, column 1 operand B, operand values in
                the multiplier's range, pairs in the order they are multiplied), or the path of a
                ``.npy`` file of that shape. None: ``pairs`` uniform random pairs from ``seed``.

        Raises:
            axx.UsageError: the multiplier has no netlist (from a table, a ``.npy``/``.h``/
                ``.json`` file or a C function) and no ``cost=`` figures were given, or
                ``activity`` is given for a multiplier costed by user figures only.
            axx.InputError: bad activity values (outside the operand range, never changing).
        """
        for key, value in (("pairs", pairs), ("seed", seed)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise _C.ArgumentTypeError(f"Multiplier.cost: {key} must be an int, got {value!r}")
        if self._cost_input is None or not self._has_netlist():
            if not self._user_cost:
                made = ("a C function" if self.provenance.get("kind") == "c"
                        else "a table")
                raise _C.UsageError(
                    f"Multiplier.cost: '{self.name}' was made from {made}, which has no gates; its "
                    f"cost needs a gate-level netlist (Multiplier.from_file on a .blif/.v/.sv "
                    f"file, or Multiplier.builtin), or figures given as cost={{'area_rel': ..., "
                    f"'power_rel': ...}} when the multiplier is made")
            if activity is not None:
                raise _C.UsageError(
                    f"Multiplier.cost: '{self.name}' is costed by the figures it was given; "
                    f"activity needs a gate-level netlist to simulate")
            out = {"name": self.name, "bits_a": self.bits_a, "bits_b": self.bits_b,
                   "signed": self.is_signed}
            out.update(self._user_cost)
            out["user_figures"] = sorted(self._user_cost)
            return out
        source, keywords = self._cost_input
        uniform = activity is None and pairs == 100000 and seed == 1
        if uniform and self._uniform_cost is not None:
            out = dict(self._uniform_cost)
            out["cells"] = dict(out["cells"])
        else:
            extra: dict[str, Any] = {}
            if activity is None:
                extra = {"pairs": int(pairs), "seed": int(seed)}
            elif isinstance(activity, (str, os.PathLike)):
                extra = {"activity_path": os.fspath(activity)}
            else:
                extra = {"activity": _as_activity(activity)}
            out = _C.cost(source, **keywords, **extra)
            out["name"] = self.name
            if uniform:
                self._uniform_cost = dict(out)
                self._uniform_cost["cells"] = dict(out["cells"])
        out.update(self._user_cost)
        out["user_figures"] = sorted(self._user_cost)
        return out

    def _has_netlist(self) -> bool:
        source = self._cost_input[0] if self._cost_input else ""
        return source.startswith("builtin:") or source.lower().endswith(_NETLIST_SUFFIXES)

    def _tables(self, device: torch.device | str, op: str = "axx.Multiplier") -> tuple:
        """``(lut256, lowrank_u, lowrank_v)`` on DEVICE for the ops; u and v are None when the
        table has no exact low-rank form of rank <= 64. Uploaded once per device. OP names the
        caller in errors."""
        device = torch.device(device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        tables = self._device_tables.get(device)
        if tables is None:
            if self._lut256 is None:
                raise _C.UsageError(
                    f"{op}: multiplier '{self.name}' has {self.bits_a}x{self.bits_b}-bit operands "
                    f"(table shape {tuple(self._lut.shape)}); the emulator runs operands of up to "
                    f"{_MAX_EMULATED_BITS} bits")
            u, v = self._lowrank if self._lowrank is not None else (None, None)
            tables = tuple(None if t is None else t.to(device) for t in (self._lut256, u, v))
            self._device_tables[device] = tables
        return tables

    # --- Python protocol -----------------------------------------------------------------------

    def __repr__(self) -> str:
        kind = "signed" if self.is_signed else "unsigned"
        return f"Multiplier('{self.name}', {self.bits_a}x{self.bits_b} {kind})"

    # A Multiplier is immutable data: copies share it (and its device caches), pickles carry the
    # table only.
    def __copy__(self) -> "Multiplier":
        return self

    def __deepcopy__(self, memo: dict) -> "Multiplier":
        return self

    def __reduce__(self):
        return (Multiplier, (self._lut, self.is_signed, self.name, self.provenance,
                             self._user_cost or None))


def _as_activity(activity: Any) -> torch.Tensor:
    """Operand samples as the int64 (n, 2) CPU tensor _C.cost takes."""
    t = activity if isinstance(activity, torch.Tensor) else torch.as_tensor(activity)
    if t.dim() != 2 or t.shape[1] != 2:
        raise _C.InputError(f"Multiplier.cost: activity must have shape (n, 2) (column 0 operand "
                            f"A, column 1 operand B), got {tuple(t.shape)}")
    if t.dtype.is_floating_point or t.dtype.is_complex or t.dtype == torch.bool:
        raise _C.InputError(f"Multiplier.cost: activity must hold integer operand values, got "
                            f"{t.dtype}")
    return t.detach().to("cpu", torch.int64).contiguous()


def _as_table(lut: Any, where: str) -> torch.Tensor:
    table = lut
    if not isinstance(lut, torch.Tensor):
        try:
            table = None if isinstance(lut, (str, bytes)) or lut is None else torch.as_tensor(lut)
        except (TypeError, ValueError, RuntimeError):  # what torch raises for data it cannot convert
            table = None
        if table is None:
            raise _C.ArgumentTypeError(f"{where}: the table must be an integer tensor or array, got "
                                       f"{type(lut).__name__}")
    if table.dim() != 2:
        raise _C.InputError(f"{where}: the table must be 2-D (rows = operand A, columns = operand "
                            f"B), got shape {tuple(table.shape)}")
    if _bits_of(table.shape[0]) < 0 or _bits_of(table.shape[1]) < 0:
        raise _C.InputError(f"{where}: table sides must be powers of two from 4 to 4096 (2 to 12 "
                            f"bits per operand), got shape {tuple(table.shape)}")
    if table.dtype.is_floating_point or table.dtype.is_complex or table.dtype == torch.bool:
        raise _C.InputError(f"{where}: the table must hold integers, got {table.dtype}")
    table = table.detach().to("cpu")
    if table.dtype != torch.int32:
        wide = table.to(torch.int64)
        lo, hi = int(wide.min()), int(wide.max())
        if lo < -2**31 or hi >= 2**31:
            raise _C.InputError(f"{where}: table values must fit in int32, got range [{lo}, {hi}]")
        table = wide.to(torch.int32)
    else:
        table = table.clone()
    return table.contiguous()
