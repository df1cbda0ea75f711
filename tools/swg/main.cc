// swg: the operator's tool for the Single Window Gateway.
//   swg check FILE...   detect, parse, validate and map documents; print the model or the rejection

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/swg/check.h"

namespace {

std::string default_xsd_dir() {
  if (const char* env = std::getenv("SWG_XSD_DIR"); env != nullptr && *env != '\0') return env;
  return SWG_DEFAULT_XSD_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"swg: operator tool of the Single Window Gateway"};
  app.require_subcommand(1);

  swg::tools::CheckOptions check;
  check.xsd_dir = default_xsd_dir();
  auto* check_cmd = app.add_subcommand(
      "check", "Parse, validate and map documents; print each as JSON (model or rejection)");
  check_cmd->add_option("files", check.files, "Documents to check")->required();
  check_cmd->add_option("--xsd", check.xsd_dir,
                        "Folder of the schemas (default: the project's xsd/)");
  check_cmd->add_option("--max-bytes", check.limits.max_bytes, "Largest document accepted");
  check_cmd->add_option("--max-depth", check.limits.max_depth, "Deepest element nesting accepted");
  check_cmd->add_flag("--pretty", check.pretty, "Indent the model JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (check_cmd->parsed()) return swg::tools::run_check(check);
  return 2;
}
