// Shared by the fuzz targets: the readers take a path, so each input goes to a file in a private
// temporary folder first. A thrown axx::Error is a normal outcome (the reader rejected the input);
// any other exception is a finding, reported with its type and message and turned into an abort so
// that libFuzzer keeps the input.
#pragma once
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <typeinfo>

#include "axx/error.h"

namespace axx::fuzz {

// Writes DATA to <tmp>/input<ext> (one folder per process, removed at exit) and returns the path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const std::string& ext) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/axx-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string to_remove;
    to_remove = templ;
    std::atexit([] {
      for (const char* name : {"/input.blif", "/input.v", "/input.h", "/input.npy", "/input.json", "/input.c"}) {
        unlink((to_remove + name).c_str());
      }
      rmdir(to_remove.c_str());
    });
    return templ;
  }();
  const std::string path = dir + "/input" + ext;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

// Runs BODY; axx errors are accepted, anything else aborts.
template <typename Body>
void expect_axx_errors_only(Body&& body) {
  try {
    body();
  } catch (const axx::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "axx fuzz: non-axx exception %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "axx fuzz: non-std exception\n");
    std::abort();
  }
}

}  // namespace axx::fuzz
