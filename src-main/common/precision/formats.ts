// Binary floating-point formats (fp32, fp16, bf16, fp8 E4M3FN, fp8 E5M2): exact encode/decode with round-to-nearest-even.
//
// All arithmetic is done on JS doubles, which hold every value of these formats exactly; scaling by powers of two is
// exact, so the only rounding is the one round-half-even step on the significand. Bit patterns are returned as
// non-negative integers (fp32 patterns up to 2^32 - 1), never as signed int32.
//
// Overflow (a finite input whose rounded magnitude exceeds the largest finite value, or ±Infinity):
//   'inf'      → ±Infinity (IEEE behaviour; default for fp32, fp16, bf16 and fp8 E5M2)
//   'saturate' → ±max      (OCP FP8 saturating conversion; default for E4M3FN, as training recipes convert)
//   'nan'      → NaN with the input's sign (OCP FP8 non-saturating conversion for E4M3FN, which has no infinity)
// These follow the ONNX Cast float8 tables: with saturation ±Inf also maps to ±max; NaN always stays NaN.
//
// NaN: encode(NaN) gives the format's canonical NaN with the sign bit clear (fp32 0x7fc00000, fp16 0x7e00,
// bf16 0x7fc0, E5M2 0x7e, E4M3FN 0x7f). A JS number cannot carry a NaN's sign or payload reliably, so
// encode(decode(b)) === b holds for every non-NaN pattern, and every NaN pattern comes back as the canonical NaN.

export type FloatFormatId = 'fp32' | 'fp16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2';
export type OverflowMode = 'inf' | 'saturate' | 'nan';
export type FloatClass = 'zero' | 'subnormal' | 'normal' | 'infinity' | 'nan';

export interface FloatFormatSpec {
  id: FloatFormatId;
  name: string;
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  /**
   * 'ieee': an all-ones exponent means infinity (mantissa 0) or NaN. 'fn' (finite, E4M3FN): no infinity; only the
   * all-ones exponent with an all-ones mantissa is NaN, the rest of that binade holds ordinary normal numbers.
   */
  specials: 'ieee' | 'fn';
  defaultOverflow: OverflowMode;
}

/** A bit pattern split for display: each field's bits as a '0'/'1' string, most significant first. */
export interface BitFields {
  sign: string;
  exponent: string;
  mantissa: string;
  kind: FloatClass;
  /** The power of two the significand is scaled by (emin for subnormals and zero); null for infinity and NaN. */
  exponentValue: number | null;
  /** The significand: 1.mantissa for normal numbers, 0.mantissa for subnormals and zero; null for infinity and NaN. */
  significand: number | null;
}

const pow2 = (k: number): number => 2 ** k;

/** floor(log2(a)) for finite a > 0, exact (Math.log2 can be off by one near powers of two). */
function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (pow2(e) > a) e -= 1;
  else if (pow2(e + 1) <= a) e += 1;
  return e;
}

