#!/usr/bin/env python3
"""Derives the constants of the carry-less-multiplication CRC-32 in
Sources/CBinlogKernels/crc32.c and checks the folding method, step for step as the C code does
it, against zlib's crc32 on random inputs. Prints the constants; exits 1 on any mismatch.

Usage: Scripts/kernel-constants.py
"""
import os
import random
import sys
import zlib

P = 0x104C11DB7  # the CRC-32 polynomial, x^32 + x^26 + ... + 1


def x_pow_mod(n):
    """x^n mod P."""
    r = 1
    for _ in range(n):
        r <<= 1
        if r & (1 << 32):
            r ^= P
    return r


def x_pow_div(n):
    """floor(x^n / P)."""
    q, r = 0, 1 << n
    for i in range(n, 31, -1):
        if r >> i & 1:
            q |= 1 << (i - 32)
            r ^= P << (i - 32)
    return q


def reflect(v, bits):
    return int(bin(v)[2:].zfill(bits)[::-1], 2)


def folding_constant(n):
    # Bit-reflected, with the one-bit shift a reflected product needs.
    return reflect(x_pow_mod(n), 32) << 1


K1, K2 = folding_constant(4 * 128 + 32), folding_constant(4 * 128 - 32)
K3, K4 = folding_constant(128 + 32), folding_constant(128 - 32)
K5 = folding_constant(64)
POLY = reflect(P, 33)
MU = reflect(x_pow_div(64), 33)

M64 = (1 << 64) - 1


def clmul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        b >>= 1
    return r


def fold(x, lo_k, hi_k, nxt):
    return clmul(x & M64, lo_k) ^ clmul(x >> 64, hi_k) ^ nxt


def crc32_folded(crc, data):
    """The C code's crc32_folded: len(data) a multiple of 16, at least 64; raw registers."""
    load = lambda i: int.from_bytes(data[i:i + 16], "little")
    x = [load(0) ^ crc, load(16), load(32), load(48)]
    i = 64
    while len(data) - i >= 64:
        x = [fold(x[j], K1, K2, load(i + 16 * j)) for j in range(4)]
        i += 64
    a = fold(fold(fold(x[0], K3, K4, x[1]), K3, K4, x[2]), K3, K4, x[3])
    while len(data) - i >= 16:
        a = fold(a, K3, K4, load(i))
        i += 16
    a = clmul(a & M64, K4) ^ (a >> 64)
    a = clmul(a & 0xFFFFFFFF, K5) ^ (a >> 32)
    t = clmul(a & 0xFFFFFFFF, MU)
    t = clmul(t & 0xFFFFFFFF, POLY)
    return ((a ^ t) >> 32) & 0xFFFFFFFF


def crc32(crc, data):
    raw = crc ^ 0xFFFFFFFF
    folded = len(data) // 16 * 16 if len(data) >= 64 else 0
    if folded:
        raw = crc32_folded(raw, data[:folded])
    for byte in data[folded:]:
        raw ^= byte
        for _ in range(8):
            raw = (raw >> 1) ^ (0xEDB88320 if raw & 1 else 0)
    return raw ^ 0xFFFFFFFF


def main():
    for name, value in [("K1", K1), ("K2", K2), ("K3", K3), ("K4", K4), ("K5", K5), ("POLY", POLY), ("MU", MU)]:
        print(f"#define {name} 0x{value:09x}ULL")
    rng = random.Random(1)
    for trial in range(200):
        n = rng.choice([64, 65, 79, 80, 127, 128, 129, 200, 1000, 4096 + 7])
        data = os.urandom(n)
        seed = rng.getrandbits(32) if trial % 2 else 0
        if crc32(seed, data) != zlib.crc32(data, seed):
            print(f"mismatch: {n} bytes, seed {seed:#x}", file=sys.stderr)
            return 1
    print("the folding method agrees with zlib on 200 random inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
