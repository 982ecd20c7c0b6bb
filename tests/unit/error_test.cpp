#include <catch2/catch.hpp>

#include "dr/error.hpp"

TEST_CASE("server errors print like kubectl", "[error]") {
  auto e = dr::Error::server(404, "NotFound", R"(statefulsets.apps "zk" not found)");
  CHECK(e.kubectl_line() == R"(Error from server (NotFound): statefulsets.apps "zk" not found)");
  CHECK(e.is_not_found());
}

TEST_CASE("client errors carry their context", "[error]") {
  auto e = dr::Error::config("no such file or directory").wrap("loading kubeconfig /tmp/x");
  CHECK(e.kubectl_line() == "error: loading kubeconfig /tmp/x: no such file or directory");
  dr::Result<int> r = std::move(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == dr::ErrorCode::Config);
  dr::Result<int> ok = 7;
  REQUIRE(ok);
  CHECK(*ok == 7);
}
