#include "certkeeper/deploy/reload.h"

#include <fmt/format.h>

#include "certkeeper/util/process.h"
#include "certkeeper/util/safe_path.h"
#include "certkeeper/util/text.h"

namespace certkeeper::deploy {

namespace {

// The program's own output is outside text too: cut on a character
// boundary and escaped (util/text.h), so that it can go into a message, the
// audit log's JSON and a terminal.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  std::size_t start = text.find_last_of('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text::truncate_utf8(text::printable(text.substr(start, end - start + 1)), 200);
}

Result<std::string> trusted(const ReloadCommand& command) {
  if (command.argv.empty()) return make_error(Errc::not_found, "empty reload command");
  return trusted_program(command.argv[0], "--reload");
}

bool needs_quotes(const std::string& word) {
  if (word.empty()) return true;
  return word.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") != std::string::npos;
}

}  // namespace

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& word : argv) {
    if (!text.empty()) text += ' ';
    if (!needs_quotes(word)) {
      text += word;
      continue;
    }
    text += '\'';
    for (char c : word) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    text += '\'';
  }
  return text;
}

Status check_reload_program(const ReloadCommand& command) {
  auto program = trusted(command);
  if (!program && program.error().code == Errc::rejected) return program.error();
  return {};
}

Result<ReloadOutcome> run_reload(const ReloadCommand& command) {
  ProcessSpec spec;
  spec.argv = command.argv;
  // Checked again right before it runs: the file may have changed since.
  auto program = trusted(command);
  if (!program && program.error().code == Errc::rejected) {
    return make_error(Errc::rejected, "reload command '" + command_text(command.argv) +
                                          "' refused: " + program.error().what());
  }
  if (program) spec.program = *program;
  spec.timeout = command.timeout;
  spec.max_output = 16 * 1024;
  auto result = run_process(spec);
  if (!result) {
    return make_error(Errc::io, "reload command '" + command_text(command.argv) + "' cannot run: " + result.error().message,
                      result.error().subject);
  }
  ReloadOutcome outcome;
  outcome.exit_code = result->exit_code;
  outcome.timed_out = result->timed_out;
  outcome.signal = result->signal;
  outcome.ok = !result->timed_out && result->exit_code == 0;
  outcome.output = last_line(result->err);
  if (outcome.output.empty()) outcome.output = last_line(result->out);
  return outcome;
}

std::string describe_failure(const ReloadOutcome& outcome, const ReloadCommand& command) {
  std::string what;
  if (outcome.timed_out) {
    what = fmt::format("timed out after {} s and was killed", command.timeout.count() / 1000.0);
  } else if (outcome.signal != 0) {
    what = fmt::format("was killed by signal {}", outcome.signal);
  } else {
    what = fmt::format("exited {}", outcome.exit_code);
  }
  if (!outcome.output.empty()) what += ": " + outcome.output;
  return what;
}

}  // namespace certkeeper::deploy
