// HttpServer's connections (see http_server_impl.h): a Session reads one request at a
// time (keep-alive; a pipelined request waits for the answer before it), hands it to the
// server, and writes the answer when it comes; it also writes streamed answers part by
// part, answers what cannot be read with a problem, and lingers after such an answer.
//
// Threading: every handler runs on the session's strand. Write alone may be called off it
// (by an I/O thread with the answers the log's committer handed on, which is not the
// session's strand, by a query worker with a query's):
// during an exchange nothing else is pending on the connection, and write_mu_ keeps a
// concurrent Close (a stop on the strand) from meeting the write as it starts.
#include <array>

#include "http/http_server_impl.h"

namespace caseengine {

namespace beast = http_internal::beast;
namespace http = http_internal::http;
namespace net = http_internal::net;
using http_internal::AmbiguousRequest;
using http_internal::kHeaderLimit;
using http_internal::kIdleTimeout;
using http_internal::kLingerTimeout;
using http_internal::kWriteTimeout;
using http_internal::ResponseHeader;
using http_internal::SetProblem;
using http_internal::tcp;

void HttpServer::Impl::Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpServer::Impl::Session::Write(HttpResponse&& answer, unsigned version, bool keep_alive,
                                      bool linger, bool head) {
  const bool close = !keep_alive || server_->stopping_;
  // The message is made before the lock: the lock only covers the socket.
  if (head) {
    auto res = ResponseHeader<http::empty_body>(answer, version, close);
    if (!answer.stream) res->content_length(answer.body.size());
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!closed_) Send(std::move(res), close, linger);
    return;
  }
  auto res = ResponseHeader<http::string_body>(answer, version, close);
  res->body() = std::move(answer.body);
  res->prepare_payload();
  std::lock_guard<std::mutex> lock(write_mu_);
  // A stop closed the connection meanwhile: nobody is left to answer, and the closed
  // stream must not be used again.
  if (!closed_) Send(std::move(res), close, linger);
}

// Starts the write: a send of what the socket takes now, at once, on this thread; the
// rest, and the completion, on the strand. Never blocks, so a client that does not read
// holds no thread.
template <class Body>
void HttpServer::Impl::Session::Send(std::shared_ptr<http::response<Body>> res, bool close,
                                     bool linger) {
  stream_.expires_after(kWriteTimeout);
  http::async_write(stream_, *res,
                    [self = shared_from_this(), res, close, linger](beast::error_code ec, size_t) {
                      if (ec) return self->Close();
                      if (linger) return self->Linger();
                      if (close) return self->Close();
                      self->ReadHeader();
                    });
}

void HttpServer::Impl::Session::WriteHeaderAsync(
    std::shared_ptr<http::response<http::empty_body>> res, Written done) {
  auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
  stream_.expires_after(kWriteTimeout);
  http::async_write_header(
      stream_, *sr,
      [self = shared_from_this(), res, sr, done](beast::error_code ec, size_t) { done(!ec); });
}

void HttpServer::Impl::Session::WriteChunkAsync(std::string chunk, Written done) {
  auto bytes = std::make_shared<std::string>(std::move(chunk));
  stream_.expires_after(kWriteTimeout);
  net::async_write(
      stream_, http::make_chunk(net::buffer(*bytes)),
      [self = shared_from_this(), bytes, done](beast::error_code ec, size_t) { done(!ec); });
}

void HttpServer::Impl::Session::WriteLastChunkAsync(Written done) {
  stream_.expires_after(kWriteTimeout);
  net::async_write(stream_, http::make_chunk_last(),
                   [self = shared_from_this(), done](beast::error_code ec, size_t) { done(!ec); });
}

void HttpServer::Impl::Session::EndStream() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void HttpServer::Impl::Session::ReadHeader() {
  if (server_->stopping_) return Close();
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(server_->config_.max_body_bytes);
  idle_ = true;
  stream_.expires_after(kIdleTimeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            self->idle_ = false;
                            self->OnHeader(ec);
                          });
}

void HttpServer::Impl::Session::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  const std::string ambiguous = AmbiguousRequest(*parser_);
  if (!ambiguous.empty()) {
    // Nothing of it is handled, and the connection is not trusted for a next request:
    // where this request ends is what is in doubt.
    HttpResponse answer;
    SetProblem(&answer, Problem::BadRequest(ambiguous));
    const auto method = parser_->get().method_string();
    server_->RecordUnrouted(&answer, NewRequestId(), std::string_view(method.data(), method.size()),
                            source_);
    return Write(std::move(answer), 11, false, true);
  }
  auto& req = parser_->get();
  // HTTP/1.0 clients cannot send the expectation (RFC 9110, 10.1.1): it is ignored.
  if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    auto cont =
        std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
    return http::async_write(stream_, *cont,
                             [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->ReadBody();
                             });
  }
  ReadBody();
}

void HttpServer::Impl::Session::ReadBody() {
  // A small request's body has mostly come with its header: parsed from the buffer at
  // once, the exchange goes on without a read operation of its own (a completion posted
  // through the strand and a deadline set and cancelled).
  beast::error_code ec;
  while (!parser_->is_done() && buffer_.size() > 0) {
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec || used == 0) break;
  }
  if (ec == http::error::need_more) ec = {};
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return OnRequest();
  stream_.expires_after(kIdleTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->OnReadError(ec);
                     self->OnRequest();
                   });
}

void HttpServer::Impl::Session::OnRequest() {
  // From here until its answer is written, nothing is pending on the connection: the
  // answer may be written from another thread (see Write).
  stream_.expires_never();
  server_->Handle(shared_from_this(), parser_->release());
}

void HttpServer::Impl::Session::OnReadError(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset ||
      ec == net::error::eof || !parser_->got_some()) {
    return Close();
  }
  HttpResponse answer;
  if (ec == http::error::body_limit) {
    SetProblem(&answer, Problem(413, "/problems/too-large", "Body too large",
                                "the body is over " +
                                    std::to_string(server_->config_.max_body_bytes) + " bytes"));
  } else {
    SetProblem(&answer, Problem::BadRequest("the request could not be read: " + ec.message()));
  }
  server_->RecordUnrouted(&answer, NewRequestId(), "", source_);
  Write(std::move(answer), 11, false, true);
}

void HttpServer::Impl::Session::Linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void HttpServer::Impl::Session::Drain() {
  auto buf = std::make_shared<std::array<char, 16384>>();
  stream_.async_read_some(net::buffer(*buf),
                          [self = shared_from_this(), buf](beast::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
}

void HttpServer::Impl::Session::Close() {
  std::lock_guard<std::mutex> lock(write_mu_);
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace caseengine
