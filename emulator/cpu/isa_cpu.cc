// Run-time instruction-set detection and the process-wide CpuIsa setting.
//
// The library is built for baseline x86-64; each SIMD kernel carries its own target attribute and
// runs only where this file says the CPU (and the OS) supports it:
// - Avx2:   AVX2 (the column-table LUT kernel, the vpmaddwd low-rank GEMM).
// - AvxVnni: AVX2 + the 256-bit VEX AVX-VNNI (Alder Lake-class cores without AVX-512): low-rank
//           as 256-bit vpdpbusd/vpdpwssd GEMMs; the LUT path stays AVX2.
// - Avx512: AVX-512 F/BW/VL + VNNI + VBMI (low-rank as vpdpbusd/vpdpwssd GEMMs with operands
//           translated through byte tables by vpermi2b; the LUT path stays the AVX2 kernel).
// - Amx:    Avx512 plus the AMX-INT8 tile unit (low-rank byte forms as TDPBUSD tile GEMMs). Linux
//           hands out the 8 KiB tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM), so
//           Amx counts as supported only once that request succeeded.
#include <algorithm>
#include <atomic>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "axx/error.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {

std::atomic<int> g_isa{static_cast<int>(CpuIsa::Auto)};

#if defined(__x86_64__)
bool has_avx2() { return __builtin_cpu_supports("avx2"); }

bool has_avxvnni() { return __builtin_cpu_supports("avxvnni"); }

bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vbmi");
}

bool request_amx() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool tile = (d >> 24) & 1, int8 = (d >> 25) & 1;
  if (!tile || !int8) return false;
  // ARCH_REQ_XCOMP_PERM (0x1023) for XFEATURE_XTILEDATA (18): the kernel enables the tile data
  // state for this process; it fails on kernels without AMX support (Linux < 5.16).
  if (syscall(SYS_arch_prctl, 0x1023, 18) != 0) return false;
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((lo >> 17) & 3) == 3;  // XTILECFG and XTILEDATA enabled in XCR0
}

bool has_amx() {
  static const bool ok = has_avx512() && request_amx();
  return ok;
}
#else
bool has_avx2() { return false; }
bool has_avxvnni() { return false; }
bool has_avx512() { return false; }
bool has_amx() { return false; }
#endif

const char* isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Auto: return "Auto";
    case CpuIsa::Portable: return "Portable";
    case CpuIsa::Avx2: return "AVX2";
    case CpuIsa::AvxVnni: return "AVX-VNNI";
    case CpuIsa::Avx512: return "AVX-512 (F/BW/VL/VNNI/VBMI)";
    case CpuIsa::Amx: return "AMX-INT8";
  }
  return "?";
}

}  // namespace

bool cpu_isa_supported(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Auto:
    case CpuIsa::Portable:
      return true;
    case CpuIsa::Avx2:
      return has_avx2();
    case CpuIsa::AvxVnni:
      return has_avx2() && has_avxvnni();
    case CpuIsa::Avx512:
      return has_avx2() && has_avx512();
    case CpuIsa::Amx:
      return has_avx2() && has_amx();
  }
  return false;
}

void set_cpu_isa(CpuIsa isa) {
  if (!cpu_isa_supported(isa))
    throw UsageError(std::string("set_cpu_isa: this CPU (or OS) does not support ") + isa_name(isa));
  g_isa.store(static_cast<int>(isa));
}

CpuIsa cpu_isa() {
  const auto isa = static_cast<CpuIsa>(g_isa.load());
  if (isa != CpuIsa::Auto) return isa;
  static const CpuIsa best = cpu_isa_supported(CpuIsa::Amx)      ? CpuIsa::Amx
                             : cpu_isa_supported(CpuIsa::Avx512)  ? CpuIsa::Avx512
                             : cpu_isa_supported(CpuIsa::AvxVnni) ? CpuIsa::AvxVnni
                             : cpu_isa_supported(CpuIsa::Avx2)    ? CpuIsa::Avx2
                                                                 : CpuIsa::Portable;
  return best;
}

}  // namespace axx::emulator
