// How a probed endpoint is shown by `probe` and `watch`: text and JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "certkeeper/lifecycle/watch.h"

namespace certkeeper::cli {

// HOST:PORT with --starttls / --servername applied (probe, watch add).
Result<deploy::ProbeSpec> probe_spec(const std::string& endpoint, const std::string& starttls,
                                     const std::string& servername);

nlohmann::json probe_json(const lifecycle::ProbeResult& result, UnixTime now);
// Several lines: the served chain, whether it verifies, the name, the match.
std::string probe_lines(const lifecycle::ProbeResult& result, UnixTime now);
nlohmann::json observation_json(const lifecycle::Observation& o, UnixTime now);
// One line per endpoint, e.g. "edge-443 (edge.example:443): version 2, valid until ..., verifies".
std::string observation_line(const lifecycle::Observation& o, UnixTime now);

}  // namespace certkeeper::cli
