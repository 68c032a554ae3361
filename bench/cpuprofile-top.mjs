#!/usr/bin/env node
// Summarise a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time
// grouped by package / source file, so "where does the time go" has an answer without DevTools.
//   node bench/cpuprofile-top.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const n = Number(nArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
// Self time per node: the sampling interval attributed to the sampled (leaf) node.
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0) / 1000;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/dist\//, 'dist/');
const fnKey = (cf) => `${cf.functionName || '(anonymous)'}  ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
const groupKey = (cf) => {
  if (!cf.url) return cf.functionName.startsWith('(') ? cf.functionName : '(native/V8)';
  if (cf.url.startsWith('node:')) return 'node: core';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url);
  if (m) return `npm: ${m[1]}`;
  return shortUrl(cf.url);
};

const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
const fns = new Map();
const groups = new Map();
for (const [id, ms] of self) {
  const cf = byId.get(id).callFrame;
  add(fns, fnKey(cf), ms);
  add(groups, groupKey(cf), ms);
}
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${v.toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`${file}: ${total.toFixed(0)} ms sampled`);
print('self time by function', fns);
print('self time by package / file', groups);
