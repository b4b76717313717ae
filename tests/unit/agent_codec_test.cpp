// The agent's wire codecs (src/agent): Godot 3 Variant bytes against bytes real Godot 3.2.3
// produced with var2bytes (captured from godot3-server, written below as hex), the JSON codec with
// base64 byte strings, the nesting limits of both, and the frame splitter's handling of split,
// batched and oversized frames.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/frame_reader.h"
#include "agent/godot_variant.h"
#include "agent/json_codec.h"
#include "agent/utf8.h"

using namespace outpost::agent;

namespace {

std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

Value decodeGodot(const std::string& h) {
  Value v;
  std::string why;
  EXPECT_TRUE(decodeGodotVariant(hex(h), &v, &why)) << h << ": " << why;
  return v;
}

std::string godotErrorOf(const std::vector<uint8_t>& bytes) {
  Value v;
  std::string why;
  EXPECT_FALSE(decodeGodotVariant(bytes, &v, &why));
  return why;
}

std::vector<uint8_t> encodeGodot(const Value& v) {
  std::vector<uint8_t> out;
  encodeGodotVariant(v, out);
  return out;
}

}  // namespace

// What `print(var2bytes(x))` printed in godot3-server 3.2.3 for each value.
TEST(AgentGodotVariant, DecodesWhatGodot3Encodes) {
  EXPECT_TRUE(decodeGodot("00000000").is_null());
  EXPECT_EQ(decodeGodot("0100000001000000"), Value(true));
  EXPECT_EQ(decodeGodot("0200000005000000"), Value(5));
  EXPECT_EQ(decodeGodot("02000000fbffffff"), Value(-5));
  EXPECT_EQ(decodeGodot("020001000100000001001001"), Value(int64_t{76561197960265729}));
  EXPECT_EQ(decodeGodot("030000000000c03f"), Value(1.5));
  EXPECT_EQ(decodeGodot("030001009a9999999999b93f"), Value(0.1));
  EXPECT_EQ(decodeGodot("040000000600000068c3a96c6c6f0000"), Value("h\xC3\xA9llo"));
  Value bytes = decodeGodot("14000000050000000102030405000000");
  ASSERT_TRUE(bytes.is_binary());
  EXPECT_EQ(bytes.get_binary(), (Bytes{1, 2, 3, 4, 5}));
  EXPECT_EQ(decodeGodot("13000000020000000200000001000000040000000100000061000000"), Value::array({1, "a"}));
  // {"k": 1, 10: 2}: the int key becomes "10".
  EXPECT_EQ(decodeGodot("120000000200000004000000010000006b0000000200000001000000020000000a0000000200000002000000"),
            (Value{{"k", 1}, {"10", 2}}));
  EXPECT_EQ(decodeGodot("15000000020000000100000002000000"), Value::array({1, 2}));  // PoolIntArray
  EXPECT_EQ(decodeGodot("17000000010000000300000061620000"), Value::array({"ab"}));  // PoolStringArray
}

TEST(AgentGodotVariant, EncodesWhatGodot3Decodes) {
  // The same bytes Godot writes, where Godot's choice is deterministic.
  EXPECT_EQ(encodeGodot(nullptr), hex("00000000"));
  EXPECT_EQ(encodeGodot(true), hex("0100000001000000"));
  EXPECT_EQ(encodeGodot(-5), hex("02000000fbffffff"));
  EXPECT_EQ(encodeGodot(int64_t{76561197960265729}), hex("020001000100000001001001"));
  EXPECT_EQ(encodeGodot("h\xC3\xA9llo"), hex("040000000600000068c3a96c6c6f0000"));
  EXPECT_EQ(encodeGodot(bytesValue({1, 2, 3, 4, 5})), hex("14000000050000000102030405000000"));
  EXPECT_EQ(encodeGodot(Value::array({1, "a"})), hex("13000000020000000200000001000000040000000100000061000000"));
  // A uint64 above INT64_MAX keeps its bit pattern (GDScript ints are signed).
  EXPECT_EQ(encodeGodot(uint64_t{0x8000000000000001ull}), hex("020001000100000000000080"));
  EXPECT_EQ(encodeGodot(uint64_t{0xFFFFFFFFFFFFFFFFull}), hex("02000000ffffffff"));  // -1 fits in 32 bits
  // Floats always as 64-bit (Godot reads both widths).
  EXPECT_EQ(encodeGodot(0.1), hex("030001009a9999999999b93f"));
  // Invalid UTF-8 from the network is repaired, not passed on.
  EXPECT_EQ(encodeGodot(std::string("a\xFF")), hex("0400000004000000"
                                                   "61efbfbd"));
}

