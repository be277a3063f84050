// RaceRng: seeded uniform, normal, gamma and beta draws for Thompson sampling.
#include <cmath>

#include "sluice/planning/race.h"

namespace sluice::planning {
namespace {

std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64 (S. Vigna): spreads one 64-bit seed over the generator's state.
std::uint64_t SplitMix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

RaceRng::RaceRng(std::uint64_t seed) {
  for (std::uint64_t& s : s_) s = SplitMix(seed);
}

// xoshiro256** 1.0 (D. Blackman and S. Vigna, "Scrambled linear pseudorandom
// number generators", 2018).
std::uint64_t RaceRng::Next() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double RaceRng::Uniform() {
  // The top 53 bits, centred in their interval: never 0 or 1.
  return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
}

double RaceRng::Normal() {
  // Marsaglia's polar method; the second value of each pair is dropped so
  // that the generator holds no state besides its seed.
  while (true) {
    const double u = 2 * Uniform() - 1;
    const double v = 2 * Uniform() - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2 * std::log(s) / s);
  }
}

double RaceRng::Gamma(double shape) {
  // G. Marsaglia and W. W. Tsang, "A simple method for generating gamma
  // variables", ACM TOMS 26(3), 2000; shape < 1 by Gamma(shape + 1) x U^(1/shape).
  if (shape < 1) return Gamma(shape + 1) * std::pow(Uniform(), 1 / shape);
  const double d = shape - 1.0 / 3;
  const double c = 1 / std::sqrt(9 * d);
  while (true) {
    double x = 0, v = 0;
    do {
      x = Normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = Uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

double RaceRng::Beta(double a, double b) {
  const double x = Gamma(a);
  const double y = Gamma(b);
  return x / (x + y);
}

}  // namespace sluice::planning
