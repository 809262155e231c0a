// How fast protobuf-c itself is on the benchmark input, with no Swift involved: unpack every frame into
// the arena (as the codec does), and get_packed_size + pack every message. This is the ceiling for any
// codec that goes through protobuf-c. Run with `make bench-codecs`.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "CProtobuf.h"

static double seconds(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static size_t readVarint(const unsigned char *buffer, long *position) {
    size_t value = 0;
    int shift = 0;
    for (;;) {
        unsigned char byte = buffer[(*position)++];
        value |= (size_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return value;
        shift += 7;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) return 2;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *input = malloc((size_t)size);
    if (fread(input, 1, (size_t)size, file) != (size_t)size) return 2;
    fclose(file);

    enum { runs = 15 };
    double unpackBest = 1e9, packBest = 1e9;
    CProtobuf_Arena *arena = CProtobuf_arenaCreate();
    for (int run = 0; run < runs; run++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        long position = 0;
        while (position < size) {
            size_t length = readVarint(input, &position);
            if (CProtobuf_unpackMetricFamily(arena, input + position, length) == NULL) return 1;
            CProtobuf_arenaReset(arena);
            position += (long)length;
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (seconds(start, end) < unpackBest) unpackBest = seconds(start, end);
    }

    // Pack needs the messages alive: unpack them all with the default allocator first.
    Io__Prometheus__Client__MetricFamily **messages = malloc(sizeof(void *) * (size_t)size);
    long count = 0, position = 0;
    while (position < size) {
        size_t length = readVarint(input, &position);
        messages[count++] = io__prometheus__client__metric_family__unpack(NULL, length, input + position);
        position += (long)length;
    }
    unsigned char *output = malloc((size_t)size * 2);
    for (int run = 0; run < runs; run++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        size_t total = 0;
        for (long index = 0; index < count; index++) {
            size_t packed = CProtobuf_packedSizeOfMetricFamily(messages[index]);
            total += CProtobuf_packMetricFamily(messages[index], output + total);
            (void)packed;
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (seconds(start, end) < packBest) packBest = seconds(start, end);
    }
    printf("| protobuf-c alone, unpack (best of %d)          | %.0f MB/s |\n", runs, (double)size / unpackBest / 1e6);
    printf("| protobuf-c alone, size + pack (best of %d)     | %.0f MB/s |\n", runs, (double)size / packBest / 1e6);
    return 0;
}
