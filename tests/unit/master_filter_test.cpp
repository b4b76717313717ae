// Master query filters (src/master/filter.h): every code of the reference table, the groups
// (nor/nand/and/or, nested), wildcards, case-insensitivity, no-op rules and the hostile-input
// limits. collapse_addr_hash is a list-level rule: its paging behaviour is tested in
// master_index_test.cpp, here only that it is recognised.
#include <gtest/gtest.h>

#include <string>

#include "master/filter.h"

namespace outpost::master {
namespace {

ServerRecord base() {
  ServerRecord r;
  r.ip = 0x0A000001;  // 10.0.0.1
  r.query_port = 27015;
  r.game_port = 27016;
  r.app_id = 440;
  r.name = "Outpost TF2 Server #1";
  r.map = "cp_Badlands";
  r.gamedir = "tf";
  r.product = "tf";
  r.description = "Team Fortress";
  r.version = "8622567";
  r.tags = "alltalk, Payload,nocrits";
  r.gamedata = "coop,Versus";
  r.players = 5;
  r.max_players = 24;
  r.bots = 2;
  r.password = false;
  r.dedicated = true;
  r.secure = true;
  r.os = 'l';
  r.spectator_proxy = false;
  r.whitelisted = false;
  return r;
}

Filter parse(const std::string& text) {
  FilterError e = FilterError::kNone;
  std::optional<Filter> f = Filter::parse(text, &e);
  EXPECT_TRUE(f) << text << ": " << filterErrorName(e);
  return f ? *f : *Filter::parse("", nullptr);
}

bool matches(const std::string& text, const ServerRecord& r) { return parse(text).matches(r); }

TEST(MasterFilter, EmptyFilterMatchesEverything) {
  Filter f = parse("");
  EXPECT_TRUE(f.matchesEverything());
  EXPECT_TRUE(f.matches(base()));
  EXPECT_TRUE(f.matches(ServerRecord{}));
  EXPECT_TRUE(parse("\\").matchesEverything());
}

TEST(MasterFilter, Dedicated) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\dedicated\\1", r));
  r.dedicated = false;
  EXPECT_FALSE(matches("\\dedicated\\1", r));
  EXPECT_TRUE(matches("\\dedicated\\0", r));  // boolean 0: no-op
}

TEST(MasterFilter, LegacyType) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\type\\d", r));
  EXPECT_TRUE(matches("\\type\\D", r));
  EXPECT_FALSE(matches("\\type\\l", r));
  EXPECT_FALSE(matches("\\type\\p", r));
  r.dedicated = false;
  EXPECT_FALSE(matches("\\type\\d", r));
  EXPECT_TRUE(matches("\\type\\l", r));
  r.spectator_proxy = true;
  EXPECT_TRUE(matches("\\type\\p", r));
  EXPECT_TRUE(matches("\\type\\x", r));  // unknown type: no-op
}

TEST(MasterFilter, Secure) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\secure\\1", r));
  r.secure = false;
  EXPECT_FALSE(matches("\\secure\\1", r));
  EXPECT_TRUE(matches("\\secure\\0", r));
}

TEST(MasterFilter, GamedirIsCaseInsensitiveAndExact) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\gamedir\\tf", r));
  EXPECT_TRUE(matches("\\gamedir\\TF", r));
  EXPECT_FALSE(matches("\\gamedir\\cstrike", r));
  EXPECT_FALSE(matches("\\gamedir\\t", r));
  EXPECT_FALSE(matches("\\gamedir\\t*", r));  // no wildcard outside name/version
}

TEST(MasterFilter, MapIsCaseInsensitiveAndExact) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\map\\cp_badlands", r));
  EXPECT_TRUE(matches("\\map\\CP_BADLANDS", r));
  EXPECT_FALSE(matches("\\map\\cp_badlands2", r));
  EXPECT_FALSE(matches("\\map\\cp_", r));
  EXPECT_TRUE(matches("\\map\\", r));  // empty value: no-op
}

TEST(MasterFilter, Linux) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\linux\\1", r));
  r.os = 'w';
  EXPECT_FALSE(matches("\\linux\\1", r));
  r.os = 'm';
  EXPECT_FALSE(matches("\\linux\\1", r));
  EXPECT_TRUE(matches("\\linux\\0", r));
}

TEST(MasterFilter, PasswordZeroAndOne) {
  ServerRecord open = base();
  ServerRecord locked = base();
  locked.password = true;
  EXPECT_TRUE(matches("\\password\\0", open));
  EXPECT_FALSE(matches("\\password\\0", locked));
  EXPECT_FALSE(matches("\\password\\1", open));
  EXPECT_TRUE(matches("\\password\\1", locked));
  EXPECT_TRUE(matches("\\password\\maybe", open));  // unreadable: no-op
  EXPECT_TRUE(matches("\\password\\maybe", locked));
}

