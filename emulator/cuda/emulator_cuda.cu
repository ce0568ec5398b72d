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

EpilogueArgs epilogue_args(const Epilogue* epi, std::int64_t stride_o) {
  EpilogueArgs e;
  if (!epi) return e;
  e.on = true;
  e.scale_a = epi->scale_a;
  e.scale_b = epi->scale_b;
  e.per_channel = epi->scale_b_per_channel;
  e.bias = epi->bias;
  e.out = epi->out;
  e.ldo = epi->ldo;
  e.so_o = stride_o;
  return e;
}

// Runs the family the path asks for; the low-rank path declines (returns false) when its form
// does not fit the exact tensor-core ranges, and the LUT kernel gives the same int32 result.
void run_gemm(const TableRef& table, const BatchedGemm& g, const EpilogueArgs& e, Path path,
              cudaStream_t stream) {
  if (path == Path::Reference) return reference_gemm(table.lut, g, e, stream);
  if ((path == Path::Auto || path == Path::LowRank) && table.has_lowrank() &&
      lowrank_gemm(table.lowrank, table.lut, g, e, stream))
    return;
  lut_gemm(table.lut, g, e, stream);
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

void gemm_cuda(const TableRef& table, const GemmProblem& p, const Epilogue* epi, Path path,
               void* stream) {
  using namespace cuda_detail;
  check_gemm_problem(table, p, epi, "gemm_cuda");
  if (path == Path::LowRank && !table.has_lowrank())
    throw UsageError("gemm_cuda: Path::LowRank requested but the table has no low-rank form");
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;

  run_gemm(table, batched_of(p), epilogue_args(epi, epi ? epi->stride_o : 0), path,
           static_cast<cudaStream_t>(stream));
}

}  // namespace axx::emulator
