// Shared by the validation-gate tests: a TestPki per test, the standard set
// of input files, a policy that never looks at the host's trust store, and
// assertions that print every finding when they fail.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "support/test_pki.h"

namespace certkeeper::testing {

using crypto::Finding;
using crypto::Policy;
using crypto::Severity;
using crypto::Sources;
using crypto::Verdict;

inline std::string describe(const Verdict& v) {
  std::string out = "origin=\"" + v.origin + "\" findings:";
  if (v.findings.empty()) out += " none";
  for (const Finding& f : v.findings) {
    out += "\n  " + f.code + " (" + crypto::severity_name(f.severity) + ") [" + f.subject + "] " + f.message;
  }
  return out;
}

// The first finding with `code`, or nullptr.
inline const Finding* find(const Verdict& v, const std::string& code) {
  auto it = std::find_if(v.findings.begin(), v.findings.end(),
                         [&](const Finding& f) { return f.code == code; });
  return it == v.findings.end() ? nullptr : &*it;
}

// Every finding as "code:severity", sorted: for exact comparisons.
inline std::vector<std::string> codes(const Verdict& v) {
  std::vector<std::string> out;
  for (const Finding& f : v.findings) out.push_back(f.code + ":" + crypto::severity_name(f.severity));
  std::sort(out.begin(), out.end());
  return out;
}

// EXPECT_TRUE(HasFinding(v, "expired", Severity::error))
inline ::testing::AssertionResult HasFinding(const Verdict& v, const std::string& code, Severity severity) {
  for (const Finding& f : v.findings) {
    if (f.code == code && f.severity == severity) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no finding " << code << " (" << crypto::severity_name(severity)
                                       << "); " << describe(v);
}

inline ::testing::AssertionResult LacksFinding(const Verdict& v, const std::string& code) {
  if (const Finding* f = find(v, code)) {
    return ::testing::AssertionFailure() << "unexpected finding " << f->code << "; " << describe(v);
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult Accepted(const Verdict& v) {
  if (!v.accepted()) return ::testing::AssertionFailure() << "rejected; " << describe(v);
  if (!v.bundle) return ::testing::AssertionFailure() << "accepted without a bundle; " << describe(v);
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult Rejected(const Verdict& v) {
  if (v.accepted()) return ::testing::AssertionFailure() << "accepted; " << describe(v);
  return ::testing::AssertionSuccess();
}

class GateTest : public ::testing::Test {
 protected:
  TestPki pki;
  const std::string system_ca_dir = pki.make_dir("system-ca");  // empty: the host store never helps

  // now = the PKI's now, names = {"www.example.test"}, key required, trust
  // only from the given files.
  Policy policy() const {
    Policy p;
    p.now = pki.now();
    p.names = {"www.example.test"};
    p.system_ca_dir = system_ca_dir;
    return p;
  }

  // The usual upload: cert.pem (the leaf), key.pem (its key, PKCS#8) and
  // chain.pem (`chain` in the given order; default intermediate + root).
  Sources files(const Cert& leaf) const { return files(leaf, {pki.intermediate(), pki.root()}); }
  Sources files(const Cert& leaf, const std::vector<Cert>& chain) const {
    Sources s;
    s.cert_file = pki.write("cert.pem", leaf.pem());
    s.key_file = pki.write("key.pem", leaf.key().pem());
    std::vector<std::string> blocks;
    for (const Cert& c : chain) blocks.push_back(c.pem());
    if (!blocks.empty()) s.chain_file = pki.write("chain.pem", pem_concat(blocks));
    return s;
  }

  Verdict check(const Sources& s) const { return crypto::validate(s, policy()); }
  Verdict check(const Sources& s, const Policy& p) const { return crypto::validate(s, p); }
};

}  // namespace certkeeper::testing
