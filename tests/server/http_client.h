// A small synchronous HTTP/1.1 client for server tests, over real loopback
// sockets (Boost.Beast, compiled once in http_client.cc so that the tests do
// not each compile it). One Client is one keep-alive connection; not
// thread-safe (one per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sluice::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class Client {
 public:
  explicit Client(std::uint16_t port);  // connects to 127.0.0.1:port
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  HttpResult Send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::string& key = "", const std::map<std::string, std::string>& headers = {});

  // Raw bytes on the connection: a malformed, partial or streaming request.
  void WriteRaw(std::string_view bytes);
  // Reads one response from the connection (after WriteRaw).
  HttpResult ReadResponse();
  // Appends what arrives to `seen` until it contains `needle` (true), `wait`
  // passes or the connection ends (false). For streams such as SSE.
  bool ReadUntil(std::string& seen, std::string_view needle, std::chrono::milliseconds wait);
  // Whether the server closes the connection (the client reads EOF) within `wait`.
  bool ClosedByServer(std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
HttpResult Request(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = "", const std::string& key = "",
                   const std::map<std::string, std::string>& headers = {});

// `count` open connections to 127.0.0.1:port sharing one I/O context; every
// other one (the even ones) has sent a request line and stalled, the rest
// sent nothing. All are closed on destruction.
class IdleConnections {
 public:
  IdleConnections(std::uint16_t port, int count);
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::testing
