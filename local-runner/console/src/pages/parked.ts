import { ActionKey } from '../api';
import type { ParkedRecord } from '../api';
import type { Ctx, Page } from '../context';
import { card, clearErrors, field, h, notice, showError, when } from '../ui';

/** Queue records parked because they can never succeed as sent: look, correct, replay. */
export const parkedPage: Page = {
  id: 'parked',
  title: 'Parked records',
  async render(root, _params, ctx) {
    const list = h('div', { 'data-testid': 'parked-list' });
    const status = h('div', {});
    root.append(card('Parked queue records', status,
      h('p', { class: 'muted' }, 'Records the earn queue parked (bad JSON, failed validation, unknown type), oldest first. ',
        'Replay sends the stored body again, or a corrected one; a record that still cannot succeed is parked again with its reason.'),
      h('button', { type: 'button', onclick: () => void load() }, 'Refresh'), list));
    const load = async () => {
      clearErrors(status);
      try {
        const items = (await ctx.api.get<{ items: ParkedRecord[] }>('/admin/parked', { limit: 200 })).body.items;
        list.replaceChildren(...(items.length ? items.map((r) => recordView(r, ctx, load, status)) : [h('p', { class: 'muted', 'data-testid': 'parked-empty' }, 'Nothing parked.')]));
      } catch (e) {
        showError(status, e);
      }
    };
    await load();
  },
};

function recordView(r: ParkedRecord, ctx: Ctx, reload: () => Promise<void>, status: HTMLElement): HTMLElement {
  const corrected = h('textarea', { rows: 7, spellcheck: false });
  corrected.value = pretty(r.rawBody);
  const form = h('form', { class: 'action', novalidate: true },
    field('body', 'Corrected body (an earn message; leave as stored to replay it unchanged)', corrected),
    h('div', { class: 'row' },
      h('button', { type: 'submit', name: 'with-body', 'data-testid': 'replay-corrected' }, 'Replay with this body'),
      h('button', { type: 'button', 'data-testid': 'replay-stored', onclick: () => void replay(undefined) }, 'Replay as stored')));
  const key = new ActionKey('replay');
  const replay = async (body: unknown) => {
    clearErrors(form);
    try {
      const path = `/admin/parked/${encodeURIComponent(r.messageId)}/replay`;
      const a = await ctx.api.post<Record<string, unknown>>(path, body, key.for({ path, body: body ?? null }));
      key.settle();
      notice(status, `Replayed ${r.messageId}: ${JSON.stringify(a.body)}${a.replayed ? ' (replayed answer)' : ''}`);
      await reload();
    } catch (e) {
      key.settle(e);
      showError(form, e);
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(corrected.value);
    } catch (err) {
      showError(form, new Error(`the corrected body is not JSON: ${(err as Error).message}`));
      return;
    }
    void replay(body);
  });
  return h('article', { class: 'parked', 'data-testid': 'parked-record', 'data-message-id': r.messageId, 'data-replayed': r.replayedAt ? 'true' : 'false' },
    h('header', {}, h('strong', {}, r.code), ' ', h('span', { class: 'muted' }, `message ${r.messageId}`),
      r.memberId ? h('span', { class: 'muted' }, ` · member ${r.memberId}`) : null,
      h('span', { class: 'muted' }, ` · parked ${when(r.parkedAt ?? r.receivedAt)}`)),
    h('div', { class: 'reason', 'data-testid': 'parked-reason' }, r.reason),
    h('pre', { class: 'raw' }, r.rawBody),
    r.replayedAt ? h('div', { class: 'notice ok', 'data-testid': 'parked-replayed' }, `Replayed at ${when(r.replayedAt)}`) : form);
}

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
