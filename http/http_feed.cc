// HttpServer's streamed answers (see http_server_impl.h): an event feed
// (HttpResponse::stream) is a chain of steps, each produced on the small feed pool
// (never a query worker), written on the session's strand, and followed at once or, when
// it was empty, after a timer. An open feed holds no thread. The connection is closed
// after it.
#include <iostream>

#include "http/http_server_impl.h"

namespace caseengine {

namespace beast = http_internal::beast;
namespace http = http_internal::http;
namespace net = http_internal::net;
using http_internal::NameThisThread;
using http_internal::ResponseHeader;

// A streamed answer on its way: the exchange, and the timer between empty steps.
struct HttpServer::Impl::Feed {
  std::shared_ptr<Exchange> x;
  net::steady_timer pause;
};

// On the session's strand (the route ran inline): a chunked answer written as the
// route's stream produces it; the connection is closed after it.
void HttpServer::Impl::Stream(const std::shared_ptr<Exchange>& x) {
  x->response.headers.emplace_back("X-Request-Id", x->request_id);
  http_internal::AddCorsHeaders(config_, std::string(x->raw[http::field::origin]), &x->response);
  auto res = ResponseHeader<http::empty_body>(x->response, x->raw.version(), /*close=*/true);
  res->chunked(true);
  Record(*x);
  auto feed = std::make_shared<Feed>(Feed{x, net::steady_timer(x->session->executor())});
  x->session->WriteHeaderAsync(res, [this, feed](bool ok) {
    if (!ok) return EndFeed(feed, false);
    Step(feed);
  });
}

// Produces the next part on the feed pool, then writes it on the session's strand.
void HttpServer::Impl::Step(const std::shared_ptr<Feed>& feed) {
  net::post(feeds_, [this, feed] {
    NameThisThread("http-feed");
    std::string part;
    bool more = false;
    try {
      more = !stopping_ && feed->x->response.stream(&part);
    } catch (const std::exception& e) {
      // The route's template, never the path (ids).
      std::cerr << "caseengine: " << routes_[feed->x->route].path << ": " << e.what() << "\n";
    }
    net::post(feed->x->session->executor(), [this, feed, part = std::move(part), more]() mutable {
      auto next = [this, feed, more](bool ok) {
        if (!ok) return EndFeed(feed, false);
        if (!more) return EndFeed(feed, true);
        Step(feed);
      };
      if (!part.empty()) return feed->x->session->WriteChunkAsync(std::move(part), next);
      if (!more) return EndFeed(feed, true);
      feed->pause.expires_after(kStreamPoll);
      feed->pause.async_wait([this, feed](beast::error_code ec) {
        if (ec || stopping_) return EndFeed(feed, true);
        Step(feed);
      });
    });
  });
}

// On the session's strand: the last chunk when the connection is still `open`, then
// the connection closed.
void HttpServer::Impl::EndFeed(const std::shared_ptr<Feed>& feed, bool open) {
  Session& session = *feed->x->session;
  if (!open) return session.EndStream();
  session.WriteLastChunkAsync([feed](bool) { feed->x->session->EndStream(); });
}

}  // namespace caseengine
