#!/usr/bin/env bash
# Regenerates multipliers/generated/NAME.h for every built-in multiplier (the list in
# multipliers/builtins.def) with the project's own CLI: `axx lut builtin:NAME -o NAME.h`.
# They are the built-in tables in the portable header format (docs/formats-tables.md), ready for
# users' own C/C++/CUDA code and TransAxx/AdaPT folders; tests/multipliers checks that they still
# equal the builtins, so run this after changing or adding a design and commit the result.
#
# Usage: multipliers/regenerate.sh            (AXX_BIN defaults to build/converter/axx)
#        AXX_BIN=build-x/converter/axx multipliers/regenerate.sh
# Also: cmake --build BUILD --target regenerate_multipliers
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
axx="${AXX_BIN:-$root/build/converter/axx}"
if [[ ! -x "$axx" ]]; then
  echo "regenerate.sh: $axx not found; build it (cmake --build build --target axx) or set AXX_BIN" >&2
  exit 1
fi
names=$(sed -n 's/^AXX_\(UN\)\{0,1\}SIGNED[0-9]*(\([A-Za-z0-9_]*\),.*/\2/p' "$here/builtins.def")
if [[ -z "$names" ]]; then
  echo "regenerate.sh: no designs found in $here/builtins.def" >&2
  exit 1
fi
mkdir -p "$here/generated"
for name in $names; do
  "$axx" lut "builtin:$name" --format header -o "$here/generated/$name.h"
done
# Drop headers of designs that are no longer registered.
for h in "$here"/generated/*.h; do
  stem="$(basename "$h" .h)"
  grep -qx "$stem" <<<"$names" || { echo "regenerate.sh: removing stale $h"; rm -f "$h"; }
done
echo "regenerate.sh: wrote $(wc -w <<<"$names") headers to $here/generated/"
