#include "sluice/server/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sluice::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

Status ParseListen(std::string_view listen, ServerOptions& options) {
  const std::size_t colon = listen.rfind(':');
  auto fail = [&] {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "--listen " + std::string(listen) + ": write it as HOST:PORT, e.g. 127.0.0.1:8080");
  };
  if (colon == std::string_view::npos || colon == 0) return fail();
  std::string_view host = listen.substr(0, colon), port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) return fail();
  boost::system::error_code bad;
  net::ip::make_address(std::string(host), bad);
  if (bad) return fail();
  options.address = std::string(host);
  options.port = static_cast<std::uint16_t>(value);
  return {};
}

namespace internal {

class Session;

// Handlers capture `this`: the Server's destructor joins every thread before the
// ServerImpl goes, and handlers still queued then are destroyed, never run.
class ServerImpl {
 public:
  ServerImpl(ServerOptions options, const Api& api)
      : options_(std::move(options)), api_(api), acceptor_(net::make_strand(ioc_)) {}

  Status Start();
  void Stop();
  void Wait();
  std::uint16_t port() const { return port_; }
  const ServerOptions& options() const { return options_; }
  const Api& api() const { return api_; }
  bool stopping() const { return stopping_.load(); }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Session>& session);

  ServerOptions options_;
  const Api& api_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::vector<std::weak_ptr<Session>> sessions_;
  unsigned finished_threads_ = 0;
  bool stop_requested_ = false;
};

// One connection: reads requests one after another, answers each through the Api.
// All its handlers run on its strand, so its members need no lock.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl& server)
      : stream_(std::move(socket)), server_(server), timer_(stream_.get_executor()) {
    server_.api().metrics().ConnectionOpened();
  }
  ~Session() { server_.api().metrics().ConnectionClosed(); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }
  // Closes the connection if it is waiting for a new request.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
      self->timer_.cancel();
    });
  }

 private:
  void DoRead();
  void OnHeader(beast::error_code ec, std::size_t);
  void ReadBody();
  void OnBody(beast::error_code ec, std::size_t);
  void Process();
  void SendError(int status, std::string_view code, std::string_view message);
  void Send(ApiResponse response, bool keep_alive);
  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t);
  // Server-Sent Events: the response head, then NextStreamEvent's events as
  // they come (checked every kStreamPoll), and a comment line every
  // kStreamHeartbeat so proxies keep the connection and a gone client is noticed.
  void StartStream(const ApiResponse& response);
  void PumpStream();
  void OnStreamWrite(beast::error_code ec, std::size_t);
  // After an error response: stop sending, discard what the client still sends
  // (up to a bound), then close, so the client reads the response instead of a reset.
  void LingerClose();
  void Close();

  beast::tcp_stream stream_;
  ServerImpl& server_;
  net::steady_timer timer_;  // SSE polling
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;           // the response being written (head and body)
  unsigned request_version_ = 11;  // HTTP version of the request being answered
  http::response<http::empty_body> continue_;
  core::Scratch scratch_;
  core::Decision decision_;
  std::array<char, 16 << 10> discard_{};
  std::uint64_t discarded_ = 0;
  bool linger_ = false;  // the response is an error: LingerClose after writing it
  bool busy_ = false;    // a request has started: do not close it on Stop()
  // Metrics of the request being answered.
  std::string route_ = "transport";
  std::chrono::steady_clock::time_point started_;
  // SSE state.
  std::int64_t stream_version_ = 0;
  std::chrono::steady_clock::time_point last_stream_write_;
};

constexpr std::chrono::milliseconds kStreamPoll{200};
constexpr std::chrono::seconds kStreamHeartbeat{15};

