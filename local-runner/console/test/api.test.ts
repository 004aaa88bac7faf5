import { describe, expect, it } from 'vitest';
import { ActionKey, Api, ApiError } from '../src/api';
import { asOfInstants, dailyActivity, limited } from '../src/charts';
import type { HistoryItem } from '../src/api';

function recorder(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
  }) as unknown as typeof fetch;
  return { calls, f };
}

describe('Api', () => {
  it('marks every request as the console\'s and sends the token and the action\'s key', async () => {
    const { calls, f } = recorder(201, { balance: 5 }, { 'Idempotent-Replayed': 'true' });
    const a = await new Api('http://api.example.com/', () => 'tok', f).post('/members/m-1/adjustments', { points: 5 }, 'k-1');
    expect(a).toEqual({ status: 201, body: { balance: 5 }, replayed: true });
    expect(calls[0].url).toBe('http://api.example.com/members/m-1/adjustments');
    expect(calls[0].init.headers).toMatchObject({ 'X-Loyalty-Source': 'console', Authorization: 'Bearer tok', 'Idempotency-Key': 'k-1', 'Content-Type': 'application/json' });
    expect(calls[0].init.body).toBe('{"points":5}');
  });

  it('drops empty query values', async () => {
    const { calls, f } = recorder(200, { items: [] });
    await new Api('', () => null, f).get('/members/m 1/transactions', { from: undefined, type: '', limit: 20, kind: 'EARN' });
    expect(calls[0].url).toBe('/members/m 1/transactions?limit=20&kind=EARN');
  });

  it('keeps the problem as the API wrote it', async () => {
    const problem = { type: 't', title: 'Validation failed', status: 400, detail: 'points: must not be 0', code: 'VALIDATION_FAILED', errors: [{ field: 'points', message: 'must not be 0' }] };
    const { f } = recorder(400, problem);
    const e = await new Api('', () => 't', f).post('/x', {}, 'k').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.problem).toEqual(problem);
    expect(e.retryable).toBe(false);
  });
});

describe('ActionKey', () => {
  it('reuses the key for a retry of the same request, and makes a new one for a new action', () => {
    let n = 0;
    const k = new ActionKey('adjust', () => String(++n));
    const first = k.for({ points: 5 });
    k.settle(new ApiError(503, { status: 503, code: 'SERVICE_UNAVAILABLE' }));
    expect(k.for({ points: 5 })).toBe(first); // a retry: same key
    k.settle(new ApiError(409, { status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' }));
    expect(k.for({ points: 5 })).toBe(first);
    k.settle(new ApiError(0, { status: 0, code: 'NETWORK_ERROR' }));
    expect(k.for({ points: 6 })).not.toBe(first); // the request changed: a new action
    k.settle(); // answered
    expect(k.for({ points: 6 })).toBe('console-adjust-3');
    k.settle(new ApiError(400, { status: 400, code: 'VALIDATION_FAILED' }));
    expect(k.for({ points: 6 })).toBe('console-adjust-4');
  });
});

describe('chart data', () => {
  const item = (recordedAt: string, points: number, balanceAfter: number): HistoryItem => ({
    transactionId: recordedAt, kind: points > 0 ? 'EARN' : 'REDEEM', points, balanceAfter, type: 'PURCHASE', reference: recordedAt,
    occurredAt: recordedAt, recordedAt, description: null,
  });

  it('sums a member\'s credits and debits per day and keeps each day\'s closing balance', () => {
    // newest first, as the API lists history
    const days = dailyActivity([
      item('2026-11-03T09:00:00Z', -40, 210),
      item('2026-11-02T18:00:00Z', 50, 250),
      item('2026-11-02T08:00:00Z', -100, 200),
      item('2026-11-01T10:00:00Z', 300, 300),
    ]);
    expect(days).toEqual([
      { day: '2026-11-01', credited: 300, debited: 0, closingBalance: 300 },
      { day: '2026-11-02', credited: 50, debited: 100, closingBalance: 250 },
      { day: '2026-11-03', credited: 0, debited: 40, closingBalance: 210 },
    ]);
  });

  it('asks the liability report at the end of each past day and now', () => {
    expect(asOfInstants(new Date('2026-11-22T10:15:30.123Z'), 4)).toEqual([
      '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', '2026-11-22T00:00:00Z', '2026-11-22T10:15:30Z',
    ]);
  });

  it('runs at most the given number of calls at once, answers in order', async () => {
    let running = 0;
    let peak = 0;
    const tasks = [1, 2, 3, 4, 5, 6].map((i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return i * 10;
    });
    expect(await limited(tasks, 2)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });
});
