// HttpServer's connections (see http_server_impl.h): a session reads one request at a
// time (keep-alive; a pipelined request waits for the answer before it), hands it to the
// server, and writes the answer when it comes; it also writes streamed answers part by
// part, answers what cannot be read with a problem, and lingers after such an answer.
//
// One implementation, StreamSession<Stream>, for both streams: beast::tcp_stream (plain
// HTTP) and beast::ssl_stream over it (HTTPS). What differs is only how a connection
// starts (a TLS handshake first) and how it ends after its last answer (TLS says
// close_notify first); deadlines and the socket are the lowest layer's, the TCP stream.
// A TLS session holds the context it was accepted with, so a certificate reloaded
// meanwhile (SIGHUP) leaves it as it is.
//
// Threading: every handler runs on the session's strand. Write alone may be called off it
// (by an I/O thread with the answers the log's committer handed on, which is not the
// session's strand, by a query worker with a query's):
// during an exchange nothing else is pending on the connection, and write_mu_ keeps a
// concurrent Close (a stop on the strand) from meeting the write as it starts. Over TLS
// the write starts the same way: the encryption of what is sent first happens on the
// calling thread, with nothing else using the TLS state meanwhile.
#include <array>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <type_traits>

#include "http/http_server_impl.h"
#include "http/tls_context.h"

namespace caseengine {

namespace beast = http_internal::beast;
namespace http = http_internal::http;
namespace net = http_internal::net;
namespace ssl = boost::asio::ssl;
using http_internal::AmbiguousRequest;
using http_internal::kHeaderLimit;
using http_internal::kIdleTimeout;
using http_internal::kLingerTimeout;
using http_internal::kWriteTimeout;
using http_internal::ResponseHeader;
using http_internal::SetProblem;
using http_internal::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::string Peer(const tcp::socket& socket) {
  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  return ec ? "" : peer.address().to_string();
}

}  // namespace

template <class Stream>
class HttpServer::Impl::StreamSession final : public HttpServer::Impl::Session {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  StreamSession(tcp::socket socket, Impl* server) requires(!kTls)
      : Session(server, Peer(socket)), stream_(std::move(socket)) {}
  StreamSession(tcp::socket socket, Impl* server,
                std::shared_ptr<ssl::context> context) requires(kTls)
      : Session(server, Peer(socket)),
        context_(std::move(context)),
        stream_(std::move(socket), *context_) {}