TEST(AgentGodotVariant, RoundTripsNestedValues) {
  Value v = {{"id", 7},
             {"call", "SteamServer.beginAuthSession"},
             {"args", Value::array({bytesValue({0, 255, 7}), uint64_t{76561197960265729}, nullptr})},
             {"nested", {{"list", Value::array({1.25, false, Value::object()})}}}};
  Value back;
  std::string why;
  ASSERT_TRUE(decodeGodotVariant(encodeGodot(v), &back, &why)) << why;
  // uint64 comes back as the same int64 bit pattern.
  EXPECT_EQ(back["args"][1].get<int64_t>(), int64_t{76561197960265729});
  EXPECT_EQ(back["args"][0].get_binary(), (Bytes{0, 255, 7}));
  EXPECT_EQ(back["nested"], v["nested"]);
}

TEST(AgentGodotVariant, RefusesMalformedAndHostileInput) {
  EXPECT_NE(godotErrorOf({}).find("truncated Variant header"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("020000")).find("truncated"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("0500000000000000")).find("unsupported Godot type 5 (Vector2)"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("1100000000000000")).find("Object"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("0100000002000000")).find("bool"), std::string::npos);
  // A String claiming more bytes than the frame has.
  EXPECT_NE(godotErrorOf(hex("04000000ffffff7f41414141")).find("truncated String"), std::string::npos);
  // An Array claiming 2^31-1 elements in a 12-byte frame: refused before anything is allocated.
  EXPECT_NE(godotErrorOf(hex("13000000ffffff7f00000000")).find("larger than the frame"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("15000000ffffff7f")).find("larger than the frame"), std::string::npos);
  // Invalid UTF-8 and trailing bytes.
  EXPECT_NE(godotErrorOf(hex("0400000002000000c3280000")).find("UTF-8"), std::string::npos);
  EXPECT_NE(godotErrorOf(hex("0000000000000000")).find("after the Variant"), std::string::npos);
  // A Dictionary key that is a float.
  EXPECT_NE(godotErrorOf(hex("12000000010000000300000000000000"
                             "00000000"))
                .find("key"),
            std::string::npos);
  // 40 nested Arrays: over the depth limit.
  std::vector<uint8_t> deep;
  for (int i = 0; i < 40; ++i) {
    auto a = hex("1300000001000000");
    deep.insert(deep.end(), a.begin(), a.end());
  }
  auto nil = hex("00000000");
  deep.insert(deep.end(), nil.begin(), nil.end());
  EXPECT_NE(godotErrorOf(deep).find("nesting deeper than 32"), std::string::npos);
  // NaN is refused (it cannot be an argument of anything).
  EXPECT_NE(godotErrorOf(hex("030001000000000000f87f")).size(), 0u);
}

