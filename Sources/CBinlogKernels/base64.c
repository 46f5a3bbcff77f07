// Base64 in 76-character lines, the layout of mysqlbinlog's BINLOG statements.
//
// The AVX2 path encodes 24 bytes into 32 characters per step, after Muła and Lemire, "Faster
// Base64 Encoding and Decoding Using AVX2 Instructions" (ACM TOW 2018): each 3-byte group is
// spread over a 32-bit lane, the four 6-bit fields are moved into bytes with two 16-bit
// multiplies, and each field is turned into its character by adding an offset chosen by its range.
// A 76-character line holds 57 bytes: two steps and three groups done one at a time.
#include "CBinlogKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BINLOG_X86 1
#endif

static const uint8_t alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Two characters for each 12-bit value.
static uint16_t pairs[4096];

__attribute__((constructor)) static void binlog_base64_tables(void) {
    for (int v = 0; v < 4096; v++) {
        uint8_t two[2] = {alphabet[v >> 6], alphabet[v & 63]};
        __builtin_memcpy(&pairs[v], two, 2);
    }
}

// Whole groups of 3 bytes.
static inline uint8_t *groups(const uint8_t *p, size_t groupCount, uint8_t *q) {
    for (size_t i = 0; i < groupCount; i++) {
        uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        __builtin_memcpy(q, &pairs[v >> 12], 2);
        __builtin_memcpy(q + 2, &pairs[v & 0xfff], 2);
        p += 3;
        q += 4;
    }
    return q;
}

// The last line: `count` (1 to 57) bytes, padded.
static inline uint8_t *tail(const uint8_t *p, size_t count, uint8_t *q) {
    q = groups(p, count / 3, q);
    p += count / 3 * 3;
    size_t rest = count % 3;
    if (rest) {
        uint32_t v = (uint32_t)p[0] << 16 | (rest > 1 ? (uint32_t)p[1] << 8 : 0);
        q[0] = alphabet[v >> 18];
        q[1] = alphabet[(v >> 12) & 63];
        q[2] = rest > 1 ? alphabet[(v >> 6) & 63] : '=';
        q[3] = '=';
        q += 4;
    }
    return q;
}

size_t binlog_base64_lines_portable(const uint8_t *input, size_t count, uint8_t *output) {
    uint8_t *q = output;
    while (count > 57) {
        q = groups(input, 19, q);
        *q++ = '\n';
        input += 57;
        count -= 57;
    }
    if (count) q = tail(input, count, q);
    return (size_t)(q - output);
}

#ifdef BINLOG_X86
// 24 bytes at p (28 readable) -> 32 characters at q.
__attribute__((target("avx2")))
static inline void encode24(const uint8_t *p, uint8_t *q) {
    __m256i in = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)p)),
                                         _mm_loadu_si128((const __m128i *)(p + 12)), 1);
    // Each group (a, b, c) as the 32-bit lane [b, a, c, b].
    in = _mm256_shuffle_epi8(in, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
                                                  1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
    // Fields 1 and 3 shifted down into bytes 0 and 2, fields 2 and 4 up into bytes 1 and 3.
    __m256i high = _mm256_mulhi_epu16(_mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00)), _mm256_set1_epi32(0x04000040));
    __m256i low = _mm256_mullo_epi16(_mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0)), _mm256_set1_epi32(0x01000010));
    __m256i fields = _mm256_or_si256(high, low);
    // 0-25 -> 'A'.., 26-51 -> 'a'.., 52-61 -> '0'.., 62 -> '+', 63 -> '/': the offset to add,
    // looked up by 13 for 0-25, 0 for 26-51, and 1-12 for 52-63.
    __m256i index = _mm256_subs_epu8(fields, _mm256_set1_epi8(51));
    __m256i below26 = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), fields);
    index = _mm256_or_si256(index, _mm256_and_si256(below26, _mm256_set1_epi8(13)));
    const __m256i offsets = _mm256_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0,
                                             71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0);
    __m256i text = _mm256_add_epi8(fields, _mm256_shuffle_epi8(offsets, index));
    _mm256_storeu_si256((__m256i *)q, text);
}

__attribute__((target("avx2")))
static size_t base64_lines_avx2(const uint8_t *input, size_t count, uint8_t *output) {
    uint8_t *q = output;
    while (count > 57) {
        encode24(input, q);
        encode24(input + 24, q + 32);
        q = groups(input + 48, 3, q + 64);
        *q++ = '\n';
        input += 57;
        count -= 57;
    }
    if (count) q = tail(input, count, q);
    return (size_t)(q - output);
}

static int base64_fast = -1;

int binlog_base64_accelerated(void) {
    if (base64_fast < 0) {
        __builtin_cpu_init();
        base64_fast = __builtin_cpu_supports("avx2");
    }
    return base64_fast;
}
#else
int binlog_base64_accelerated(void) { return 0; }
#endif

size_t binlog_base64_lines(const uint8_t *input, size_t count, uint8_t *output) {
#ifdef BINLOG_X86
    if (binlog_base64_accelerated()) return base64_lines_avx2(input, count, output);
#endif
    return binlog_base64_lines_portable(input, count, output);
}
