// Watches over HTTP: the initial events, the live stream, bookmarks, and the watch's timeout.
#include "server_internal.hpp"

namespace emu {

std::string ClusterServer::Impl::event_line(const char* type, const std::string& object_json) {
  return std::string("{\"type\":\"") + type + "\",\"object\":" + object_json + "}\n";
}

std::string ClusterServer::Impl::bookmark_json(const ResourceType& type, std::uint64_t rv, bool initial_end) {
  std::string meta = "{\"resourceVersion\":\"" + std::to_string(rv) + "\"";
  if (initial_end) meta += ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}";
  meta += "}";
  return "{\"kind\":\"" + type.kind + "\",\"apiVersion\":\"" + type.api_version() +
         "\",\"metadata\":" + meta + "}";
}

std::string ClusterServer::Impl::render(const WatchState& s, const Object& obj) {
  if (!s.table) return to_json(*obj);
  return table_json(*s.type, {obj},
                    std::strtoull(str_at(*obj, {"metadata", "resourceVersion"}).c_str(), nullptr, 10), "",
                    s.include_object);
}

void ClusterServer::Impl::watch(const httplib::Request& req, httplib::Response& res, const Target& t) {
  auto state = std::make_shared<WatchState>();
  state->type = t.type;
  state->bookmarks = truthy(param(req, "allowWatchBookmarks"));
  state->table = wants_table(req);
  state->include_object = include_object(req);
  std::string timeout = param(req, "timeoutSeconds");
  long long seconds = timeout.empty() ? 1800 : std::strtoll(timeout.c_str(), nullptr, 10);
  if (seconds <= 0) seconds = 1800;
  state->deadline = Clock::now() + std::chrono::seconds(seconds);
  WatchFilter filter;
  filter.type_key = t.type->key();
  filter.ns = t.type->namespaced ? t.ns : "";
  filter.label_selector = param(req, "labelSelector");
  filter.field_selector = param(req, "fieldSelector");
  std::string rv = param(req, "resourceVersion");
  bool send_initial = truthy(param(req, "sendInitialEvents"));
  try {
    if (rv.empty() || rv == "0" || send_initial) {
      if (send_initial && rv.empty()) rv = "";
      ListOptions lo;
      lo.label_selector = filter.label_selector;
      lo.field_selector = filter.field_selector;
      ListResult initial = store.list(*t.type, filter.ns, lo);
      for (const auto& obj : initial.items)
        state->pending.push_back(event_line("ADDED", render(*state, obj)));
      if (send_initial) {
        state->pending.push_back(
            event_line("BOOKMARK", bookmark_json(*t.type, initial.resource_version, true)));
      }
      state->stream = store.watch(filter, std::to_string(initial.resource_version));
    } else {
      state->stream = store.watch(filter, rv);
    }
  } catch (const StatusError& e) {
    if (e.code != 410) throw;
    // The apiserver starts the stream and reports the expired version as an ERROR event.
    state->pending.push_back(event_line("ERROR", e.to_json()));
    state->finish_after_pending = true;
  }
  stats.watch_started();
  res.status = 200;
  std::atomic<bool>* stop = &stopping;
  Store* st = &store;
  Stats* stats_ptr = &stats;
  res.set_chunked_content_provider(
      "application/json;stream=watch",
      [state, stop, st](size_t, httplib::DataSink& sink) {
        auto write = [&](const std::string& line) {
          state->last_sent = Clock::now();
          return sink.write(line.data(), line.size());
        };
        while (!state->pending.empty()) {
          if (!write(state->pending.front())) return false;
          state->pending.pop_front();
        }
        if (state->finish_after_pending || stop->load() || Clock::now() >= state->deadline ||
            (state->stream && state->stream->closed())) {
          sink.done();
          return true;
        }
        auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(state->deadline - Clock::now());
        auto wait = std::min<std::chrono::milliseconds>(remaining, std::chrono::milliseconds(500));
        auto events = state->stream->next(std::max(wait, std::chrono::milliseconds(1)));
        std::string batch;
        for (const auto& e : events) {
          if (e.type == WatchEvent::Type::Bookmark) continue;
          batch += event_line(to_string(e.type), render(*state, e.object));
        }
        if (!batch.empty()) return write(batch);
        if (!sink.is_writable()) return false;
        if (state->bookmarks && Clock::now() - state->last_sent > std::chrono::seconds(5)) {
          return write(event_line("BOOKMARK", bookmark_json(*state->type, st->resource_version(), false)));
        }
        return true;
      },
      [state, stats_ptr](bool) {
        if (state->stream) state->stream->close();
        stats_ptr->watch_ended();
      });
}

}  // namespace emu
