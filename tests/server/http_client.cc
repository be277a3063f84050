#include "http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

namespace sluice::testing {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

constexpr std::chrono::seconds kTimeout(10);

net::ip::tcp::endpoint Loopback(std::uint16_t port) { return {net::ip::make_address("127.0.0.1"), port}; }

}  // namespace

struct Client::Impl {
  net::io_context ioc;
  boost::beast::tcp_stream stream{ioc};
  boost::beast::flat_buffer buffer;
};

Client::Client(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.expires_after(kTimeout);
  impl_->stream.connect(Loopback(port));
}

Client::~Client() = default;

HttpResult Client::Send(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& key, const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  impl_->stream.expires_after(kTimeout);
  http::write(impl_->stream, req);
  return ReadResponse();
}

void Client::WriteRaw(std::string_view bytes) {
  impl_->stream.expires_after(kTimeout);
  net::write(impl_->stream.socket(), net::buffer(bytes.data(), bytes.size()));
}

HttpResult Client::ReadResponse() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  impl_->stream.expires_after(kTimeout);
  http::read(impl_->stream, impl_->buffer, parser);
  HttpResult out;
  out.status = static_cast<int>(parser.get().result_int());
  out.body = parser.get().body();
  for (const auto& field : parser.get()) out.headers[std::string(field.name_string())] = std::string(field.value());
  return out;
}

bool Client::ReadUntil(std::string& seen, std::string_view needle, std::chrono::milliseconds wait) {
  auto& socket = impl_->stream.socket();
  socket.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    boost::beast::error_code ec;
    const std::size_t n = socket.read_some(net::buffer(buf), ec);
    if (ec == net::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (ec) return false;
    seen.append(buf, n);
  }
  return seen.find(needle) != std::string::npos;
}

bool Client::ClosedByServer(std::chrono::milliseconds wait) {
  auto& socket = impl_->stream.socket();
  socket.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char byte;
  boost::beast::error_code ec;
  while (std::chrono::steady_clock::now() < deadline) {
    socket.read_some(net::buffer(&byte, 1), ec);
    if (ec != net::error::would_block) return ec == net::error::eof || ec == net::error::connection_reset;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

HttpResult Request(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body, const std::string& key,
                   const std::map<std::string, std::string>& headers) {
  Client client(port);
  return client.Send(method, target, body, key, headers);
}

struct IdleConnections::Impl {
  net::io_context ioc;
  std::vector<net::ip::tcp::socket> sockets;
};

IdleConnections::IdleConnections(std::uint16_t port, int count) : impl_(std::make_unique<Impl>()) {
  impl_->sockets.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    net::ip::tcp::socket& s = impl_->sockets.emplace_back(impl_->ioc);
    s.connect(Loopback(port));
    if (i % 2 == 0) net::write(s, net::buffer(std::string_view("POST /v1/decide HTTP/1.1\r\n")));
  }
}

IdleConnections::~IdleConnections() = default;

}  // namespace sluice::testing
