import { ActionKey } from '../api';
import type { Versioned } from '../api';
import type { Ctx, Page } from '../context';
import { flatten, nearest } from '../paths';
import { ApiError } from '../api';
import { card, clearErrors, field, h, input, isoFromLocalInput, notice, pts, showError, table, when } from '../ui';

const RULES_EXAMPLE = {
  rules: [
    { id: 'purchase-base', event: 'purchase', pointType: 'PURCHASE', points: 1, perAmount: 100, caps: [{ period: 'DAY', maxPoints: 500 }] },
    { id: 'sign-in', event: 'sign_in', pointType: 'SIGN_IN', points: 5, caps: [{ period: 'DAY', maxEvents: 1 }] },
  ],
  experiments: [],
};

const TIERS_EXAMPLE = {
  qualifying: { window: 'ROLLING_12_MONTHS', pointTypes: ['PURCHASE'] },
  tiers: [{ name: 'MEMBER', threshold: 0 }, { name: 'SILVER', threshold: 1000, earnMultiplierBp: 12500 }, { name: 'GOLD', threshold: 5000, earnMultiplierBp: 15000 }],
  downgrade: { graceDays: 30 },
};

/**
 * A versioned program document (rule set or tier set): the version in force at an instant, and
 * a draft published as the next version. A refused draft shows each errors[] entry at its field:
 * the draft is listed field by field (the API's paths, rules[1].caps[0].period) and every error
 * sits on its row (a missing field on its parent's).
 */
function versionedPage(id: string, title: string, path: string, example: object, extra?: (root: HTMLElement, ctx: Ctx) => void): Page {
  return {
    id,
    title,
    async render(root, _params, ctx) {
      const current = h('div', { 'data-testid': `${id}-current` });
      const asOf = h('form', { class: 'filters', novalidate: true },
        field('asOf', 'In force at (UTC; empty: now)', input({ type: 'datetime-local' })),
        h('button', { type: 'submit' }, 'Show'));
      const show = async () => {
        clearErrors(asOf);
        try {
          const v = (await ctx.api.get<Versioned>(path, { asOf: isoFromLocalInput((asOf.querySelector('input') as HTMLInputElement).value) })).body;
          const { version, effectiveFrom, ...doc } = v;
          current.replaceChildren(
            h('div', { class: 'stats' },
              h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Version'), h('div', { class: 'stat-value', 'data-testid': `${id}-version` }, String(version))),
              h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'In force from'), h('div', { class: 'stat-value small' }, when(effectiveFrom)))),
            h('pre', { class: 'json' }, JSON.stringify(doc, null, 2)),
            h('button', { type: 'button', class: 'small', onclick: () => { draft.value = JSON.stringify(doc, null, 2); } }, 'Copy into the draft'));
        } catch (e) {
          showError(asOf, e);
        }
      };
      asOf.addEventListener('submit', (e) => { e.preventDefault(); void show(); });

      const draft = h('textarea', { rows: 18, class: 'json', spellcheck: 'false', 'data-testid': `${id}-draft` }) as HTMLTextAreaElement;
      draft.value = JSON.stringify(example, null, 2);
      const fields = h('div', { 'data-testid': `${id}-fields` });
      const key = new ActionKey(`publish-${id}`);
      const publish = h('form', { class: 'action', novalidate: true, 'data-testid': `${id}-publish` },
        field('effectiveFrom', 'Effective from (UTC; empty: now)', input({ type: 'datetime-local' })),
        h('div', { class: 'field' }, h('label', {}, 'Draft (JSON)'), draft),
        h('button', { type: 'submit' }, 'Publish as the next version'),
        fields);
      publish.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(publish);
        publish.querySelectorAll('.notice').forEach((n) => n.remove());
        let doc: Record<string, unknown>;
        try {
          doc = JSON.parse(draft.value);
        } catch (err) {
          fields.replaceChildren();
          showError(publish, new ApiError(0, { status: 0, code: 'NOT_JSON', detail: `the draft is not JSON: ${(err as Error).message}` }));
          return;
        }
        const from = isoFromLocalInput((publish.querySelector('[name=effectiveFrom]') as HTMLInputElement).value);
        const body = from ? { ...doc, effectiveFrom: from } : doc;
        // The draft field by field, each row with a slot for the API's error at that path.
        const rows = flatten(doc);
        fields.replaceChildren(h('h3', {}, 'The draft, field by field'),
          table(['Field', 'Value', ''], rows.map((r) => [
            h('code', { 'data-field': r.path }, r.path),
            r.leaf ? JSON.stringify(r.value) : h('span', { class: 'muted' }, String(r.value)),
            h('div', { class: 'field-error', 'data-error-for': r.path, role: 'alert' }),
          ]), { class: 'fields' }));
        try {
          const r = await ctx.api.put<{ version: number; effectiveFrom: string }>(path, body, key.for(body));
          key.settle();
          fields.replaceChildren();
          notice(publish, `Published version ${r.body.version}, in force from ${when(r.body.effectiveFrom)}${r.replayed ? ' — replayed' : ''}`);
          await show();
        } catch (err) {
          key.settle(err);
          // Errors about a missing field go to the nearest field the draft has.
          if (err instanceof ApiError && err.problem.errors) {
            err.problem.errors = err.problem.errors.map((fe) => ({ ...fe, field: nearest(rows, fe.field) ?? fe.field }));
          }
          showError(publish, err);
          fields.querySelectorAll('.field-error').forEach((slot) => {
            if (slot.textContent) slot.closest('tr')?.classList.add('invalid-row');
          });
        }
      });
      root.append(card(`${title}: the version in force`, asOf, current), card(`Publish a new ${title.toLowerCase()} version`, publish));
      extra?.(root, ctx);
      await show();
    },
  };
}

