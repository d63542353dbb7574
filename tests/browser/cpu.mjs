// cpu.mjs: CPU time of the Chromium that playwright launched, read from /proc.
//
//   chromiumPids()        the Chromium processes below this test process
//   cpuSeconds(pids)      their user + system CPU time, in seconds
//   measureCpu(ms)        cores used over a window of wall time: ΔCPU / Δwall
//
// CPU time, not wall-clock: a busy shared machine slows a page down but does not
// make an idle one look busy. Processes that start during the window count
// from zero; those that end during it are lost (a few ms at most).
import fs from "node:fs";

const TICKS = 100;   // USER_HZ: sysconf(_SC_CLK_TCK) is 100 on Linux

function children() {
  const kids = new Map();   // ppid -> [pid]
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  return kids;
}

export function chromiumPids(root = process.pid) {
  const kids = children(), out = [];
  const walk = (p) => {
    for (const c of kids.get(p) || []) {
      let cmd = "";
      try { cmd = fs.readFileSync(`/proc/${c}/cmdline`, "utf8"); } catch {}
      if (/chrom/i.test(cmd)) out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);   // utime, stime (fields 14, 15)
  } catch { return null; }
}

export function cpuSeconds(pids = chromiumPids()) {
  const m = new Map();
  for (const p of pids) { const t = cpuTicks(p); if (t !== null) m.set(p, t); }
  return m;
}

// Cores used by the browser over `ms` of wall time, and the processes seen.
export async function measureCpu(ms = 10000) {
  const a = cpuSeconds(), t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuSeconds(), wall = (performance.now() - t0) / 1000;
  let ticks = 0;
  for (const [p, t] of b) ticks += t - (a.get(p) || 0);
  return { cores: ticks / TICKS / wall, cpuS: ticks / TICKS, wallS: wall, processes: b.size };
}
