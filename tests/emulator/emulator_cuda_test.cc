// The CUDA paths (LUT kernel with 16-bit and 32-bit tables, exact low-rank path on tensor cores,
// conv2d) against a plain integer loop on the host, bit for bit. The cases live in
// emulator_cuda_cases.h so that the gtest-free self-check on the GPU machine runs the same ones.
// Without a GPU (CI) every case is skipped; the file still compiles wherever CUDA does.
#include <gtest/gtest.h>

#include <ostream>

#include "emulator/emulator.h"
#include "tests/emulator/emulator_cuda_cases.h"

namespace axx::emulator {
namespace cuda_cases {
// Readable parameter names in gtest/ctest output.
void PrintTo(const NamedCase& c, std::ostream* os) { *os << c.name; }
}  // namespace cuda_cases

namespace {

class EmulatorCuda : public ::testing::TestWithParam<cuda_cases::NamedCase> {};

TEST_P(EmulatorCuda, MatchesHostReference) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device";
  cuda_cases::Report rep;
  GetParam().fn(rep);
  for (const auto& f : rep.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Cases, EmulatorCuda, ::testing::ValuesIn(cuda_cases::all_cases()),
                         [](const ::testing::TestParamInfo<cuda_cases::NamedCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(EmulatorCudaBuild, CompiledIn) { EXPECT_TRUE(cuda_compiled()); }

}  // namespace
}  // namespace axx::emulator
