// Server: HTTP/1.1 transport for the Api, on Boost.Beast/Asio.
//
// N I/O threads share one io_context; each connection runs on its own strand
// and owns its core::Scratch and core::Decision, so decisions never share
// working memory. Keep-alive is supported. Limits: header size (431), body
// size (413, checked against Content-Length before the body is read), an idle
// timeout while waiting for the next request and a read timeout for the rest
// of a request; a connection that times out is closed; beyond max_connections
// a new connection is answered 503 and closed.
//
// Lifecycle: Start() binds and starts the threads; Stop() stops accepting,
// closes idle connections and lets in-flight requests finish (their
// connections close after the response); Wait() returns once every thread has
// ended, forcing the remaining connections closed after `drain_timeout`.
//
// Ownership: borrows the Api, which must outlive the Server.
// Thread-safety: Stop() and port() may be called from any thread; Start() and
// Wait() from the owning thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sluice/common/result.h"
#include "sluice/server/api.h"

namespace sluice::server {

namespace internal {
class ServerImpl;  // server.cc
}  // namespace internal

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;                        // 0: let the OS pick (see Server::port())
  unsigned threads = 0;                             // 0: twice the cores, at least 4
  std::uint64_t body_limit = 1 << 20;               // bytes
  std::uint32_t header_limit = 16 << 10;            // bytes, request line and headers
  std::chrono::milliseconds idle_timeout{60'000};   // waiting for a request to start
  std::chrono::milliseconds read_timeout{30'000};   // reading the rest of a request
  std::chrono::milliseconds drain_timeout{10'000};  // Wait(): in-flight grace period
  // More open connections than this: a new one gets 503 and is closed at once.
  std::int64_t max_connections = 10'000;
};

// Parses "host:port" (e.g. "127.0.0.1:8080", "[::1]:8080") into `options`.
Status ParseListen(std::string_view listen, ServerOptions& options);

class Server {
 public:
  Server(ServerOptions options, const Api& api);
  ~Server();  // Stop() and Wait()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // kIo if the address cannot be bound.
  Status Start();
  // The bound port (after Start()).
  std::uint16_t port() const;
  void Stop();
  void Wait();

 private:
  std::unique_ptr<internal::ServerImpl> impl_;
};

}  // namespace sluice::server
