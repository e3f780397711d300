#!/usr/bin/env node
// ONNX Runtime side of bench/bench.py: loads MODEL (CPU, one intra-op and
// one inter-op thread, graph optimization level 'all'), fills every float
// input with bench_harness.c's pattern, then answers each line "N" on stdin
// with "median_us M min_us M" over N timed runs (after 3 warm-up runs on
// the first request), so that the caller can alternate it with whittle's.
// The first line it prints is the resident-set growth, in bytes, of
// creating the session and running it once ("rss_bytes B"): an estimate of
// ONNX Runtime's working memory for the model.
//   NODE_PATH=build/npm/node_modules node bench/ort-bench.js MODEL
'use strict';
const readline = require('readline');
const ort = require('onnxruntime-node');

function pattern(n) {
  const a = new Float32Array(n);
  for (let k = 0; k < n; ++k) a[k] = ((k * 7919) % 1000) / 1000;
  return a;
}

async function main() {
  const modelPath = process.argv[2];
  const rss0 = process.memoryUsage().rss;
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all',
    intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3,
  });
  const feeds = {};
  for (const name of session.inputNames) {
    const md = session.inputMetadata.find((m) => m.name === name) ||
               session.inputMetadata[session.inputNames.indexOf(name)];
    const shape = md.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[name] = new ort.Tensor('float32', pattern(n), shape);
  }
  await session.run(feeds);
  process.stdout.write(`rss_bytes ${process.memoryUsage().rss - rss0}\n`);
  let warm = false;
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const runs = parseInt(line, 10);
    if (!(runs > 0)) break;
    if (!warm) {
      for (let i = 0; i < 3; ++i) await session.run(feeds);
      warm = true;
    }
    const t = [];
    for (let i = 0; i < runs; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      t.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    t.sort((a, b) => a - b);
    process.stdout.write(`median_us ${t[Math.floor(runs / 2)].toFixed(1)} min_us ${t[0].toFixed(1)}\n`);
  }
}

main().catch((e) => { console.error(`ort-bench: ${e.message || e}`); process.exit(1); });
