// One exception hierarchy for every axx module (docs/architecture.md, "Contracts in one place").
// Header-only so that netlist_sim and emulator stay free of dependencies on other axx libraries.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace axx {

// Base of everything axx throws on purpose. The CLI maps subclasses to exit codes:
//   UsageError -> 1, InputError/ParseError -> 2, ToolError -> 3 (docs/cli.md).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Wrong arguments or option combinations (exit status 1).
class UsageError : public Error {
 public:
  using Error::Error;
};

// Bad input data without a useful position (exit status 2).
class InputError : public Error {
 public:
  using Error::Error;
};

// Bad input at a known position; what() is "file:line:col: message" (col omitted when 0).
class ParseError : public InputError {
 public:
  ParseError(std::string file, std::size_t line, std::size_t col, const std::string& message)
      : InputError(format(file, line, col, message)),
        file_(std::move(file)), line_(line), col_(col), message_(message) {}

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  std::size_t col() const { return col_; }
  const std::string& message() const { return message_; }

 private:
  static std::string format(const std::string& file, std::size_t line, std::size_t col,
                            const std::string& message) {
    // Built with append() only: g++ 12 reports a false -Wrestrict on operator+ chains here.
    std::string s;
    s.reserve(file.size() + message.size() + 24);
    s.append(file);
    if (line > 0) s.append(":").append(std::to_string(line));
    if (line > 0 && col > 0) s.append(":").append(std::to_string(col));
    s.append(": ").append(message);
    return s;
  }
  std::string file_;
  std::size_t line_, col_;
  std::string message_;
};

// An external program (yosys, cc) is missing or failed (exit status 3).
class ToolError : public Error {
 public:
  using Error::Error;
};

}  // namespace axx