void Session::DoRead() {
  busy_ = false;
  if (server_.stopping()) return Close();
  parser_.emplace();
  parser_->body_limit(server_.options().body_limit);
  parser_->header_limit(server_.options().header_limit);
  stream_.expires_after(server_.options().idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    return SendError(413, "payload_too_large",
                     "the request body is larger than " +
                         std::to_string(server_.options().body_limit) + " bytes; send less");
  }
  if (ec == http::error::header_limit) {
    return SendError(431, "headers_too_large",
                     "the request headers are too large; send fewer or shorter headers");
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == net::error::operation_aborted) {
    return Close();
  }
  if (ec)
    return SendError(400, "bad_request", "the request is not valid HTTP/1.1: " + ec.message());
  busy_ = true;
  stream_.expires_after(server_.options().read_timeout);
  const auto& header = parser_->get();
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    continue_ = http::response<http::empty_body>(http::status::continue_, header.version());
    return http::async_write(stream_, continue_,
                             [self = shared_from_this()](beast::error_code wec, std::size_t) {
                               if (wec) return self->Close();
                               self->ReadBody();
                             });
  }
  ReadBody();
}

void Session::ReadBody() {
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    return SendError(413, "payload_too_large",
                     "the request body is larger than " +
                         std::to_string(server_.options().body_limit) + " bytes; send less");
  }
  if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
      ec == net::error::operation_aborted) {
    return Close();
  }
  if (ec)
    return SendError(400, "bad_request", "the request is not valid HTTP/1.1: " + ec.message());
  Process();
}

void Session::Process() {
  started_ = std::chrono::steady_clock::now();
  http::request<http::string_body> request = parser_->release();
  request_version_ = request.version();
  ApiRequest api_request{std::string(request.method_string()),
                         std::string(request.target()),
                         std::string(request[http::field::authorization]),
                         std::string(request["X-API-Key"]),
                         std::string(request[http::field::if_match]),
                         std::string(request[http::field::if_none_match]),
                         std::string(request["Last-Event-ID"]),
                         std::move(request.body())};
  route_ = Api::RouteLabel(api_request.method, api_request.target);
  ApiResponse response;
  try {
    response = server_.api().Handle(api_request, scratch_, decision_);
  } catch (const std::exception& e) {  // the edge: a bug must not take the server down
    response = ErrorResponse(500, "internal",
                             std::string("internal error (a bug in sluice): ") + e.what());
  }
  if (response.event_stream) return StartStream(response);
  Send(std::move(response), request.keep_alive() && !server_.stopping());
}

void Session::SendError(int status, std::string_view code, std::string_view message) {
  busy_ = true;
  route_ = "transport";
  started_ = std::chrono::steady_clock::now();
  linger_ = true;
  Send(ErrorResponse(status, code, message), /*keep_alive=*/false);
}

void Session::Send(ApiResponse response, bool keep_alive) {
  // The head is written by hand: one buffer, no per-field allocations.
  const auto status = static_cast<unsigned>(response.status);
  const bool bodiless = status == 204 || status == 304 || status < 200;
  out_.clear();
  out_ += "HTTP/1.1 ";
  out_ += std::to_string(status);
  out_ += ' ';
  const beast::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  out_.append(reason.data(), reason.size());
  out_ += "\r\nServer: sluice\r\n";
  if (!response.content_type.empty() && !bodiless) {
    out_ += "Content-Type: " + response.content_type + "\r\n";
  }
  for (const auto& [name, value] : response.headers) out_ += name + ": " + value + "\r\n";
  if (!bodiless) out_ += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (!keep_alive) {
    out_ += "Connection: close\r\n";
  } else if (request_version_ == 10) {
    out_ += "Connection: keep-alive\r\n";
  }
  out_ += "\r\n";
  if (!bodiless) out_ += response.body;
  // Counted before the write, so a client that has its answer sees it counted.
  server_.api().metrics().RecordRequest(route_, response.status,
                                        std::chrono::steady_clock::now() - started_);
  stream_.expires_after(server_.options().read_timeout);
  net::async_write(stream_, net::buffer(out_),
                   beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
}

void Session::OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
  if (!ec && linger_) return LingerClose();
  if (ec || !keep_alive) return Close();
  DoRead();
}

void Session::StartStream(const ApiResponse& response) {
  server_.api().metrics().RecordRequest(route_, response.status,
                                        std::chrono::steady_clock::now() - started_);
  busy_ = false;  // a stream is never "in flight": Stop() ends it
  stream_version_ = response.stream_after;
  // The body runs until the connection closes (RFC 9112 §6.3), so no
  // Content-Length and no chunking.
  out_ = "HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: " + response.content_type +
                "\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) out_ += name + ": " + value + "\r\n";
  out_ += "\r\n: connected\n\n" + server_.api().NextStreamEvent(stream_version_);
  stream_.expires_after(server_.options().read_timeout);
  net::async_write(stream_, net::buffer(out_),
                   beast::bind_front_handler(&Session::OnStreamWrite, shared_from_this()));
}

