#include "record.h"

#include <xxhash.h>

#include <cstring>

namespace sluice::events::detail {
namespace {

template <typename T>
void Put(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Bounds-checked reader over a payload.
struct Cursor {
  const char* p;
  const char* end;
  bool ok = true;

  template <typename T>
  T Fixed() {
    if (static_cast<std::size_t>(end - p) < sizeof(T)) {
      ok = false;
      return T{};
    }
    T v = Get<T>(p);
    p += sizeof(T);
    return v;
  }
  std::uint64_t Varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) break;
      const auto byte = static_cast<unsigned char>(*p++);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok = false;
    return 0;
  }
  std::string_view String() {
    const std::uint64_t n = Varint();
    if (!ok || n > static_cast<std::uint64_t>(end - p)) {
      ok = false;
      return {};
    }
    std::string_view s(p, n);
    p += n;
    return s;
  }
};

std::uint64_t HeaderChecksum(const char* data, std::uint32_t payload_bytes) {
  return XXH3_64bits_withSeed(data + 16, kRecordHeaderBytes - 16 + payload_bytes, payload_bytes);
}

}  // namespace

IdHash HashId(std::string_view event_id) {
  const XXH128_hash_t h = XXH3_128bits(event_id.data(), event_id.size());
  return IdHash{h.low64, h.high64};
}

void AppendRecord(const EventView& v, const IdHash& id, std::string& out) {
  const std::size_t start = out.size();
  out.append(kRecordHeaderBytes, '\0');
  PutString(out, v.event_id);
  PutString(out, v.unit_id);
  if (v.kind == EventKind::kTrack) {
    PutString(out, v.name);
    out.push_back(v.has_value ? 1 : 0);
    if (v.has_value) Put<double>(out, v.value);
  } else {
    PutString(out, v.experiment);
    PutString(out, v.variant);
  }
  PutVarint(out, v.fields.size());
  for (const FlatEntry& f : v.fields) {
    PutString(out, f.key);
    out.push_back(static_cast<char>(f.tag));
    switch (f.tag) {
      case FlatTag::kNull:
      case FlatTag::kFalse:
      case FlatTag::kTrue: break;
      case FlatTag::kInt: Put<std::int64_t>(out, f.i); break;
      case FlatTag::kUint: Put<std::uint64_t>(out, f.u); break;
      case FlatTag::kDouble: Put<double>(out, f.d); break;
      case FlatTag::kString: PutString(out, f.s); break;
      case FlatTag::kList:
        PutVarint(out, f.list_size);
        for (std::uint32_t k = 0; k < f.list_size; ++k) PutString(out, v.list_items[f.list_begin + k]);
        break;
    }
  }
  const auto payload = static_cast<std::uint32_t>(out.size() - start - kRecordHeaderBytes);
  out.append(RecordBytes(payload) - kRecordHeaderBytes - payload, '\0');
  char* h = out.data() + start;
  const std::uint32_t magic = kRecordMagic;
  std::memcpy(h, &magic, 4);
  std::memcpy(h + 4, &payload, 4);
  h[16] = static_cast<char>(v.kind == EventKind::kTrack ? 0 : 1);
  h[17] = static_cast<char>(kPayloadVersion);
  const std::int64_t ts = v.ts;
  std::memcpy(h + 24, &ts, 8);
  std::memcpy(h + 32, &id.lo, 8);
  std::memcpy(h + 40, &id.hi, 8);
  const std::uint64_t sum = HeaderChecksum(h, payload);
  std::memcpy(h + 8, &sum, 8);
}

RecordCheck CheckRecord(const char* data, std::size_t available, RecordHeader& header) {
  if (available < 4) return RecordCheck::kIncomplete;
  if (Get<std::uint32_t>(data) != kRecordMagic) return RecordCheck::kBad;
  if (available < kRecordHeaderBytes) return RecordCheck::kIncomplete;
  const auto payload = Get<std::uint32_t>(data + 4);
  const auto kind = static_cast<unsigned char>(data[16]);
  if (payload > kMaxPayloadBytes || kind > 1 || static_cast<unsigned char>(data[17]) != kPayloadVersion ||
      Get<std::uint16_t>(data + 18) != 0 || Get<std::uint32_t>(data + 20) != 0) {
    return RecordCheck::kBad;
  }
  const std::size_t total = RecordBytes(payload);
  if (available < total) return RecordCheck::kIncomplete;
  if (Get<std::uint64_t>(data + 8) != HeaderChecksum(data, payload)) return RecordCheck::kBad;
  header.payload_bytes = payload;
  header.kind = kind == 0 ? EventKind::kTrack : EventKind::kExposure;
  header.ts = Get<std::int64_t>(data + 24);
  header.id = IdHash{Get<std::uint64_t>(data + 32), Get<std::uint64_t>(data + 40)};
  header.total_bytes = total;
  return RecordCheck::kOk;
}

