// The chain: a path from the leaf to a trust anchor, the order and the
// extras of the CA file, and where the root came from.
#include <algorithm>

#include "facts_internal.h"
#include "gate.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

bool is_self_signed_ca(X509* cert) { return X509_self_signed(cert, 1) == 1 && X509_check_ca(cert) > 0; }

std::string cn_of(X509* cert) { return name_for_message(X509_get_subject_name(cert)); }

PathInput path_input(const Gate& gate) {
  PathInput input;
  input.leaf = gate.leaf;
  for (const auto* list : {&gate.in.cert_file_certs, &gate.in.chain_certs}) {
    for (const SuppliedCert& c : *list) {
      if (same_cert(c.cert.get(), gate.leaf)) continue;
      input.untrusted.push_back(c.cert.get());
      if (is_self_signed_ca(c.cert.get())) input.input_anchors.push_back(c.cert.get());
    }
  }
  for (const X509Ptr& c : gate.in.ca_file_certs) input.ca_file_anchors.push_back(c.get());
  if (gate.policy.use_system_store) input.system_dir = system_store_dir(gate.policy.system_ca_dir);
  return input;
}

void report_incomplete(Gate& gate) {
  std::string fix;
  if (!gate.path.issuer_missing) {
    fix = "give the CA certificates that issued it, in the chain file";
  } else if (!gate.in.chain_label.empty()) {
    fix = "append the issuing CA certificate (PEM) to " + gate.in.chain_label;
  } else {
    fix = "give the issuing CA certificate (PEM) in a chain/CA file";
  }
  gate.add(Severity::error, FindingCode::chain_incomplete, gate.chain_subject(),
           "no path from the certificate to a trusted root: " + gate.path.failure + "; " + fix +
               " (a private root also goes there or in --ca-file)");
}

// Certificates supplied besides the leaf that are not on the path (or are
// there twice), and whether the rest were given out of path order.
void report_order_and_extras(Gate& gate) {
  const std::vector<X509Ptr>& path = gate.path.path;
  std::vector<std::size_t> seen;
  std::vector<const SuppliedCert*> extras;
  bool leaf_seen = false;
  for (const auto* list : {&gate.in.cert_file_certs, &gate.in.chain_certs}) {
    for (const SuppliedCert& c : *list) {
      if (c.cert.get() == gate.leaf && !leaf_seen) {
        leaf_seen = true;
        continue;
      }
      auto it = std::find_if(path.begin(), path.end(), [&](const X509Ptr& p) { return same_cert(p.get(), c.cert.get()); });
      const auto index = static_cast<std::size_t>(it - path.begin());
      if (it == path.end() || index == 0 || std::find(seen.begin(), seen.end(), index) != seen.end()) {
        extras.push_back(&c);
      } else {
        seen.push_back(index);
      }
    }
  }
  if (!gate.in.p12 && !std::is_sorted(seen.begin(), seen.end())) {
    gate.add(Severity::warning, FindingCode::chain_reordered, gate.chain_subject(),
             "the CA certificates are not in path order (the certificate's issuer first, then its issuer, up to "
             "the root); they are stored in path order");
  }
  if (extras.empty()) return;
  std::string names;
  for (const SuppliedCert* e : extras) names += (names.empty() ? "" : ", ") + cn_of(e->cert.get());
  gate.add(Severity::warning, FindingCode::chain_extra, extras.front()->label,
           std::to_string(extras.size()) + " certificate(s) not on the path to the root (or given twice) were "
           "dropped: " + names + "; the CA file needs only the issuing CA, its issuers and the root");
}

std::string anchor_source(const Gate& gate) {
  if (gate.path.anchor_in_ca_file) return gate.in.ca_label;
  return "the system trust store";
}

void report_root(Gate& gate) {
  X509* anchor = gate.path.path.back().get();
  const std::string root = cn_of(anchor);
  if (gate.path.anchor_in_input) {
    if (!gate.path.anchor_in_system && !gate.path.anchor_in_ca_file) {
      gate.add(Severity::info, FindingCode::root_private, gate.label_of(anchor),
               "the chain ends at the root " + root + " from this file, which is not in the system trust store; "
               "clients must trust it themselves");
    }
    return;
  }
  // A CA's served chain stops below the root by design (RFC 8555 §7.4.2):
  // the admin page's "append the root" advice is for uploaded CA files.
  if (gate.in.from_ca) return;
  if (gate.path.path.size() >= 3) {
    gate.add(Severity::warning, FindingCode::root_missing, gate.chain_subject(),
             "the CA file lacks the root " + root + " (found in " + anchor_source(gate) +
                 "); the issuer is a subordinate CA, so append the root certificate after it");
  } else {
    gate.add(Severity::info, FindingCode::root_missing, gate.chain_subject(),
             "the root " + root + " that issued the certificate directly is not in the given files (found in " +
                 anchor_source(gate) + "); add it to the CA file if clients need it");
  }
}

}  // namespace

std::string Gate::label_of(X509* cert) const {
  for (const auto* list : {&in.cert_file_certs, &in.chain_certs}) {
    for (const SuppliedCert& c : *list) {
      if (same_cert(c.cert.get(), cert)) return c.label;
    }
  }
  for (const X509Ptr& c : in.ca_file_certs) {
    if (same_cert(c.get(), cert)) return in.ca_label;
  }
  return "system trust store";
}

void check_chain(Gate& gate) {
  if (gate.leaf_facts.self_signed) {
    gate.add(Severity::error, FindingCode::self_signed, gate.leaf_label,
             "the certificate is self-signed, so clients will not trust it; get one issued by a CA (a public CA, "
             "or your private CA with its root in the CA file)");
    return;
  }
  gate.path = build_path(path_input(gate));
  gate.path_built = true;
  if (!gate.path.complete) {
    report_incomplete(gate);
    return;
  }
  report_order_and_extras(gate);
  report_root(gate);
}

}  // namespace certkeeper::crypto
