// Tests of how events are stored: the free text a person types (an action's title, a
// case's close and reopen reasons, a referral's referrer) is sealed with its subject's
// key, so that destroying the key erases it; and payloads written before it was sealed
// (the text in the clear in the Body) still read.
#include "aggregates/event_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "domain_generated.h"
#include "events/log_store.h"
#include "storage/memory_store.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using caseengine::testing::TestKek;

namespace {

struct CodecFixture {
  CodecFixture() : store({kKeysFamily}) { REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok()); }
  MemoryStore store;
  std::unique_ptr<KeyStore> keys;
};

Event Typed(EventType type, const std::string& subject) {
  Event e;
  e.type = type;
  e.subject = subject;
  e.item_id = "a1";
  return e;
}

}  // namespace

TEST_CASE("free text a person typed is sealed with its subject's key and erased with it",
          "[codec][erasure]") {
  CodecFixture f;
  EventCodec codec(f.keys.get());
  struct Case {
    EventType type;
    std::string Event::*field;
    std::string subject;
  };
  const Case cases[] = {
      {EventType::kActionCreated, &Event::title, "case-c1"},
      {EventType::kCaseClosed, &Event::reason, "case-c1"},
      {EventType::kCaseReopened, &Event::reason, "case-c1"},
      {EventType::kReferralReceived, &Event::referrer, "lobby-l1"},
  };
  for (const Case& c : cases) {
    INFO(EventTypeName(c.type));
    CHECK(HasFreeText(c.type));
    Event e = Typed(c.type, c.subject);
    e.*c.field = "Fled from Quagmirewood Road";
    std::string payload;
    REQUIRE(codec.Encode(e, &payload).ok());
    CHECK(payload.find("Quagmirewood") == std::string::npos);
    Event back;
    REQUIRE(codec.Decode(EventTypeName(c.type), payload, &back).ok());
    CHECK(back.*c.field == "Fled from Quagmirewood Road");
    CHECK_FALSE(back.personal.erased);
    // A reader that opens none of the sealed fields sees no text.
    REQUIRE(codec.Decode(EventTypeName(c.type), payload, &back, EventCodec::Shut).ok());
    CHECK((back.*c.field).empty());
    REQUIRE(f.keys->Destroy(c.subject).ok());
    REQUIRE(codec.Decode(EventTypeName(c.type), payload, &back).ok());
    CHECK((back.*c.field).empty());
    CHECK(back.personal.erased);
  }
}

TEST_CASE("text the engine wrote itself, on an event without a subject, stays in the clear",
          "[codec]") {
  CodecFixture f;
  EventCodec codec(f.keys.get());
  Event e = Typed(EventType::kCaseClosed, "");
  e.reason = "closed on assignment from the Lobby";
  std::string payload;
  REQUIRE(codec.Encode(e, &payload).ok());
  CHECK(payload.find("closed on assignment") != std::string::npos);
  Event back;
  REQUIRE(codec.Decode("CaseClosed", payload, &back, EventCodec::Shut).ok());
  CHECK(back.reason == "closed on assignment from the Lobby");
}

TEST_CASE("an event written before free text was sealed still reads its text in the clear",
          "[codec][compatibility]") {
  CodecFixture f;
  EventCodec codec(f.keys.get());
  // The Body as earlier builds wrote it: title, reason and referrer beside the sealed
  // personal data, not in it.
  flatbuffers::FlatBufferBuilder b;
  auto title = b.CreateString("Ring the landlord"), reason = b.CreateString("Moved away"),
       referrer = b.CreateString("Riverside Shelter");
  fb::BodyBuilder body(b);
  body.add_title(title);
  body.add_reason(reason);
  body.add_referrer(referrer);
  b.Finish(body.Finish());
  const std::string payload(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  Event back;
  REQUIRE(codec.Decode("ActionCreated", payload, &back).ok());
  CHECK(back.title == "Ring the landlord");
  CHECK(back.reason == "Moved away");
  CHECK(back.referrer == "Riverside Shelter");
}
