// Probe specs (`target add --probe`, `probe`, `watch add`):
// HOST:PORT[,starttls=...][,servername=...]. The inventory stores a probe as
// probe_text() and reads it back with parse_probe(), so every spec that
// parses must come back the same.
#include "certkeeper/deploy/target.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  (void)deploy::parse_starttls(std::string(fuzz::as_text(data, size)));
  (void)deploy::parse_layout(std::string(fuzz::as_text(data, size)));
  auto probe = deploy::parse_probe(std::string(fuzz::as_text(data, size)));
  if (!probe) return 0;
  if (probe->host.empty() || probe->port < 1 || probe->port > 65535) fuzz::property_failed("a probe without an endpoint");
  auto again = deploy::parse_probe(deploy::probe_text(*probe));
  if (!again || again->host != probe->host || again->port != probe->port || again->starttls != probe->starttls ||
      again->servername != probe->servername) {
    fuzz::property_failed("a stored probe does not read back as itself");
  }
  return 0;
}
