#include "certkeeper/store/location.h"

#include <cctype>
#include <string_view>

namespace certkeeper::store {
namespace {

constexpr std::string_view kKnownLocations =
    "give --db (or CERTKEEPER_DB) a file path, sqlite:PATH or postgresql://[user@]host[:port]/dbname";
constexpr std::string_view kNoPassword =
    "keep the password in libpq's passfile (~/.pgpass or PGPASSFILE, mode 0600) or a service file, and "
    "give the location without it";

// The length of "scheme" in "scheme://...", 0 when `value` does not start so
// (RFC 3986 §3.1: a letter, then letters, digits, '+', '-', '.').
std::size_t uri_scheme_length(std::string_view value) {
  if (value.empty() || !std::isalpha(static_cast<unsigned char>(value[0]))) return 0;
  std::size_t i = 1;
  while (i < value.size() && (std::isalnum(static_cast<unsigned char>(value[i])) || value[i] == '+' ||
                              value[i] == '-' || value[i] == '.')) {
    ++i;
  }
  return value.substr(i, 3) == "://" ? i : 0;
}

// `uri` with the password of its user information and the value of any
// "password=" parameter replaced by "***"; `found` tells whether there was one.
std::string masked(std::string_view uri, std::size_t scheme_length, bool& found) {
  found = false;
  std::string out(uri.substr(0, scheme_length + 3));
  std::string_view rest = uri.substr(scheme_length + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    if (const std::size_t colon = user_info.find(':'); colon != std::string_view::npos) {
      found = true;
      out += user_info.substr(0, colon);
      out += ":***";
      out += authority.substr(at);
    } else {
      out += authority;
    }
  } else {
    out += authority;
  }
  if (authority_end == std::string_view::npos) return out;
  std::string_view tail = rest.substr(authority_end);
  // libpq also takes the password as a parameter: "?password=..." or "&password=...".
  std::size_t from = 0;
  while (true) {
    const std::size_t p = tail.find("password=", from);
    if (p == std::string_view::npos) break;
    const bool parameter = p > 0 && (tail[p - 1] == '?' || tail[p - 1] == '&');
    const std::size_t value_start = p + 9;
    if (!parameter) {
      from = value_start;
      continue;
    }
    found = true;
    std::size_t value_end = tail.find_first_of("&#", value_start);
    if (value_end == std::string_view::npos) value_end = tail.size();
    out += tail.substr(0, value_start);
    out += "***";
    tail = tail.substr(value_end);
    from = 0;
  }
  out += tail;
  return out;
}

}  // namespace

const char* backend_name(Backend backend) noexcept {
  switch (backend) {
    case Backend::sqlite: return "sqlite";
    case Backend::postgresql: return "postgresql";
  }
  return "sqlite";
}

bool is_postgresql_location(const std::string& value) {
  return value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0;
}

Result<Location> parse_location(const std::string& value) {
  if (const std::size_t scheme = uri_scheme_length(value); scheme > 0) {
    bool has_password = false;
    const std::string shown = masked(value, scheme, has_password);
    if (has_password) {
      return make_error(Errc::usage,
                        "carries a password, which other users can read on a command line or in a process's "
                        "environment; " + std::string(kNoPassword),
                        shown);
    }
    if (value.compare(0, scheme, "sqlite") == 0) {
      return make_error(Errc::usage, "is not a SQLite inventory location: write sqlite:PATH (sqlite:/var/lib/x.db "
                                     "or sqlite:relative/x.db), without '//'", shown);
    }
    if (is_postgresql_location(value)) return Location{Backend::postgresql, value};
    return make_error(Errc::usage, "is a " + value.substr(0, scheme) + ":// location; " + std::string(kKnownLocations),
                      shown);
  }
  Location location;
  location.path = value.rfind("sqlite:", 0) == 0 ? value.substr(7) : value;
  if (location.path.empty()) {
    return make_error(Errc::usage, "names no file: give --db (or CERTKEEPER_DB) a file path or sqlite:PATH", value);
  }
  return location;
}

}  // namespace certkeeper::store
