#!/usr/bin/env node
// Runs a single-input, single-output float32 model on a batch of samples
// with ONNX Runtime (CPU, one thread):
//   NODE_PATH=build/npm/node_modules node scripts/ort-run.js MODEL IN.bin OUT.bin [LEVEL]
// LEVEL is ORT's graph optimization level, 'all' by default (QDQ models then
// run ORT's fused integer kernels); 'disabled' evaluates Q/DQ pairs as the
// ONNX spec writes them, the same on every CPU.
// IN.bin holds N raw little-endian float32 samples of the input's shape one
// after the other; OUT.bin gets the N outputs the same way.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, inPath, outPath, level = 'all'] = process.argv.slice(2);
  if (!outPath || !['disabled', 'basic', 'extended', 'all'].includes(level)) {
    console.error('usage: ort-run.js MODEL IN.bin OUT.bin [disabled|basic|extended|all]');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'], graphOptimizationLevel: level,
    intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3,
  });
  const md = session.inputMetadata[0];
  const shape = md.shape;
  const n = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(inPath);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  if (all.length % n !== 0)
    throw new Error(`${inPath} does not hold whole samples of ${n} floats`);
  const chunks = [];
  for (let s = 0; s < all.length / n; ++s) {
    const x = new ort.Tensor('float32', all.slice(s * n, (s + 1) * n), shape);
    const r = await session.run({ [session.inputNames[0]]: x });
    const y = r[session.outputNames[0]].data;
    chunks.push(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  }
  fs.writeFileSync(outPath, Buffer.concat(chunks));
}

main().catch((e) => { console.error(`ort-run: ${e.message || e}`); process.exit(1); });
