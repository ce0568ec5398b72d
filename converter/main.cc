// axx: one binary, one file pair per subcommand. main only wires the subcommands and maps
// exceptions to exit codes (docs/architecture.md): 0 ok, 1 usage error, 2 bad input, 3 external tool problem.
#include <CLI/CLI.hpp>
#include <iostream>

#include "axx/error.h"
#include "converter/cmd_compare.h"
#include "converter/cmd_cost.h"
#include "converter/cmd_heatmap.h"
#include "converter/cmd_list.h"
#include "converter/cmd_lut.h"
#include "converter/cmd_metrics.h"
#include "converter/cmd_decompose.h"

int main(int argc, char** argv) {
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
    std::cerr << "axx: error: " << message << "\n";
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
