import { ActionKey, KINDS, POINT_TYPES } from '../api';
import type { Balance, HistoryItem, HistoryPage, HoldsPage, LotsPage, Redemption, Statement } from '../api';
import type { Ctx, Page } from '../context';
import { chart, dailyActivity, PALETTE } from '../charts';
import { card, clearErrors, field, h, input, isoFromLocalInput, localInputFromDate, notice, pts, select, showError, table, when } from '../ui';

const MEMBER_ID = '^[A-Za-z0-9_.:\\-]{1,64}$';

export const membersPage: Page = {
  id: 'members',
  title: 'Members',
  async render(root, params, ctx) {
    const memberId = params[0] ? decodeURIComponent(params[0]) : '';
    const lookup = h('form', { class: 'card lookup', 'data-testid': 'lookup' },
      h('h2', {}, 'Member lookup'),
      h('div', { class: 'row' },
        field('memberId', 'Member id', input({ value: memberId, required: true, pattern: MEMBER_ID, placeholder: 'm-42', autofocus: true })),
        h('button', { type: 'submit' }, 'Look up')));
    lookup.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = (lookup.querySelector('input') as HTMLInputElement).value.trim();
      if (v) ctx.go('/members/' + encodeURIComponent(v));
    });
    root.append(lookup);
    if (!memberId) return;
    await new MemberView(root, lookup, memberId, ctx).load();
  },
};

class MemberView {
  private readonly base: string;
  private readonly balanceHost = h('div', { 'data-testid': 'balance-card' });
  private readonly historyTable = h('div', { 'data-testid': 'history' });
  private readonly activityHost = h('div', { class: 'chart', 'data-testid': 'activity-chart' });
  private readonly balanceChartHost = h('div', { class: 'chart', 'data-testid': 'balance-chart' });
  private readonly redemptionsHost = h('div', { 'data-testid': 'redemptions' });
  private readonly lotsHost = h('div', { 'data-testid': 'lots' });
  private readonly holdsHost = h('div', { 'data-testid': 'holds' });
  private lotsAll = false;
  private cursors: (string | null)[] = [null];
  private page = 0;
  private readonly historyForm: HTMLFormElement;
  private readonly reverseForm: HTMLFormElement;

  constructor(private readonly root: HTMLElement, private readonly lookup: HTMLElement, private readonly memberId: string, private readonly ctx: Ctx) {
    this.base = '/members/' + encodeURIComponent(memberId);
    this.historyForm = this.buildHistoryForm();
    this.reverseForm = this.buildReverseForm();
  }

  async load(): Promise<void> {
    try {
      await this.api().get<Balance>(this.base + '/balance');
    } catch (e) {
      showError(this.lookup, e); // e.g. MEMBER_NOT_FOUND, as the API wrote it
      return;
    }
    this.root.append(
      h('div', { class: 'grid2' }, card('Balance', this.balanceHost), card('Holds', this.holdsHost)),
      card('Lots (spending order)', this.lotsHost),
      h('div', { class: 'grid2' },
        card('Activity per day (credited / debited)', this.activityHost),
        card('Balance over time', this.balanceChartHost)),
      card('Actions', h('div', { class: 'grid3' }, this.buildAdjustForm(), this.reverseForm, this.buildCloseForm())),
      card('History', this.historyForm, this.historyTable),
      card('Redemptions', this.redemptionsHost),
      card('Statement', this.buildStatementForm()),
    );
    await Promise.all([this.refreshBalance(), this.refreshHistory(), this.refreshCharts(), this.refreshRedemptions(),
      this.refreshLots(), this.refreshHolds()]);
  }

  private api() {
    return this.ctx.api;
  }

