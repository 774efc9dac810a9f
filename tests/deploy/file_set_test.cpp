// Which file of a layout holds what, with which mode. Pure: fake PEM text is
// enough, nothing here parses it.
#include "certkeeper/deploy/file_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace certkeeper::deploy {
namespace {

const std::string kLeaf = "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n";
const std::string kInter = "-----BEGIN CERTIFICATE-----\nINTER1\n-----END CERTIFICATE-----\n"
                           "-----BEGIN CERTIFICATE-----\nINTER2\n-----END CERTIFICATE-----\n";
const std::string kRoot = "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

Material material() { return Material{kLeaf, kInter, kRoot, kKey}; }

TargetSpec spec(Layout layout, bool include_root = false, mode_t key_mode = 0600) {
  TargetSpec t;
  t.dir = "/srv/tls";
  t.layout = layout;
  t.include_root = include_root;
  t.key_mode = key_mode;
  return t;
}

const FileSpec& find(const std::vector<FileSpec>& files, const std::string& name) {
  for (const auto& f : files) {
    if (f.name == name) return f;
  }
  static const FileSpec missing{"<missing>", "", 0, false};
  ADD_FAILURE() << name << " is not in the file set";
  return missing;
}

std::vector<std::string> names(const std::vector<FileSpec>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.name);
  return out;
}

TEST(FileSetLayout, NamesTheFilesOfEachLayoutInOrder) {
  EXPECT_EQ(layout_files(Layout::separate),
            (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
  EXPECT_EQ(layout_files(Layout::combined), (std::vector<std::string>{"combined.pem"}));
}

TEST(FileSetRender, SeparateLayoutSplitsLeafChainAndKey) {
  auto files = render_files(spec(Layout::separate), material());
  EXPECT_EQ(names(files), layout_files(Layout::separate));

  const auto& cert = find(files, "cert.pem");
  EXPECT_EQ(cert.data, kLeaf);
  EXPECT_EQ(cert.mode, 0644u);
  EXPECT_FALSE(cert.secret);

  const auto& chain = find(files, "chain.pem");
  EXPECT_EQ(chain.data, kInter);
  EXPECT_EQ(chain.mode, 0644u);
  EXPECT_FALSE(chain.secret);

  const auto& full = find(files, "fullchain.pem");
  EXPECT_EQ(full.data, kLeaf + kInter);
  EXPECT_EQ(full.mode, 0644u);
  EXPECT_FALSE(full.secret);

  const auto& key = find(files, "privkey.pem");
  EXPECT_EQ(key.data, kKey);
  EXPECT_EQ(key.mode, 0600u);
  EXPECT_TRUE(key.secret);
}

TEST(FileSetRender, KeyFileTakesTheTargetsKeyMode) {
  for (mode_t mode : {0600, 0640, 0400, 0440}) {
    auto sep = render_files(spec(Layout::separate, false, mode), material());
    EXPECT_EQ(find(sep, "privkey.pem").mode, mode);
    EXPECT_EQ(find(sep, "cert.pem").mode, 0644u) << "certificates stay 0644";
    auto comb = render_files(spec(Layout::combined, false, mode), material());
    ASSERT_EQ(comb.size(), 1u);
    EXPECT_EQ(comb[0].mode, mode);
  }
}

TEST(FileSetRender, NoRootUnlessAskedFor) {
  auto files = render_files(spec(Layout::separate, false), material());
  for (const auto& f : files) EXPECT_EQ(f.data.find("ROOT"), std::string::npos) << f.name;
  auto comb = render_files(spec(Layout::combined, false), material());
  EXPECT_EQ(comb[0].data.find("ROOT"), std::string::npos);
}

TEST(FileSetRender, IncludeRootEndsChainAndFullchain) {
  auto files = render_files(spec(Layout::separate, true), material());
  EXPECT_EQ(find(files, "cert.pem").data, kLeaf);
  EXPECT_EQ(find(files, "chain.pem").data, kInter + kRoot);
  EXPECT_EQ(find(files, "fullchain.pem").data, kLeaf + kInter + kRoot);
  EXPECT_EQ(find(files, "privkey.pem").data, kKey);
}

TEST(FileSetRender, IncludeRootWithoutARootAddsNothing) {
  Material m = material();
  m.root_pem = "";
  auto files = render_files(spec(Layout::separate, true), m);
  EXPECT_EQ(find(files, "chain.pem").data, kInter);
  EXPECT_EQ(find(files, "fullchain.pem").data, kLeaf + kInter);
}

TEST(FileSetRender, CombinedIsKeyLeafChainInThatOrder) {
  auto files = render_files(spec(Layout::combined, false, 0640), material());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, "combined.pem");
  EXPECT_EQ(files[0].data, kKey + kLeaf + kInter);
  EXPECT_EQ(files[0].mode, 0640u);
  EXPECT_TRUE(files[0].secret);

  auto with_root = render_files(spec(Layout::combined, true), material());
  ASSERT_EQ(with_root.size(), 1u);
  EXPECT_EQ(with_root[0].data, kKey + kLeaf + kInter + kRoot);
}

TEST(FileSetRender, BlocksAreJoinedWithANewlineWhenAnInputLacksIt) {
  auto chop = [](std::string s) {
    s.pop_back();
    return s;
  };
  Material m{chop(kLeaf), chop(kInter), chop(kRoot), chop(kKey)};
  auto files = render_files(spec(Layout::separate, true), m);
  EXPECT_EQ(find(files, "cert.pem").data, kLeaf);
  EXPECT_EQ(find(files, "chain.pem").data, kInter + kRoot);
  EXPECT_EQ(find(files, "fullchain.pem").data, kLeaf + kInter + kRoot);
  EXPECT_EQ(find(files, "privkey.pem").data, kKey);
  auto comb = render_files(spec(Layout::combined, true), m);
  EXPECT_EQ(comb[0].data, kKey + kLeaf + kInter + kRoot);
  // No "-----END CERTIFICATE----------BEGIN" anywhere.
  EXPECT_EQ(comb[0].data.find("----------"), std::string::npos);
}

TEST(FileSetRender, EmptyChainLeavesFullchainJustTheLeaf) {
  Material m = material();
  m.chain_pem = "";
  m.root_pem = "";
  auto files = render_files(spec(Layout::separate, true), m);
  EXPECT_EQ(find(files, "chain.pem").data, "");
  EXPECT_EQ(find(files, "fullchain.pem").data, kLeaf);
}

}  // namespace
}  // namespace certkeeper::deploy
