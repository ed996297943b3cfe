// Medians over the rounds, the ratios the targets are stated in, and docs/perf/results.md.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mib = (kib) => kib / 1024;

/** The results document: one entry per cell (medians), memory per target, ratios. */
export function summarize({ opts, cells, targets, upstream, machine, protocols }) {
  const rows = cells.map((cell) => ({
    target: cell.target.name,
    kind: cell.target.kind,
    mode: cell.target.mode,
    framing: cell.target.framing,
    protocol: cell.protocol,
    connections: cell.connections,
    rps: median(cell.runs.map((r) => r.rps)),
    rpsRuns: cell.runs.map((r) => Math.round(r.rps)),
    p50Ms: median(cell.runs.map((r) => r.p50_us)) / 1000,
    p99Ms: median(cell.runs.map((r) => r.p99_us)) / 1000,
    cpuUsPerRequest: median(cell.runs.map((r) => r.cpuUsPerRequest)),
    peakMiB: Math.max(...cell.runs.map((r) => r.peakMiB)),
    serverBusy: median(cell.runs.map((r) => r.serverBusy)),
    requests: cell.runs.reduce((sum, r) => sum + r.requests, 0),
    checked: cell.runs.reduce((sum, r) => sum + r.checked, 0),
    errors: cell.runs.reduce((sum, r) => sum + r.errors, 0),
    sample: cell.runs.find((r) => r.errors)?.sample ?? '',
  }));
  const find = (pred) => rows.find(pred);
  const ratios = [];
  for (const row of rows) {
    if (row.kind !== 'rust' || row.mode === 'none') continue;
    const base = find(
      (r) => r.mode === 'none' && r.framing === row.framing && r.protocol === row.protocol && r.connections === row.connections,
    );
    if (base) {
      ratios.push({
        what: `${row.target} ${row.protocol} c${row.connections}`,
        vs: base.target,
        ratio: row.rps / base.rps,
        cpuRatio: base.cpuUsPerRequest / row.cpuUsPerRequest,
        extraCpuUs: row.cpuUsPerRequest - base.cpuUsPerRequest,
      });
    }
  }
  const peers = [];
  for (const row of rows.filter((r) => r.kind === 'peer')) {
    const ours = find(
      (r) => r.kind === 'rust' && r.mode === 'jwt' && r.framing === 'json' && r.protocol === 'stateless' && r.connections === row.connections,
    );
    if (ours) peers.push({ peer: row.target, connections: row.connections, peerRps: row.rps, oursRps: ours.rps, ratio: ours.rps / row.rps });
  }
  const scaling = [];
  for (const row of rows.filter((r) => r.connections === 256)) {
    const c16 = find((r) => r.target === row.target && r.protocol === row.protocol && r.connections === 16);
    if (c16) scaling.push({ what: `${row.target} ${row.protocol}`, ratio: row.rps / c16.rps });
  }
  return {
    generated: new Date().toISOString(),
    settings: { rounds: opts.rounds, seconds: opts.seconds, warmup: opts.warmup, connections: opts.connections },
    machine,
    protocols,
    cells: rows,
    memory: targets.map((target) => ({
      target: target.name,
      mode: target.mode,
      idleMiB: mib(target.idle.rssKiB),
      // Peaks are reset before each cell, so the whole run's peak is the largest cell peak.
      peakMiB: Math.max(mib(target.peak.peakKiB), ...rows.filter((r) => r.target === target.name).map((r) => r.peakMiB)),
      endMiB: mib(target.peak.rssKiB),
    })),
    ratios,
    peers,
    scaling,
    upstream,
  };
}

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** docs/perf/results.md. */
export function renderMarkdown(results) {
  const lines = [];
  /** A `##` section: its title, then the lines of its paragraph, if any. */
  const section = (title, ...paragraph) => lines.push('', `## ${title}`, '', ...(paragraph.length ? [...paragraph, ''] : []));
  const { settings, machine } = results;
  lines.push('# Load results: whoami over real sockets, side by side with the peers', '');
  lines.push(
    `Generated ${results.generated} by \`node bench/load/run.mjs\` on ${machine.cpus} × ${machine.model} (Linux ${machine.kernel}).`,
    `Servers pinned to CPU 1, wrk (one thread, keep-alive) pinned to CPU 0; ${settings.rounds} rounds × ${settings.seconds} s per cell, cells interleaved, medians shown;`,
    'every answer checked for the caller\'s claims (an error is any non-200 status, a missing claim, or a socket error).',
    '',
    '![throughput](throughput.svg)',
    '',
    '## Throughput and latency',
    '',
    '| target | protocol | conns | req/s (median) | rounds | p50 ms | p99 ms | server CPU µs/req | server core busy | peak RSS MiB (this cell) | checked answers | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const row of results.cells) {
    const protocol = row.protocol === 'peer' ? 'stateless (peer)' : `${row.protocol} (${results.protocols[row.protocol]})`;
    lines.push(
      `| ${row.target} | ${protocol} | ${row.connections} | ${fixed(row.rps, 0)} | ${row.rpsRuns.join(' / ')} | ${fixed(row.p50Ms, 2)} | ${fixed(row.p99Ms, 2)} | ${fixed(row.cpuUsPerRequest, 1)} | ${fixed(row.serverBusy * 100, 0)} % | ${fixed(row.peakMiB, 1)} | ${row.checked} | ${row.errors} |`,
    );
  }
  section(
    'Protected ÷ unprotected (same framing, protocol and connections, same run)',
    'Throughput ratio of the medians, and the same from the server\'s CPU time per answer (unprotected ÷ protected), which',
    'a busy neighbour on a shared machine disturbs far less than throughput.',
  );
  lines.push('| protected target | vs | req/s ratio | CPU-time ratio | extra CPU µs per answer |', '|---|---|---|---|---|');
  for (const r of results.ratios) {
    lines.push(`| ${r.what} | ${r.vs} | ${fixed(r.ratio, 2)} | ${fixed(r.cpuRatio, 2)} | ${fixed(r.extraCpuUs, 1)} |`);
  }
  section('Against the peer SDKs (whoami jwt, JSON framing, stateless ÷ peer)');
  lines.push('| peer | conns | peer req/s | whoami jwt req/s | ratio |', '|---|---|---|---|---|');
  for (const p of results.peers) lines.push(`| ${p.peer} | ${p.connections} | ${fixed(p.peerRps, 0)} | ${fixed(p.oursRps, 0)} | ${fixed(p.ratio, 1)}× |`);
  section('c256 ÷ c16');
  lines.push('| target | ratio |', '|---|---|');
  for (const s of results.scaling) lines.push(`| ${s.what} | ${fixed(s.ratio, 2)} |`);
  section(
    'Memory (resident set size)',
    'Idle: after start and one call. Peak: the whole run (each cell\'s own peak is in the first table). The `sessions` targets',
    'serve the 2025-11-25 cells and keep one rmcp session per connection open (16 + 256) for the whole run.',
  );
  lines.push('| target | idle MiB | peak MiB (whole run) |', '|---|---|---|');
  for (const m of results.memory) lines.push(`| ${m.target} | ${fixed(m.idleMiB, 1)} | ${fixed(m.peakMiB, 1)} |`);
  const u = results.upstream;
  section(
    'Upstream calls (counted in the authorization server\'s log)',
    `Over ${fixed(u.elapsedS, 0)} s of load (verified-token cache TTL ${u.tokenCacheTtlS} s), with one token per introspection or userinfo target:`,
  );
  lines.push(
    '| endpoint | calls | tokens | calls per token per TTL window |',
    '|---|---|---|---|',
  );
  const windows = Math.max(1, Math.ceil(u.elapsedS / u.tokenCacheTtlS));
  // Each target has its own token.
  const tokens = (mode) => results.memory.filter((m) => m.mode === mode).length;
  for (const [endpoint, mode] of [
    ['introspection', 'introspection'],
    ['userinfo', 'userinfo'],
  ]) {
    const n = tokens(mode);
    lines.push(`| ${endpoint} | ${u[endpoint]} | ${n} | ${n ? fixed(u[endpoint] / n / windows, 2) : '—'} |`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
