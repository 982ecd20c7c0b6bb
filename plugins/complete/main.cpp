// kubectl_complete-dr: kubectl (>= 1.26) runs it for `kubectl dr ...<TAB>` with the words after
// `dr`, the last one being completed; it answers in cobra's protocol (dr/cli/completion.hpp).
// Installed also as kubectl_complete-dr-VERB, the name kubectl looks up when kubectl-dr-VERB is on
// PATH. Completion must be quick and quiet: stderr goes to /dev/null (set KUBECTL_DR_COMPLETION_DEBUG
// to keep it), stdin too (no credential plugin may prompt), and a hard deadline answers ":4".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dr/commands/completion.hpp"
#include "dr/commands/verb_table.hpp"

namespace {

constexpr unsigned kDeadlineSeconds = 2;

void write_all(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

extern "C" void on_deadline(int /*signal*/) {
  static const char kGiveUp[] = ":4\n";
  [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, kGiveUp, sizeof(kGiveUp) - 1);
  ::_exit(0);
}

void quiet_streams() {
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) return;
  ::dup2(null_fd, STDIN_FILENO);
  if (std::getenv("KUBECTL_DR_COMPLETION_DEBUG") == nullptr) ::dup2(null_fd, STDERR_FILENO);
  if (null_fd > STDERR_FILENO) ::close(null_fd);
}

// kubectl lists a verb itself when kubectl-dr-VERB is an executable on PATH.
bool on_path(const std::string& file) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest(path);
  while (true) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    if (!dir.empty() && ::access((dir + "/" + file).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  quiet_streams();
  ::signal(SIGALRM, on_deadline);
  ::alarm(kDeadlineSeconds);

  bool with_descriptions = true;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const std::vector<std::string> words =
      dr::commands::completion_words(argc > 0 ? argv[0] : "kubectl_complete-dr", args, &with_descriptions);

  std::vector<std::string> offered;
  if (words.size() == 1) {
    for (const auto& verb : dr::commands::verb_table()) {
      if (on_path("kubectl-dr-" + std::string(verb.name))) offered.emplace_back(verb.name);
    }
  }
  auto source = dr::commands::make_cluster_name_source();
  const dr::commands::Completion completion = dr::commands::complete(words, *source, offered);

  ::alarm(0);
  write_all(dr::commands::render_completion(completion, with_descriptions));
  return 0;
}
