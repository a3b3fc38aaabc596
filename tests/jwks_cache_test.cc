// Tests of the key set fetched from a URL (auth/jwks_cache.h, auth/jwks_fetcher.h): when
// it is fetched again (age, max-age within bounds, an unknown kid at most once per gap),
// what a failed fetch keeps, and what the fetcher allows. The cache's tests fetch with a
// function of their own; the fetcher's from a cpp-httplib server on loopback.
#include "auth/jwks_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "auth/jwks_fetcher.h"
#include "tests/jwks_server.h"
#include "tests/jwt_support.h"

namespace caseengine {
namespace {

using namespace testing::jwt;
using std::chrono::seconds;

// What the fake provider answers; any thread.
struct Provider {
  std::mutex mu;
  std::string text;
  int64_t max_age = -1;
  bool down = false;
  int fetches = 0;

  void Publish(const std::vector<nlohmann::json>& keys, int64_t age = -1) {
    std::lock_guard<std::mutex> lock(mu);
    text = nlohmann::json{{"keys", nlohmann::json(keys)}}.dump();
    max_age = age;
    down = false;
  }
  void GoDown() {
    std::lock_guard<std::mutex> lock(mu);
    down = true;
  }
  JwksCache::Fetch Fetch() {
    return [this](std::string* body, int64_t* age) {
      std::lock_guard<std::mutex> lock(mu);
      ++fetches;
      if (down) return Status::Unavailable("the provider is down");
      *body = text;
      *age = max_age;
      return Status::Ok();
    };
  }
  int Fetches() {
    std::lock_guard<std::mutex> lock(mu);
    return fetches;
  }
};

// Polls `done` for up to 15 s.
template <class Done>
bool Eventually(Done&& done) {
  for (int i = 0; i < 300; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

bool Has(const JwksCache& cache, const std::string& kid) {
  uint64_t generation = 0;
  auto keys = cache.Current(&generation);
  return keys != nullptr && keys->Find(kid) != nullptr;
}

}  // namespace

TEST_CASE("jwks cache: a set older than the refresh interval is fetched again, and replaced whole",
          "[auth][jwks]") {
  const Key a = NewRsa(), b = NewP256();
  Provider provider;
  provider.Publish({Jwk(a, "a")});
  JwksCacheOptions options;
  options.refresh = seconds(1);
  JwksCache cache(options, provider.Fetch());
  REQUIRE(cache.Start(nullptr).ok());
  CHECK(Has(cache, "a"));
  const uint64_t first = cache.generation();
  // The provider rotates: b in, a out. The next refresh (a second on) brings it.
  provider.Publish({Jwk(b, "b")});
  CHECK(Eventually([&] { return Has(cache, "b"); }));
  CHECK_FALSE(Has(cache, "a"));
  CHECK(cache.generation() != first);
  // A refresh that brings the same text is no new generation.
  const uint64_t second = cache.generation();
  const int fetched = provider.Fetches();
  CHECK(Eventually([&] { return provider.Fetches() > fetched + 1; }));
  CHECK(cache.generation() == second);
}

TEST_CASE("jwks cache: a provider's max-age is honoured only within the refresh bounds",
          "[auth][jwks]") {
  const Key a = NewRsa();
  Provider provider;
  SECTION("a max-age shorter than the refresh interval: fetched again sooner") {
    provider.Publish({Jwk(a, "a")}, /*age=*/1);
    JwksCacheOptions options;
    options.refresh = seconds(3600);
    options.min_refresh = seconds(1);
    JwksCache cache(options, provider.Fetch());
    REQUIRE(cache.Start(nullptr).ok());
    CHECK(Eventually([&] { return provider.Fetches() >= 3; }));
  }
  SECTION("a max-age longer than the refresh interval: the interval holds") {
    provider.Publish({Jwk(a, "a")}, /*age=*/86400);
    JwksCacheOptions options;
    options.refresh = seconds(1);
    JwksCache cache(options, provider.Fetch());
    REQUIRE(cache.Start(nullptr).ok());
    CHECK(Eventually([&] { return provider.Fetches() >= 3; }));
  }
  SECTION("max-age 0 (or no-store) does not make every use a fetch: min_refresh holds") {
    provider.Publish({Jwk(a, "a")}, /*age=*/0);
    JwksCacheOptions options;  // min_refresh 60 s
    JwksCache cache(options, provider.Fetch());
    REQUIRE(cache.Start(nullptr).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    CHECK(provider.Fetches() == 1);
  }
}

TEST_CASE("jwks cache: unknown kids fetch again at most once per gap, and wait only for that",
          "[auth][jwks]") {
  const Key a = NewRsa(), b = NewRsa();
  Provider provider;
  provider.Publish({Jwk(a, "a")});
  JwksCache cache(JwksCacheOptions{}, provider.Fetch());  // a gap of 30 s
  REQUIRE(cache.Start(nullptr).ok());
  REQUIRE(provider.Fetches() == 1);
  // The provider publishes b: the first token naming it brings the new set.
  provider.Publish({Jwk(a, "a"), Jwk(b, "b")});
  CHECK(cache.RefreshForUnknownKid());
  CHECK(Has(cache, "b"));
  CHECK(provider.Fetches() == 2);
  // Made-up kids, many and at once: no more fetches within the gap, and nobody waits.
  std::vector<std::thread> threads;
  std::atomic<int> changed{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) changed += cache.RefreshForUnknownKid() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(changed == 0);
  CHECK(provider.Fetches() == 2);
}

TEST_CASE("jwks cache: tokens of a new key arriving together share one fetch and all verify",
          "[auth][jwks]") {
  const Key a = NewRsa(), c = NewP256();
  Provider provider;
  provider.Publish({Jwk(a, "a")});
  JwksCache cache(JwksCacheOptions{}, provider.Fetch());
  REQUIRE(cache.Start(nullptr).ok());
  provider.Publish({Jwk(a, "a"), Jwk(c, "c")});
  // Each request with the new kid asks, or waits for the fetch another asked for, or comes
  // after it: either way the set it verifies with next has the key.
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      cache.RefreshForUnknownKid();
      found += Has(cache, "c") ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(found == 8);
  CHECK(provider.Fetches() == 2);
}

TEST_CASE(
    "jwks cache: a failed fetch keeps the set there is, and a first one that fails is retried",
    "[auth][jwks]") {
  const Key a = NewRsa();
  Provider provider;
  SECTION("down at start: no set, not ready, and ready once the provider answers") {
    provider.GoDown();
    std::vector<std::string> events;  // before the cache: its thread writes them till Stop
    std::mutex mu;
    JwksCache cache(JwksCacheOptions{}, provider.Fetch());
    const Status s = cache.Start([&](std::string_view event, const nlohmann::json&) {
      std::lock_guard<std::mutex> lock(mu);
      events.emplace_back(event);
    });
    CHECK_FALSE(s.ok());
    std::string why;
    CHECK_FALSE(cache.Ready(&why));
    CHECK(why.find("the provider is down") != std::string::npos);
    uint64_t generation = 0;
    CHECK(cache.Current(&generation) == nullptr);
    provider.Publish({Jwk(a, "a")});
    // Retried after 1, 2, 4 ... seconds.
    CHECK(Eventually([&] { return cache.Ready(&why); }));
    CHECK(Has(cache, "a"));
    std::lock_guard<std::mutex> lock(mu);
    REQUIRE(events.size() >= 2);
    CHECK(events.front() == "key_set_fetch_failed");
    CHECK(events.back() == "key_set_changed");
  }
  SECTION("down later: the set stays, and still verifies") {
    provider.Publish({Jwk(a, "a")});
    JwksCacheOptions options;
    options.refresh = seconds(1);
    JwksCache cache(options, provider.Fetch());
    REQUIRE(cache.Start(nullptr).ok());
    provider.GoDown();
    const int fetched = provider.Fetches();
    CHECK(Eventually([&] { return provider.Fetches() > fetched + 1; }));
    CHECK(Has(cache, "a"));
    std::string why;
    CHECK(cache.Ready(&why));
  }
}

TEST_CASE("jwks fetcher: https, or http to loopback only, the set with its max-age, and refusals",
          "[auth][jwks]") {
  for (const char* url : {"https://login.example.gov.uk/keys", "http://127.0.0.1:8080/keys",
                          "http://localhost/keys", "http://[::1]:9000/keys"}) {
    INFO(url);
    CHECK(JwksFetcher::CheckUrl(url).ok());
  }
  for (const char* url : {"http://login.example.gov.uk/keys", "http://10.0.0.1/keys",
                          "ftp://127.0.0.1/keys", "file:///etc/passwd", "keys.json"}) {
    INFO(url);
    CHECK_FALSE(JwksFetcher::CheckUrl(url).ok());
  }
  const Key a = NewRsa();
  const nlohmann::json set = {{"keys", nlohmann::json::array({Jwk(a, "a")})}};
  testing::JwksServer server(set, "public, max-age=1234");
  JwksFetcher fetcher(server.url(), std::chrono::milliseconds(4000));
  std::string body;
  int64_t max_age = 0;
  REQUIRE(fetcher.Fetch(&body, &max_age).ok());
  CHECK(nlohmann::json::parse(body) == set);
  CHECK(max_age == 1234);
  server.Serve(set);
  REQUIRE(fetcher.Fetch(&body, &max_age).ok());
  CHECK(max_age == -1);
  server.Fail();
  Status s = fetcher.Fetch(&body, &max_age);
  CHECK(s.message().find("HTTP 500") != std::string::npos);
  s = JwksFetcher(testing::UnreachableUrl(), std::chrono::milliseconds(4000))
          .Fetch(&body, &max_age);
  CHECK(s.code() == Status::Code::kUnavailable);
}

}  // namespace caseengine
