// Placeholder until the command is wired (issue 4/5); exits non-zero so nothing mistakes it for done.
#include <cstdio>
int main() {
  std::fputs("error: kubectl-dr status is not implemented yet\n", stderr);
  return 1;
}
