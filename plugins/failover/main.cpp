// kubectl-dr-failover: `kubectl dr failover ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::run_verb("failover", argc, argv, dr::commands::process_io());
}
