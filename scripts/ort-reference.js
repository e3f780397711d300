#!/usr/bin/env node
// Writes reference inputs and ONNX Runtime (CPU) outputs for a model:
//   NODE_PATH=build/npm/node_modules node scripts/ort-reference.js MODEL OUTDIR [--seed N]
// OUTDIR gets input_<i>.bin / output_<i>.bin (raw little-endian, model order)
// and meta.json (names, dtypes, shapes). Inputs are deterministic: float
// inputs uniform in [-1, 1) from a seeded xorshift generator.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function usage() {
  console.error('usage: ort-reference.js MODEL.onnx OUTDIR [--seed N]');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 2) usage();
const [modelPath, outDir] = args;
let seed = 1;
const si = args.indexOf('--seed');
if (si >= 0) seed = parseInt(args[si + 1], 10) >>> 0 || 1;

let state = seed;
function nextU32() { // xorshift32
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state;
}
const uniform = () => nextU32() / 4294967296 * 2 - 1;

const typed = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};

async function main() {
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  fs.mkdirSync(outDir, { recursive: true });
  const feeds = {};
  const meta = { inputs: [], outputs: [] };
  session.inputNames.forEach((name, i) => {
    const md = session.inputMetadata[i];
    if (!md.isTensor) throw new Error(`input '${name}' is not a tensor`);
    const shape = md.shape.map((d, k) => {
      if (typeof d !== 'number' || d < 0)
        throw new Error(`input '${name}' has dynamic dimension ${k}`);
      return d;
    });
    const n = shape.reduce((a, b) => a * b, 1);
    const T = typed[md.type];
    if (!T) throw new Error(`input '${name}' has unsupported type ${md.type}`);
    const data = new T(n);
    for (let k = 0; k < n; ++k) {
      if (md.type.startsWith('float')) data[k] = uniform();
      else if (md.type === 'int64') data[k] = BigInt(nextU32() % 8);
      else if (md.type === 'bool') data[k] = nextU32() & 1;
      else data[k] = nextU32() % 8;
    }
    feeds[name] = new ort.Tensor(md.type, data, shape);
    fs.writeFileSync(path.join(outDir, `input_${i}.bin`), Buffer.from(data.buffer));
    meta.inputs.push({ name, dtype: md.type, shape });
  });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const data = t.data;
    fs.writeFileSync(path.join(outDir, `output_${i}.bin`),
                     Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    meta.outputs.push({ name, dtype: t.type, shape: t.dims });
  });
  fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
}

main().catch((e) => { console.error(`ort-reference: ${e.message || e}`); process.exit(1); });
