// The plaintext part of the STARTTLS dialogues the probe speaks (SMTP,
// IMAP, POP3: deploy/starttls.h), with the fuzzer as the server. The first
// byte picks the protocol ('s', 'i', 'p'; others by value); the rest is
// everything the server sends, read whole and cut into small reads.
#include <algorithm>
#include <vector>

#include "deploy/starttls.h"
#include "fuzz_input.h"
#include "support/scripted_channel.h"

namespace {

using namespace certkeeper;

deploy::Starttls protocol_of(std::uint8_t selector) {
  switch (selector) {
    case 's': return deploy::Starttls::smtp;
    case 'i': return deploy::Starttls::imap;
    case 'p': return deploy::Starttls::pop3;
    default: {
      constexpr deploy::Starttls kAll[] = {deploy::Starttls::smtp, deploy::Starttls::imap, deploy::Starttls::pop3};
      return kAll[selector % 3];
    }
  }
}

// Bytes a server sent before TLS, beyond its go-ahead, are caught only when
// they arrived with it: whether they did is up to TCP, not the parser.
bool early_data(const Status& verdict) {
  return !verdict && verdict.error().message.find("sent more data after agreeing") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view said = fuzz::as_text(data + 1, size - 1);
  // Whole, then in 1-byte and 7-byte reads: line handling must not depend on
  // how TCP happened to cut the stream.
  std::vector<Status> verdicts;
  for (std::size_t chunk : {std::size_t{4096}, std::size_t{1}, std::size_t{7}}) {
    testing::ScriptedChannel server(said, chunk);
    verdicts.push_back(deploy::probe_detail::run_starttls(server, protocol_of(data[0])));
  }
  const Status& first = verdicts[0];
  for (const auto& v : verdicts) {
    if (early_data(v) || early_data(first)) continue;
    if (v.has_value() != first.has_value()) fuzz::property_failed("the verdict depends on how reads were cut");
    if (!v && v.error().message != first.error().message) {
      fuzz::property_failed("the error depends on how reads were cut");
    }
  }
  return 0;
}
