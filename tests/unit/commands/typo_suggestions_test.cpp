// "Did you mean this?" after a mistyped verb or resource word, found as cobra finds it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dr/commands/dispatch.hpp"
#include "dr/commands/verb_table.hpp"
#include "dr/core/suggest.hpp"

using dr::commands::DispatchAction;
using dr::commands::plan_dispatch;
using Names = std::vector<std::string>;

TEST_CASE("suggest: Levenshtein distance, case ignored", "[suggest]") {
  CHECK(dr::suggest::edit_distance("", "") == 0);
  CHECK(dr::suggest::edit_distance("activte", "activate") == 1);
  CHECK(dr::suggest::edit_distance("kitten", "sitting") == 3);
  CHECK(dr::suggest::edit_distance("STATUS", "status") == 0);
  CHECK(dr::suggest::edit_distance("", "apps") == 4);
}

TEST_CASE("suggest: within two edits, by prefix, or named for the word", "[suggest]") {
  const std::vector<dr::suggest::Candidate> candidates = {
      {"activate", {"activate"}, {}},
      {"deactivate", {"deactivate"}, {}},
      {"status", {"status"}, {"get"}},
      {"migrationschedules", {"migrationschedules", "migrationschedule", "ms"}, {}},
  };
  CHECK(dr::suggest::suggestions_for("activte", candidates) == Names{"activate"});
  CHECK(dr::suggest::suggestions_for("deac", candidates) == Names{"deactivate"});
  CHECK(dr::suggest::suggestions_for("GET", candidates) == Names{"status"});
  // Two spellings of one candidate close to the word: the name once.
  CHECK(dr::suggest::suggestions_for("migrationshedules", candidates) == Names{"migrationschedules"});
  CHECK(dr::suggest::suggestions_for("frobnicate", candidates).empty());
  CHECK(dr::suggest::suggestions_for("", candidates).empty());
  CHECK(dr::suggest::did_you_mean({}).empty());
  CHECK(dr::suggest::did_you_mean({"a", "b"}) == "\n\nDid you mean this?\n\ta\n\tb\n");
}

TEST_CASE("dispatch: a mistyped verb gets cobra's suggestion", "[dispatch][suggest]") {
  const auto typo = plan_dispatch({"activte", "migration"});
  CHECK(typo.action == DispatchAction::Error);
  CHECK(typo.message ==
        "error: unknown command \"activte\" for \"kubectl dr\"\n\nDid you mean this?\n\tactivate\n\n"
        "Run 'kubectl dr --help' for usage.\n");
  // kubectl's reading verb points to ours.
  CHECK(plan_dispatch({"get", "apps"}).message ==
        "error: unknown command \"get\" for \"kubectl dr\"\n\nDid you mean this?\n\tstatus\n\n"
        "Run 'kubectl dr --help' for usage.\n");
  CHECK(plan_dispatch({"help", "suspnd"}).message.find("Did you mean this?\n\tsuspend\n") !=
        std::string::npos);
}

TEST_CASE("verbs: a mistyped resource word gets the suggestion", "[verbs][suggest]") {
  const auto* status = dr::commands::find_verb("status");
  REQUIRE(status != nullptr);
  const auto error = status->unknown_subcommand("migrationshedules");
  CHECK(error.message.find("unknown resource \"migrationshedules\" for status: use ") == 0);
  CHECK(error.message.find("\n\nDid you mean this?\n\tmigrationschedules\n") != std::string::npos);
  // Nothing close: no empty "Did you mean" block.
  CHECK(status->unknown_subcommand("pods").message.find("Did you mean") == std::string::npos);
}
