// sluice command line: wiring only; each sub-command lives in its own file.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"sluice: experimentation and traffic allocation"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