  private async refreshBalance(): Promise<void> {
    try {
      const b = (await this.api().get<Balance>(this.base + '/balance')).body;
      const stat = (label: string, v: number | undefined, id: string) =>
        h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value', 'data-testid': id }, pts(v)));
      this.balanceHost.replaceChildren(
        h('div', { class: 'stats' },
          stat('Balance', b.balance, 'balance'),
          stat('Available', b.available, 'available'),
          stat('Held', b.held, 'held'),
          b.pending !== undefined ? stat('Pending', b.pending, 'pending') : null,
          b.tier ? h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Tier'),
            h('div', { class: 'stat-value', 'data-testid': 'tier' }, b.tier.name),
            h('div', { class: 'stat-label' }, `${pts(b.tier.qualifyingPoints)} qualifying`)) : null),
        h('h3', {}, 'By type'),
        table(['Type', 'Points'], Object.entries(b.byType).map(([t, p]) => [t, pts(p)]), { 'data-testid': 'by-type' }),
        h('h3', {}, 'Expiring next'),
        b.expiring.length
          ? table(['Points', 'Expires at'], b.expiring.map((x) => [pts(x.points), when(x.expiresAt)]), { 'data-testid': 'expiring' })
          : h('p', { class: 'muted' }, 'Nothing expiring.'));
    } catch (e) {
      showError(this.balanceHost, e);
    }
  }

  // --- lots and holds (GET /members/{id}/lots and /holds, points:admin) -----------------

  /** The member's lots in spending order: open ones (or all), up to 200, as the API gives them. */
  private async refreshLots(): Promise<void> {
    let page: LotsPage;
    try {
      page = (await this.api().get<LotsPage>(this.base + '/lots', { status: this.lotsAll ? 'ALL' : 'OPEN', limit: 200 })).body;
    } catch (e) {
      showError(this.lotsHost, e);
      return;
    }
    const toggle = h('label', { class: 'inline' },
      h('input', { type: 'checkbox', checked: this.lotsAll, 'data-testid': 'lots-all',
        onchange: (e: Event) => { this.lotsAll = (e.target as HTMLInputElement).checked; void this.refreshLots(); } }),
      ' spent lots too');
    const state = (l: LotsPage['items'][number]) => (l.expired ? 'expired' : l.pending ? `pending until ${when(l.pendingUntil)}`
      : l.remainingPoints === 0 ? 'spent' : 'available');
    const rows = page.items.map((l) => [
      h('code', { title: l.lotId }, l.lotId.slice(0, 8)),
      h('span', { 'data-testid': 'lot-type' }, l.pointType),
      h('span', { 'data-testid': 'lot-remaining' }, pts(l.remainingPoints)),
      pts(l.originalPoints),
      h('span', { 'data-testid': 'lot-available' }, pts(l.availablePoints)),
      when(l.earnedAt),
      h('span', { 'data-testid': 'lot-expires', 'data-expires-at': l.expiresAt ?? '' }, l.expiresAt ? when(l.expiresAt) : 'never'),
      state(l),
    ]);
    this.lotsHost.replaceChildren(toggle,
      rows.length
        ? table(['Lot', 'Type', 'Left', 'Original', 'Available', 'Earned at', 'Expires at', 'State'], rows, { 'data-testid': 'lots-table' })
        : h('p', { class: 'muted' }, 'No open lots.'),
      page.nextCursor ? h('p', { class: 'muted' }, 'More than 200 lots: the first 200 in spending order.') : '');
  }

  /** The member's holds, newest first, as the API gives them (a HELD hold past its time shows EXPIRED). */
  private async refreshHolds(): Promise<void> {
    let page: HoldsPage;
    try {
      page = (await this.api().get<HoldsPage>(this.base + '/holds', { limit: 50 })).body;
    } catch (e) {
      showError(this.holdsHost, e);
      return;
    }
    this.holdsHost.replaceChildren(page.items.length
      ? table(['Hold', 'Points', 'Status', 'Reference', 'Created', 'Expires'], page.items.map((x) => [
        h('code', { title: x.holdId }, x.holdId.slice(0, 8)), pts(x.points),
        h('span', { 'data-testid': 'hold-status' }, x.status), x.reference, when(x.createdAt), when(x.expiresAt)]),
      { 'data-testid': 'holds-table' })
      : h('p', { class: 'muted' }, 'No holds.'),
    page.nextCursor ? h('p', { class: 'muted' }, 'The newest 50 holds.') : '');
  }

  // --- redemptions: list, cancel a PENDING one -------------------------------------------

  private readonly cancelKeys = new Map<string, ActionKey>();

  private async refreshRedemptions(): Promise<void> {
    let items: Redemption[];
    try {
      items = (await this.api().get<{ items: Redemption[] }>(this.base + '/redemptions')).body.items;
    } catch (e) {
      showError(this.redemptionsHost, e);
      return;
    }
    if (!items.length) {
      this.redemptionsHost.replaceChildren(h('p', { class: 'muted' }, 'No redemptions.'));
      return;
    }
    const rows = items.map((r) => {
      const reason = input({ placeholder: 'reason', name: 'reason' });
      const cell = h('form', { class: 'inline', novalidate: true, 'data-testid': 'cancel-redemption', 'data-redemption': r.redemptionId });
      if (r.status === 'PENDING') {
        cell.append(reason, h('div', { class: 'field-error', 'data-error-for': 'reason', role: 'alert' }), h('button', { type: 'submit', class: 'small' }, 'Cancel…'));
        cell.addEventListener('submit', async (e) => {
          e.preventDefault();
          clearErrors(cell);
          const key = this.cancelKeys.get(r.redemptionId) ?? new ActionKey('cancel');
          this.cancelKeys.set(r.redemptionId, key);
          const path = `${this.base}/redemptions/${encodeURIComponent(r.redemptionId)}/cancel`;
          // An empty reason is left out, so the API says it is required (at the reason field).
          const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
          try {
            const a = await this.api().post<{ balance: number }>(path, body, key.for({ path, body }));
            key.settle();
            await Promise.all([this.refreshBalance(), this.refreshHistory(), this.refreshRedemptions(), this.refreshLots()]);
            notice(this.redemptionsHost, `Cancelled ${r.redemptionId}: balance ${pts(a.body.balance)}${a.replayed ? ' — replayed' : ''}`);
          } catch (err) {
            key.settle(err);
            showError(cell, err);
          }
        });
      }
      return [h('code', { title: r.redemptionId }, r.redemptionId.slice(0, 8)), r.rewardId, String(r.quantity), pts(r.points),
        h('span', { 'data-testid': 'redemption-status' }, r.status), r.reference, when(r.createdAt), cell];
    });
    this.redemptionsHost.replaceChildren(
      table(['Redemption', 'Reward', 'Qty', 'Points', 'Status', 'Reference', 'Created', ''], rows, { 'data-testid': 'redemptions-table' }));
  }

  // --- history: filters and paging ------------------------------------------------------

  private buildHistoryForm(): HTMLFormElement {
    const f = h('form', { class: 'filters', 'data-testid': 'history-filters' },
      field('from', 'From (UTC)', input({ type: 'datetime-local' })),
      field('to', 'To (UTC)', input({ type: 'datetime-local' })),
      field('type', 'Type', select(['', ...POINT_TYPES])),
      field('kind', 'Kind', select(['', ...KINDS])),
      field('limit', 'Per page', input({ type: 'number', value: '20', min: '1', max: '200' })),
      h('button', { type: 'submit' }, 'Apply'));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      this.cursors = [null];
      this.page = 0;
      void this.refreshHistory();
    });
    return f;
  }

  private historyQuery(): Record<string, string | undefined> {
    const v = (n: string) => (this.historyForm.querySelector(`[name="${n}"]`) as HTMLInputElement).value;
    return { from: isoFromLocalInput(v('from')), to: isoFromLocalInput(v('to')), type: v('type'), kind: v('kind'), limit: v('limit') };
  }

  private async refreshHistory(): Promise<void> {
    clearErrors(this.historyForm);
    let page: HistoryPage;
    try {
      page = (await this.api().get<HistoryPage>(this.base + '/transactions', { ...this.historyQuery(), cursor: this.cursors[this.page] ?? undefined })).body;
    } catch (e) {
      showError(this.historyForm, e);
      return;
    }
    this.cursors[this.page + 1] = page.nextCursor ?? null;
    const rows = page.items.map((it) => [
      h('code', { title: it.transactionId }, it.transactionId.slice(0, 8)),
      it.kind,
      h('span', { class: it.points < 0 ? 'neg' : 'pos' }, pts(it.points)),
      pts(it.balanceAfter),
      it.type ?? '–',
      it.reference,
      when(it.recordedAt),
      it.description ?? '',
      it.actor ? `${it.actor.sub ?? '?'} (${it.actor.source})` : '–',
      it.requestId ?? '–',
      h('button', { type: 'button', class: 'small', onclick: () => this.prefillReversal(it) }, 'Reverse…'),
    ]);
    const pager = h('div', { class: 'pager' },
      h('button', { type: 'button', disabled: this.page === 0, onclick: () => { this.page--; void this.refreshHistory(); } }, '← Newer'),
      h('span', { 'data-testid': 'page-number' }, `page ${this.page + 1}`),
      h('button', { type: 'button', disabled: !page.nextCursor, 'data-testid': 'next-page', onclick: () => { this.page++; void this.refreshHistory(); } }, 'Older →'));
    this.historyTable.replaceChildren(
      page.items.length
        ? table(['Transaction', 'Kind', 'Points', 'Balance after', 'Type', 'Reference', 'Recorded at', 'Description', 'Actor', 'Request', ''], rows, { 'data-testid': 'history-table' })
        : h('p', { class: 'muted' }, 'No entries.'),
      pager);
  }

  /** Charts from the member's history as the API gives it (the last 1,000 entries at most). */
  private async refreshCharts(): Promise<void> {
    const items: HistoryItem[] = [];
    let cursor: string | null | undefined = undefined;
    for (let i = 0; i < 5; i++) {
      const p: HistoryPage = (await this.api().get<HistoryPage>(this.base + '/transactions', { limit: 200, cursor })).body;
      items.push(...p.items);
      cursor = p.nextCursor;
      if (!cursor) break;
    }
    const days = dailyActivity(items);
    chart(this.activityHost, {
      type: 'bar',
      data: {
        labels: days.map((d) => d.day),
        datasets: [
          { label: 'credited', data: days.map((d) => d.credited), backgroundColor: PALETTE[1] },
          { label: 'debited', data: days.map((d) => d.debited), backgroundColor: PALETTE[3] },
        ],
      },
    });
    const ordered = [...items].reverse();
    chart(this.balanceChartHost, {
      type: 'line',
      data: {
        labels: ordered.map((i) => when(i.recordedAt)),
        datasets: [{ label: 'balance after', data: ordered.map((i) => i.balanceAfter), borderColor: PALETTE[0], stepped: true, pointRadius: 2 }],
      },
      options: { scales: { x: { ticks: { maxTicksLimit: 8 } } } },
    });
  }

  // --- actions ----------------------------------------------------------------------------

  /** A write form: one Idempotency-Key per action, reused while the same request is retried. */
  private actionForm(title: string, testId: string, fields: HTMLElement[], submit: string,
    request: (v: (n: string) => string) => { path: string; body: unknown },
    done: (body: Record<string, unknown>, replayed: boolean) => string, key: ActionKey): HTMLFormElement {
    const f = h('form', { class: 'action', 'data-testid': testId, novalidate: true }, h('h3', {}, title), ...fields,
      h('button', { type: 'submit' }, submit));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      f.querySelectorAll('.notice').forEach((n) => n.remove());
      const v = (n: string) => (f.querySelector(`[name="${n}"]`) as HTMLInputElement | null)?.value.trim() ?? '';
      const { path, body } = request(v);
      const button = f.querySelector('button[type=submit]') as HTMLButtonElement;
      button.disabled = true;
      try {
        const r = await this.api().post<Record<string, unknown>>(path, body, key.for({ path, body }));
        key.settle();
        notice(f, done(r.body, r.replayed));
        await Promise.all([this.refreshBalance(), this.refreshHistory(), this.refreshCharts(), this.refreshLots(), this.refreshHolds()]);
      } catch (err) {
        key.settle(err);
        showError(f, err);
      } finally {
        button.disabled = false;
      }
    });
    return f;
  }

  private buildAdjustForm(): HTMLFormElement {
    return this.actionForm('Adjust the balance', 'adjust-form', [
      field('points', 'Points (signed: + credits, − debits)', input({ type: 'number', step: '1' })),
      field('type', 'Type (for credits)', select(['', ...POINT_TYPES])),
      field('reference', 'Reference', input({ value: `adj-${Date.now().toString(36)}` })),
      field('reason', 'Reason', input({ placeholder: 'why (kept in the ledger)' })),
    ], 'Adjust', (v) => {
      const body: Record<string, unknown> = { points: v('points') === '' ? null : Number(v('points')), reference: v('reference'), reason: v('reason') };
      if (v('type')) body.type = v('type');
      return { path: this.base + '/adjustments', body };
    }, (b, replayed) => `Adjusted ${pts(b.points as number)} points: balance ${pts(b.balance as number)} (transaction ${b.transactionId})${replayed ? ' — replayed' : ''}`,
    new ActionKey('adjust'));
  }

  private buildReverseForm(): HTMLFormElement {
    return this.actionForm('Reverse a transaction', 'reverse-form', [
      field('transactionId', 'Transaction id', input({ placeholder: 'pick one in the history' })),
      field('points', 'Points (empty: all that can be)', input({ type: 'number', step: '1' })),
      field('reference', 'Reference', input({ value: `rev-${Date.now().toString(36)}` })),
      field('reason', 'Reason', input({})),
    ], 'Reverse', (v) => {
      const body: Record<string, unknown> = { reference: v('reference') };
      if (v('points')) body.points = Number(v('points'));
      if (v('reason')) body.reason = v('reason');
      return { path: `${this.base}/transactions/${encodeURIComponent(v('transactionId'))}/reversal`, body };
    }, (b, replayed) => `Reversed ${pts(b.points as number)} points: balance ${pts(b.balance as number)}${replayed ? ' — replayed' : ''}`,
    new ActionKey('reverse'));
  }

  private prefillReversal(it: HistoryItem): void {
    const set = (n: string, v: string) => ((this.reverseForm.querySelector(`[name="${n}"]`) as HTMLInputElement).value = v);
    set('transactionId', it.transactionId);
    set('reference', `rev-${it.reference}`.slice(0, 128));
    this.reverseForm.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }

  private buildCloseForm(): HTMLFormElement {
    const f = this.actionForm('Close the account', 'close-form', [
      field('reason', 'Reason', input({})),
      field('reference', 'Reference', input({ value: `close-${this.memberId}` })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'confirm', required: true }),
        ' Every point left is forfeited and later writes are refused'),
    ], 'Close account', (v) => ({ path: this.base + '/close', body: { reason: v('reason'), reference: v('reference') } }),
    (b) => `Closed: ${pts(b.forfeited as number)} points forfeited at ${when(b.closedAt as string)}`, new ActionKey('close'));
    // The checkbox guards the button; the API still validates the rest.
    f.addEventListener('submit', (e) => {
      if (!(f.querySelector('[name=confirm]') as HTMLInputElement).checked) {
        e.stopImmediatePropagation();
        e.preventDefault();
        notice(f, 'Tick the box to confirm the closure.', 'info');
      }
    }, { capture: true });
    return f;
  }

  // --- statement --------------------------------------------------------------------------

  private buildStatementForm(): HTMLElement {
    const now = new Date();
    const out = h('div', { 'data-testid': 'statement' });
    const f = h('form', { class: 'filters', 'data-testid': 'statement-form', novalidate: true },
      field('from', 'From (UTC)', input({ type: 'datetime-local', value: localInputFromDate(new Date(now.getTime() - 30 * 86_400_000)) })),
      field('to', 'To (UTC)', input({ type: 'datetime-local', value: localInputFromDate(new Date(now.getTime() + 60_000)) })),
      h('button', { type: 'submit' }, 'Show statement'));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      const v = (n: string) => (f.querySelector(`[name="${n}"]`) as HTMLInputElement).value;
      try {
        const s = (await this.api().get<Statement>(this.base + '/statement', { from: isoFromLocalInput(v('from')), to: isoFromLocalInput(v('to')) })).body;
        out.replaceChildren(
          h('div', { class: 'stats' },
            h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Opening'), h('div', { class: 'stat-value', 'data-testid': 'opening' }, pts(s.openingBalance))),
            h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Closing'), h('div', { class: 'stat-value', 'data-testid': 'closing' }, pts(s.closingBalance)))),
          s.items.length
            ? table(['Recorded at', 'Kind', 'Points', 'Balance after', 'Type', 'Reference', 'Description'],
              s.items.map((it) => [when(it.recordedAt), it.kind, pts(it.points), pts(it.balanceAfter), it.type ?? '–', it.reference, it.description ?? '']))
            : h('p', { class: 'muted' }, 'No entries in this window.'));
      } catch (err) {
        showError(f, err);
      }
    });
    return h('div', {}, f, out);
  }
}

