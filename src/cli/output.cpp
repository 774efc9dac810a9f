#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "app.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"

namespace certkeeper::cli {

int exit_code_for(Errc code) {
  switch (code) {
    case Errc::usage: return kUsage;
    case Errc::invalid_input:
    case Errc::rejected: return kRejected;
    case Errc::ca_failed: return kCaFailed;
    default: return kFailure;
  }
}

lifecycle::Context Globals::context() const {
  lifecycle::Context ctx;
  ctx.db_path = db;
  ctx.key_file = key_file;
  ctx.clock = &clock;
  ctx.actor = current_actor();
  ctx.node = node;
  ctx.challenge_address = challenge_address;
  ctx.version = version;
  return ctx;
}

namespace {

int fail_with(const Globals& g, const Error& error, int code);

}  // namespace

namespace {

const char* cause_kind_name(CauseKind kind) {
  switch (kind) {
    case CauseKind::none: return "none";
    case CauseKind::ca_problem: return "ca-problem";
    case CauseKind::finding: return "finding";
  }
  return "none";
}

// What the CA (or the gate) said, for scripts: README "JSON output".
nlohmann::json cause_json(const Cause& c) {
  nlohmann::json subproblems = nlohmann::json::array();
  for (const auto& sub : c.subproblems) {
    subproblems.push_back({{"type", text::to_utf8(sub.type)},
                           {"detail", text::to_utf8(sub.detail)},
                           {"identifier", text::to_utf8(sub.identifier)}});
  }
  return {{"kind", cause_kind_name(c.kind)},
          {"type", text::to_utf8(c.type)},
          {"http_status", c.http_status ? nlohmann::json(c.http_status) : nlohmann::json()},
          {"transient", c.transient},
          {"retry_after", utc_or_null(c.retry_after)},
          {"instance", text::to_utf8(c.instance)},
          {"terms_of_service", text::to_utf8(c.terms_of_service)},
          {"subproblems", subproblems}};
}

}  // namespace

nlohmann::json error_json(const Error& error) {
  // Messages may quote what a CA or a file said: only valid UTF-8 goes into
  // JSON (nlohmann refuses anything else).
  nlohmann::json j = {{"code", errc_name(error.code)},
                      {"message", text::to_utf8(error.message)},
                      {"subject", text::to_utf8(error.subject)}};
  if (error.cause.kind != CauseKind::none) j["cause"] = cause_json(error.cause);
  return j;
}

namespace {

int fail_with(const Globals& g, const Error& error, int code) {
  if (g.json) {
    print_json({{"ok", false},
                {"exit_code", code},
                {"error", error_json(error)}});
  }
  err_line("certkeeper: " + error.what());
  return code;
}

}  // namespace

int fail(const Globals& g, const Error& error) { return fail_with(g, error, exit_code_for(error.code)); }

int ca_exit_code_for(Errc code) {
  return code == Errc::ca_failed || code == Errc::network ? int(kCaFailed) : exit_code_for(code);
}

int fail_ca(const Globals& g, const Error& error) { return fail_with(g, error, ca_exit_code_for(error.code)); }

void err_line(const std::string& line) {
  std::fflush(stdout);
  // One line, whatever a certificate or a CA put into it: a NUL no longer
  // ends it early, an ESC or a newline is shown escaped.
  std::string shown = text::printable(line);
  shown += '\n';
  std::fwrite(shown.data(), 1, shown.size(), stderr);
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

void out(const Globals& g, const std::string& text) {
  if (g.quiet || text.empty()) return;
  // The renderers escape each field, so a newline inside a field cannot
  // forge a line; this is the last guard between them and the terminal.
  const std::string shown = text::printable_lines(text);
  std::fwrite(shown.data(), 1, shown.size(), stdout);
  if (shown.back() != '\n') std::fputc('\n', stdout);
}

void print_json(const nlohmann::json& doc) {
  // The fields from outside are made UTF-8 where they are put into the
  // document (text::to_utf8); `replace` is the guard that keeps a missed one
  // from ending the process (nlohmann throws on bytes that are not UTF-8).
  std::string s = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  s += '\n';
  std::fwrite(s.data(), 1, s.size(), stdout);
}

std::string finding_line(const crypto::Finding& f) {
  if (f.subject.empty()) {
    return text::printable(fmt::format("{}: {}: {}", crypto::severity_name(f.severity), f.code, f.message));
  }
  return text::printable(fmt::format("{}: {}: {}: {}", crypto::severity_name(f.severity), f.code, f.subject, f.message));
}

nlohmann::json findings_json(const std::vector<crypto::Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : findings) {
    list.push_back({{"severity", crypto::severity_name(f.severity)},
                    {"code", f.code},
                    {"subject", text::to_utf8(f.subject)},
                    {"message", text::to_utf8(f.message)}});
  }
  return list;
}

nlohmann::json utc_or_null(const std::optional<UnixTime>& t) {
  return t ? nlohmann::json(format_utc(*t)) : nlohmann::json();
}

nlohmann::json utf8_list(const std::vector<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(text::to_utf8(item));
  return list;
}

nlohmann::json facts_json(const crypto::CertificateFacts& f) {
  return {{"subject", text::to_utf8(f.subject)},
          {"issuer", text::to_utf8(f.issuer)},
          {"serial", f.serial_hex},
          {"fingerprint_sha256", f.fingerprint_sha256},
          {"not_before", format_utc(f.not_before)},
          {"not_after", format_utc(f.not_after)},
          {"names", utf8_list(f.names())},
          {"key_type", f.key_type},
          {"signature_algorithm", f.signature_algorithm}};
}

std::string printable_list(const std::vector<std::string>& items, std::string_view separator) {
  std::string shown;
  for (const auto& item : items) {
    if (!shown.empty()) shown += separator;
    shown += text::printable(item);
  }
  return shown;
}

void print_findings(const Globals& g, const std::vector<crypto::Finding>& findings) {
  for (const auto& f : findings) {
    if (f.severity == crypto::Severity::error) {
      err_line(finding_line(f));
    } else {
      out(g, finding_line(f));
    }
  }
}

std::string default_db_path() {
  if (const char* env = std::getenv("CERTKEEPER_DB"); env && *env) return env;
  if (::geteuid() == 0) return "/var/lib/certkeeper/certkeeper.db";
  std::string state;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    state = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    state = std::string(home) + "/.local/state";
  } else {
    state = ".";
  }
  return state + "/certkeeper/certkeeper.db";
}

std::string current_actor() {
  uid_t uid = ::geteuid();
  if (const passwd* pw = ::getpwuid(uid); pw && pw->pw_name) return std::string("cli:") + pw->pw_name;
  return "cli:uid" + std::to_string(uid);
}

}  // namespace certkeeper::cli
