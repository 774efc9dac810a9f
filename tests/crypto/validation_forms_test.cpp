// The same bad certificate is refused with the same finding whether it
// arrives as PEM files, as DER files or inside a PKCS#12 file.
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

enum class Form { pem, der, p12 };

const char* form_name(Form f) {
  switch (f) {
    case Form::pem: return "pem";
    case Form::der: return "der";
    case Form::p12: return "p12";
  }
  return "?";
}

struct BadLeaf {
  const char* code;
  void (*shape)(CertOptions&, const TestPki&);
};

const BadLeaf kBadLeaves[] = {
    {"expired", [](CertOptions& o, const TestPki& p) {
       o.not_before = p.now() - days(100);
       o.not_after = p.now() - days(1);
     }},
    {"not-yet-valid", [](CertOptions& o, const TestPki& p) { o.not_before = p.now() + days(1); }},
    {"leaf-usage", [](CertOptions& o, const TestPki&) { o.ca = true; }},
    {"weak-key", [](CertOptions& o, const TestPki&) { o.key_type = KeyType::rsa1024; }},
    {"weak-signature", [](CertOptions& o, const TestPki&) { o.digest = Digest::sha1; }},
    {"name-mismatch", [](CertOptions& o, const TestPki&) { o.dns = {"other.example.test"}; }},
};

class InForms : public GateTest {
 protected:
  Sources in_form(const Cert& leaf, Form form) const {
    Sources s;
    std::string chain = pem_concat({pki.intermediate().pem(), pki.root().pem()});
    switch (form) {
      case Form::pem:
        return files(leaf);
      case Form::der:
        s.cert_file = pki.write("cert.der", leaf.der());
        s.key_file = pki.write("key.der", leaf.key().der());
        s.chain_file = pki.write("chain.pem", chain);
        return s;
      case Form::p12:
        s.p12_file = pki.write("bundle.p12", pkcs12(leaf, {pki.intermediate(), pki.root()}, "pw"));
        s.p12_password_file = pki.write("pw.txt", "pw\n");
        return s;
    }
    return s;
  }
};

class FormsTest : public InForms, public ::testing::WithParamInterface<std::tuple<int, Form>> {};
class GoodFormsTest : public InForms, public ::testing::WithParamInterface<Form> {};

TEST_P(FormsTest, SameFindingInEveryForm) {
  const BadLeaf& bad = kBadLeaves[std::get<0>(GetParam())];
  Form form = std::get<1>(GetParam());
  CertOptions o;
  bad.shape(o, pki);
  Cert leaf = pki.leaf(o);
  Verdict v = check(in_form(leaf, form));
  EXPECT_TRUE(HasFinding(v, bad.code, Severity::error)) << form_name(form);
  EXPECT_TRUE(Rejected(v));
  EXPECT_EQ(v.origin, form == Form::p12 ? "import-p12" : "import-pem");
}

TEST_P(GoodFormsTest, TheGoodLeafPasses) {
  Verdict v = check(in_form(pki.leaf(), GetParam()));
  EXPECT_TRUE(Accepted(v));
}

INSTANTIATE_TEST_SUITE_P(AllForms, GoodFormsTest, ::testing::Values(Form::pem, Form::der, Form::p12),
                         [](const ::testing::TestParamInfo<Form>& info) { return form_name(info.param); });

INSTANTIATE_TEST_SUITE_P(
    AllFindings, FormsTest,
    ::testing::Combine(::testing::Range(0, static_cast<int>(std::size(kBadLeaves))),
                       ::testing::Values(Form::pem, Form::der, Form::p12)),
    [](const ::testing::TestParamInfo<FormsTest::ParamType>& info) {
      std::string code = kBadLeaves[std::get<0>(info.param)].code;
      for (auto& c : code) c = c == '-' ? '_' : c;
      return code + "_" + form_name(std::get<1>(info.param));
    });

}  // namespace
}  // namespace certkeeper::testing
