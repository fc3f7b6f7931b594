/**
 * The mirror's bookkeeping: paper fills numbered into trades and legs with client order ids within
 * Binance's limits (<= 36 chars of [.A-Z:/a-z0-9_-], one per run, trade and leg); outcomes folded from
 * the execution journal; a torn last journal line cut off at open, the records before it kept.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fill } from '../../src/core/trade.js';
import { ExecutionJournal, EXECUTION_JOURNAL_FILE, readExecutionJournal } from '../../src/feeds/exchange/execution-journal.js';
import { clientOrderId, LegNumbering, LegOutcomes, runKey } from '../../src/app/live/mirror-legs.js';

const dir = mkdtempSync(join(tmpdir(), 'dolphin-mirror-legs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fill = (asset: string, side: 'SELL' | 'BUY', i: number): Fill => ({ tsEvent: BigInt(i) * 5_000_000_000n, tsInit: 0n, asset, side, qty: 2, price: 100, fee: 0.1, liquidity: 'taker', scanIndex: i });

describe('mirror legs', () => {
  it('numbers trades by opening fill and pairs each close with its asset open trade', () => {
    const n = new LegNumbering('abc');
    const legs = [...n.next([fill('AUSDT', 'SELL', 1), fill('BUSDT', 'SELL', 2)]), ...n.next([fill('AUSDT', 'BUY', 3), fill('AUSDT', 'SELL', 4), fill('BUSDT', 'BUY', 5)])];
    expect(legs.map((l) => [l.fill, l.trade, l.leg, l.id])).toEqual([
      [0, 1, 'open', 'dabc-1-o'],
      [1, 2, 'open', 'dabc-2-o'],
      [2, 1, 'close', 'dabc-1-c'],
      [3, 3, 'open', 'dabc-3-o'],
      [4, 2, 'close', 'dabc-2-c'],
    ]);
  });

  it('makes client order ids within the venue limits, distinct per run and journal nonce', () => {
    const k = runKey('paper-a-run-id-that-is-rather-long-indeed', 'n1');
    const id = clientOrderId(k, 9_999_999, 'close');
    expect(id.length).toBeLessThanOrEqual(36);
    expect(id).toMatch(/^[.A-Z:/a-z0-9_-]{1,36}$/);
    expect(runKey('paper-a', 'n1')).not.toBe(runKey('paper-a', 'n2'));
    expect(runKey('paper-a', 'n1')).not.toBe(runKey('paper-b', 'n1'));
  });

  it('folds journal records into outcomes; a torn last line is cut off and the rest kept', () => {
    const j = new ExecutionJournal(dir);
    const base = { atMs: 1, trade: 1, leg: 'open' as const, fill: 0, asset: 'AUSDT', side: 'SELL' as const, qty: '2', paperPrice: 100, paperQty: 2, paperFee: 0.1, tsEvent: '0' };
    j.append({ ev: 'sent', id: 'x-1-o', attempt: 1, ...base });
    j.append({ ev: 'ack', atMs: 2, id: 'x-1-o', orderId: '7', status: 'FILLED', latencyMs: 12, via: 'post' });
    j.append({ ev: 'filled', atMs: 3, id: 'x-1-o', avgPrice: 99.9, qty: 2, fee: 0.12, feeAsset: 'USDT', status: 'FILLED', partial: false, latencyMs: 12 });
    j.append({ ev: 'sent', id: 'x-1-c', attempt: 1, ...base, leg: 'close', side: 'BUY' });
    j.close();
    appendFileSync(join(dir, EXECUTION_JOURNAL_FILE), '{"ev":"ack","atMs":4,"id":"x-1');
    const r = readExecutionJournal(dir);
    expect(r.tornBytes).toBe(Buffer.byteLength('{"ev":"ack","atMs":4,"id":"x-1'));
    expect(r.records).toHaveLength(4);
    expect(readFileSync(join(dir, EXECUTION_JOURNAL_FILE), 'utf8').endsWith('"tsEvent":"0"}\n')).toBe(true);
    const o = new LegOutcomes();
    for (const rec of r.records) o.apply(rec);
    expect(o.settled('x-1-o')).toBe(true);
    expect(o.settled('x-1-c')).toBe(false); // sent, outcome unknown: asked for by id on restart
    expect(o.filledQty('x-1-o')).toBe(2);
    expect(o.byId.get('x-1-o')).toMatchObject({ status: 'filled', avgPrice: 99.9, fee: 0.12, latencyMs: 12, attempts: 1 });
  });
});
