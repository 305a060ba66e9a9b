# Reference values for tests/unit/precision: torch's fp16/bf16 (decode of every pattern, RNE of given fp32 values)
# and fp8 E4M3FN / E5M2 decoded straight from the OCP FP8 spec's formula (torch 1.13 has no fp8 dtypes).
import struct
import sys


def ocp_fp8(bits, exp_bits, man_bits, bias, finite_only):
    """Value of an fp8 pattern: (-1)^S * 2^(E-bias) * (1 + M/2^m), subnormals 2^(1-bias) * (M/2^m)."""
    sign = -1.0 if bits >> 7 else 1.0
    e = (bits >> man_bits) & ((1 << exp_bits) - 1)
    m = bits & ((1 << man_bits) - 1)
    top = (1 << exp_bits) - 1
    if finite_only and e == top and m == (1 << man_bits) - 1:
        return float('nan')  # E4M3FN: S.1111.111 is the only NaN, no infinities
    if not finite_only and e == top:
        return sign * float('inf') if m == 0 else float('nan')
    if e == 0:
        return sign * 2.0 ** (1 - bias) * (m / 2 ** man_bits)
    return sign * 2.0 ** (e - bias) * (1 + m / 2 ** man_bits)


def fp8_tables():
    out = sys.stdout.buffer
    for exp_bits, man_bits, bias, finite_only in ((4, 3, 7, True), (5, 2, 15, False)):
        out.write(struct.pack('<256d', *(ocp_fp8(b, exp_bits, man_bits, bias, finite_only) for b in range(256))))


def torch_tables():
    import torch
    data = bytearray(sys.stdin.buffer.read())
    x = torch.frombuffer(data, dtype=torch.int32).view(torch.float32) if data else torch.zeros(0)
    patterns = torch.arange(65536, dtype=torch.int32).to(torch.int16)  # wraps to the 16-bit patterns
    out = sys.stdout.buffer
    for dtype in (torch.float16, torch.bfloat16):
        out.write(patterns.view(dtype).to(torch.float32).view(torch.int32).numpy().tobytes())
    for dtype in (torch.float16, torch.bfloat16):
        out.write(x.to(dtype).view(torch.int16).numpy().tobytes())


if __name__ == '__main__':
    fp8_tables() if sys.argv[1] == 'fp8' else torch_tables()
