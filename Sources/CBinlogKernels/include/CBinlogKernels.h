// Byte kernels the decoder and the printers run over every byte of a binlog: CRC-32 and base64.
// Each picks at run time the fastest code the CPU has (PCLMULQDQ, AVX2 on x86-64) and falls
// back to portable C; all paths give identical results (Tests: KernelTests).
#ifndef CBINLOG_KERNELS_H
#define CBINLOG_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// zlib's crc32(crc, bytes, count): the CRC-32 (ISO-HDLC, reflected 0x04C11DB7) the servers
/// put on events, continued from `crc` (0 to start).
uint32_t binlog_crc32(uint32_t crc, const uint8_t *bytes, size_t count);

/// The same with the portable code only (tests compare the two paths).
uint32_t binlog_crc32_portable(uint32_t crc, const uint8_t *bytes, size_t count);

/// Whether binlog_crc32 uses carry-less multiplication on this CPU.
int binlog_crc32_accelerated(void);

/// Base64 of `count` bytes at `input` (RFC 4648 alphabet, `=` padding) in lines of 76
/// characters: a newline after every 76 characters but the last. Writes exactly
/// binlog_base64_lines_length(count) bytes to `output` and returns that number.
size_t binlog_base64_lines(const uint8_t *input, size_t count, uint8_t *output);

/// The same with the portable code only.
size_t binlog_base64_lines_portable(const uint8_t *input, size_t count, uint8_t *output);

/// Whether binlog_base64_lines uses AVX2 on this CPU.
int binlog_base64_accelerated(void);

static inline size_t binlog_base64_lines_length(size_t count) {
    size_t characters = (count + 2) / 3 * 4;
    return characters + (characters > 0 ? (characters - 1) / 76 : 0);
}

#ifdef __cplusplus
}
#endif

#endif
