import { ActionKey } from '../api';
import type { Reward } from '../api';
import type { Page } from '../context';
import { card, clearErrors, field, h, input, notice, pts, select, showError, table } from '../ui';

/** The rewards catalog and its stock (GET /rewards; PUT /rewards/{id}; POST /rewards/{id}/stock). */
export const rewardsPage: Page = {
  id: 'rewards',
  title: 'Rewards',
  async render(root, _params, ctx) {
    const list = h('div', { 'data-testid': 'rewards' });
    const refresh = async () => {
      try {
        const items = (await ctx.api.get<{ items: Reward[] }>('/rewards')).body.items;
        list.replaceChildren(items.length
          ? table(['Reward', 'Name', 'Cost', 'Stock', 'Per member', 'Active', ''], items.map((r) => [
            h('code', {}, r.rewardId), r.name, pts(r.cost),
            h('span', { 'data-testid': 'stock', 'data-reward': r.rewardId }, r.stock === null ? 'unlimited' : pts(r.stock)),
            r.perMemberLimit === null ? '–' : String(r.perMemberLimit), r.active ? 'yes' : 'no',
            h('button', { type: 'button', class: 'small', onclick: () => edit(r) }, 'Edit…'),
          ]), { 'data-testid': 'rewards-table' })
          : h('p', { class: 'muted' }, 'No rewards yet.'));
      } catch (e) {
        showError(list, e);
      }
    };

    const putKey = new ActionKey('reward');
    const put = h('form', { class: 'action', novalidate: true, 'data-testid': 'reward-form' }, h('h3', {}, 'Create or update a reward'),
      field('rewardId', 'Reward id', input({ placeholder: 'mug-2026' })),
      field('name', 'Name', input({})),
      field('cost', 'Cost (points per unit)', input({ type: 'number', step: '1' })),
      field('initialStock', 'Initial stock (creation only; empty: unlimited)', input({ type: 'number', step: '1' })),
      field('perMemberLimit', 'Per member limit (empty: none)', input({ type: 'number', step: '1' })),
      field('active', 'Active', select(['true', 'false'])),
      h('button', { type: 'submit' }, 'Save'));
    const v = (f: HTMLElement, n: string) => (f.querySelector(`[name="${n}"]`) as HTMLInputElement).value.trim();
    const num = (s: string) => (s === '' ? undefined : Number(s));
    const edit = (r: Reward) => {
      const set = (n: string, x: string) => ((put.querySelector(`[name="${n}"]`) as HTMLInputElement).value = x);
      set('rewardId', r.rewardId);
      set('name', r.name);
      set('cost', String(r.cost));
      set('initialStock', '');
      set('perMemberLimit', r.perMemberLimit === null ? '' : String(r.perMemberLimit));
      set('active', String(r.active));
      (stock.querySelector('[name=rewardId]') as HTMLInputElement).value = r.rewardId;
    };
    put.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(put);
      const body: Record<string, unknown> = { name: v(put, 'name'), cost: num(v(put, 'cost')) ?? null, active: v(put, 'active') === 'true' };
      if (v(put, 'initialStock') !== '') body.initialStock = num(v(put, 'initialStock'));
      if (v(put, 'perMemberLimit') !== '') body.perMemberLimit = num(v(put, 'perMemberLimit'));
      const path = '/rewards/' + encodeURIComponent(v(put, 'rewardId'));
      try {
        const r = await ctx.api.put<Reward>(path, body, putKey.for({ path, body }));
        putKey.settle();
        notice(put, `${r.status === 201 ? 'Created' : 'Updated'} ${r.body.rewardId}`);
        await refresh();
      } catch (err) {
        putKey.settle(err);
        showError(put, err);
      }
    });

    const stockKey = new ActionKey('stock');
    const stock = h('form', { class: 'action', novalidate: true, 'data-testid': 'stock-form' }, h('h3', {}, 'Change the stock'),
      field('rewardId', 'Reward id', input({})),
      field('delta', 'Delta (+ adds, − removes)', input({ type: 'number', step: '1' })),
      field('reference', 'Reference', input({ value: `stock-${Date.now().toString(36)}` })),
      h('button', { type: 'submit' }, 'Change'));
    stock.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(stock);
      const body = { delta: num(v(stock, 'delta')) ?? null, reference: v(stock, 'reference') };
      const path = `/rewards/${encodeURIComponent(v(stock, 'rewardId'))}/stock`;
      try {
        const r = await ctx.api.post<{ stock: number }>(path, body, stockKey.for({ path, body }));
        stockKey.settle();
        notice(stock, `Stock now ${pts(r.body.stock)}${r.replayed ? ' — replayed' : ''}`);
        (stock.querySelector('[name=reference]') as HTMLInputElement).value = `stock-${Date.now().toString(36)}`;
        await refresh();
      } catch (err) {
        stockKey.settle(err);
        showError(stock, err);
      }
    });

    root.append(card('Rewards catalog', list), card('Change the catalog', h('div', { class: 'grid2' }, put, stock)));
    await refresh();
  },
};
