#include <stdexcept>

#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"
#include "impl.h"

namespace certkeeper::store::detail {

// Lists hold certificate names (outside input): each item valid UTF-8, or
// nlohmann's dump would throw on it.
std::string encode_list(const std::vector<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(text::to_utf8(item));
  return list.dump();
}

namespace {

// encode_list's own output without escapes (DNS names and IP addresses):
// ["a","b"]. Anything else (escapes, spaces, not a list) returns false.
bool decode_plain_list(const std::string& json, std::vector<std::string>& out) {
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return false;
  if (json.find('\\') != std::string::npos) return false;
  std::size_t at = 1;
  const std::size_t end = json.size() - 1;
  while (at < end) {
    if (json[at] != '"') return false;
    std::size_t close = json.find('"', at + 1);
    if (close == std::string::npos || close >= end) return false;
    out.emplace_back(json, at + 1, close - at - 1);
    at = close + 1;
    if (at < end && json[at++] != ',') return false;
    if (at == end && json[at - 1] == ',') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> decode_list(const std::string& json) {
  std::vector<std::string> fast;
  if (decode_plain_list(json, fast)) return fast;
  auto parsed = parse_json_or_null(json);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> optional_int(const sql::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

void put_setting(sql::Database& db, const std::string& key, const std::string& value) {
  sql::Statement q(db, "INSERT INTO settings (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  q.bind(1, key);
  q.bind(2, value);
  q.exec();
}

Error database_error(const std::string& path, const sql::DbError& e) {
  const std::string what = e.what();
  switch (e.kind) {
    case sql::FailureKind::corrupt:
      return make_error(Errc::database_corrupt,
                        "the database is damaged (" + what +
                            "); restore it from a backup or point --db at another file",
                        path);
    case sql::FailureKind::io:
      // "disk I/O error" alone hides the usual cause: the engine could not
      // write the database or its -wal/-shm files (full or read-only file
      // system, a file size limit; on a server, its disk).
      return make_error(Errc::database,
                        "database error: " + what +
                            "; check that the file system holding it has free space and is writable",
                        path);
    case sql::FailureKind::busy:
      return make_error(Errc::database,
                        "the inventory stayed locked by another command (" + what +
                            "); run this again when it has finished; nothing was changed",
                        path);
    case sql::FailureKind::timeout:
      return make_error(Errc::database,
                        "a database statement ran too long and was cancelled (" + what +
                            "); nothing was changed; check the server's load, then run this again",
                        path);
    case sql::FailureKind::connection:
    case sql::FailureKind::authentication:
      // The driver's message names the server and what to do.
      return make_error(Errc::database, what, path);
    case sql::FailureKind::constraint:
    case sql::FailureKind::other:
      break;
  }
  return make_error(Errc::database, "database error: " + what, path);
}

std::optional<std::int64_t> certificate_id(sql::Database& db, const std::string& name) {
  sql::Statement q(db, "SELECT id FROM certificates WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

void insert_event(sql::Database& db, UnixTime at, std::optional<std::int64_t> certificate_id,
                  const std::string& certificate_name, const std::string& kind,
                  const std::string& actor, const std::string& detail_json) {
  // Only the kinds the reference documents (event_kinds.h); the caller's
  // transaction is rolled back, so nothing of the change is kept.
  if (!is_event_kind(kind)) {
    throw std::logic_error("event kind '" + kind + "' is not in the table of store/event_kinds.h");
  }
  sql::Statement q(db,
                      "INSERT INTO events (at, certificate_id, certificate_name, kind, actor, detail) "
                      "VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, static_cast<std::int64_t>(at));
  q.bind(2, certificate_id);
  q.bind(3, certificate_name);
  q.bind(4, kind);
  q.bind(5, actor);
  q.bind(6, detail_json.empty() ? std::string("{}") : text::to_utf8(detail_json));
  q.exec();
}

}  // namespace certkeeper::store::detail

namespace certkeeper::store::detail {

void notify(sql::Database& db, const std::string& payload, const char* channel) {
  if (db.is_sqlite()) return;
  sql::Statement q(db, "SELECT pg_catalog.pg_notify(?, ?)");
  q.bind(1, channel);
  q.bind(2, payload);
  q.executeStep();
}

}  // namespace certkeeper::store::detail
