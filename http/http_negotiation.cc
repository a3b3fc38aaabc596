// HttpServer's answers as the client that asked can take them (see http_server_impl.h):
//   - CORS: a page of a configured origin (ServerConfig::cors_origins) may call the API
//     from a browser: its preflight (OPTIONS with Access-Control-Request-Method) is
//     answered 204 with the methods the path has and the headers the API reads, and every
//     answer to it names the origin and the headers a page may read. Any other origin gets
//     no CORS header at all, so its browser keeps its pages out;
//   - gzip: an answer of kGzipMin bytes or more is compressed (zlib) when the request's
//     Accept-Encoding takes gzip, and says Vary: Accept-Encoding either way, so that a
//     cache in between keeps the two apart.
// Pure functions of the request's headers and the answer: any thread.
#include <zlib.h>

#include <algorithm>

#include "http/http_server_impl.h"

namespace caseengine {
namespace http_internal {
namespace {

bool SameLetters(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// Whether `list` (a comma-separated header value) names `token` (case-insensitive) with
// a weight other than q=0.
bool Accepts(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    const size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!SameLetters(name, token) && name != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string params(item.substr(semi + 1));
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    // q=0, q=0.0, q=0.000: not acceptable (RFC 9110, 12.4.2).
    const bool refused =
        params.rfind("q=0", 0) == 0 && params.find_first_not_of("0.", 2) == std::string::npos;
    return !refused;
  }
  return false;
}

std::string Gzip(const std::string& in) {
  z_stream z{};
  // 16 + window bits: a gzip wrapper. Level 4: most of the size gone for a fraction of
  // the default level's time on list pages.
  if (deflateInit2(&z, 4, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&z, in.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int r = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return r == Z_STREAM_END ? out : std::string();
}

}  // namespace

void AddVary(HttpResponse* res, std::string_view field) {
  for (auto& [name, value] : res->headers) {
    if (!SameLetters(name, "Vary")) continue;
    if (value.find(field) == std::string::npos) value += ", " + std::string(field);
    return;
  }
  res->headers.emplace_back("Vary", std::string(field));
}

bool AllowedOrigin(const ServerConfig& config, std::string_view origin) {
  if (origin.empty()) return false;
  return std::find(config.cors_origins.begin(), config.cors_origins.end(), origin) !=
         config.cors_origins.end();
}

void AddCorsHeaders(const ServerConfig& config, std::string_view origin, HttpResponse* res) {
  if (config.cors_origins.empty()) return;
  // The answer differs by origin: a cache must not give one origin's to another.
  AddVary(res, "Origin");
  if (!AllowedOrigin(config, origin)) return;
  res->headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  res->headers.emplace_back("Access-Control-Expose-Headers", kCorsExposedHeaders);
}

void Preflight(const ServerConfig& config, std::string_view origin, const std::string& allow,
               HttpResponse* res) {
  *res = HttpResponse();
  res->status = 204;
  res->content_type.clear();
  res->headers.emplace_back("Access-Control-Allow-Methods", allow);
  res->headers.emplace_back("Access-Control-Allow-Headers", kCorsAllowedHeaders);
  res->headers.emplace_back("Access-Control-Max-Age", "600");
  AddCorsHeaders(config, origin, res);
}

void MaybeGzip(std::string_view accept_encoding, HttpResponse* res) {
  if (res->body.size() < kGzipMin) return;
  AddVary(res, "Accept-Encoding");
  if (!Accepts(accept_encoding, "gzip")) return;
  std::string zipped = Gzip(res->body);
  if (zipped.empty()) return;  // zlib failed: the answer goes as it is
  res->body = std::move(zipped);
  res->headers.emplace_back("Content-Encoding", "gzip");
}

}  // namespace http_internal
}  // namespace caseengine
