// A small synchronous HTTP/1.1 client over Boost.Beast, for server tests.
// One Client is one keep-alive connection; not thread-safe (one per thread).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace sluice::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    stream_.expires_after(std::chrono::seconds(10));
    stream_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& key = "",
                  const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(10));
    http::write(stream_, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream_, buffer, parser);
    HttpResult out;
    out.status = static_cast<int>(parser.get().result_int());
    out.body = parser.get().body();
    for (const auto& field : parser.get()) {
      out.headers[std::string(field.name_string())] = std::string(field.value());
    }
    return out;
  }

  // Whether the server closes the connection (the client reads EOF) within `wait`.
  bool ClosedByServer(std::chrono::milliseconds wait) {
    auto& socket = stream_.socket();
    socket.non_blocking(true);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    char byte;
    boost::beast::error_code ec;
    while (std::chrono::steady_clock::now() < deadline) {
      socket.read_some(boost::asio::buffer(&byte, 1), ec);
      if (ec != boost::asio::error::would_block) {
        return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  boost::beast::tcp_stream& stream() { return stream_; }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
};

// One request on a fresh connection.
inline HttpResult Request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = "", const std::string& key = "",
                          const std::map<std::string, std::string>& headers = {}) {
  Client client(port);
  return client.Send(method, target, body, key, headers);
}

}  // namespace sluice::testing
