/** Text rendering of a ClusterStatus for `dolphin status` (pure). */
import { formatScannerStatus } from '../exchange/scanner-status-format.js';
import { fmtAge, fmtSeconds, type ClusterStatus } from './cluster-status.js';
import type { MirrorState } from './paper-state.js';

// ---------------------------------------------------------------------------------------------
// Formatting (pure)
// ---------------------------------------------------------------------------------------------

/** Renders a status as a readable text block (no trailing newline). Pure. */
export function formatStatus(status: ClusterStatus): string {
  const out: string[] = [];
  const c = status.cluster;
  out.push(`DOLPHIN status: ${status.health}   ${status.atIso}`);
  out.push(
    `  cluster   '${c.clusterName}' at ${c.address}: ` +
      (c.reachable ? `${c.members ?? '?'} member(s)${c.memberAddresses.length ? ` (${c.memberAddresses.join(', ')})` : ''}` : 'UNREACHABLE'),
  );
  const s = status.scan;
  if (s.state === 'OK') {
    const p = s.progression;
    let prog = '';
    if (p !== null) {
      if (p.scannerRestart) prog = `, SCANNER RESTART since previous sample (#${p.previousScanNumber} -> #${s.scanNumber ?? '?'})`;
      else if (p.wentBack) prog = ', went BACK in time since previous sample';
      else if (!p.advanced) prog = `, no new scan in ${fmtSeconds(p.intervalSeconds)}`;
      else prog = `, +${p.scansAdvanced ?? '?'} scan(s) in ${fmtSeconds(p.intervalSeconds)}`;
    }
    out.push(`  scan      #${s.scanNumber ?? '?'} at ${s.timestampIso ?? s.timestampNs ?? '?'}, age ${fmtAge(s.ageSeconds ?? NaN)}, ${s.assets ?? 0} assets${prog}`);
  } else if (s.state === 'MALFORMED') out.push(`  scan      MALFORMED: ${s.problem ?? ''}`);
  else out.push(`  scan      ${s.state === 'MISSING' ? 'none published' : 'unknown'}`);
  const st = status.stream;
  if (st !== null) out.push(`  stream    ${st.name}: ${st.size} of ${st.capacity} scans${st.size > 0 ? ` (sequences ${st.headSequence}..${st.tailSequence})` : ''}`);
  const e = status.exf;
  out.push(`  exf       ${e.state === 'OK' ? (e.date ?? '') : e.state === 'MALFORMED' ? `MALFORMED: ${e.problem ?? ''}` : e.state === 'MISSING' ? 'none published' : 'unknown'}`);
  out.push(`  maps      ${status.maps.features}, ${status.maps.state}, ${status.maps.scanners}   (stale after ${fmtSeconds(status.staleAfterSeconds)})`);

  if (c.reachable) {
    out.push('');
    if (status.runs.length === 0) out.push('Paper runs: none');
    else {
      out.push(`Paper runs (${status.runs.length})`);
      const header = ['RUN', 'STATE', 'HEARTBEAT', 'FEED', 'LAST SCAN', 'EQUITY', 'PNL', 'PNL %', 'TRADES', 'OPEN', 'ACB CUT', 'VALIDATION'];
      const rows = status.runs.map((r) => [
        r.runId,
        r.stopped ? 'stopped' : r.health === 'OK' ? 'running' : 'STALE',
        fmtAge(r.heartbeatAgeSeconds),
        r.feedStatus,
        r.lastScanAgeSeconds === null ? '-' : fmtAge(r.lastScanAgeSeconds),
        fmtMoney(r.equity),
        fmtSigned(r.pnl, 2),
        `${fmtSigned(r.pnlPct, 2)}%`,
        String(r.trades),
        String(r.openPositions),
        fmtNum(r.acbCut, 2),
        r.validation?.verdict ?? '-',
      ]);
      out.push(...table(header, rows, new Set([5, 6, 7, 8, 9, 10])));
      for (const r of status.runs) {
        const k = r.counters;
        out.push(
          `  ${r.runId}: scans ${k.scansAccepted}, malformed ${k.malformedMessages}, out of bounds ${k.outOfBounds}, bad timestamps ${k.badTimestamps}, late/dup ${k.lateOrDuplicate}, ` +
            `scanner restarts ${k.scannerRestarts}, invalid prices ${k.invalidPrices}, reconnects ${k.reconnects}, ` +
            `missed ${k.scansMissed} (from stream ${k.fromStream}, key only ${k.fromKey})`,
        );
        if (r.mirror !== undefined) out.push(`    ${mirrorLine(r.mirror)}`);
        for (const sh of r.shadows) {
          out.push(`    shadow ${sh.name}: equity ${fmtMoney(sh.equity)}, ${sh.trades} trades, ${sh.openPositions} open`);
        }
      }
    }
    if (status.malformedRuns.length > 0) {
      out.push('', `Malformed state entries (${status.malformedRuns.length})`);
      for (const m of status.malformedRuns) out.push(`  ${m.key}: ${m.problem}`);
    }
    // our own scanner (dolphin scan, live --feed exchange); absent with the external scanner alone
    if (status.scanners.length > 0) {
      out.push('', `Scanners (${status.scanners.length})`);
      for (const sc of status.scanners) out.push(...formatScannerStatus(sc.status, status.atMs, sc.health).split('\n').map((l) => `  ${l}`));
    }
    if (status.malformedScanners.length > 0) {
      out.push('', `Malformed scanner entries (${status.malformedScanners.length})`);
      for (const m of status.malformedScanners) out.push(`  ${m.key}: ${m.problem}`);
    }
  }
  if (status.reasons.length > 0) {
    out.push('', `${status.health} because:`);
    for (const r of status.reasons) out.push(`  - ${r}`);
  }
  if (status.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of status.notes) out.push(`  - ${n}`);
  }
  return out.join('\n');
}

/** Left-aligned text columns, right-aligned numeric ones; two spaces apart, indented by two. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

function fmtNum(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function fmtMoney(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function fmtSigned(x: number, digits: number): string {
  if (!Number.isFinite(x)) return '-';
  const t = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${x < 0 && Number(t.replace(/,/g, '')) !== 0 ? '-' : '+'}${t}`;
}


/** An age: 0.4 s, 12.3 s, 2 min 5 s, 3 h 2 min, 2 d 4 h. */

/** One line on an order mirror's health (status, dashboard). */
export function mirrorLine(mi: MirrorState): string {
  const rec = mi.lastReconcile === null ? 'not reconciled yet' : mi.lastReconcile.ok ? 'reconciled clean' : `DRIFT ${mi.lastReconcile.drift.join(', ')}`;
  return (
    `mirror ${mi.venue} (${mi.host}): ${mi.health}, sent ${mi.sent}, filled ${mi.filled}, partial ${mi.partial}, rejected ${mi.rejected}, not sent ${mi.skipped}, pending ${mi.pending}, retries ${mi.retries}` +
    `${mi.latencyP50Ms !== null ? `, latency p50 ${fmtNum(mi.latencyP50Ms, 0)} ms p99 ${fmtNum(mi.latencyP99Ms ?? NaN, 0)} ms` : ''}, ${rec}${mi.lastError !== null ? `; last error: ${mi.lastError}` : ''}`
  );
}
