// Minimal JSON text helpers: lutgen writes JSON by hand (no third-party dependency, docs/architecture.md).
#pragma once
#include <string>

namespace axx::lutgen {

// Shortest decimal that reads back to the same double; integers without a fraction; "null" for
// non-finite values (JSON has no NaN/Inf).
std::string json_number(double x);
// A JSON string literal with escapes.
std::string json_string(const std::string& s);

}  // namespace axx::lutgen