TEST(MasterFilter, EmptyFullNoplayersCountBots) {
  ServerRecord r = base();
  r.players = 0;
  r.bots = 0;
  EXPECT_FALSE(matches("\\empty\\1", r));  // \empty\1 = not empty
  EXPECT_TRUE(matches("\\noplayers\\1", r));
  EXPECT_TRUE(matches("\\full\\1", r));  // \full\1 = not full
  // Only bots: the A2S player count includes them, so the server is not empty.
  r.players = 3;
  r.bots = 3;
  EXPECT_TRUE(matches("\\empty\\1", r));
  EXPECT_FALSE(matches("\\noplayers\\1", r));
  r.players = 24;
  EXPECT_FALSE(matches("\\full\\1", r));
  r.players = 23;
  EXPECT_TRUE(matches("\\full\\1", r));
  EXPECT_TRUE(matches("\\empty\\0\\full\\0\\noplayers\\0", r));
}

TEST(MasterFilter, Proxy) {
  ServerRecord r = base();
  EXPECT_FALSE(matches("\\proxy\\1", r));
  r.spectator_proxy = true;
  EXPECT_TRUE(matches("\\proxy\\1", r));
}

TEST(MasterFilter, AppIdAndNapp) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\appid\\440", r));
  EXPECT_FALSE(matches("\\appid\\730", r));
  EXPECT_FALSE(matches("\\napp\\440", r));
  EXPECT_TRUE(matches("\\napp\\500", r));
  EXPECT_FALSE(matches("\\appid\\tf2", r));         // an AppID that cannot exist matches nothing
  EXPECT_TRUE(matches("\\napp\\tf2", r));           // ... and not running it is a no-op
  EXPECT_FALSE(matches("\\appid\\4400000000", r));  // > u32
  EXPECT_TRUE(matches("\\appid\\", r));
}

TEST(MasterFilter, White) {
  ServerRecord r = base();
  EXPECT_FALSE(matches("\\white\\1", r));
  r.whitelisted = true;
  EXPECT_TRUE(matches("\\white\\1", r));
}

TEST(MasterFilter, GametypeNeedsAllTags) {
  ServerRecord r = base();  // tags "alltalk, Payload,nocrits"
  EXPECT_TRUE(matches("\\gametype\\payload", r));
  EXPECT_TRUE(matches("\\gametype\\alltalk,payload", r));
  EXPECT_TRUE(matches("\\gametype\\NOCRITS, alltalk", r));
  EXPECT_FALSE(matches("\\gametype\\alltalk,ctf", r));
  EXPECT_FALSE(matches("\\gametype\\all", r));  // whole tags only
  EXPECT_TRUE(matches("\\gametype\\,,", r));    // no tags: no-op
}

TEST(MasterFilter, GamedataAllAndAny) {
  ServerRecord r = base();  // gamedata "coop,Versus"
  EXPECT_TRUE(matches("\\gamedata\\coop,versus", r));
  EXPECT_FALSE(matches("\\gamedata\\coop,survival", r));
  EXPECT_TRUE(matches("\\gamedataor\\coop,survival", r));
  EXPECT_TRUE(matches("\\gamedataor\\VERSUS", r));
  EXPECT_FALSE(matches("\\gamedataor\\survival,scavenge", r));
  EXPECT_FALSE(matches("\\gametype\\coop", r));  // gamedata is not sv_tags
}

TEST(MasterFilter, NameMatchWildcard) {
  ServerRecord r = base();  // "Outpost TF2 Server #1"
  EXPECT_TRUE(matches("\\name_match\\Outpost TF2 Server #1", r));
  EXPECT_TRUE(matches("\\name_match\\outpost tf2 server #1", r));
  EXPECT_FALSE(matches("\\name_match\\Outpost", r));  // no '*': whole name
  EXPECT_TRUE(matches("\\name_match\\Outpost*", r));
  EXPECT_TRUE(matches("\\name_match\\*#1", r));
  EXPECT_TRUE(matches("\\name_match\\*tf2*", r));
  EXPECT_TRUE(matches("\\name_match\\o*T*s*1", r));
  EXPECT_TRUE(matches("\\name_match\\*", r));
  EXPECT_TRUE(matches("\\name_match\\**server**", r));
  EXPECT_FALSE(matches("\\name_match\\*tf3*", r));
  EXPECT_FALSE(matches("\\name_match\\*#1*#1", r));
  EXPECT_FALSE(matches("\\name_match\\Outpost*Outpost*", r));
}

