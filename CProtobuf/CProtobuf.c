// Hand-written shims over the protoc-c output in this folder (the *.pb-c.* files are generated).
#include "CProtobuf.h"

#include <stdlib.h>
#include <string.h>

enum { CProtobuf_blockSize = 64 * 1024, CProtobuf_alignment = 16 };

typedef struct CProtobuf_Block {
    struct CProtobuf_Block *next;
    size_t capacity;
    size_t used;
    // Payload follows, aligned by the header's size (a multiple of the alignment on LP64).
    _Alignas(CProtobuf_alignment) unsigned char data[];
} CProtobuf_Block;

struct CProtobuf_Arena {
    CProtobuf_Block *head; // The block allocations come from; older blocks follow through `next`.
};

static CProtobuf_Block *CProtobuf_blockCreate(size_t capacity) {
    CProtobuf_Block *block = malloc(sizeof(CProtobuf_Block) + capacity);
    if (block == NULL) return NULL;
    block->next = NULL;
    block->capacity = capacity;
    block->used = 0;
    return block;
}

CProtobuf_Arena *CProtobuf_arenaCreate(void) {
    CProtobuf_Arena *arena = malloc(sizeof(CProtobuf_Arena));
    if (arena == NULL) return NULL;
    arena->head = CProtobuf_blockCreate(CProtobuf_blockSize);
    if (arena->head == NULL) {
        free(arena);
        return NULL;
    }
    return arena;
}

void CProtobuf_arenaDestroy(CProtobuf_Arena *arena) {
    CProtobuf_Block *block = arena->head;
    while (block != NULL) {
        CProtobuf_Block *next = block->next;
        free(block);
        block = next;
    }
    free(arena);
}

void CProtobuf_arenaReset(CProtobuf_Arena *arena) {
    // Keep the oldest block (the standard-sized one) and free the rest.
    CProtobuf_Block *block = arena->head;
    while (block->next != NULL) {
        CProtobuf_Block *next = block->next;
        free(block);
        block = next;
    }
    block->used = 0;
    arena->head = block;
}

void *CProtobuf_arenaAllocate(CProtobuf_Arena *arena, size_t size) {
    void *result = CProtobuf_arenaAllocateUninitialized(arena, size);
    if (result != NULL) memset(result, 0, size);
    return result;
}

void *CProtobuf_arenaAllocateUninitialized(CProtobuf_Arena *arena, size_t size) {
    size_t rounded = (size + (CProtobuf_alignment - 1)) & ~(size_t)(CProtobuf_alignment - 1);
    if (rounded < size) return NULL; // overflow
    CProtobuf_Block *head = arena->head;
    if (head->capacity - head->used < rounded) {
        size_t capacity = rounded > CProtobuf_blockSize ? rounded : CProtobuf_blockSize;
        CProtobuf_Block *block = CProtobuf_blockCreate(capacity);
        if (block == NULL) return NULL;
        block->next = head;
        arena->head = block;
        head = block;
    }
    void *result = head->data + head->used;
    head->used += rounded;
    return result;
}

static void *CProtobuf_allocatorAllocate(void *context, size_t size) {
    // No zeroing: protobuf-c's default allocator is plain malloc, so it initialises everything it allocates.
    return CProtobuf_arenaAllocateUninitialized((CProtobuf_Arena *)context, size);
}

static void CProtobuf_allocatorFree(void *context, void *pointer) {
    // Arena memory is released all at once by CProtobuf_arenaReset/Destroy.
    (void)context;
    (void)pointer;
}

Io__Prometheus__Client__MetricFamily *CProtobuf_unpackMetricFamily(
    CProtobuf_Arena *arena, const void *data, size_t length) {
    ProtobufCAllocator allocator = {
        .alloc = CProtobuf_allocatorAllocate,
        .free = CProtobuf_allocatorFree,
        .allocator_data = arena,
    };
    static const uint8_t empty = 0;
    // protobuf-c reads nothing for a zero length but still wants a non-NULL pointer.
    const uint8_t *bytes = data != NULL ? (const uint8_t *)data : &empty;
    return io__prometheus__client__metric_family__unpack(&allocator, length, bytes);
}

size_t CProtobuf_packedSizeOfMetricFamily(const Io__Prometheus__Client__MetricFamily *family) {
    return io__prometheus__client__metric_family__get_packed_size(family);
}

size_t CProtobuf_packMetricFamily(const Io__Prometheus__Client__MetricFamily *family, void *out) {
    return io__prometheus__client__metric_family__pack(family, (uint8_t *)out);
}

size_t CProtobuf_packedSizeOfMetric(const Io__Prometheus__Client__Metric *metric) {
    return io__prometheus__client__metric__get_packed_size(metric);
}

size_t CProtobuf_packMetric(const Io__Prometheus__Client__Metric *metric, void *out) {
    return io__prometheus__client__metric__pack(metric, (uint8_t *)out);
}
