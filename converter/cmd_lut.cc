#include "converter/cmd_lut.h"

#include <memory>
#include <optional>

#include "axx/error.h"

#include "converter/input_options.h"
#include "lutgen/atomic_file.h"
#include "lutgen/metrics.h"
#include "lutgen/writer.h"

namespace axx::cli {

void setup_lut(CLI::App& app) {
  auto opt = std::make_shared<LutOptions>();
  auto* sub = app.add_subcommand("lut", "Turn a multiplier into its lookup table (header, TransAxx header, .npy, JSON)");
  sub->add_option("INPUT", opt->input, "One multiplier: " + input_kinds_list())->required();
  sub->add_option("-o,--output", opt->output, "Output file (default: header on stdout); written atomically");
  std::string formats;
  for (const auto& w : lutgen::writer_kinds()) formats += (formats.empty() ? "" : "|") + w.name;
  sub->add_option("--format", opt->format, "Output format " + formats + " (default: from OUT's extension)");
  sub->add_option("--report", opt->report,
                  "Also write the JSON document (metadata, provenance, signedness, metrics, table); reads back as INPUT");
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_lut(*opt); });
}

void run_lut(const LutOptions& options, std::ostream& out) {
  // Outputs replace files by rename: one output onto another would keep only the last, and one
  // onto the input would replace it.
  check_distinct_paths({options.input}, {{"-o", options.output}, {"--report", options.report}});
  // Resolve the writer before doing any work, so a bad format is a quick usage error.
  const lutgen::WriterKind& writer = !options.format.empty() ? lutgen::find_writer(options.format)
                                     : !options.output.empty() && options.output != "-" ? lutgen::writer_for_path(options.output)
                                                               : lutgen::find_writer("header");
  const lutgen::Lut lut = lutgen::load_lut(options.input, options.source);
  const lutgen::Metrics metrics = lutgen::compute_metrics(lut);
  const std::string contents = writer.render(lut, metrics);
  // Both files are complete before either is renamed into place: if one cannot be written (a full
  // disk, a missing folder), neither output changes. The report is the JSON format itself, so it
  // reads back as an input like any table.
  std::optional<lutgen::PendingFile> report, table;
  if (!options.report.empty()) report.emplace(options.report, lutgen::render_json(lut, metrics));
  const bool to_stdout = options.output.empty() || options.output == "-";
  if (!to_stdout) table.emplace(options.output, contents);
  if (report) report->commit();
  if (table) table->commit();
  if (to_stdout) out << contents;
}

}  // namespace axx::cli
