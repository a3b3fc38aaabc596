// HttpServer's routing and request checks (see http_server_impl.h): percent-decoding,
// route patterns and their matching, query strings, the checks that refuse a request whose
// framing or target is ambiguous, and problem answers. Pure functions: no server state,
// any thread.
#include "http/http_server_impl.h"

namespace caseengine {
namespace http_internal {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void SetProblem(HttpResponse* res, const Problem& p) {
  *res = HttpResponse();
  res->Json(p.Body(), p.status);
  res->content_type = "application/problem+json";
  if (p.status == 401) res->headers.emplace_back("WWW-Authenticate", "Bearer");
  if (p.retry_after > 0) res->headers.emplace_back("Retry-After", std::to_string(p.retry_after));
}

std::string Decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

Pattern MakePattern(const Route& route) {
  Pattern p;
  p.method = route.method;
  for (std::string_view s : Segments(route.path)) {
    const bool param = !s.empty() && s.front() == '{' && s.back() == '}';
    p.placeholder.push_back(param);
    p.literal.emplace_back(param ? std::string_view() : s);
  }
  return p;
}

bool Matches(const Pattern& p, const std::vector<std::string_view>& segments,
             std::vector<std::string>* params) {
  if (segments.size() != p.literal.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (p.placeholder[i] ? segments[i].empty() : segments[i] != p.literal[i]) return false;
  }
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (p.placeholder[i]) params->push_back(Decode(segments[i], false));
  }
  return true;
}

void ParseQuery(std::string_view query, std::map<std::string, std::string>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      out->emplace(Decode(pair.substr(0, eq), true), eq == std::string_view::npos
                                                         ? std::string()
                                                         : Decode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

// What makes a request's framing or target ambiguous, checked on its header before its
// body is read; empty when there is nothing. A proxy in front of the server may read such
// a request otherwise than the server does (request smuggling), so it is refused and its
// connection closed rather than interpreted:
//   - a Transfer-Encoding other than exactly "chunked" (one field, one coding), or one
//     beside a Content-Length;
//   - Content-Length fields (or a list in one) that disagree or are not plain digits;
//   - a target that is not a path from the root (origin form, RFC 9112 3.2): "cases",
//     "http://host/cases", "*".
std::string AmbiguousRequest(const http::request_parser<http::string_body>& parser) {
  const auto& req = parser.get();
  int transfer_encodings = 0;
  std::string coding;
  std::string length;  // the one Content-Length value seen
  bool lengths = false;
  for (const auto& field : req.base()) {
    std::string_view value(field.value().data(), field.value().size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (field.name() == http::field::transfer_encoding) {
      ++transfer_encodings;
      coding = std::string(value);
    } else if (field.name() == http::field::content_length) {
      lengths = true;
      // "5, 5" is one length said twice; "5, 6" is two.
      for (;;) {
        const size_t comma = value.find(',');
        std::string_view one = value.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (one.empty() || one.find_first_not_of("0123456789") != std::string_view::npos) {
          return "Content-Length must be a number of bytes";
        }
        if (!length.empty() && length != one) return "Content-Length is given twice, differently";
        length = std::string(one);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
  }
  if (transfer_encodings > 0) {
    if (lengths) return "a request may not have both Transfer-Encoding and Content-Length";
    if (transfer_encodings > 1 || !beast::iequals(beast::string_view(coding), "chunked")) {
      return "the only Transfer-Encoding the server takes is \"chunked\"";
    }
  }
  const std::string_view target(req.target().data(), req.target().size());
  if (target.empty() || target.front() != '/') {
    return "the request target must be a path starting with '/'";
  }
  return std::string();
}

}  // namespace http_internal
}  // namespace caseengine
