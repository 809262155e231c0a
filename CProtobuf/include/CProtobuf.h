// Hand-written shims over the protoc-c output in this folder. Every symbol here starts with CProtobuf_.
#ifndef C_PROTOBUF_H
#define C_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>
#include "metrics.pb-c.h"
#include "google/protobuf/timestamp.pb-c.h"

// Nullability annotations are for Swift's importer (clang); other C compilers ignore them.
#if !defined(__clang__)
#define _Nullable
#define _Nonnull
/// The encoded size of one Metric message in bytes.
size_t CProtobuf_packedSizeOfMetric(const Io__Prometheus__Client__Metric *_Nonnull metric);
/// Encodes one Metric message into `out`, which must hold CProtobuf_packedSizeOfMetric bytes.
size_t CProtobuf_packMetric(const Io__Prometheus__Client__Metric *_Nonnull metric, void *_Nonnull out);

#endif

/// A bump allocator: every allocation lives until CProtobuf_arenaReset or CProtobuf_arenaDestroy.
/// protobuf-c allocates one block per message, string and array; an arena turns that into pointer bumps.
typedef struct CProtobuf_Arena CProtobuf_Arena;

/// Creates an empty arena; NULL when out of memory.
CProtobuf_Arena *_Nullable CProtobuf_arenaCreate(void);
/// Releases every block of the arena and the arena itself.
void CProtobuf_arenaDestroy(CProtobuf_Arena *_Nonnull arena);
/// Forgets every allocation but keeps the first block for reuse.
void CProtobuf_arenaReset(CProtobuf_Arena *_Nonnull arena);
/// Returns `size` bytes aligned to 16 bytes, zeroed; NULL when out of memory.
void *_Nullable CProtobuf_arenaAllocate(CProtobuf_Arena *_Nonnull arena, size_t size);
/// Like CProtobuf_arenaAllocate but leaves the bytes as they are (for callers that write every byte).
void *_Nullable CProtobuf_arenaAllocateUninitialized(CProtobuf_Arena *_Nonnull arena, size_t size);

/// Unpacks one MetricFamily message of `length` bytes at `data` into `arena`.
/// NULL when protobuf-c rejects the bytes (malformed, truncated, wrong wire type) or memory runs out.
Io__Prometheus__Client__MetricFamily *_Nullable CProtobuf_unpackMetricFamily(
    CProtobuf_Arena *_Nonnull arena, const void *_Nullable data, size_t length);

/// The encoded size of `family` in bytes.
size_t CProtobuf_packedSizeOfMetricFamily(const Io__Prometheus__Client__MetricFamily *_Nonnull family);
/// Encodes `family` into `out`, which must hold CProtobuf_packedSizeOfMetricFamily bytes; returns the size written.
size_t CProtobuf_packMetricFamily(const Io__Prometheus__Client__MetricFamily *_Nonnull family, void *_Nonnull out);

/// The encoded size of one Metric message in bytes.
size_t CProtobuf_packedSizeOfMetric(const Io__Prometheus__Client__Metric *_Nonnull metric);
/// Encodes one Metric message into `out`, which must hold CProtobuf_packedSizeOfMetric bytes.
size_t CProtobuf_packMetric(const Io__Prometheus__Client__Metric *_Nonnull metric, void *_Nonnull out);

#endif