/** Simulate an event with the published rules or the draft: what /events would answer, nothing written. */
function simulateCard(root: HTMLElement, ctx: Ctx): void {
  const out = h('div', { 'data-testid': 'simulate-result' });
  const event = h('textarea', { rows: 6, class: 'json', spellcheck: 'false', name: 'event', 'data-field': 'event' }) as HTMLTextAreaElement;
  event.value = JSON.stringify({ event: 'purchase', reference: 'sim-1', amount: 12999, attributes: { channel: 'app' } }, null, 2);
  const key = new ActionKey('simulate');
  const f = h('form', { class: 'action', novalidate: true, 'data-testid': 'simulate-form' },
    field('memberId', 'Member id', input({ placeholder: 'm-42' })),
    h('div', { class: 'field' }, h('label', {}, 'Event (JSON)'), event, h('div', { class: 'field-error', 'data-error-for': 'event', role: 'alert' })),
    field('tier', 'Tier (empty: the member\'s)', input({ placeholder: 'GOLD' })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'useDraft' }), ' with the draft above instead of the published rules'),
    h('button', { type: 'submit' }, 'Simulate'), out);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(f);
    const v = (n: string) => (f.querySelector(`[name="${n}"]`) as HTMLInputElement).value.trim();
    let body: Record<string, unknown>;
    try {
      body = { memberId: v('memberId'), event: JSON.parse(event.value) };
      if (v('tier')) body.tier = v('tier');
      if ((f.querySelector('[name=useDraft]') as HTMLInputElement).checked) {
        body.rules = JSON.parse((root.querySelector('[data-testid=rules-draft]') as HTMLTextAreaElement).value);
      }
    } catch (err) {
      showError(f, new ApiError(0, { status: 0, code: 'NOT_JSON', detail: (err as Error).message }));
      return;
    }
    try {
      const r = (await ctx.api.post<{ points: number; tier?: string; awards: { ruleId: string; pointType: string; points: number; capped: boolean; variant?: string | null }[] }>(
        '/program/rules/simulate', body, key.for(body))).body;
      key.settle();
      out.replaceChildren(
        h('p', {}, h('strong', { 'data-testid': 'simulate-points' }, pts(r.points)), ' points', r.tier ? ` (tier ${r.tier})` : ''),
        r.awards.length
          ? table(['Rule', 'Type', 'Points', 'Capped', 'Variant'], r.awards.map((a) => [a.ruleId, a.pointType, pts(a.points), a.capped ? 'yes' : '', a.variant ?? '']))
          : h('p', { class: 'muted' }, 'No rule awards anything for this event.'));
    } catch (err) {
      key.settle(err);
      showError(f, err);
    }
  });
  root.append(card('Simulate an event (nothing is written)', f));
}

export const rulesPage: Page = versionedPage('rules', 'Program rules', '/program/rules', RULES_EXAMPLE, simulateCard);
export const tiersPage: Page = versionedPage('tiers', 'Tiers', '/program/tiers', TIERS_EXAMPLE);
