// CRC-32 as zlib computes it, by carry-less multiplication where the CPU has it.
//
// The fast path follows the folding method of Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction" (Intel, 2009), for the bit-reflected polynomial:
// four 128-bit accumulators are folded 64 bytes at a time, merged into one, folded 16 bytes at a
// time, then reduced to 32 bits (a 64-bit fold, a 32-bit fold and a Barrett reduction). The
// constants are x^k mod P for the folding distances, bit-reflected; Scripts/kernel-constants.py
// derives each of them and checks the whole method against zlib.
#include "CBinlogKernels.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BINLOG_X86 1
#endif

static uint32_t table[8][256];

__attribute__((constructor)) static void binlog_crc32_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        for (int k = 1; k < 8; k++) table[k][n] = (table[k - 1][n] >> 8) ^ table[0][table[k - 1][n] & 0xff];
    }
}

static inline uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

// Slicing by 8 over the raw (inverted) register.
static uint32_t crc32_sliced(uint32_t crc, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint32_t one = load32(p) ^ crc;
        uint32_t two = load32(p + 4);
        crc = table[7][one & 0xff] ^ table[6][(one >> 8) & 0xff] ^ table[5][(one >> 16) & 0xff] ^ table[4][one >> 24]
            ^ table[3][two & 0xff] ^ table[2][(two >> 8) & 0xff] ^ table[1][(two >> 16) & 0xff] ^ table[0][two >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return crc;
}

uint32_t binlog_crc32_portable(uint32_t crc, const uint8_t *bytes, size_t count) {
    return ~crc32_sliced(~crc, bytes, count);
}

#ifdef BINLOG_X86
// x^(4*128+32) and x^(4*128-32) mod P: folding across 512 bits.
#define K1 0x154442bd4ULL
#define K2 0x1c6e41596ULL
// x^(128+32) and x^(128-32) mod P: folding across 128 bits.
#define K3 0x1751997d0ULL
#define K4 0x0ccaa009eULL
// x^64 mod P: the 64-to-32-bit fold.
#define K5 0x163cd6124ULL
// P itself and floor(x^64 / P), bit-reflected: the Barrett reduction.
#define POLY 0x1db710641ULL
#define MU 0x1f7011641ULL

__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i x, __m128i k, __m128i next) {
    // The low 64 bits times the first constant, the high 64 bits times the second.
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

// The CRC of `count` bytes (a multiple of 16, at least 64) from the raw register `crc`.
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32_folded(uint32_t crc, const uint8_t *p, size_t count) {
    const __m128i k12 = _mm_set_epi64x((long long)K2, (long long)K1);
    const __m128i k34 = _mm_set_epi64x((long long)K4, (long long)K3);
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    count -= 64;
    while (count >= 64) {
        x0 = fold(x0, k12, _mm_loadu_si128((const __m128i *)p));
        x1 = fold(x1, k12, _mm_loadu_si128((const __m128i *)(p + 16)));
        x2 = fold(x2, k12, _mm_loadu_si128((const __m128i *)(p + 32)));
        x3 = fold(x3, k12, _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        count -= 64;
    }
    __m128i x = fold(x0, k34, x1);
    x = fold(x, k34, x2);
    x = fold(x, k34, x3);
    while (count >= 16) {
        x = fold(x, k34, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        count -= 16;
    }
    const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
    // 128 -> 64 bits (with 32 zero bits appended): low half times x^(128-32) mod P, plus the high half.
    x = _mm_xor_si128(_mm_clmulepi64_si128(x, k34, 0x10), _mm_srli_si128(x, 8));
    // 64 -> 32 bits: the low 32 bits times x^64 mod P, plus the rest.
    x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), _mm_set_epi64x(0, (long long)K5), 0x00), _mm_srli_si128(x, 4));
    // Barrett reduction.
    const __m128i barrett = _mm_set_epi64x((long long)MU, (long long)POLY);
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x, t), 1);
}

static int crc32_fast = -1;

int binlog_crc32_accelerated(void) {
    if (crc32_fast < 0) {
        __builtin_cpu_init();
        crc32_fast = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    }
    return crc32_fast;
}
#else
int binlog_crc32_accelerated(void) { return 0; }
#endif

uint32_t binlog_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint32_t c = ~crc;
#ifdef BINLOG_X86
    if (count >= 64 && binlog_crc32_accelerated()) {
        size_t folded = count & ~(size_t)15;
        c = crc32_folded(c, bytes, folded);
        bytes += folded;
        count -= folded;
    }
#endif
    return ~crc32_sliced(c, bytes, count);
}
