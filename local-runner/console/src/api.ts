// The one way the console talks to the API: bearer token, X-Loyalty-Source: console (the API
// records it in the audit trail), an Idempotency-Key on every POST, problem+json errors kept
// as the API wrote them.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  /** Worth retrying with the same Idempotency-Key: nothing was applied, or the answer was lost. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.problem.code === 'IDEMPOTENCY_IN_PROGRESS';
  }
}

export interface Answer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export type Query = Record<string, string | number | undefined | null>;

export const SOURCE_HEADER = 'X-Loyalty-Source';

export class Api {
  constructor(
    private readonly base: string,
    private readonly token: () => string | null,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  url(path: string, query?: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    return this.base.replace(/\/+$/, '') + path + (s ? '?' + s : '');
  }

  get<T>(path: string, query?: Query): Promise<Answer<T>> {
    return this.send<T>('GET', path, query, undefined, undefined);
  }

  /** A write: the caller passes the action's key (reused on a retry of the same action). */
  post<T>(path: string, body: unknown, idempotencyKey: string): Promise<Answer<T>> {
    return this.send<T>('POST', path, undefined, body, idempotencyKey);
  }

  /** A PUT (publish a rule or tier set, create or update a reward): keyed like a POST. */
  put<T>(path: string, body: unknown, idempotencyKey: string): Promise<Answer<T>> {
    return this.send<T>('PUT', path, undefined, body, idempotencyKey);
  }

  private async send<T>(method: string, path: string, query: Query | undefined, body: unknown, key: string | undefined): Promise<Answer<T>> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', [SOURCE_HEADER]: 'console' };
    const token = this.token();
    if (token) headers.Authorization = 'Bearer ' + token;
    if (key) headers['Idempotency-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r: Response;
    try {
      r = await this.fetchFn(this.url(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, { status: 0, code: 'NETWORK_ERROR', detail: `the API could not be reached: ${(e as Error).message}` });
    }
    const text = await r.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!r.ok) {
      const p: Problem = parsed && typeof parsed === 'object'
        ? { status: r.status, ...(parsed as object) } as Problem
        : { status: r.status, title: r.statusText, detail: typeof parsed === 'string' ? parsed : `HTTP ${r.status}` };
      throw new ApiError(r.status, p);
    }
    return { status: r.status, body: parsed as T, replayed: r.headers.get('Idempotent-Replayed') === 'true' };
  }
}

/**
 * One user action's Idempotency-Key: the same key while the user retries the same request
 * (a network error, a 5xx, a 409 in progress), a new one once the request changes or the
 * previous one was answered for good.
 */
export class ActionKey {
  private key: string | null = null;
  private body: string | null = null;

  constructor(private readonly prefix: string, private readonly newId: () => string = () => crypto.randomUUID()) {}

  /** The key for sending {@code request} now. */
  for(request: unknown): string {
    const b = JSON.stringify(request);
    if (this.key === null || this.body !== b) {
      this.key = `console-${this.prefix}-${this.newId()}`;
      this.body = b;
    }
    return this.key;
  }

