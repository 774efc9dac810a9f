#include "certbot_conf.h"

#include <sstream>

namespace certkeeper::lifecycle::detail {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// A value without its quotes, when the whole value is one quoted string.
std::string unquote(const std::string& v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front() &&
      v.find(v.front(), 1) == v.size() - 1) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

// The value part of "key = value  # comment": a '#' outside quotes ends it.
std::string value_of(const std::string& raw) {
  char quote = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return trim(raw.substr(0, i));
    }
  }
  return trim(raw);
}

}  // namespace

std::vector<std::string> conf_list(const std::string& value) {
  std::vector<std::string> items;
  std::string item;
  char quote = 0;
  for (char c : value) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        item += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ',') {
      if (!trim(item).empty()) items.push_back(trim(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (!trim(item).empty()) items.push_back(trim(item));
  return items;
}

Result<RenewalConf> parse_renewal_conf(const std::string& text, const std::string& path) {
  RenewalConf conf;
  std::map<std::string, std::string>* section = &conf.top;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (t.front() == '[') {
      const std::string name = trim(t.substr(t.find_first_not_of('['), t.find(']') - t.find_first_not_of('[')));
      if (t.rfind("[[", 0) == 0) {
        section = name == "webroot_map" ? &conf.webroot_map : nullptr;
      } else {
        section = name == "renewalparams" ? &conf.params : nullptr;
      }
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(Errc::invalid_input, "line " + std::to_string(number) + " is not 'key = value'", path);
    }
    const std::string value = value_of(t.substr(eq + 1));
    if (value.rfind("'''", 0) == 0 || value.rfind("\"\"\"", 0) == 0) {
      return make_error(Errc::invalid_input,
                        "line " + std::to_string(number) + " holds a multi-line value, which certbot never writes",
                        path);
    }
    if (section) (*section)[trim(t.substr(0, eq))] = unquote(value);
  }
  return conf;
}

}  // namespace certkeeper::lifecycle::detail
