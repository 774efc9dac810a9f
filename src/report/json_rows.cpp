#include "json_rows.h"

#include <optional>

#include "certkeeper/report/report.h"
#include "certkeeper/util/expiry.h"
#include "text_append.h"

namespace certkeeper::report::detail {
namespace {

// The length of the valid UTF-8 sequence at s[i] (lead byte >= 0x80), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  const unsigned c = byte(i);
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    unsigned b = byte(k);
    return b >= lo && b <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

void indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

// One member: newline and indent before it, comma after all but the last.
class Members {
 public:
  Members(std::string& out, int depth) : out_(out), depth_(depth) { out_ += '{'; }
  std::string& key(const char* name) {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    indent(out_, depth_ + 1);
    out_ += '"';
    out_ += name;
    out_ += "\": ";
    return out_;
  }
  void close() {
    out_ += '\n';
    indent(out_, depth_);
    out_ += '}';
  }

 private:
  std::string& out_;
  int depth_;
  bool first_ = true;
};

void time_or_null(std::string& out, const std::optional<UnixTime>& t) {
  if (!t) {
    out += "null";
    return;
  }
  out += '"';
  append_utc(out, *t);
  out += '"';
}

template <class T>
void int_or_null(std::string& out, const std::optional<T>& v) {
  if (v) {
    append_int(out, static_cast<std::int64_t>(*v));
  } else {
    out += "null";
  }
}

void bool_or_null(std::string& out, const std::optional<bool>& v) { out += v ? (*v ? "true" : "false") : "null"; }

void string_array(std::string& out, const std::vector<std::string>& items, int depth) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",\n";
    indent(out, depth + 1);
    append_json_string(out, items[i]);
  }
  out += '\n';
  indent(out, depth);
  out += ']';
}

// The fleet of a row (fields.cpp row_json "nodes"), keys in byte order.
void nodes_array(std::string& out, const store::ReportRow& r, UnixTime now, int depth) {
  if (r.nodes.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& n = r.nodes[i];
    if (i) out += ",\n";
    indent(out, depth + 1);
    Members m(out, depth + 1);
    time_or_null(m.key("installed_at"), n.installed_at);
    int_or_null(m.key("installed_version"), n.installed_version);
    time_or_null(m.key("last_seen"), n.last_seen);
    append_json_string(m.key("node"), n.node);
    bool_or_null(m.key("probe_ok"), n.probe_ok);
    append_json_string(m.key("status"), node_status(r, n, now));
    m.close();
  }
  out += '\n';
  indent(out, depth);
  out += ']';
}

// Keys in byte order, as nlohmann's std::map-backed object prints them.
void row_object(std::string& out, const store::ReportRow& r, UnixTime now, int depth) {
  Members m(out, depth);
  time_or_null(m.key("ari_end"), r.ari_end);
  time_or_null(m.key("ari_start"), r.ari_start);
  int_or_null(m.key("days_left"), r.not_after ? std::optional<std::int64_t>(days_left(*r.not_after, now)) : std::nullopt);
  append_int(m.key("failures"), r.failures);
  append_json_string(m.key("fingerprint_sha256"), r.fingerprint_sha256);
  int_or_null(m.key("installed_version"), r.installed_version);
  append_json_string(m.key("issuer"), r.issuer_cn.empty() ? r.issuer : r.issuer_cn);
  append_json_string(m.key("key_type"), r.key_type);
  time_or_null(m.key("last_attempt"), r.last_attempt);
  append_json_string(m.key("last_error"), r.last_error);
  time_or_null(m.key("last_success"), r.last_success);
  append_json_string(m.key("name"), r.name);
  string_array(m.key("names"), r.names, depth + 1);
  int_or_null(m.key("newest_version"), r.newest_version);
  time_or_null(m.key("next_check"), r.next_check);
  nodes_array(m.key("nodes"), r, now, depth + 1);
  time_or_null(m.key("not_after"), r.not_after);
  time_or_null(m.key("not_before"), r.not_before);
  int_or_null(m.key("pinned_version"), r.pinned_version);
  bool_or_null(m.key("probe_ok"), r.probe_ok);
  append_json_string(m.key("revoke_reason"), r.revoke_reason);
  // Revocation is a fact of a version: unknown without one.
  bool_or_null(m.key("revoked"), r.version ? std::optional<bool>(r.revoked_at.has_value()) : std::nullopt);
  time_or_null(m.key("revoked_at"), r.revoked_at);
  append_json_string(m.key("serial"), r.serial);
  append_json_string(m.key("source"), r.source);
  append_json_string(m.key("status"), expiry_status(r, now));
  append_int(m.key("targets"), r.targets);
  int_or_null(m.key("version"), r.version);
  m.close();
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;
  auto flush = [&](std::size_t i) { out.append(s.data() + plain, i - plain); };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (std::size_t n = utf8_length(s, i)) {
        i += n;
        continue;
      }
      flush(i);
      out += "\xEF\xBF\xBD";  // U+FFFD
      plain = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    plain = ++i;
  }
  flush(s.size());
  out += '"';
}

void append_rows_json(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now, int depth) {
  if (rows.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ",\n";
    indent(out, depth + 1);
    row_object(out, rows[i], now, depth + 1);
  }
  out += '\n';
  indent(out, depth);
  out += ']';
}

}  // namespace certkeeper::report::detail
