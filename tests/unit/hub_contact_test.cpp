// The hub contact (src/hubrpc/hub_contact.h): KEY@IP:PORT and IP:PORT parse, keys are normalised
// to lower case (an upper-case copy matches), a separately given key must agree with the one in
// the contact, and a data directory's credentials are read in any case (hubrpc, not the hub).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "hubrpc/client_credentials.h"
#include "hubrpc/hub_contact.h"

namespace outpost::hubrpc {
namespace {

const std::string kKey = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST(HubContact, ParsesKeyAtAddressAndNormalisesTheKey) {
  std::string why;
  auto c = parseHubContact(upper(kKey) + "@127.0.0.1:27100", &why);
  ASSERT_TRUE(c) << why;
  EXPECT_EQ(c->key_hex, kKey);
  EXPECT_EQ(c->address, "127.0.0.1:27100");
  c = parseHubContact(kKey + "@[::1]:27100", &why);
  ASSERT_TRUE(c) << why;
  EXPECT_EQ(c->address, "[::1]:27100");
  c = parseHubContact("10.0.0.1:27100", &why);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->key_hex, "");
  EXPECT_EQ(formatHubContact(kKey, "10.0.0.1:27100"), kKey + "@10.0.0.1:27100");
  for (const std::string& bad :
       std::vector<std::string>{kKey.substr(1) + "@127.0.0.1:1", "zz" + kKey.substr(2) + "@127.0.0.1:1",
                                kKey + "@127.0.0.1", kKey + "@:27100", "@127.0.0.1:1", "host:27100", ""}) {
    EXPECT_FALSE(parseHubContact(bad, &why)) << bad;
    EXPECT_FALSE(why.empty());
  }
}

TEST(HubContact, ASeparateKeyMustAgree) {
  std::string why;
  auto c = resolveHub("127.0.0.1:27100", upper(kKey), &why);
  ASSERT_TRUE(c) << why;
  EXPECT_EQ(c->key_hex, kKey);
  EXPECT_TRUE(resolveHub(kKey + "@127.0.0.1:27100", upper(kKey), &why));
  std::string other = std::string(63, 'a') + "b";
  EXPECT_FALSE(resolveHub(kKey + "@127.0.0.1:27100", other, &why));
  EXPECT_NE(why.find("two different hub keys"), std::string::npos);
  EXPECT_FALSE(resolveHub("127.0.0.1:27100", "xyz", &why));
  auto none = resolveHub("", "", &why);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->address.empty());
}

TEST(HubContact, DataDirectoryCredentialsAreReadInAnyCase) {
  std::string dir = ::testing::TempDir() + "/hub_contact_test_dir";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/hub.pub") << upper(kKey) << "\n";
  std::ofstream(dir + "/admin.token") << upper(std::string(64, 'c')) << "\n";
  std::string key, token, error;
  ASSERT_TRUE(readClientCredentials(dir, &key, &token, &error)) << error;
  EXPECT_EQ(key, kKey);
  EXPECT_EQ(token, std::string(64, 'c'));
  std::ofstream(dir + "/admin.token") << "short\n";
  EXPECT_FALSE(readClientCredentials(dir, &key, &token, &error));
  EXPECT_NE(error.find("admin.token"), std::string::npos);
  EXPECT_TRUE(readClientCredentials(dir, &key, nullptr, &error));  // the key alone
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace outpost::hubrpc
