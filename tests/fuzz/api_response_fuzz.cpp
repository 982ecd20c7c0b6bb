// API server answers as the client decodes them: the first byte picks the HTTP status, the rest is
// the body, decoded as Status error, single object, list page and watch stream lines.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "dr/kube/api_client.hpp"
#include "fuzz_util.hpp"
#include "kube/api_internal.hpp"

namespace {

constexpr long kStatuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 406,
                              409, 410, 415, 422, 429, 500, 503, 504, 418};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  dr::kube::HttpResponse response;
  response.status = kStatuses[data[0] % std::size(kStatuses)];
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string what = "list statefulsets.apps";

  if (!dr::kube::detail::is_success(response.status)) {
    dr::Error error = dr::kube::error_from_response(response);
    dr::fuzz::check_error(error);
    dr::fuzz::require(error.code == dr::ErrorCode::Server, "an HTTP error is a Server error");
    // The reason may be empty: client-go's StatusReasonUnknown for codes without a reason of their own.
    dr::fuzz::require(error.http_status > 0, "a Server error has an HTTP status");
    return 0;
  }

  if (auto object = dr::kube::detail::parse_json(response.body, what); !object) {
    dr::fuzz::check_error(object.error());
  } else {
    (void)dr::kube::detail::serialize(*object);
  }

  if (auto page = dr::kube::detail::decode_list_page(response.body, what); !page) {
    dr::fuzz::check_error(page.error());
  } else {
    dr::fuzz::require(page->items().IsArray(), "a decoded page has an items array");
    for (auto& item : page->items().GetArray()) (void)dr::kube::detail::serialize(item);
  }

  // The same bytes as a watch stream: one event per line.
  std::string_view rest = response.body;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (line.empty()) continue;
    auto event = dr::kube::detail::decode_watch_line(line, "watch statefulsets.apps");
    if (!event) {
      dr::fuzz::check_error(event.error());
      break;  // the client stops the watch at the first bad line
    }
    if (*event) dr::fuzz::require(!(*event)->type.empty(), "a delivered event has a type");
  }
  return 0;
}
