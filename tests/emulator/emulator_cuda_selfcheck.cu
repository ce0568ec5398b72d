// Self-check of the CUDA paths for the GPU machine (bench/emulator_cuda/run_gpu.sh): runs every
// case of emulator_cuda_cases.h without GoogleTest, prints one line per case, exits 1 on any
// mismatch and 2 when no GPU is present. Small enough to run under compute-sanitizer; the slow
// racecheck tool can take the cases one at a time: AXX_SELFCHECK_ONLY=<substring of a case name>.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "emulator/emulator.h"
#include "tests/emulator/emulator_cuda_cases.h"

int main() {
  using namespace axx::emulator;
  if (!cuda_available()) {
    std::printf("cuda_selfcheck: no CUDA device\n");
    return 2;
  }
  const char* only = std::getenv("AXX_SELFCHECK_ONLY");
  int failed = 0, run = 0;
  for (const auto& c : cuda_cases::all_cases()) {
    if (only && !std::strstr(c.name, only)) continue;
    ++run;
    cuda_cases::Report rep;
    try {
      c.fn(rep);
    } catch (const std::exception& e) {
      rep.fail(std::string("exception: ") + e.what());
    }
    std::printf("%-28s %s\n", c.name, rep.failures.empty() ? "ok" : "FAILED");
    for (const auto& f : rep.failures) std::printf("    %s\n", f.c_str());
    failed += !rep.failures.empty();
  }
  std::printf("cuda_selfcheck: %d of %d cases failed\n", failed, run);
  return failed ? 1 : 0;
}