bool DecodePayload(const RecordHeader& header, std::string_view payload, EventView& v) {
  v.Clear();
  v.kind = header.kind;
  v.ts = header.ts;
  Cursor c{payload.data(), payload.data() + payload.size()};
  v.event_id = c.String();
  v.unit_id = c.String();
  if (v.kind == EventKind::kTrack) {
    v.name = c.String();
    v.has_value = c.Fixed<std::uint8_t>() != 0;
    if (v.has_value) v.value = c.Fixed<double>();
  } else {
    v.experiment = c.String();
    v.variant = c.String();
  }
  const std::uint64_t count = c.Varint();
  if (!c.ok || count > kMaxFieldCount) return false;
  for (std::uint64_t n = 0; n < count && c.ok; ++n) {
    FlatEntry f;
    f.key = c.String();
    const auto tag = c.Fixed<std::uint8_t>();
    if (tag > static_cast<std::uint8_t>(FlatTag::kList)) return false;
    f.tag = static_cast<FlatTag>(tag);
    switch (f.tag) {
      case FlatTag::kNull:
      case FlatTag::kFalse:
      case FlatTag::kTrue: break;
      case FlatTag::kInt: f.i = c.Fixed<std::int64_t>(); break;
      case FlatTag::kUint: f.u = c.Fixed<std::uint64_t>(); break;
      case FlatTag::kDouble: f.d = c.Fixed<double>(); break;
      case FlatTag::kString: f.s = c.String(); break;
      case FlatTag::kList: {
        const std::uint64_t items = c.Varint();
        if (!c.ok || items > kMaxListItems) return false;
        f.list_begin = static_cast<std::uint32_t>(v.list_items.size());
        f.list_size = static_cast<std::uint32_t>(items);
        for (std::uint64_t k = 0; k < items; ++k) v.list_items.push_back(c.String());
        break;
      }
    }
    v.fields.push_back(f);
  }
  return c.ok && c.p == c.end;
}

std::optional<std::size_t> FindNextRecord(const char* data, std::size_t size, std::size_t from) {
  RecordHeader header;
  for (std::size_t off = from; off + 4 <= size; off += 8) {
    if (Get<std::uint32_t>(data + off) != kRecordMagic) continue;
    if (CheckRecord(data + off, size - off, header) == RecordCheck::kOk) return off;
  }
  return std::nullopt;
}

std::size_t CountMagics(const char* data, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t off = from; off + 4 <= to; off += 8) n += Get<std::uint32_t>(data + off) == kRecordMagic;
  return n;
}

std::string SegmentHeader(std::uint64_t number) {
  std::string h = "SLUICELG";
  Put<std::uint32_t>(h, kFormatVersion);
  Put<std::uint32_t>(h, 0);
  Put<std::uint64_t>(h, number);
  Put<std::uint64_t>(h, XXH3_64bits(h.data(), h.size()));
  return h;
}

bool CheckSegmentHeader(const char* data, std::size_t size, std::uint64_t number) {
  if (size < kSegmentHeaderBytes) return false;
  const std::string expected = SegmentHeader(number);
  return std::memcmp(data, expected.data(), kSegmentHeaderBytes) == 0;
}

std::string SegmentFileName(std::uint64_t number) {
  std::string digits = std::to_string(number);
  return std::string(20 - digits.size(), '0') + digits + ".log";
}

std::optional<std::uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".log") return std::nullopt;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(name[i] - '0');
    if (n > (UINT64_MAX - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  if (n == 0) return std::nullopt;
  return n;
}

}  // namespace sluice::events::detail
