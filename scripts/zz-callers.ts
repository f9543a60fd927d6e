import { readFileSync } from "node:fs";
const [file, name, depthArg] = process.argv.slice(2);
const depth = Number(depthArg ?? 4);
const p = JSON.parse(readFileSync(file!, "utf8"));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const counts = new Map<string, number>();
p.samples.forEach((id: number, i: number) => {
  const n = byId.get(id);
  if (n.callFrame.functionName !== name) return;
  const chain: string[] = [];
  let cur = parent.get(id);
  while (cur !== undefined && chain.length < depth) {
    const f = byId.get(cur).callFrame;
    chain.push(`${f.functionName || "(anon)"}@${f.url.split("/").pop()}:${f.lineNumber}`);
    cur = parent.get(cur);
  }
  const key = chain.join(" < ");
  counts.set(key, (counts.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
});
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log((v / 1000).toFixed(0).padStart(6), "ms", k);
