// Tests of OpenID Connect access-token verification (auth/jwt_verifier.h, auth/jwks.h).
// The tests are their own identity provider: they make RSA and P-256 keys with OpenSSL,
// publish them as a JSON Web Key Set, and sign their own tokens; no outside service.
#include "auth/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "base/coding.h"
#include "tests/jwt_support.h"

namespace caseengine {
namespace {

using namespace testing::jwt;

constexpr int64_t kNow = 1'800'000'000;
const char* kIssuer = "https://login.example-council.gov.uk/tenant";
const char* kAudience = "caseengine";

// A vector, not a json: a braced list of one key would be that key, not an array of it.
Jwks SetOf(const std::vector<nlohmann::json>& keys) {
  Jwks set;
  Status s = Jwks::Parse(nlohmann::json{{"keys", nlohmann::json(keys)}}.dump(), &set);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return set;
}

nlohmann::json Claims() {
  return {{"iss", kIssuer},
          {"aud", kAudience},
          {"sub", "a1b2c3"},
          {"exp", kNow + 600},
          {"nbf", kNow - 10},
          {"roles", {"housing-officer"}},
          {"preferred_username", "jsmith"}};
}

Status Check(const std::string& token, const Jwks& keys, int64_t now = kNow) {
  JwtVerifier verifier({kIssuer, kAudience, std::chrono::seconds(60)});
  JwtClaims claims;
  return verifier.Verify(token, keys, now, &claims);
}

}  // namespace

TEST_CASE("a token signed by the identity provider's RSA or P-256 key is accepted with its claims",
          "[auth][jwt]") {
  const Key rsa = NewRsa(), ec = NewP256();
  const Jwks keys = SetOf({Jwk(rsa, "r1"), Jwk(ec, "e1")});
  for (const auto& [key, kid] : {std::pair{rsa, "r1"}, std::pair{ec, "e1"}}) {
    JwtVerifier verifier({kIssuer, kAudience, std::chrono::seconds(60)});
    JwtClaims claims;
    const Status s = verifier.Verify(Token(key, kid, Claims()), keys, kNow, &claims);
    INFO(s.ToString());
    CHECK(s.ok());
    CHECK(claims.subject == "a1b2c3");
    CHECK(claims.expires_at == kNow + 600);
    CHECK(claims.all["roles"][0] == "housing-officer");
  }
}

TEST_CASE("the audience may be one of several", "[auth][jwt]") {
  const Key rsa = NewRsa();
  nlohmann::json claims = Claims();
  claims["aud"] = {"another-api", kAudience};
  CHECK(Check(Token(rsa, "r1", claims), SetOf({Jwk(rsa, "r1")})).ok());
}

TEST_CASE("a token of another issuer, for another audience, or without a subject is refused",
          "[auth][jwt]") {
  const Key rsa = NewRsa();
  const Jwks keys = SetOf({Jwk(rsa, "r1")});
  for (const auto& [claim, value] :
       {std::pair<std::string, nlohmann::json>{"iss", "https://evil.example"},
        {"aud", "another-api"},
        {"aud", nlohmann::json::array()},
        {"sub", ""},
        {"iss", 42}}) {
    nlohmann::json claims = Claims();
    claims[claim] = value;
    CHECK_FALSE(Check(Token(rsa, "r1", claims), keys).ok());
  }
}

TEST_CASE("an expired token is refused, a clock skew within the allowance is not", "[auth][jwt]") {
  const Key rsa = NewRsa();
  const Jwks keys = SetOf({Jwk(rsa, "r1")});
  const std::string token = Token(rsa, "r1", Claims());  // exp = now + 600
  CHECK(Check(token, keys, kNow + 600 + 59).ok());
  const Status late = Check(token, keys, kNow + 600 + 60);
  CHECK(late.message().find("expired") != std::string::npos);
  nlohmann::json early = Claims();
  early["nbf"] = kNow + 120;
  CHECK(Check(Token(rsa, "r1", early), keys).message().find("not valid yet") != std::string::npos);
  nlohmann::json no_exp = Claims();
  no_exp.erase("exp");
  CHECK_FALSE(Check(Token(rsa, "r1", no_exp), keys).ok());
}

TEST_CASE("a token whose payload was changed after signing is refused", "[auth][jwt]") {
  const Key ec = NewP256();
  const Jwks keys = SetOf({Jwk(ec, "e1")});
  std::string token = Token(ec, "e1", Claims());
  nlohmann::json more = Claims();
  more["roles"] = {"administrator"};
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  token = token.substr(0, dot1 + 1) + Base64UrlEncode(more.dump()) + token.substr(dot2);
  CHECK(Check(token, keys).message().find("signature does not verify") != std::string::npos);
}

TEST_CASE("a token signed by a key the provider does not publish is refused", "[auth][jwt]") {
  const Key published = NewRsa(), other = NewRsa();
  const Jwks keys = SetOf({Jwk(published, "r1")});
  CHECK_FALSE(Check(Token(other, "r1", Claims()), keys).ok());
  CHECK_FALSE(Check(Token(other, "unknown", Claims()), keys).ok());
}

TEST_CASE("alg none, a shared-secret algorithm, or an algorithm not its key's is refused",
          "[auth][jwt]") {
  const Key rsa = NewRsa(), ec = NewP256();
  const Jwks keys = SetOf({Jwk(rsa, "r1"), Jwk(ec, "e1")});
  const std::string payload = Base64UrlEncode(Claims().dump());
  // alg none: no signature at all
  const std::string none = Base64UrlEncode(R"({"alg":"none","kid":"r1"})") + "." + payload + ".";
  CHECK(Check(none, keys).message().find("not accepted") != std::string::npos);
  // HS256 with the published key's bytes as the secret: the classic forgery
  const std::string input = Base64UrlEncode(R"({"alg":"HS256","kid":"r1"})") + "." + payload;
  const std::string secret = Jwk(rsa, "r1").dump();
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
  const std::string hs =
      input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
  CHECK_FALSE(Check(hs, keys).ok());
  // An EC key's signature under an RS256 header, and the other way round
  CHECK(Check(Token(ec, "e1", Claims(), "RS256"), keys).message().find("does not match") !=
        std::string::npos);
}

TEST_CASE("malformed tokens are refused without harm", "[auth][jwt]") {
  const Key rsa = NewRsa();
  const Jwks keys = SetOf({Jwk(rsa, "r1")});
  const std::string good = Token(rsa, "r1", Claims());
  for (const std::string& bad :
       {std::string(), std::string("."), std::string(".."), std::string("a.b"),
        std::string("a.b.c.d"), std::string("!!!.***.???"), good + "x", good.substr(0, 40),
        std::string(20000, 'a'), Base64UrlEncode("[1,2]") + "." + Base64UrlEncode("{}") + ".AA"}) {
    CHECK_FALSE(Check(bad, keys).ok());
  }
}

TEST_CASE("a key set is read as providers publish it, and refused when ambiguous or empty",
          "[auth][jwks]") {
  const Key rsa = NewRsa(), ec = NewP256();
  // Encryption keys and curves this engine does not use are passed over
  nlohmann::json enc = Jwk(rsa, "enc1");
  enc["use"] = "enc";
  nlohmann::json p384 = {
      {"kty", "EC"}, {"kid", "p384"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}};
  const Jwks keys = SetOf({Jwk(rsa, "r1"), enc, p384, Jwk(ec, "e1")});
  CHECK(keys.size() == 2);
  CHECK(keys.Find("enc1") == nullptr);
  CHECK(keys.Find("") == nullptr);  // two keys: a token must name one
  CHECK(SetOf({Jwk(rsa, "")}).Find("") != nullptr);

  Jwks out;
  CHECK_FALSE(Jwks::Parse("not json", &out).ok());
  CHECK_FALSE(Jwks::Parse(R"({"keys": 3})", &out).ok());
  CHECK_FALSE(Jwks::Parse(R"({"keys": []})", &out).ok());
  CHECK_FALSE(
      Jwks::Parse(nlohmann::json{{"keys", {Jwk(rsa, "a"), Jwk(ec, "a")}}}.dump(), &out).ok());
  nlohmann::json broken = Jwk(ec, "b");
  broken["x"] = Base64UrlEncode(std::string(32, '\x01'));  // not a point on the curve
  CHECK_FALSE(
      Jwks::Parse(nlohmann::json{{"keys", nlohmann::json::array({broken})}}.dump(), &out).ok());
}

TEST_CASE("base64url round-trips and refuses the standard alphabet and padding", "[auth][base]") {
  for (const std::string& bytes : {std::string(), std::string("a"), std::string("ab"),
                                   std::string("abc"), std::string("\xfb\xff\xfe", 3)}) {
    std::string back;
    REQUIRE(Base64UrlDecode(Base64UrlEncode(bytes), &back));
    CHECK(back == bytes);
  }
  std::string out;
  CHECK_FALSE(Base64UrlDecode("+/8=", &out));
  CHECK_FALSE(Base64UrlDecode("YQ==", &out));
  CHECK_FALSE(Base64UrlDecode("Y", &out));
}

}  // namespace caseengine
