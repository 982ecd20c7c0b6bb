// kubectl-dr-resume: `kubectl dr resume ...`. All logic lives in common/ (dr::commands).
#include "dr/commands/commands.hpp"

int main(int argc, char** argv) {
  return dr::commands::resume_main(argc, argv, dr::commands::process_io());
}
