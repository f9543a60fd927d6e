import { readFileSync } from "node:fs";

/*
 * `npx tsx scripts/cpu-profile-summary.ts <file.cpuprofile> [top] [filter] [--window=from-to]`: the functions of a
 * V8 CPU profile (node --cpu-prof, BENCH_CPU_PROFILE) by self time and by inclusive time, and
 * self time by file, each as a share of the sampled time. `filter` keeps functions whose name or
 * URL contains it (inclusive times then show where that code spends). Idle and GC are listed as
 * V8 names them ("(idle)", "(garbage collector)"). `--window` keeps the samples between two
 * monotonic timestamps in µs (what bench:push prints for its pushes: the setup is left out).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const windowArg = process.argv.find((arg) => arg.startsWith("--window="));
const [file, topArg, filter] = process.argv.slice(2).filter((arg) => arg !== windowArg);
const [fromUs, toUs] = windowArg
  ? windowArg.slice("--window=".length).split("-").map(Number)
  : [-Infinity, Infinity];
if (!file) {
  console.error("usage: cpu-profile-summary <file.cpuprofile> [top] [filter]");
  process.exit(2);
}
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);

/** Sampled time per node (µs): each sample's delta goes to the node it landed in. */
const selfUs = new Map<number, number>();
let totalUs = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < (fromUs as number) || at > (toUs as number)) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  totalUs += delta;
});

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\//, "~/")
    .replace(/.*\/\.next\//, ".next/");
const keyOf = (node: ProfileNode) =>
  `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + us);
  const url = shortUrl(node.callFrame.url) || node.callFrame.functionName;
  files.set(url, (files.get(url) ?? 0) + us);
  // Inclusive: every distinct function on the sample's stack gets its time once.
  const seen = new Set<string>();
  for (let frame: number | undefined = id; frame !== undefined; frame = parent.get(frame)) {
    const key = keyOf(byId.get(frame)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}

const print = (title: string, table: Map<string, number>) => {
  console.log(`\n${title}`);
  [...table]
    .filter(([key]) => !filter || key.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, us]) =>
      console.log(
        `${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`,
      ),
    );
};
console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
print("self time by function", self);
print("inclusive time by function", inclusive);
print("self time by file", files);
