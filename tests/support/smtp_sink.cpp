#include "support/smtp_sink.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

std::string base64_decode(const std::string& in) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (char c : in) {
    const auto at = alphabet.find(c);
    if (at == std::string::npos) continue;  // line breaks, padding
    value = (value << 6) | static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xff);
    }
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

SmtpSink::SmtpSink(const std::string& work_dir, SmtpSinkOptions o) : dir_(work_dir + "/smtp-sink") {
  std::filesystem::create_directories(dir_);
  std::vector<std::string> args = {"/usr/bin/python3", CERTKEEPER_TEST_SUPPORT_DIR "/smtp_sink.py", dir_};
  if (!o.starttls_cert.empty()) args.insert(args.end(), {"--starttls", o.starttls_cert, o.starttls_key});
  if (!o.implicit_cert.empty()) args.insert(args.end(), {"--implicit", o.implicit_cert, o.implicit_key});
  if (!o.user.empty()) args.insert(args.end(), {"--auth", o.user, o.password});
  if (!o.reject_rcpt.empty()) args.insert(args.end(), {"--reject-rcpt", o.reject_rcpt});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("smtp sink: cannot start /usr/bin/python3 (install python3-aiosmtpd)");
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string ready = read_file(dir_ + "/ready");
    if (!ready.empty()) {
      port_ = std::stoi(ready);
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("smtp sink exited at start: " + read_file(log));
    }
    std::this_thread::sleep_for(20ms);
  }
  const std::string why = read_file(log);
  stop();
  throw std::runtime_error("smtp sink not ready within 15 s: " + why);
}

SmtpSink::~SmtpSink() { stop(); }

void SmtpSink::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 250; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::vector<ReceivedMail> SmtpSink::messages() const {
  std::vector<ReceivedMail> out;
  for (int n = 1;; ++n) {
    const std::string base = dir_ + "/" + std::to_string(n);
    if (!std::filesystem::exists(base + ".eml")) break;
    const auto envelope = nlohmann::json::parse(read_file(base + ".json"));
    ReceivedMail m;
    m.from = envelope.at("from").get<std::string>();
    m.to = envelope.at("to").get<std::vector<std::string>>();
    m.user = envelope.at("user").is_string() ? envelope.at("user").get<std::string>() : "";
    m.tls = envelope.at("tls").get<bool>();
    m.data = read_file(base + ".eml");
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ReceivedMail> SmtpSink::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto got = messages();
    if (got.size() >= n || std::chrono::steady_clock::now() >= deadline) return got;
    std::this_thread::sleep_for(50ms);
  }
}

std::string mail_header(const std::string& message, const std::string& name) {
  const std::string head = message.substr(0, message.find("\r\n\r\n"));
  const std::string want = lower(name) + ":";
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    if (lower(head.substr(pos, want.size())) == want) {
      std::string value = head.substr(pos + want.size(), end - pos - want.size());
      // Folded continuation lines.
      while (end + 2 < head.size() && (head[end + 2] == ' ' || head[end + 2] == '\t')) {
        const std::size_t next = std::min(head.find("\r\n", end + 2), head.size());
        value += head.substr(end + 2, next - end - 2);
        end = next;
      }
      const auto b = value.find_first_not_of(" \t");
      return b == std::string::npos ? "" : value.substr(b);
    }
    pos = end + 2;
  }
  return "";
}

std::string mime_part(const std::string& message, const std::string& content_type) {
  const std::string needle = "Content-Type: " + content_type + ";";
  const auto at = message.find(needle);
  if (at == std::string::npos) return "";
  const auto body = message.find("\r\n\r\n", at);
  if (body == std::string::npos) return "";
  auto end = message.find("\r\n--", body + 4);
  if (end == std::string::npos) end = message.size();
  return base64_decode(message.substr(body + 4, end - body - 4));
}

}  // namespace certkeeper::testing
