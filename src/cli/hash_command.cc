// sluice hash: where a unit lands under a salt (for debugging placement and
// for checking another SDK's implementation against ours).
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "sluice/core/config.h"
#include "sluice/core/hash.h"

namespace sluice::cli {

void AddHashCommand(CLI::App& app) {
  struct Options {
    std::string salt;
    std::string unit;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("hash", "Print the seed, hash and bucket of a unit under a salt");
  cmd->add_option("--salt", opts->salt, "Layer, experiment, flag or holdout salt")->required();
  cmd->add_option("--unit", opts->unit, "Unit id")->required();
  cmd->callback([opts] {
    std::uint32_t seed = core::SaltSeed(opts->salt);
    std::uint32_t hash = core::Xxh32(opts->unit, seed);
    core::Json out = {{"hash_version", core::kHashVersion}, {"salt", opts->salt}, {"unit_id", opts->unit},
                      {"seed", seed}, {"hash", hash}, {"bucket", hash % core::kBuckets}};
    std::cout << out.dump() << '\n';
  });
}

}  // namespace sluice::cli
