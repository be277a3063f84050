#include "sluice/store/random.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sluice::store {

Status UrandomSource::Fill(std::span<std::uint8_t> out) {
  std::ifstream in("/dev/urandom", std::ios::binary);
  if (in) in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!in) {
    return MakeError(ErrorCode::kIo, std::string("cannot read /dev/urandom: ") +
                                         std::strerror(errno) +
                                         "; check that the device exists and is readable");
  }
  return {};
}

}  // namespace sluice::store
