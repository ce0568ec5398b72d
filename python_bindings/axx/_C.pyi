# Type stubs of the compiled module axx._C (python_bindings/src/). Importing it also registers the
# torch operators torch.ops.axx.lut_matmul and torch.ops.axx.lut_conv2d (see axx.ops).
from typing import Any, TypedDict

import torch

class AxxError(Exception): ...
class UsageError(AxxError, ValueError): ...
class ArgumentTypeError(UsageError, TypeError): ...
class InputError(AxxError, ValueError): ...

class ParseError(InputError):
    file: str
    line: int
    col: int
    message: str

class ToolError(AxxError, RuntimeError): ...

class Provenance(TypedDict):
    kind: str
    path: str
    detail: str
    signedness: str

class RawLut(TypedDict):
    name: str
    bits_a: int
    bits_b: int
    signed: bool
    table: torch.Tensor
    provenance: Provenance

has_cuda_ops: bool

def load_lut(input: str, signed: bool | None = None, bits_a: int = 0, bits_b: int = 0,
             name: str = "", top: str = "", func: str = "", port_a: str = "", port_b: str = "",
             port_out: str = "", yosys: bool | None = None, yosys_bin: str = "") -> RawLut: ...
def metrics(table: torch.Tensor, bits_a: int, bits_b: int, signed: bool,
            name: str) -> dict[str, str | int | bool | float]: ...  # integral values as int
def expand_to_256(table: torch.Tensor, bits_a: int, bits_b: int, signed: bool) -> torch.Tensor: ...
def decompose(lut256: torch.Tensor, signed: bool,
              max_rank: int = 8) -> tuple[torch.Tensor, torch.Tensor] | None: ...
def input_options() -> list[tuple[str, list[str], list[str]]]: ...
def builtins() -> list[tuple[str, str, int, int, bool, str, str, str]]: ...  # ..., family, params, citation
def cost(input: str, signed: bool | None = None, bits_a: int = 0, bits_b: int = 0, name: str = "",
         top: str = "", func: str = "", port_a: str = "", port_b: str = "", port_out: str = "",
         yosys: bool | None = None, yosys_bin: str = "", activity: torch.Tensor | None = None,
         activity_path: str = "", pairs: int = 100000,
         seed: int = 1) -> dict[str, Any]: ...  # the keys of `axx cost --json`
def cuda_compiled() -> bool: ...
def cuda_available() -> bool: ...
def cpu_isa() -> str: ...
def set_cpu_isa(name: str) -> None: ...
def supported_cpu_isas() -> list[str]: ...
def cpu_threads() -> int: ...
def set_cpu_threads(n: int) -> None: ...
