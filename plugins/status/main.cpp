// kubectl-dr-status: `kubectl dr status ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::status_main(argc, argv, dr::commands::process_io());
}