  /** After an answer: keep the key only when the same request should be retried with it. */
  settle(error?: unknown): void {
    if (!(error instanceof ApiError && error.retryable)) {
      this.key = null;
      this.body = null;
    }
  }
}

// The API's shapes (functions/src/main/resources/openapi/loyalty-api.json).
export interface Balance {
  memberId: string;
  balance: number;
  available: number;
  held: number;
  byType: Record<string, number>;
  expiring: { points: number; expiresAt: string }[];
  // Part 2 (tiers, pending points): shown when the API gives them.
  pending?: number;
  tier?: { name: string; qualifyingPoints: number };
}

/** A lot as GET /members/{id}/lots gives it (points:admin), in spending order. */
export interface Lot {
  lotId: string;
  pointType: string;
  originalPoints: number;
  remainingPoints: number;
  availablePoints: number;
  earnedAt: string;
  expiresAt: string | null;
  pendingUntil: string | null;
  expired: boolean;
  pending: boolean;
}

export interface LotsPage {
  items: Lot[];
  nextCursor: string | null;
}

/** A hold as GET /members/{id}/holds gives it (points:admin), newest first. */
export interface Hold {
  holdId: string;
  points: number;
  status: string;
  reference: string;
  createdAt: string;
  expiresAt: string;
}

export interface HoldsPage {
  items: Hold[];
  nextCursor: string | null;
}

export interface HistoryItem {
  transactionId: string;
  kind: string;
  points: number;
  balanceAfter: number;
  type: string | null;
  reference: string;
  occurredAt: string;
  recordedAt: string;
  description: string | null;
  actor?: { sub: string | null; source: string };
  requestId?: string | null;
}

export interface HistoryPage {
  items: HistoryItem[];
  nextCursor?: string | null;
}

export interface Statement {
  openingBalance: number;
  items: HistoryItem[];
  closingBalance: number;
}

export interface Liability {
  asOf: string;
  from?: string | null;
  outstanding: number;
  outstandingByType: Record<string, number>;
  issued: number;
  redeemed: number;
  expired: number;
  adjusted?: number;
  transfersNet?: number;
  readFrom?: string;
}

export interface ParkedRecord {
  memberId?: string;
  messageId: string;
  source?: string;
  rawBody: string;
  code: string;
  reason: string;
  receivedAt?: string;
  parkedAt?: string;
  replayedAt?: string | null;
}

export interface Redemption {
  redemptionId: string;
  rewardId: string;
  quantity: number;
  points: number;
  status: 'PENDING' | 'FULFILLED' | 'CANCELLED';
  reference: string;
  transactionId?: string;
  createdAt?: string;
  updatedAt?: string;
  fulfilmentRef?: string | null;
}

export interface Reward {
  rewardId: string;
  name: string;
  cost: number;
  stock: number | null;
  perMemberLimit: number | null;
  active: boolean;
}

/** A versioned program document (rule set or tier set) as GET /program/rules|tiers answers it. */
export interface Versioned {
  version: number;
  effectiveFrom: string;
  [field: string]: unknown;
}

// Program reports (contract Part 2, "Reports").
export interface ActivityBucket {
  start: string;
  startsAt: string;
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
  returned: number;
  adjusted: number;
  byType: Record<string, { issued: number; redeemed: number; expired: number }>;
  activeMembers: number;
}

export interface ActivityReport {
  from: string;
  to: string;
  timeZone: string;
  bucket: string;
  readFrom: string;
  buckets: ActivityBucket[];
}

export interface FunnelReport {
  from: string;
  to: string;
  timeZone: string;
  readFrom: string;
  earnedMembers: number;
  redeemedMembers: number;
  conversion: { numerator: number; denominator: number };
  conversionPct: number | null;
  medianDaysToFirstRedeem: number | null;
}

export interface RedemptionByTypeReport {
  readFrom: string;
  items: { pointType: string; issued: number; redeemed: number; expired: number; share: { numerator: number; denominator: number }; sharePct: number | null }[];
}

export interface AnomaliesReport {
  readFrom: string;
  thresholdPct: number;
  daysJudged: number;
  firstDay: string;
  lastDay: string;
  items: { day: string; issued: number; trailingMean: number; deviationPct: number }[];
}

export interface ExperimentReport {
  experimentId: string;
  readFrom: string;
  variants: { variant: string; members: number; events: number; pointsIssued: number; pointsRedeemed: number }[];
}

export const KINDS = ['EARN', 'REDEEM', 'EXPIRE', 'REVERSAL', 'TRANSFER_IN', 'TRANSFER_OUT', 'ADJUSTMENT', 'RETURN'] as const;
export const POINT_TYPES = ['PURCHASE', 'SIGN_IN', 'PROMO', 'BONUS'] as const;
