// Tests of SignInThrottle in process, on a clock of the test's own: a lockout once a
// source or a user reaches its limit, twice as long the next time, none for other
// sources and users, counts forgotten after a quiet spell, a success clearing the user's
// count but not the source's; and the user a JWT-shaped token names.
#include "http/sign_in_throttle.h"

#include <catch2/catch.hpp>

namespace caseengine::testing {
namespace {

using std::chrono::seconds;
using Clock = SignInThrottle::Clock;

SignInConfig Limits(int per_source, int per_user, int lockout) {
  SignInConfig c;
  c.max_failures_per_source = per_source;
  c.max_failures_per_user = per_user;
  c.lockout_seconds = lockout;
  return c;
}

}  // namespace

TEST_CASE("sign-in throttle: a source is locked out at its limit, longer each time", "[throttle]") {
  SignInThrottle t(Limits(3, 100, 10));
  const Clock::time_point t0 = Clock::now();
  CHECK(t.RetryAfter("10.0.0.1", "", t0) == 0);
  t.Failed("10.0.0.1", "", t0);
  t.Failed("10.0.0.1", "", t0);
  CHECK(t.RetryAfter("10.0.0.1", "", t0) == 0);
  t.Failed("10.0.0.1", "", t0);
  CHECK(t.RetryAfter("10.0.0.1", "", t0) == 10);
  CHECK(t.RetryAfter("10.0.0.1", "", t0 + seconds(4)) == 6);
  CHECK(t.RetryAfter("10.0.0.2", "", t0) == 0);  // another source
  CHECK(t.RetryAfter("10.0.0.1", "", t0 + seconds(10)) == 0);
  // The next lockout is twice as long, and so on up to 15 minutes.
  for (int i = 0; i < 3; ++i) t.Failed("10.0.0.1", "", t0 + seconds(11));
  CHECK(t.RetryAfter("10.0.0.1", "", t0 + seconds(11)) == 20);
  Clock::time_point now = t0 + seconds(31);
  int retry = 0;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 3; ++i) t.Failed("10.0.0.1", "", now);
    retry = t.RetryAfter("10.0.0.1", "", now);
    CHECK(retry <= 900);
    now += seconds(retry);
  }
  CHECK(retry == 900);
}

TEST_CASE(
    "sign-in throttle: a user is locked out from every source, and a success clears its count",
    "[throttle]") {
  SignInThrottle t(Limits(100, 2, 30));
  const Clock::time_point t0 = Clock::now();
  t.Failed("10.0.0.1", "officer", t0);
  t.Succeeded("officer");  // the count starts again
  t.Failed("10.0.0.2", "officer", t0);
  CHECK(t.RetryAfter("10.0.0.3", "officer", t0) == 0);
  t.Failed("10.0.0.3", "officer", t0);
  CHECK(t.RetryAfter("10.0.0.9", "officer", t0) == 30);
  CHECK(t.RetryAfter("10.0.0.9", "admin", t0) == 0);
  CHECK(t.RetryAfter("10.0.0.9", "", t0) == 0);
}

TEST_CASE("sign-in throttle: counts are forgotten after a quiet spell", "[throttle]") {
  SignInThrottle t(Limits(2, 100, 10));
  const Clock::time_point t0 = Clock::now();
  t.Failed("10.0.0.1", "", t0);
  t.Failed("10.0.0.1", "", t0 + SignInThrottle::kForget + seconds(1));
  CHECK(t.RetryAfter("10.0.0.1", "", t0 + SignInThrottle::kForget + seconds(1)) == 0);
}

TEST_CASE("sign-in throttle: the user a token names is a JWT's sub, and nobody otherwise",
          "[throttle]") {
  // {"alg":"RS256"} . {"sub":"officer"} . signature
  CHECK(SignInThrottle::ClaimedUser("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvZmZpY2VyIn0.c2ln") ==
        "officer");
  CHECK(SignInThrottle::ClaimedUser("demo-officer") == "");
  CHECK(SignInThrottle::ClaimedUser("a.b") == "");
  CHECK(SignInThrottle::ClaimedUser("a.!!!.c") == "");
  CHECK(SignInThrottle::ClaimedUser("a.eyJmb28iOjF9.c") == "");  // {"foo":1}: no sub
  CHECK(SignInThrottle::ClaimedUser("") == "");
}

}  // namespace caseengine::testing
