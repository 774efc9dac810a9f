#include "certbot_read.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "certkeeper/crypto/jose.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxShown = 300;  // bytes of a hook command in output

std::string shown(const std::string& s) { return text::printable(text::truncate_utf8(s, kMaxShown)); }

// certbot's key_type / elliptic_curve / rsa_key_size as ours; "" when absent
// (the current key decides), `skip` when there is no counterpart.
std::string key_type_of(const RenewalConf& c, std::string& skip) {
  auto get = [&](const char* k) {
    auto it = c.params.find(k);
    return it == c.params.end() ? std::string() : it->second;
  };
  const std::string type = get("key_type");
  if (type == "ecdsa") {
    const std::string curve = get("elliptic_curve").empty() ? "secp256r1" : get("elliptic_curve");
    if (curve == "secp256r1") return "ec-p256";
    if (curve == "secp384r1") return "ec-p384";
    skip = "its key type is ECDSA " + shown(curve) + ", which certkeeper does not generate (ec-p256, ec-p384)";
    return "";
  }
  if (type == "rsa") {
    const std::string bits = get("rsa_key_size").empty() ? "2048" : get("rsa_key_size");
    if (bits == "2048" || bits == "3072" || bits == "4096") return "rsa-" + bits;
    skip = "its key type is RSA " + shown(bits) + ", which certkeeper does not generate (rsa-2048, -3072, -4096)";
    return "";
  }
  if (!type.empty()) skip = "its key type '" + shown(type) + "' is unknown to certkeeper";
  return "";
}

// "30 days" (renew_before_expiry); nullopt for anything else.
std::optional<int> days_of(const std::string& value) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (...) {
    return std::nullopt;
  }
  const std::string unit = value.substr(used);
  const auto first = unit.find_first_not_of(' ');
  const std::string word = first == std::string::npos ? "" : unit.substr(first);
  if (n < 1 || n > 3650) return std::nullopt;
  if (word == "day" || word == "days" || word == "d") return n;
  if (word == "week" || word == "weeks" || word == "w") return n * 7;
  return std::nullopt;
}

std::string listen_of(const RenewalConf& c) {
  auto address = c.params.count("http01_address") ? c.params.at("http01_address") : std::string();
  auto port = c.params.count("http01_port") ? c.params.at("http01_port") : std::string("80");
  if (address.empty()) address = "0.0.0.0";  // certbot's "" binds every address
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  return address + ":" + port;
}

bool needs_shell(const std::string& command) {
  return command.find_first_of(";&|<>$`*?(){}\n\\'\"~#") != std::string::npos;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<std::vector<std::string>> certbot_lineages(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root + "/renewal", ec)) {
    return make_error(Errc::usage,
                      "is not a certbot configuration directory (it has no renewal/); give the --config-dir certbot "
                      "uses, /etc/letsencrypt by default",
                      root);
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root + "/renewal", ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() > 5 && file.compare(file.size() - 5, 5, ".conf") == 0) names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

LineageConf read_lineage_conf(const std::string& root, const std::string& name) {
  LineageConf out;
  out.conf_path = root + "/renewal/" + name + ".conf";
  // The live/ symlinks point into archive/ relatively, so a tree that was
  // copied elsewhere (a backup, a test) reads the same.
  out.cert_file = root + "/live/" + name + "/cert.pem";
  out.chain_file = root + "/live/" + name + "/chain.pem";
  out.key_file = root + "/live/" + name + "/privkey.pem";
  auto text = read_input_file(out.conf_path);
  if (!text) {
    out.skip = "its renewal configuration cannot be read: " + text.error().message;
    return out;
  }
  auto conf = parse_renewal_conf(*text, out.conf_path);
  if (!conf) {
    out.skip = "its renewal configuration " + conf.error().message;
    return out;
  }
  const auto param = [&](const char* k) { return conf->params.count(k) ? conf->params.at(k) : std::string(); };
  out.server = param("server").empty() ? kCertbotDefaultServer : param("server");
  out.account_id = param("account");
  out.authenticator = param("authenticator");
  out.webroot_path = conf_list(param("webroot_path"));
  out.webroot_map = conf->webroot_map;
  out.key_type = key_type_of(*conf, out.skip);
  if (auto before = conf->top.find("renew_before_expiry"); before != conf->top.end()) {
    out.renew_before_days = days_of(before->second);
  }
  for (const char* key : {"renew_hook", "deploy_hook", "pre_hook", "post_hook"}) {
    const std::string command = param(key);
    if (command.empty()) continue;
    const std::string kind = key[0] == 'p' ? std::string(key).substr(0, std::string(key).find('_')) : "deploy";
    out.hooks.push_back({kind, command, "renewal/" + name + ".conf " + key, ""});
    describe_replacement(name, out.hooks.back());
  }
  if (!out.skip.empty()) return out;
  if (out.authenticator == "standalone") {
    out.listen = listen_of(*conf);
  } else if (out.authenticator != "webroot") {
    out.skip = "its authenticator '" + shown(out.authenticator) +
               "' has no certkeeper counterpart (standalone and webroot do); define it with 'certkeeper add " + name +
               " --domain ... --webroot DIR | --listen ADDR:PORT | --challenge dns-01 --dns-hook PROG' and "
               "'certkeeper issue " + name + "'";
  }
  return out;
}