/** Round a non-negative double to an integer, ties to even. The subtraction is exact for the magnitudes used here. */
export function roundHalfEven(n: number): number {
  const f = Math.floor(n);
  const d = n - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export class FloatFormat implements FloatFormatSpec {
  readonly id: FloatFormatId;
  readonly name: string;
  readonly exponentBits: number;
  readonly mantissaBits: number;
  readonly bias: number;
  readonly specials: 'ieee' | 'fn';
  readonly defaultOverflow: OverflowMode;
  /** Total width in bits. */
  readonly bits: number;
  /** Overflow modes this format supports: infinity only exists in 'ieee' formats. */
  readonly overflowModes: readonly OverflowMode[];
  /** Smallest and largest unbiased exponents of normal numbers. */
  readonly emin: number;
  readonly emax: number;
  readonly max: number;
  readonly minNormal: number;
  readonly minSubnormal: number;
  /** The gap between 1 and the next larger representable value. */
  readonly epsilon: number;
  /** Pattern of +max, +infinity (null in 'fn' formats) and the canonical NaN. */
  readonly maxBits: number;
  readonly infBits: number | null;
  readonly nanBits: number;
  private readonly signPlace: number;
  private readonly mantissaPlace: number;

  constructor(spec: FloatFormatSpec) {
    this.id = spec.id;
    this.name = spec.name;
    this.exponentBits = spec.exponentBits;
    this.mantissaBits = spec.mantissaBits;
    this.bias = spec.bias;
    this.specials = spec.specials;
    this.defaultOverflow = spec.defaultOverflow;
    this.bits = 1 + spec.exponentBits + spec.mantissaBits;
    this.signPlace = pow2(this.bits - 1);
    this.mantissaPlace = pow2(spec.mantissaBits);
    const allOnesExp = pow2(spec.exponentBits) - 1;
    const ieee = spec.specials === 'ieee';
    this.overflowModes = ieee ? ['inf', 'saturate'] : ['saturate', 'nan'];
    this.emin = 1 - spec.bias;
    this.emax = (ieee ? allOnesExp - 1 : allOnesExp) - spec.bias;
    // In 'fn' formats the top binade loses only its all-ones mantissa (NaN), so max's mantissa is all ones but one.
    const topMantissa = ieee ? this.mantissaPlace - 1 : this.mantissaPlace - 2;
    this.maxBits = (this.emax + spec.bias) * this.mantissaPlace + topMantissa;
    this.infBits = ieee ? allOnesExp * this.mantissaPlace : null;
    this.nanBits = ieee ? allOnesExp * this.mantissaPlace + this.mantissaPlace / 2 : allOnesExp * this.mantissaPlace + this.mantissaPlace - 1;
    this.max = (1 + topMantissa / this.mantissaPlace) * pow2(this.emax);
    this.minNormal = pow2(this.emin);
    this.minSubnormal = pow2(this.emin - spec.mantissaBits);
    this.epsilon = pow2(-spec.mantissaBits);
  }

  /** The nearest representable value's bit pattern, ties to even; see the file header for overflow and NaN. */
  encode(x: number, overflow: OverflowMode = this.defaultOverflow): number {
    if (!this.overflowModes.includes(overflow)) throw new Error(`${this.name} has no '${overflow}' overflow mode.`);
    if (Number.isNaN(x)) return this.nanBits;
    const sign = x < 0 || Object.is(x, -0) ? this.signPlace : 0;
    const a = Math.abs(x);
    let magnitude: number;
    if (a === Infinity) {
      magnitude = Infinity;
    } else if (a < this.minNormal) {
      // Gradual underflow: count in steps of the smallest subnormal. Rounding up to 2^mantissaBits steps lands
      // exactly on the pattern of the smallest normal number, so no special case is needed.
      magnitude = roundHalfEven(a / this.minSubnormal);
    } else {
      const e = floorLog2(a);
      const significand = roundHalfEven(a / pow2(e - this.mantissaBits)); // in [2^M, 2^(M+1)]
      // A significand that rounds up to 2^(M+1) carries into the exponent field by plain addition.
      magnitude = (e + this.bias) * this.mantissaPlace + (significand - this.mantissaPlace);
    }
    if (magnitude <= this.maxBits) return sign + magnitude;
    if (overflow === 'saturate') return sign + this.maxBits;
    if (overflow === 'nan') return sign + this.nanBits;
    return sign + (this.infBits as number);
  }

  /** The exact value of a bit pattern (NaN for every NaN pattern, whatever its sign or payload). */
  decode(bits: number): number {
    this.checkBits(bits);
    const negative = bits >= this.signPlace;
    const magnitude = negative ? bits - this.signPlace : bits;
    const expField = Math.floor(magnitude / this.mantissaPlace);
    const mantissa = magnitude % this.mantissaPlace;
    let value: number;
    const kind = this.classifyParts(expField, mantissa);
    if (kind === 'nan') return NaN;
    if (kind === 'infinity') value = Infinity;
    else if (expField === 0) value = mantissa * this.minSubnormal;
    else value = (1 + mantissa / this.mantissaPlace) * pow2(expField - this.bias);
    return negative ? -value : value;
  }

  /** decode(encode(x)): the value this format would store for x. */
  round(x: number, overflow: OverflowMode = this.defaultOverflow): number {
    return this.decode(this.encode(x, overflow));
  }

  /**
   * The gap between adjacent representable values around x: the ULP of |x|'s binade (at a power of two, the gap
   * above it). Below the smallest normal it is the subnormal step; beyond max it is the top binade's step.
   */
  resolutionAt(x: number): number {
    const a = Math.abs(x);
    if (!Number.isFinite(a)) return NaN;
    if (a < this.minNormal) return this.minSubnormal;
    return pow2(Math.min(floorLog2(a), this.emax) - this.mantissaBits);
  }

  classify(bits: number): FloatClass {
    this.checkBits(bits);
    const magnitude = bits >= this.signPlace ? bits - this.signPlace : bits;
    return this.classifyParts(Math.floor(magnitude / this.mantissaPlace), magnitude % this.mantissaPlace);
  }

  fields(bits: number): BitFields {
    const kind = this.classify(bits);
    const all = bits.toString(2).padStart(this.bits, '0');
    const expField = parseInt(all.slice(1, 1 + this.exponentBits), 2);
    const mantissa = parseInt(all.slice(1 + this.exponentBits) || '0', 2);
    const special = kind === 'nan' || kind === 'infinity';
    return {
      sign: all.slice(0, 1),
      exponent: all.slice(1, 1 + this.exponentBits),
      mantissa: all.slice(1 + this.exponentBits),
      kind,
      exponentValue: special ? null : expField === 0 ? this.emin : expField - this.bias,
      significand: special ? null : (expField === 0 ? 0 : 1) + mantissa / this.mantissaPlace,
    };
  }

  private classifyParts(expField: number, mantissa: number): FloatClass {
    const allOnesExp = pow2(this.exponentBits) - 1;
    if (expField === 0) return mantissa === 0 ? 'zero' : 'subnormal';
    if (expField < allOnesExp) return 'normal';
    if (this.specials === 'fn') return mantissa === this.mantissaPlace - 1 ? 'nan' : 'normal';
    return mantissa === 0 ? 'infinity' : 'nan';
  }

  private checkBits(bits: number): void {
    if (!Number.isInteger(bits) || bits < 0 || bits >= 2 * this.signPlace) {
      throw new RangeError(`${bits} is not a ${this.bits}-bit pattern of ${this.name}.`);
    }
  }
}

export const FP32 = new FloatFormat({ id: 'fp32', name: 'fp32', exponentBits: 8, mantissaBits: 23, bias: 127, specials: 'ieee', defaultOverflow: 'inf' });
/** IEEE 754 binary16. */
export const FP16 = new FloatFormat({ id: 'fp16', name: 'fp16', exponentBits: 5, mantissaBits: 10, bias: 15, specials: 'ieee', defaultOverflow: 'inf' });
/** bfloat16: fp32's exponent with a 7-bit mantissa, i.e. the top half of an fp32 pattern. */
export const BF16 = new FloatFormat({ id: 'bf16', name: 'bf16', exponentBits: 8, mantissaBits: 7, bias: 127, specials: 'ieee', defaultOverflow: 'inf' });
/** OCP FP8 E4M3 ("FN": finite, max 448, NaN = S.1111.111); saturates by default, as fp8 training recipes convert. */
export const FP8_E4M3 = new FloatFormat({ id: 'fp8e4m3', name: 'fp8 E4M3', exponentBits: 4, mantissaBits: 3, bias: 7, specials: 'fn', defaultOverflow: 'saturate' });
/** OCP FP8 E5M2: IEEE-like with infinities and NaNs, max 57344. */
export const FP8_E5M2 = new FloatFormat({ id: 'fp8e5m2', name: 'fp8 E5M2', exponentBits: 5, mantissaBits: 2, bias: 15, specials: 'ieee', defaultOverflow: 'inf' });

export const FLOAT_FORMATS: readonly FloatFormat[] = [FP32, FP16, BF16, FP8_E4M3, FP8_E5M2];

export function floatFormat(id: FloatFormatId): FloatFormat {
  const format = FLOAT_FORMATS.find((f) => f.id === id);
  if (!format) throw new Error(`Unknown float format '${id}'.`);
  return format;
}
