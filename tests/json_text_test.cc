// JSON text written directly: JsonWriter's documents and AppendJsonString's escapes,
// checked against nlohmann's parser (which loads every stored row).
#include "base/json_text.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace caseengine {
namespace {

TEST_CASE("a json writer places commas between fields and array items at every depth") {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("a", "x").Key("list").BeginArray();
  w.BeginArray().String("u1").String("primary").EndArray();
  w.BeginObject().Field("n", 3).EndObject();
  w.BeginArray().EndArray();
  w.EndArray().Key("empty").BeginObject().EndObject().Field("last", true).EndObject();
  CHECK(out == R"({"a":"x","list":[["u1","primary"],{"n":3},[]],"empty":{},"last":true})");
  const auto parsed = nlohmann::json::parse(out);
  CHECK(parsed["list"][0][1] == "primary");
  CHECK(parsed["last"] == true);
}

TEST_CASE("a json writer leaves out empty strings and false flags only when asked") {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .FieldIfSet("gone", std::string())
      .FieldIfSet("kept", std::string("v"))
      .FlagIfSet("deleted", false)
      .FlagIfSet("joint", true)
      .Field("empty", std::string())
      .Field("flag", false)
      .EndObject();
  CHECK(out == R"({"kept":"v","joint":true,"empty":"","flag":false})");
}

TEST_CASE("a json writer writes integers at their limits exactly") {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray().Int(0).Int(-1).Int(INT64_MIN).Int(INT64_MAX).EndArray();
  CHECK(out == "[0,-1,-9223372036854775808,9223372036854775807]");
  const auto parsed = nlohmann::json::parse(out);
  CHECK(parsed[2].get<int64_t>() == INT64_MIN);
  CHECK(parsed[3].get<int64_t>() == INT64_MAX);
}

TEST_CASE("a json writer escapes keys and values and replaces bytes that are not UTF-8") {
  std::string out;
  JsonWriter w(&out);
  const std::string text = std::string("O'Brien \"Jr\"\\\n\t\x01 caf\xC3\xA9 bad\xFF", 27);
  w.BeginObject().Field("we\"ird", text).EndObject();
  const auto parsed = nlohmann::json::parse(out);  // throws on anything malformed
  CHECK(parsed["we\"ird"] == std::string("O'Brien \"Jr\"\\\n\t\x01 caf\xC3\xA9 bad\xEF\xBF\xBD"));
  // Written again from the parsed text, the same bytes.
  std::string again;
  JsonWriter w2(&again);
  w2.BeginObject().Field("we\"ird", parsed["we\"ird"].get<std::string>()).EndObject();
  CHECK(again == out);
}

}  // namespace
}  // namespace caseengine