std::string webroot_config(const LineageConf& conf, const std::vector<std::string>& domains, std::string& why) {
  nlohmann::json map = nlohmann::json::object();
  std::string single;
  bool same = true;
  for (const auto& domain : domains) {
    std::string dir;
    if (auto it = conf.webroot_map.find(domain); it != conf.webroot_map.end()) {
      dir = it->second;
    } else if (conf.webroot_path.size() == 1) {
      dir = conf.webroot_path.front();
    } else {
      why = "its configuration gives no webroot for " + shown(domain) + "; define it with 'certkeeper add ... "
            "--webroot DIR'";
      return "";
    }
    if (map.empty()) single = dir;
    same = same && dir == single;
    map[domain] = dir;
  }
  if (map.empty()) {
    why = "its configuration gives no webroot";
    return "";
  }
  return same ? nlohmann::json{{"webroot", single}}.dump() : nlohmann::json{{"webroot_map", map}}.dump();
}

AccountFiles read_certbot_account(const std::string& root, const std::string& server, const std::string& id) {
  AccountFiles out;
  // certbot's server_path: the URL's host[:port] and path (certbot
  // configuration.py), e.g. accounts/acme-v02.api.letsencrypt.org/directory/ID.
  std::string rest = server.substr(server.find("://") == std::string::npos ? 0 : server.find("://") + 3);
  const std::string dir = root + "/accounts/" + rest + "/" + id;
  if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos) {
    out.error = "the renewal configuration names no usable account id";
    return out;
  }
  auto key = read_input_file(dir + "/private_key.json");
  if (!key) {
    out.error = key.error().what();
    return out;
  }
  auto pem = crypto::private_key_pem_from_jwk(*key);
  if (!pem) {
    out.error = dir + "/private_key.json: " + pem.error().message;
    return out;
  }
  auto regr_text = read_input_file(dir + "/regr.json");
  if (!regr_text) {
    out.error = regr_text.error().what();
    return out;
  }
  const auto regr = parse_json_or_null(*regr_text);
  if (!regr.is_object() || !regr.contains("uri") || !regr["uri"].is_string() ||
      regr["uri"].get<std::string>().rfind("https://", 0) != 0) {
    out.error = dir + "/regr.json: has no https account URL (\"uri\")";
    return out;
  }
  auto signer = crypto::make_signer(*pem);
  if (!signer) {
    out.error = dir + "/private_key.json: " + signer.error().message;
    return out;
  }
  out.alg = (*signer)->alg();
  out.key_pem = std::move(*pem);
  out.url = regr["uri"].get<std::string>();
  return out;
}

std::vector<CertbotHook> certbot_global_hooks(const std::string& root) {
  std::vector<CertbotHook> hooks;
  for (const char* kind : {"pre", "deploy", "post"}) {
    std::error_code ec;
    std::vector<std::string> scripts;
    for (const auto& entry : fs::directory_iterator(root + "/renewal-hooks/" + std::string(kind), ec)) {
      struct stat st {};
      if (::stat(entry.path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
        scripts.push_back(entry.path().string());
      }
    }
    std::sort(scripts.begin(), scripts.end());
    for (const auto& script : scripts) {
      CertbotHook hook{kind, script, "renewal-hooks/" + std::string(kind) + "/", ""};
      describe_replacement("NAME", hook);
      hooks.push_back(hook);
    }
  }
  return hooks;
}

void describe_replacement(const std::string& name, CertbotHook& hook) {
  if (hook.kind != "deploy") {
    hook.replacement = "no counterpart: certkeeper runs nothing before or after an order (its http-01 responder needs "
                       "the port free like certbot's standalone, or use --webroot); for alerts use 'certkeeper renew "
                       "--on-event PROG'";
    return;
  }
  const std::string argv = needs_shell(hook.command) ? "sh -c " + shell_quote(hook.command) : hook.command;
  hook.replacement = "certkeeper target add " + name + " --dir /etc/certkeeper/live/" + name + " --reload " +
                     shell_quote(argv) +
                     " (run after every install, with the files already in --dir; RENEWED_LINEAGE and "
                     "RENEWED_DOMAINS are not set)";
}

}  // namespace certkeeper::lifecycle::detail