  void Start() override {
    net::dispatch(stream_.get_executor(), [self = Self()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Write(HttpResponse&& answer, unsigned version, bool keep_alive, bool linger = false,
             bool head = false) override;

  void Close(bool idle_only) override {
    if (!idle_only || idle_) Close();
  }

  void WriteHeaderAsync(std::shared_ptr<http::response<http::empty_body>> res,
                        Written done) override {
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    Lowest().expires_after(kWriteTimeout);
    http::async_write_header(
        stream_, *sr, [self = Self(), res, sr, done](beast::error_code ec, size_t) { done(!ec); });
  }

  void WriteChunkAsync(std::string chunk, Written done) override {
    auto bytes = std::make_shared<std::string>(std::move(chunk));
    Lowest().expires_after(kWriteTimeout);
    net::async_write(stream_, http::make_chunk(net::buffer(*bytes)),
                     [self = Self(), bytes, done](beast::error_code ec, size_t) { done(!ec); });
  }

  void WriteLastChunkAsync(Written done) override {
    Lowest().expires_after(kWriteTimeout);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = Self(), done](beast::error_code ec, size_t) { done(!ec); });
  }

  void EndStream() override {
    net::post(stream_.get_executor(), [self = Self()] { self->Finish(); });
  }

  boost::asio::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  std::shared_ptr<StreamSession> Self() {
    return std::static_pointer_cast<StreamSession>(shared_from_this());
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  template <class Body>
  void Send(std::shared_ptr<http::response<Body>> res, bool close, bool linger);
  // Over TLS: the handshake, within the idle timeout (a stop closes it meanwhile).
  void Handshake();
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  // The request is whole: handled with no deadline running (the answer sets its own).
  void OnRequest();
  void OnReadError(beast::error_code ec);
  // After an error answer the client may still be sending a body nobody reads: closing
  // at once would reset the connection, and the client could lose the answer. So the
  // sending side is shut and what comes is read and dropped until the client closes.
  void Linger();
  void Drain();
  // After the last answer: over TLS, close_notify (and the peer's, or the linger
  // timeout), then Close; over TCP, Close.
  void Finish();
  void Close();

  std::shared_ptr<ssl::context> context_;  // over TLS: the context `stream_` was made with
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool idle_ = false;  // on the strand: waiting for a request (or a handshake)
  // Held while an answer starts to be written and while the connection is closed: the
  // two may come from different threads (an answer off the strand, a stop's Close on
  // it). closed_ is set under it, and nothing is written after.
  std::mutex write_mu_;
  bool closed_ = false;
};

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Write(HttpResponse&& answer, unsigned version,
                                                    bool keep_alive, bool linger, bool head) {
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
template <class Stream>
template <class Body>
void HttpServer::Impl::StreamSession<Stream>::Send(std::shared_ptr<http::response<Body>> res,
                                                   bool close, bool linger) {
  Lowest().expires_after(kWriteTimeout);
  http::async_write(stream_, *res,
                    [self = Self(), res, close, linger](beast::error_code ec, size_t) {
                      if (ec) return self->Close();
                      if (linger) return self->Linger();
                      if (close) return self->Finish();
                      self->ReadHeader();
                    });
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Handshake() {
  if constexpr (kTls) {
    if (server_->stopping_) return Close();
    idle_ = true;
    Lowest().expires_after(kIdleTimeout);
    stream_.async_handshake(ssl::stream_base::server, [self = Self()](beast::error_code ec) {
      self->idle_ = false;
      // Plain HTTP, an old protocol version, no common cipher, a client that went away:
      // nothing was asked, so nothing is answered or logged.
      if (ec) return self->Close();
      self->ReadHeader();
    });
  }
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::ReadHeader() {
  if (server_->stopping_) return Finish();
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(server_->config_.max_body_bytes);
  idle_ = true;
  Lowest().expires_after(kIdleTimeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = Self()](beast::error_code ec, size_t) {
                            self->idle_ = false;
                            self->OnHeader(ec);
                          });
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  const std::string ambiguous = AmbiguousRequest(*parser_);
  if (!ambiguous.empty()) {
    // Nothing of it is handled, and the connection is not trusted for a next request:
    // where this request ends is what is in doubt.
    HttpResponse answer;
    SetProblem(&answer, Problem::BadRequest(ambiguous));
    const auto method = parser_->get().method_string();
    server_->RecordUnrouted(&answer, NewRequestId(), std::string_view(method.data(), method.size()),
                            source());
    return Write(std::move(answer), 11, false, true);
  }
  auto& req = parser_->get();
  // HTTP/1.0 clients cannot send the expectation (RFC 9110, 10.1.1): it is ignored.
  if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    auto cont =
        std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
    return http::async_write(stream_, *cont, [self = Self(), cont](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->ReadBody();
    });
  }
  ReadBody();
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::ReadBody() {
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
  Lowest().expires_after(kIdleTimeout);
  http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
    if (ec) return self->OnReadError(ec);
    self->OnRequest();
  });
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::OnRequest() {
  // From here until its answer is written, nothing is pending on the connection: the
  // answer may be written from another thread (see Write).
  Lowest().expires_never();
  server_->Handle(shared_from_this(), parser_->release());
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::OnReadError(beast::error_code ec) {
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
  server_->RecordUnrouted(&answer, NewRequestId(), "", source());
  Write(std::move(answer), 11, false, true);
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Linger() {
  beast::error_code ignored;
  Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  Lowest().expires_after(kLingerTimeout);
  Drain();
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Drain() {
  auto buf = std::make_shared<std::array<char, 16384>>();
  stream_.async_read_some(net::buffer(*buf), [self = Self(), buf](beast::error_code ec, size_t) {
    if (ec) return self->Close();
    self->Drain();
  });
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Finish() {
  if constexpr (kTls) {
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      if (closed_) return;
    }
    // A client that reads to the end of the connection can tell the end from a cut.
    Lowest().expires_after(kLingerTimeout);
    stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
  } else {
    Close();
  }
}

template <class Stream>
void HttpServer::Impl::StreamSession<Stream>::Close() {
  std::lock_guard<std::mutex> lock(write_mu_);
  closed_ = true;
  beast::error_code ignored;
  Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  Lowest().close();
}

std::shared_ptr<HttpServer::Impl::Session> HttpServer::Impl::NewSession(tcp::socket socket) {
  if (tls_ != nullptr) {
    return std::make_shared<StreamSession<TlsStream>>(std::move(socket), this, tls_->Current());
  }
  return std::make_shared<StreamSession<PlainStream>>(std::move(socket), this);
}

}  // namespace caseengine
