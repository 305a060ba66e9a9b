// safetensors for the main side (model folders, adapters): the one implementation lives with the engine, which writes them too.
export * from '../engine/io/safetensors';
