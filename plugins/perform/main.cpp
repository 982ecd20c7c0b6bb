// kubectl-dr-perform: `kubectl dr perform ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::run_verb("perform", argc, argv, dr::commands::process_io());
}
