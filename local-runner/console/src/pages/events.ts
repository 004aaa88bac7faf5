import type { Page } from '../context';
import { card, field, h, input, showError, table, when } from '../ui';

/** What the local runner's EventBridge stand-in received (GET /_local/events): local only. */
export const eventsPage: Page = {
  id: 'events',
  title: 'Events (local)',
  async render(root, _params, ctx) {
    if (ctx.config.auth.mode !== 'local') {
      root.append(card('Events', h('p', {}, 'Only the local runner lists the events it received; deployed, they go to the EventBridge bus and its archive.')));
      return;
    }
    const out = h('div', { 'data-testid': 'events' });
    const form = h('form', { class: 'filters', novalidate: true },
      field('memberId', 'Member id', input({})), field('type', 'Type', input({ placeholder: 'points.adjusted' })),
      h('button', { type: 'submit' }, 'Show'));
    root.append(card('Events the local runner received', form, out));
    const load = async () => {
      const v = (n: string) => (form.querySelector(`[name="${n}"]`) as HTMLInputElement).value.trim();
      try {
        const r = await ctx.api.get<{ items: { n: number; receivedAt: string; detailType: string; detail: Record<string, unknown> }[] }>('/_local/events', { memberId: v('memberId'), type: v('type') });
        const items = r.body.items.slice(-200).reverse();
        out.replaceChildren(items.length
          ? table(['#', 'Received', 'Type', 'Member', 'Data'], items.map((e) => [e.n, when(e.receivedAt), e.detailType, String(e.detail.memberId ?? ''), h('code', {}, JSON.stringify(e.detail.data))]))
          : h('p', { class: 'muted' }, 'No events.'));
      } catch (e) {
        showError(form, e);
      }
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); void load(); });
    await load();
  },
};
