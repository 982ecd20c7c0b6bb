// The kubeconfig YAML fast path (lifting long base64 values out before yaml-cpp parses) must give
// exactly the tree yaml-cpp gives for the original text, or fall back to it.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <string>

#include "kube/kubeconfig_yaml.hpp"

using dr::kube::detail::lift_data_values;
using dr::kube::detail::load_kubeconfig_yaml;
using dr::kube::detail::restore_data_values;

namespace {

// `length` symbols of base64 text, different for each seed (length a multiple of 4 lifts).
std::string base64_text(std::size_t length, unsigned seed) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  unsigned state = seed * 2654435761U + 1;
  for (std::size_t i = 0; i < length; ++i) {
    state = state * 1103515245U + 12345U;
    text.push_back(alphabet[(state >> 16) % 64]);
  }
  return text;
}

std::string dump(const YAML::Node& node) {
  return YAML::Dump(node);
}

// The fast path's tree, written out, equals plain yaml-cpp's for the same text.
void check_same_tree(const std::string& text) {
  INFO(text);
  CHECK(dump(load_kubeconfig_yaml(text)) == dump(YAML::Load(text)));
}

const std::string kCa = base64_text(1600, 1);
const std::string kCert = base64_text(1198, 2) + "==";
const std::string kKey = base64_text(2399, 3) + "=";

std::string typical_kubeconfig() {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: east\n"
         "  cluster:\n"
         "    server: https://10.0.0.1:6443\n"
         "    certificate-authority-data: " +
         kCa +
         "\n"
         "users:\n"
         "- name: admin\n"
         "  user:\n"
         "    client-certificate-data: " +
         kCert +
         "\n"
         "    client-key-data: " +
         kKey +
         "   \n"
         "contexts:\n"
         "- context: {cluster: east, user: admin}\n"
         "  name: east\n"
         "current-context: east\n";
}

}  // namespace

TEST_CASE("kubeconfig yaml: long *-data values are lifted and come back unchanged", "[kubeconfig]") {
  const std::string text = typical_kubeconfig();
  auto lifted = lift_data_values(text);
  REQUIRE(lifted);
  REQUIRE(lifted->values.size() == 3);
  CHECK(lifted->values[0].key == "certificate-authority-data");
  CHECK(lifted->values[0].value == kCa);
  CHECK(lifted->values[2].value == kKey);
  CHECK(lifted->text.size() < text.size() / 10);  // what yaml-cpp has left to scan
  // Same lines, so yaml-cpp's marks keep their line numbers.
  CHECK(std::count(lifted->text.begin(), lifted->text.end(), '\n') ==
        std::count(text.begin(), text.end(), '\n'));

  YAML::Node root = load_kubeconfig_yaml(text);
  CHECK(root["users"][0]["user"]["client-key-data"].Scalar() == kKey);
  CHECK(root["clusters"][0]["cluster"]["certificate-authority-data"].Scalar() == kCa);
  check_same_tree(text);
}

TEST_CASE("kubeconfig yaml: anything the line matcher cannot be sure of parses as yaml-cpp does",
          "[kubeconfig]") {
  const std::string data = base64_text(400, 7);
  // A plain scalar continued on a deeper line (yaml-cpp folds it into one value).
  check_same_tree("users:\n- name: a\n  user:\n    client-key-data: " + data + "\n      MORE\n");
  // ... also across blank lines.
  check_same_tree("users:\n- name: a\n  user:\n    client-key-data: " + data + "\n\n   \n      MORE\nx: 1\n");
  // The "line" is text inside a literal block scalar.
  check_same_tree("notes: |\n  client-key-data: " + data + "\n  more text\nname: x\n");
  // ... or inside a double-quoted scalar spanning lines.
  check_same_tree("notes: \"start\n  client-key-data: " + data + "\n  end\"\n");
  // A trailing comment, quotes, a tag, an anchor: not a bare value, left alone.
  check_same_tree("client-key-data: " + data + " # the key\n");
  check_same_tree("client-key-data: \"" + data + "\"\n");
  check_same_tree("client-key-data: !!str " + data + "\n");
  check_same_tree("a-data: &k " + data + "\nb-data: *k\n");
  // Windows line endings, list entries, flow mappings, no newline at the end.
  check_same_tree("users:\r\n- name: a\r\n  user:\r\n    client-key-data: " + data + "\r\n");
  check_same_tree("- - client-key-data: " + data + "\n  - x\n");
  check_same_tree("user: {name: a,\n  client-key-data: " + data + "\n  }\n");
  check_same_tree("client-key-data: " + data);
  // A length that is not a multiple of 4 is not lifted (its decoding error needs the line).
  check_same_tree("client-key-data: " + data + "A\n");
  CHECK_FALSE(lift_data_values("client-key-data: " + data + "A\n"));
  // Short values are not worth it; other keys are not lifted.
  CHECK_FALSE(lift_data_values("client-key-data: " + base64_text(100, 8) + "\n"));
  CHECK_FALSE(lift_data_values("token: " + data + "\n"));
}

TEST_CASE("kubeconfig yaml: a document that already holds the marker is parsed as it is", "[kubeconfig]") {
  const std::string text = "client-key-data: " + base64_text(400, 9) + "\nnote: kubectl-dr-lifted-0\n";
  CHECK_FALSE(lift_data_values(text));
  CHECK(load_kubeconfig_yaml(text)["note"].Scalar() == "kubectl-dr-lifted-0");
}

TEST_CASE("kubeconfig yaml: restoring refuses a placeholder out of place", "[kubeconfig]") {
  const std::string data = base64_text(400, 10);
  auto lifted = lift_data_values("a-data: " + data + "\n");
  REQUIRE(lifted);
  REQUIRE(lifted->text == "a-data: kubectl-dr-lifted-0\n");

  YAML::Node right = YAML::Load(lifted->text);
  CHECK(restore_data_values(right, *lifted));
  CHECK(right["a-data"].Scalar() == data);

  YAML::Node other_key = YAML::Load("b-data: kubectl-dr-lifted-0\n");
  CHECK_FALSE(restore_data_values(other_key, *lifted));
  YAML::Node twice = YAML::Load("a-data: kubectl-dr-lifted-0\nx:\n  a-data: kubectl-dr-lifted-0\n");
  CHECK_FALSE(restore_data_values(twice, *lifted));
  YAML::Node in_a_list = YAML::Load("a-data: kubectl-dr-lifted-0\nl: [kubectl-dr-lifted-0]\n");
  CHECK_FALSE(restore_data_values(in_a_list, *lifted));
  YAML::Node missing = YAML::Load("x: 1\n");
  CHECK_FALSE(restore_data_values(missing, *lifted));
  YAML::Node unknown_index = YAML::Load("a-data: kubectl-dr-lifted-0\nb-data: kubectl-dr-lifted-7\n");
  CHECK_FALSE(restore_data_values(unknown_index, *lifted));
}

TEST_CASE("kubeconfig yaml: a malformed document fails as yaml-cpp fails it, on the same line",
          "[kubeconfig]") {
  const std::string text =
      "users:\n- name: a\n  user:\n    client-key-data: " + base64_text(400, 11) + "\n    exec: [unclosed\n";
  int fast_line = -1;
  int plain_line = -2;
  try {
    (void)load_kubeconfig_yaml(text);
  } catch (const YAML::ParserException& e) {
    fast_line = e.mark.line;
  }
  try {
    (void)YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    plain_line = e.mark.line;
  }
  CHECK(fast_line == plain_line);
}
