// Error checks for CUDA runtime and cuBLAS calls: a failure throws axx::Error naming the file,
// the line and the failing expression (docs/emulator-cuda.md).
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "axx/error.h"

namespace axx::emulator::cuda_detail {

[[noreturn]] inline void throw_cuda_error(const char* file, int line, const char* expr,
                                          const std::string& what) {
  throw Error(std::string(file) + ":" + std::to_string(line) + ": " + expr + " failed: " + what);
}

inline const char* cublas_status_name(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "cuBLAS error";
  }
}

}  // namespace axx::emulator::cuda_detail

#define CUDA_CHECK(expr)                                                                  \
  do {                                                                                    \
    cudaError_t axx_cuda_err_ = (expr);                                                   \
    if (axx_cuda_err_ != cudaSuccess)                                                     \
      ::axx::emulator::cuda_detail::throw_cuda_error(__FILE__, __LINE__, #expr,           \
                                                     cudaGetErrorString(axx_cuda_err_));  \
  } while (0)

// After a kernel launch: reports launch-configuration errors at the launch site.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#define CUBLAS_CHECK(expr)                                                                \
  do {                                                                                    \
    cublasStatus_t axx_cublas_st_ = (expr);                                               \
    if (axx_cublas_st_ != CUBLAS_STATUS_SUCCESS)                                          \
      ::axx::emulator::cuda_detail::throw_cuda_error(                                     \
          __FILE__, __LINE__, #expr,                                                      \
          ::axx::emulator::cuda_detail::cublas_status_name(axx_cublas_st_));              \
  } while (0)
