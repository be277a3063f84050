// The on-disk format of the event log (specified in docs/events.md).
//
// Segment file "<20-digit number>.log":
//   0  char[8] "SLUICELG"   8 u32 format version (1)   12 u32 0
//   16 u64 segment number   24 u64 XXH3-64 of bytes [0, 24)
//   32 records, each starting at a multiple of 8
// Record (little-endian):
//   0  u32 magic 0x56455253    4 u32 payload length L (<= kMaxPayloadBytes)
//   8  u64 XXH3-64 with seed L of bytes [16, 48 + L)
//   16 u8 kind (0 track, 1 exposure)  17 u8 payload version (1)  18 u16 0  20 u32 0
//   24 i64 event time (epoch ms)   32 u64, 40 u64: XXH3-128 of event_id (low, high)
//   48 payload (L bytes), then zero bytes up to a multiple of 8
// Payload v1: strings are LEB128 length + bytes.
//   event_id, unit_id, then track: name, u8 has_value, [f64 value], fields
//                          exposure: experiment, variant, fields
//   fields: LEB128 count, then per entry key, u8 FlatTag, value:
//     null/false/true: nothing; int: i64; uint: u64; double: f64;
//     string: string; list: LEB128 count, strings.
//
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "event_view.h"

namespace sluice::events::detail {

static_assert(std::endian::native == std::endian::little, "the log format is little-endian");

inline constexpr std::uint32_t kRecordMagic = 0x56455253;
inline constexpr std::size_t kRecordHeaderBytes = 48;
inline constexpr std::size_t kSegmentHeaderBytes = 32;
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::uint8_t kPayloadVersion = 1;

struct IdHash {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  friend bool operator==(const IdHash&, const IdHash&) = default;
};
IdHash HashId(std::string_view event_id);

inline std::size_t RecordBytes(std::size_t payload) { return kRecordHeaderBytes + ((payload + 7) & ~std::size_t{7}); }

// Appends one record for `view` to `out` (which must hold whole records only,
// so that the record starts at a multiple of 8).
void AppendRecord(const EventView& view, const IdHash& id, std::string& out);

struct RecordHeader {
  std::uint32_t payload_bytes = 0;
  EventKind kind = EventKind::kTrack;
  EpochMillis ts = 0;
  IdHash id;
  std::size_t total_bytes = 0;  // header + payload + padding
};

enum class RecordCheck { kOk, kIncomplete, kBad };
// Checks the record at data[0, available): kIncomplete when the bytes end
// before it does, kBad when the magic, fields or checksum are wrong.
RecordCheck CheckRecord(const char* data, std::size_t available, RecordHeader& header);

// Decodes a checked record's payload into `view` (pointing into `payload`).
// False if the payload is malformed (a bug or a checksum collision).
bool DecodePayload(const RecordHeader& header, std::string_view payload, EventView& view);

// The first offset in [from, size), a multiple of 8, where an intact record
// starts; nullopt if there is none. `from` must be a multiple of 8.
std::optional<std::size_t> FindNextRecord(const char* data, std::size_t size, std::size_t from);
// How many 8-aligned offsets in [from, to) hold the record magic.
std::size_t CountMagics(const char* data, std::size_t from, std::size_t to);

std::string SegmentHeader(std::uint64_t number);
bool CheckSegmentHeader(const char* data, std::size_t size, std::uint64_t number);
std::string SegmentFileName(std::uint64_t number);
std::optional<std::uint64_t> ParseSegmentFileName(std::string_view name);

}  // namespace sluice::events::detail
