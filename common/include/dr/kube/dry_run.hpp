// kubectl's --dry-run modes, the one enum for every layer (flags, commands, writes).
#pragma once

namespace dr::kube {

// Client: nothing is written; the command shows what it would send. Server: writes are sent with
// ?dryRun=All, so the API server validates and admits them without persisting anything.
enum class DryRun { None, Client, Server };

// Whether writes carry ?dryRun=All (WriteOptions::dry_run).
constexpr bool asks_server_dry_run(DryRun mode) {
  return mode == DryRun::Server;
}

}  // namespace dr::kube
