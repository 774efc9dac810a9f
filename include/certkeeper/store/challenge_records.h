// Plain rows of the challenges in a fleet (db/sqlite/0014_fleet_challenges.sql;
// issue 12, DESIGN.md "Many hosts"): the http-01 and tls-alpn-01 answers that
// a lease holder publishes so that every node behind the load balancer
// serves them, and the nodes' acknowledgements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

struct PublishedChallenge {
  std::int64_t id = 0;  // set by publish_challenge
  std::string token;    // passed challenge::valid_token() before it came here
  std::string certificate_name;
  std::string node;  // the publishing node
  std::string type;  // "http-01" or "tls-alpn-01"
  std::string identifier;
  std::string key_authorization;
  std::string config{};  // the certificate's challenge_config when published
  bool served_by_publisher = false;
  std::int64_t generation = 0;  // the publisher's lease generation
  UnixTime published_at = 0;
  UnixTime expires_at = 0;
};

struct ChallengeAck {
  std::int64_t challenge_id = 0;
  std::string node;
  bool ok = false;
  std::string detail{};  // why not, when !ok
  UnixTime acked_at = 0;
};

}  // namespace certkeeper::store