TEST(MasterFilter, VersionMatchWildcard) {
  ServerRecord r = base();
  r.version = "1.0.2.7";
  EXPECT_TRUE(matches("\\version_match\\1.0.2.7", r));
  EXPECT_TRUE(matches("\\version_match\\1.0.*", r));
  EXPECT_FALSE(matches("\\version_match\\1.1.*", r));
  EXPECT_FALSE(matches("\\version_match\\1.0.2", r));
}

TEST(MasterFilter, WildcardEdgeCases) {
  EXPECT_TRUE(WildcardPattern("a*a").matches("aa"));
  EXPECT_FALSE(WildcardPattern("aa*aa").matches("aaa"));  // prefix and suffix must not overlap
  EXPECT_TRUE(WildcardPattern("aa*aa").matches("aaaa"));
  EXPECT_TRUE(WildcardPattern("*abab*").matches("xxabaabab"));  // KMP restart inside a match
  EXPECT_TRUE(WildcardPattern("").matches(""));
  EXPECT_FALSE(WildcardPattern("").matches("x"));
  EXPECT_TRUE(WildcardPattern("*").matches(""));
  EXPECT_TRUE(WildcardPattern("\xC3\xA9t\xC3\xA9*").matches("\xC3\xA9t\xC3\xA9 server"));
  EXPECT_FALSE(WildcardPattern("\xC3\xA9*").matches("\xC3\x89"));  // no case folding above ASCII
}

TEST(MasterFilter, CollapseAddrHashIsRecognisedAtTopLevelOnly) {
  EXPECT_TRUE(parse("\\collapse_addr_hash\\1").collapseAddrHash());
  EXPECT_TRUE(parse("\\collapse_addr_hash\\1").matches(base()));
  EXPECT_FALSE(parse("\\collapse_addr_hash\\0").collapseAddrHash());
  EXPECT_FALSE(parse("\\nor\\1\\collapse_addr_hash\\1").collapseAddrHash());
  EXPECT_TRUE(parse("\\nor\\1\\collapse_addr_hash\\1").matches(base()));  // no-op in a group
}

TEST(MasterFilter, GameaddrIpAndIpPort) {
  ServerRecord r = base();  // 10.0.0.1, query 27015, game 27016
  EXPECT_TRUE(matches("\\gameaddr\\10.0.0.1", r));
  EXPECT_FALSE(matches("\\gameaddr\\10.0.0.2", r));
  EXPECT_TRUE(matches("\\gameaddr\\10.0.0.1:27015", r));  // the listed (query) port
  EXPECT_TRUE(matches("\\gameaddr\\10.0.0.1:27016", r));  // the game port
  EXPECT_FALSE(matches("\\gameaddr\\10.0.0.1:27017", r));
  EXPECT_FALSE(matches("\\gameaddr\\10.0.0.2:27015", r));
  EXPECT_FALSE(matches("\\gameaddr\\example.com", r));  // unreadable: matches nothing
  EXPECT_FALSE(matches("\\gameaddr\\10.0.0.1:27015x", r));
}

TEST(MasterFilter, TopLevelIsAnd) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\appid\\440\\map\\cp_badlands\\dedicated\\1", r));
  EXPECT_FALSE(matches("\\appid\\440\\map\\cp_badlands\\dedicated\\1\\password\\1", r));
}

TEST(MasterFilter, NorExcludesAnyMatch) {
  ServerRecord r = base();
  EXPECT_FALSE(matches("\\nor\\2\\map\\cp_badlands\\appid\\730", r));
  EXPECT_TRUE(matches("\\nor\\2\\map\\ctf_2fort\\appid\\730", r));
  // The count decides what belongs to the group: \appid\730 is top-level here.
  EXPECT_FALSE(matches("\\nor\\1\\map\\ctf_2fort\\appid\\730", r));
}

TEST(MasterFilter, NandExcludesAllMatching) {
  ServerRecord r = base();
  EXPECT_FALSE(matches("\\nand\\2\\map\\cp_badlands\\appid\\440", r));
  EXPECT_TRUE(matches("\\nand\\2\\map\\cp_badlands\\appid\\730", r));
}

TEST(MasterFilter, AndOrGroups) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\or\\2\\map\\nope\\appid\\440", r));
  EXPECT_FALSE(matches("\\or\\2\\map\\nope\\appid\\730", r));
  EXPECT_TRUE(matches("\\and\\2\\map\\cp_badlands\\appid\\440", r));
  EXPECT_FALSE(matches("\\and\\2\\map\\cp_badlands\\appid\\730", r));
}

