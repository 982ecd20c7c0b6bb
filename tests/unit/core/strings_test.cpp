#include <catch2/catch.hpp>

#include "dr/core/base64.hpp"
#include "dr/core/strings.hpp"

using namespace dr;

TEST_CASE("strings: lower touches ASCII letters only", "[core]") {
  CHECK(strings::lower("Content-Type") == "content-type");
  CHECK(strings::lower("ÄBC") ==
        "\xC3\x84"
        "bc");  // UTF-8 bytes pass through
  CHECK(strings::lower("").empty());
}

TEST_CASE("strings: trim removes ASCII white space at both ends", "[core]") {
  CHECK(strings::trim("  a b \t\r\n") == "a b");
  CHECK(strings::trim("\v\fx\f") == "x");
  CHECK(strings::trim(" \n ").empty());
  CHECK(strings::trim("none") == "none");
}

TEST_CASE("strings: join and split", "[core]") {
  CHECK(strings::join({}, ", ").empty());
  CHECK(strings::join({"a"}, ", ") == "a");
  CHECK(strings::join({"a", "b", "c"}, ",") == "a,b,c");
  CHECK(strings::join({"", "b"}, ",") == ",b");

  CHECK(strings::split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
  CHECK(strings::split("", ',') == std::vector<std::string_view>{""});
  CHECK(strings::split("a,", ',') == std::vector<std::string_view>{"a", ""});
}

TEST_CASE("strings: quoted", "[core]") {
  CHECK(strings::quoted("zk") == "\"zk\"");
  CHECK(strings::quoted("") == "\"\"");
}

TEST_CASE("base64: encode pads as Go's StdEncoding", "[core]") {
  CHECK(base64::encode("").empty());
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode("hello") == "aGVsbG8=");
  CHECK(base64::encode(std::string("\xff\x00\xfe", 3)) == "/wD+");
}

TEST_CASE("base64: decode is lenient with white space and padding only", "[core]") {
  CHECK(*base64::decode("aGVsbG8=") == "hello");
  CHECK(*base64::decode("aGVs\nbG8") == "hello");  // wrapped, unpadded
  CHECK(*base64::decode("") == "");
  CHECK_FALSE(base64::decode("aGVsbG8=x"));  // data after padding
  CHECK_FALSE(base64::decode("a*b="));       // foreign character
  CHECK_FALSE(base64::decode("aGVsb"));      // a lone trailing symbol
  for (std::string bytes : {"", "a", "ab", "abc", "abcd", "\x01\x02\xff"}) {
    CHECK(*base64::decode(base64::encode(bytes)) == bytes);
  }
}
