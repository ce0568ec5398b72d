// Atomic output: contents go to a temporary file in the destination's directory, which is then
// renamed over the destination, so readers never see a partial file and a failed write leaves
// nothing behind (docs/cli.md).
#pragma once
#include <string>

namespace axx::lutgen {

// Throws axx::InputError naming PATH when it cannot be written.
void write_file_atomic(const std::string& path, const std::string& contents);

}  // namespace axx::lutgen
