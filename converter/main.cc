// axx: one binary, one file pair per subcommand. main only wires the subcommands and maps
// exceptions to exit codes (docs/architecture.md): 0 ok, 1 usage error, 2 bad input, 3 external tool problem.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "axx/error.h"
#include "converter/cmd_compare.h"
#include "converter/cmd_cost.h"
#include "converter/cmd_heatmap.h"
#include "converter/cmd_list.h"
#include "converter/cmd_lut.h"
#include "converter/cmd_metrics.h"
#include "converter/cmd_decompose.h"

namespace {

// A message quotes text from the input (a token, a line); from a binary file that is raw bytes.
// Control characters and bytes that are not UTF-8 are written as \xNN so that the terminal shows
// one readable line; newlines stay (a tool's log tail spans lines), as does valid UTF-8.
std::string printable(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size() && !(len == 2 && c < 0xc2) && !(len == 4 && c > 0xf4);
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)) ok = false;
    if (!ok) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
      continue;
    }
    out.append(s, i, len);
    i += len;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG instead of killing the process, so
  // the output's temporary file is removed and the failure is reported like a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"axx: approximate multipliers to lookup tables, error metrics and headers", "axx"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("axx ") + AXX_VERSION, "Print the version (axx X.Y.Z) and exit");
  app.footer("Exit status: 0 success, 1 usage error, 2 bad input, 3 external tool (yosys, cc) missing or failing.");
  axx::cli::setup_lut(app);
  axx::cli::setup_metrics(app);
  axx::cli::setup_list(app);
  axx::cli::setup_compare(app);
  axx::cli::setup_heatmap(app);
  axx::cli::setup_cost(app);
  axx::cli::setup_decompose(app);
  auto fail = [](int code, const std::string& message) {
    std::cout.flush();
    std::cerr << "axx: error: " << printable(message) << "\n";
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return fail(1, std::string(e.what()) + " (see axx --help)");
  } catch (const axx::UsageError& e) {
    return fail(1, e.what());
  } catch (const axx::InputError& e) {
    return fail(2, e.what());
  } catch (const axx::ToolError& e) {
    return fail(3, e.what());
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  std::cout.flush();
  return std::cout ? 0 : 2;
}
