// kubectl-dr-failback: `kubectl dr failback ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::run_verb("failback", argc, argv, dr::commands::process_io());
}
