// JwksFetcher: see jwks_fetcher.h.
#include "auth/jwks_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string_view>

namespace caseengine {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool LoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  in_addr v4;
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

// The scheme and host of `url`; false when curl cannot read it as a URL.
bool SchemeAndHost(const std::string& url, std::string* scheme, std::string* host) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return false;
  for (auto [part, out] : {std::pair{CURLUPART_SCHEME, scheme}, std::pair{CURLUPART_HOST, host}}) {
    char* text = nullptr;
    if (curl_url_get(u.get(), part, &text, 0) != CURLUE_OK || text == nullptr) return false;
    *out = text;
    curl_free(text);
  }
  std::transform(scheme->begin(), scheme->end(), scheme->begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return true;
}

struct Answer {
  std::string body;
  bool too_large = false;
  int64_t max_age = -1;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const size_t bytes = size * count;
  if (answer->body.size() + bytes > JwksFetcher::kMaxBytes) {
    answer->too_large = true;
    return 0;  // curl stops with a write error
  }
  answer->body.append(data, bytes);
  return bytes;
}

// "Cache-Control: public, max-age=3600"; no-store and no-cache are a max-age of 0.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const size_t bytes = size * count;
  std::string line(data, bytes);
  std::transform(line.begin(), line.end(), line.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const std::string_view kName = "cache-control:";
  if (line.compare(0, kName.size(), kName) != 0) return bytes;
  if (line.find("no-store") != std::string::npos || line.find("no-cache") != std::string::npos) {
    answer->max_age = 0;
    return bytes;
  }
  const size_t at = line.find("max-age=");
  if (at == std::string::npos) return bytes;
  int64_t seconds = 0;
  size_t i = at + 8, digits = 0;
  for (; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) && digits < 9;
       ++i, ++digits) {
    seconds = seconds * 10 + (line[i] - '0');
  }
  if (digits > 0) answer->max_age = seconds;
  return bytes;
}

}  // namespace

Status JwksFetcher::CheckUrl(const std::string& url) {
  std::string scheme, host;
  if (!SchemeAndHost(url, &scheme, &host)) {
    return Status::InvalidArgument("jwks_url '" + url + "' is not a URL");
  }
  if (scheme == "https") return Status::Ok();
  if (scheme == "http" && LoopbackHost(host)) return Status::Ok();
  return Status::InvalidArgument("jwks_url '" + url +
                                 "' must be https (plain http only to a loopback address)");
}

Status JwksFetcher::Fetch(std::string* body, int64_t* max_age_seconds) const {
  GlobalInit();
  auto refuse = [&](const std::string& why) {
    return Status::Unavailable("key set " + url_ + ": " + why);
  };
  std::string scheme, host;
  if (!SchemeAndHost(url_, &scheme, &host)) return refuse("not a URL");
  const bool loopback = LoopbackHost(host);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return refuse("libcurl could not start a transfer");
  Answer answer;
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, loopback ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout_.count(), 3000)));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBytes));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "caseengine");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &answer);
  if (loopback) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  const CURLcode code = curl_easy_perform(c);
  if (answer.too_large) {
    return refuse("the answer is larger than " + std::to_string(kMaxBytes) + " bytes");
  }
  if (code != CURLE_OK) return refuse(error[0] != '\0' ? error : curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return refuse("answered HTTP " + std::to_string(status) + ", not 200");
  *body = std::move(answer.body);
  *max_age_seconds = answer.max_age;
  return Status::Ok();
}

}  // namespace caseengine
