// The engine's view of the number formats: the one implementation in common/precision, so emulation rounds bit-exactly alike.
export * from '../../common/precision/formats';
export * from '../../common/precision/int8';
export { convert, overflows, type ConversionOutcome, type FloatConversion } from '../../common/precision/convert';
