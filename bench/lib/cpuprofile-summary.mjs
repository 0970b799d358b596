#!/usr/bin/env node
/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self and inclusive time per function
 * (name, file:line), the top N of each, as a share of the sampled time.
 *
 *   node bench/lib/cpuprofile-summary.mjs FILE.cpuprofile [N=40] [filter]
 *
 * filter: only functions whose name or file contains it are listed (the totals stay whole).
 * Inclusive time counts a function once per sample even when it recurses.
 */
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpuprofile-summary.mjs FILE.cpuprofile [N] [filter]\n');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** The key of a node's function: name and place. */
function keyOf(node) {
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

// Time of each sample: the delta to the next one (timeDeltas[i] is the time before sample i).
const deltas = profile.timeDeltas;
const selfUs = new Map();
const inclUs = new Map();
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  total += dt;
  const leaf = nodes.get(profile.samples[i]);
  const leafKey = keyOf(leaf);
  if (leaf.callFrame.functionName === '(idle)') idle += dt;
  selfUs.set(leafKey, (selfUs.get(leafKey) ?? 0) + dt);
  const seen = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = keyOf(nodes.get(id));
    if (seen.has(k)) continue;
    seen.add(k);
    inclUs.set(k, (inclUs.get(k) ?? 0) + dt);
  }
}

const busy = total - idle;
const line = (us, k) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`;
const list = (map) => [...map].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`sampled ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (shares below are of busy time)\n`);
process.stdout.write('\n== self time\n');
for (const [k, us] of list(selfUs)) process.stdout.write(`${line(us, k)}\n`);
process.stdout.write('\n== inclusive time\n');
for (const [k, us] of list(inclUs)) process.stdout.write(`${line(us, k)}\n`);
