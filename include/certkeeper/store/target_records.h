// Plain rows of the targets table (db/sqlite/0001_initial.sql, db/sqlite/0004). The store
// keeps reload commands and probes as JSON text; lifecycle gives them meaning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

struct TargetRecord {
  std::int64_t id = 0;
  std::string certificate_name;
  // The node that installs it (issue 12); "" for a target made before
  // targets had nodes. On SQLite the inventory has one node, whatever this
  // says.
  std::string node;
  std::string dir;
  std::string layout = "separate";  // "separate" | "combined"
  bool include_root = false;
  std::string owner;
  std::string group;
  int mode = 0600;                  // of the key file(s)
  std::string reload_json = "[]";   // [{"argv": [...], "timeout_ms": N}, ...]
  std::string probes_json = "[]";   // ["HOST:PORT[,starttls=P][,servername=N]", ...]
  std::optional<int> installed_version;  // what the last finished transaction left live
  std::optional<int> pending_version;    // set while a transaction is in flight
  UnixTime created_at = 0;
  // What the node last saw here (db/sqlite/0010_nodes.sql).
  std::optional<UnixTime> installed_at;   // when installed_version went live
  std::optional<bool> probe_ok;           // the last install transaction's probes
  std::string probe_detail;               // why they failed
  std::optional<UnixTime> probed_at;
  std::optional<int> failed_version;      // its install rolled back here; a pass does not retry it
};

// The outcome of one install transaction for one target.
struct TargetOutcome {
  std::int64_t target_id = 0;
  std::optional<int> installed_version;
  // The version the transaction tried (nullopt: an interrupted one undone,
  // which probed nothing), and whether it went live with its probes passing.
  std::optional<int> attempted_version{};
  bool ok = false;
  std::string failure{};  // why it did not, one line
};

// What an install transaction asks of the certificate's desired version
// (issue 12; Inventory::finish_install): keep it as it is (a reconcile, the
// scheduler's install of a new version), or make `version` the desired one:
// pinned when it is older than the newest, the pin cleared when it is the
// newest. Decided inside finish_install's transaction, against the newest
// version stored by then.
struct PinRequest {
  bool change = false;
  int version = 0;
  static PinRequest keep() { return {}; }
  static PinRequest desire(int v) { return {true, v}; }
};

}  // namespace certkeeper::store