TEST(MasterFilter, NestedGroups) {
  ServerRecord r = base();
  // Exclude (map X and (appid 440 or appid 730)): r is on map X with 440 -> excluded.
  const std::string f = "\\nor\\1\\and\\2\\map\\cp_badlands\\or\\2\\appid\\440\\appid\\730";
  EXPECT_FALSE(matches(f, r));
  r.app_id = 500;
  EXPECT_TRUE(matches(f, r));
  // nand of (nor(secure)) and dedicated: nor(secure) is false for a secure server -> not all
  // true -> nand true.
  r = base();
  EXPECT_TRUE(matches("\\nand\\2\\nor\\1\\secure\\1\\dedicated\\1", r));
  r.secure = false;
  EXPECT_FALSE(matches("\\nand\\2\\nor\\1\\secure\\1\\dedicated\\1", r));
  // Conditions after a nested group belong to the outer level again.
  r = base();
  EXPECT_FALSE(matches("\\nor\\1\\map\\x\\appid\\730", r));
  EXPECT_TRUE(matches("\\nor\\1\\map\\x\\appid\\440", r));
}

TEST(MasterFilter, GroupsOfNoOpsAreNoOps) {
  ServerRecord r = base();
  // A nor whose only condition is a no-op must not exclude everything.
  EXPECT_TRUE(matches("\\nor\\1\\dedicated\\0", r));
  EXPECT_TRUE(matches("\\nand\\2\\secure\\0\\unknownkey\\1", r));
  EXPECT_TRUE(matches("\\or\\1\\full\\0", r));
  EXPECT_TRUE(matches("\\nor\\0", r));
  // A no-op member is skipped, the others still count.
  EXPECT_FALSE(matches("\\nor\\2\\dedicated\\0\\appid\\440", r));
  // A count larger than what follows takes what follows.
  EXPECT_FALSE(matches("\\nor\\9\\appid\\440", r));
}

TEST(MasterFilter, UnknownKeysAndLeniency) {
  ServerRecord r = base();
  EXPECT_TRUE(matches("\\whatever\\1\\appid\\440", r));
  EXPECT_TRUE(matches("appid\\440", r));      // leading backslash optional
  EXPECT_TRUE(matches("\\APPID\\440", r));    // keys are case-insensitive
  EXPECT_TRUE(matches("\\appid\\440\\", r));  // trailing backslash
  EXPECT_TRUE(matches("\\appid", r));         // key without value: no-op
  EXPECT_FALSE(matches("\\map\\x\\\\\\appid\\440", r));
}

TEST(MasterFilter, LimitsRejectHostileFilters) {
  FilterError e = FilterError::kNone;
  std::string deep;
  for (size_t i = 0; i < kMaxFilterDepth; ++i) deep += "\\nor\\1";
  EXPECT_TRUE(Filter::parse(deep + "\\map\\x", &e));
  EXPECT_FALSE(Filter::parse(deep + "\\nor\\1\\map\\x", &e));
  EXPECT_EQ(e, FilterError::kTooDeep);

  std::string many;
  for (size_t i = 0; i < kMaxFilterConditions; ++i) many += "\\a\\1";
  EXPECT_TRUE(Filter::parse(many, &e));
  EXPECT_FALSE(Filter::parse(many + "\\a\\1", &e));
  EXPECT_EQ(e, FilterError::kTooManyConditions);

  std::string tags = "\\gametype\\";
  for (size_t i = 0; i <= kMaxFilterConditions; ++i) tags += "t,";
  EXPECT_FALSE(Filter::parse(tags, &e));
  EXPECT_EQ(e, FilterError::kTooManyConditions);

  EXPECT_FALSE(Filter::parse("\\nor\\x\\map\\a", &e));
  EXPECT_EQ(e, FilterError::kBadGroupCount);
  EXPECT_FALSE(Filter::parse("\\nor\\-1\\map\\a", &e));
  EXPECT_EQ(e, FilterError::kBadGroupCount);

  EXPECT_FALSE(Filter::parse(std::string(kMaxFilterBytes + 1, 'a'), &e));
  EXPECT_EQ(e, FilterError::kTooLong);
  EXPECT_STREQ(filterErrorName(FilterError::kTooDeep), "too_deep");
}

TEST(MasterFilter, LongWildcardOnLongNameIsCheap) {
  // Quadratic matching would take ~10^11 steps here over the loop; linear takes ~10^7.
  ServerRecord r = base();
  r.name = std::string(4000, 'a');
  std::string pattern = "*" + std::string(600, 'a') + "b*";
  Filter f = parse("\\name_match\\" + pattern);
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(f.matches(r));
}

}  // namespace
}  // namespace outpost::master
