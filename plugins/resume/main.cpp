// kubectl-dr-resume: `kubectl dr resume ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::run_verb("resume", argc, argv, dr::commands::process_io());
}
