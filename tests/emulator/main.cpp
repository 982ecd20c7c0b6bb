// Placeholder: replaced by the emulator's real entry point.
#include <cstdio>
int main() {
  std::fputs("kube-emulator: not built yet\n", stderr);
  return 1;
}