void Session::OnStreamWrite(beast::error_code ec, std::size_t) {
  if (ec) return Close();
  last_stream_write_ = std::chrono::steady_clock::now();
  stream_.expires_never();
  PumpStream();
}

void Session::PumpStream() {
  if (server_.stopping() || !stream_.socket().is_open()) return Close();
  out_ = server_.api().NextStreamEvent(stream_version_);
  if (out_.empty() && std::chrono::steady_clock::now() - last_stream_write_ >= kStreamHeartbeat) {
    out_ = ": keep-alive\n\n";
  }
  if (!out_.empty()) {
    stream_.expires_after(server_.options().read_timeout);
    return net::async_write(stream_, net::buffer(out_),
                            beast::bind_front_handler(&Session::OnStreamWrite, shared_from_this()));
  }
  timer_.expires_after(kStreamPoll);
  timer_.async_wait([self = shared_from_this()](beast::error_code wec) {
    if (wec) return self->Close();
    self->PumpStream();
  });
}

void Session::LingerClose() {
  constexpr std::uint64_t kMaxDiscard = 4 << 20;
  if (discarded_ == 0) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
  }
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->discarded_ += n + 1;
                            if (ec || self->discarded_ > kMaxDiscard) return self->Close();
                            self->LingerClose();
                          });
}

void Session::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

Status ServerImpl::Start() {
  beast::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(options_.address, ec), options_.port);
  auto fail = [&](std::string_view what) {
    return MakeError(ErrorCode::kIo, "cannot " + std::string(what) + " " + options_.address + ":" +
                                         std::to_string(options_.port) + ": " + ec.message() +
                                         "; choose another --listen address or port");
  };
  if (ec) return fail("parse address");
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  port_ = acceptor_.local_endpoint().port();
  DoAccept();
  // Default: twice the cores, at least 4, because a thread answering
  // POST /v1/events waits for its batch's group commit to reach the disk.
  const unsigned n = options_.threads != 0 ? options_.threads
                                           : std::max(4u, 2 * std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      ioc_.run();
      std::lock_guard<std::mutex> lock(mu_);
      ++finished_threads_;
      cv_.notify_all();
    });
  }
  return {};
}

void ServerImpl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&ServerImpl::OnAccept, this));
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_ || !acceptor_.is_open()) return;
  if (!ec && api_.metrics().open_connections() >= options_.max_connections) {
    // Shed load without reading the request: a short, best-effort answer.
    static constexpr std::string_view kFull =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nRetry-After: 1\r\nContent-Length: 80\r\n\r\n"
        "{\"error\":\"unavailable\",\"message\":\"too many open connections; retry in a moment\"}";
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(kFull), ignored);
    socket.close(ignored);
  } else if (!ec) {
    auto session = std::make_shared<Session>(std::move(socket), *this);
    Register(session);
    session->Start();
  }
  DoAccept();  // a failed accept (e.g. out of descriptors) affects one client only
}

void ServerImpl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
  sessions_.push_back(session);
}

void ServerImpl::Stop() {
  if (stopping_.exchange(true)) return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::weak_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions = sessions_;
    stop_requested_ = true;
  }
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) session->CloseIfIdle();
  }
  cv_.notify_all();
}

void ServerImpl::Wait() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stop_requested_ || finished_threads_ == threads_.size(); });
    const bool drained = cv_.wait_for(lock, options_.drain_timeout,
                                      [&] { return finished_threads_ == threads_.size(); });
    if (!drained) ioc_.stop();  // the grace period is over: abandon what is left
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace internal

Server::Server(ServerOptions options, const Api& api)
    : impl_(std::make_unique<internal::ServerImpl>(std::move(options), api)) {}

Server::~Server() {
  Stop();
  Wait();
}

Status Server::Start() { return impl_->Start(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }

}  // namespace sluice::server
