// The public CUDA entry points (emulator/emulator.h): argument checks shared with the CPU side,
// early return on empty problems, choice of kernel family, launch on the caller's stream.
#include <cuda_runtime.h>

#include <cstdint>
#include <mutex>

#include "axx/error.h"
#include "emulator/common/problem_check.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"

namespace axx::emulator {

namespace cuda_detail {

int device_sm_count() {
  constexpr int kMaxDevices = 64;
  static int counts[kMaxDevices] = {};
  static std::mutex mu;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  std::lock_guard<std::mutex> lock(mu);
  if (dev >= kMaxDevices) throw Error("axx: device index " + std::to_string(dev) + " too large");
  if (counts[dev] == 0)
    CUDA_CHECK(cudaDeviceGetAttribute(&counts[dev], cudaDevAttrMultiProcessorCount, dev));
  return counts[dev];
}

void* stream_alloc(std::size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return nullptr;
  constexpr int kMaxDevices = 64;
  static cudaMemPool_t pools[kMaxDevices] = {};
  static std::mutex mu;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  if (dev >= kMaxDevices) throw Error("axx: device index " + std::to_string(dev) + " too large");
  cudaMemPool_t pool;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!pools[dev]) {
      cudaMemPoolProps props{};
      props.allocType = cudaMemAllocationTypePinned;
      props.location.type = cudaMemLocationTypeDevice;
      props.location.id = dev;
      CUDA_CHECK(cudaMemPoolCreate(&pools[dev], &props));
      std::uint64_t keep = ~std::uint64_t{0};  // keep freed memory in the pool
      CUDA_CHECK(cudaMemPoolSetAttribute(pools[dev], cudaMemPoolAttrReleaseThreshold, &keep));
    }
    pool = pools[dev];
  }
  void* p = nullptr;
  CUDA_CHECK(cudaMallocFromPoolAsync(&p, bytes, pool, stream));
  return p;
}

void stream_free(void* p, cudaStream_t stream) {
  if (p) (void)cudaFreeAsync(p, stream);  // also called from destructors: never throws
}

// Runs the family the path asks for; the low-rank path declines (returns false) when its form
// does not fit the exact tensor-core ranges, or, under Path::Auto, when the cost model
// (cost_model.h) expects the LUT kernel to be faster; the LUT kernel gives the same int32 result.
void run_gemm(const TableRef& table, const BatchedGemm& g, Path path, cudaStream_t stream) {
  if (path == Path::Baseline) return baseline_gemm(table.lut, g, stream);
  if ((path == Path::Auto || path == Path::LowRank) && table.has_lowrank() &&
      lowrank_gemm(table.lowrank, table.lut, g, stream, path == Path::Auto))
    return;
  lut_gemm(table.lut, g, stream);
}

}  // namespace cuda_detail

bool cuda_compiled() { return true; }

bool cuda_available() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device" error
    return false;
  }
  return n > 0;
}

void gemm_cuda(const TableRef& table, const GemmProblem& p, Path path, void* stream) {
  using namespace cuda_detail;
  check_gemm_problem(table, p, "gemm_cuda");
  check_path(table, path, "gemm_cuda");
  // A CUDA build on a machine without a device: one clear message rather than the runtime's
  // error from whichever call happens to come first.
  if (!cuda_available()) throw Error("gemm_cuda: no CUDA device is present");
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;

  run_gemm(table, batched_of(p), path, static_cast<cudaStream_t>(stream));
}

}  // namespace axx::emulator
