#!/usr/bin/env bash
# Packs what the GPU checks need on a machine with a GPU, no Node and no network (the device machine) into .gpu/:
#   .gpu/job/               the autocast job (write-autocast-job.ts): tiny model, starting adapter, steps, train.jsonl
#   .gpu/webgpu-check.mjs   webgpu-check.ts as one esbuild bundle (onnxruntime-node left external)
#   .gpu/rt.tar.xz          this machine's node binary and onnxruntime-node (linux x64 only; ~37 MB)
# There:  mkdir -p /tmp/r && tar -xJf .gpu/rt.tar.xz -C /tmp/r && cp .gpu/webgpu-check.mjs /tmp/r/ &&
#         (cd /tmp/r && ./node webgpu-check.mjs $REPO/.gpu/job) ; python3 scripts/gpu-check/autocast_on_gpu.py .gpu/job cuda
# WebGPU needs a Vulkan loader there (libvulkan1; see scripts/gpu-check/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu && mkdir -p .gpu
npx tsx scripts/gpu-check/write-autocast-job.ts .gpu/job
npx esbuild scripts/gpu-check/webgpu-check.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --outfile=.gpu/webgpu-check.mjs \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
stage=$(mktemp -d)
mkdir -p "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r node_modules/onnxruntime-common "$stage/node_modules/"
cp -r node_modules/onnxruntime-node/{package.json,dist,lib} "$stage/node_modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux/"
cp "$(readlink -f "$(command -v node)")" "$stage/node"
tar -cJf .gpu/rt.tar.xz -C "$stage" node node_modules
rm -rf "$stage"
du -sh .gpu