TEST(AgentJson, ParsesAndReportsWhereItFails) {
  Value v;
  std::string why;
  const std::string ok = R"({"id":1,"call":"SteamServer.loggedOn","args":[18446744073709551615, -1, 1.5]})";
  ASSERT_TRUE(decodeJson({reinterpret_cast<const uint8_t*>(ok.data()), ok.size()}, &v, &why)) << why;
  EXPECT_EQ(v["args"][0].get<uint64_t>(), 18446744073709551615ull);  // exact, unlike a double
  const std::string bad = R"({"id":1,"call":)";
  EXPECT_FALSE(decodeJson({reinterpret_cast<const uint8_t*>(bad.data()), bad.size()}, &v, &why));
  EXPECT_NE(why.find("parse error"), std::string::npos) << why;
  std::string deep(100, '[');
  EXPECT_FALSE(decodeJson({reinterpret_cast<const uint8_t*>(deep.data()), deep.size()}, &v, &why));
  EXPECT_NE(why.find("nested deeper than 32"), std::string::npos) << why;
  // Brackets inside strings do not count as nesting.
  const std::string quoted = "{\"s\":\"" + std::string(100, '[') + "\\\"[\"}";
  EXPECT_TRUE(decodeJson({reinterpret_cast<const uint8_t*>(quoted.data()), quoted.size()}, &v, &why)) << why;
  const std::string invalid_utf8 = "\"\xFF\"";
  EXPECT_FALSE(decodeJson({reinterpret_cast<const uint8_t*>(invalid_utf8.data()), invalid_utf8.size()}, &v, &why));
}

TEST(AgentJson, WritesBytesAsBase64) {
  std::vector<uint8_t> out;
  encodeJson({{"payload", bytesValue({0, 1, 2, 253, 254, 255})}, {"name", std::string("x\xFFy")}}, out);
  EXPECT_EQ(std::string(out.begin(), out.end()), "{\"name\":\"x\xEF\xBF\xBDy\",\"payload\":\"AAEC/f7/\"}");
  Bytes b;
  ASSERT_TRUE(decodeBase64("AAEC/f7/", &b));
  EXPECT_EQ(b, (Bytes{0, 1, 2, 253, 254, 255}));
  EXPECT_FALSE(decodeBase64("AAEC/f7", &b));    // missing padding
  EXPECT_FALSE(decodeBase64("AAEC/f7/!", &b));  // garbage
  EXPECT_TRUE(decodeBase64("", &b));
  EXPECT_TRUE(b.empty());
}

TEST(AgentUtf8, ValidatesAndRepairs) {
  EXPECT_TRUE(isValidUtf8("plain \xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(sanitizeUtf8("a\xC3"), "a\xEF\xBF\xBD");
}

TEST(AgentFrameReader, SplitsBatchedAndPartialFrames) {
  FrameReader r(16);
  std::vector<uint8_t> stream = {2, 0, 0, 0, 'h', 'i', 3, 0, 0, 0, 'a', 'b'};
  r.append(stream);
  auto e = r.next();
  ASSERT_EQ(e.kind, FrameReader::Event::kFrame);
  EXPECT_EQ(std::string(e.payload.begin(), e.payload.end()), "hi");
  EXPECT_EQ(r.next().kind, FrameReader::Event::kNone);  // "ab" of 3 so far
  std::vector<uint8_t> rest = {'c'};
  r.append(rest);
  e = r.next();
  ASSERT_EQ(e.kind, FrameReader::Event::kFrame);
  EXPECT_EQ(std::string(e.payload.begin(), e.payload.end()), "abc");
  EXPECT_EQ(r.bufferedBytes(), 0u);
}

TEST(AgentFrameReader, SkipsAnOversizedFrameWithoutBufferingItAndKeepsInStep) {
  FrameReader r(8);
  std::vector<uint8_t> head = {100, 0, 0, 0, 1, 2, 3};
  r.append(head);
  auto e = r.next();
  ASSERT_EQ(e.kind, FrameReader::Event::kOversized);
  EXPECT_EQ(e.declared_bytes, 100u);
  std::vector<uint8_t> body(97 - 10, 7);
  r.append(body);
  EXPECT_EQ(r.bufferedBytes(), 0u);  // nothing of the oversized frame is kept
  // The last 10 bytes of its payload, then a good frame in the same chunk.
  const std::vector<uint8_t> tail = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 0, 0, 0, 'z'};
  r.append(tail);
  e = r.next();
  ASSERT_EQ(e.kind, FrameReader::Event::kFrame);
  EXPECT_EQ(std::string(e.payload.begin(), e.payload.end()), "z");
}
