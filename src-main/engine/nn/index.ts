// Public surface of nn/: graph builders for the Llama family, LoRA helpers, weight references, graph folders.

export { LOSS_SCALE_INPUT, buildEvalGraph, buildTrainGraph, type BuildOptions, type BuiltGraph, type ParamInfo } from './build';
export { checkpointWeightReader, initDoraMagnitudes, type WeightReader } from './dora';
export { linkWeightFiles, type LinkOptions } from './graph-folder';
export {
  LORA_TARGETS, initLoraWeights, loraModules, loraScale, loraTensors, magnitudeName, peftName,
  type LoraConfig, type LoraInit, type LoraModule, type LoraTarget, type LoraTensor,
} from './lora';
export { IGNORE_INDEX } from './loss';
export { NEXT_TOKEN_LOGITS, buildNextTokenGraph, type NextTokenGraph, type NextTokenOptions } from './next-token';
export { COMPUTE_PRECISIONS, type ComputePrecision } from './precision';
export { Prng } from './prng';
export { ropeInvFreq } from './rope';
export { serializeGraph } from './serialize';
export { WEIGHT_DTYPES, type WeightDtype, type WeightRef } from './weights';
