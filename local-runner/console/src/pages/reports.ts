import type { Liability } from '../api';
import type { Page } from '../context';
import { asOfInstants, chart, limited, PALETTE, pointTypes } from '../charts';
import { card, clearErrors, field, h, input, isoFromLocalInput, pts, select, showError, table, when } from '../ui';

/**
 * Liability: outstanding points by type and the issued, redeemed, expired totals at one
 * instant, and the same report at several instants for a chart over time. (The activity,
 * funnel and redemption-by-type reports of issue 20's Part 2 add their charts here.)
 */
export const reportsPage: Page = {
  id: 'reports',
  title: 'Reports',
  async render(root, _params, ctx) {
    const totals = h('div', { 'data-testid': 'liability' });
    const byType = h('div', { class: 'chart', 'data-testid': 'liability-by-type-chart' });
    const totalsChart = h('div', { class: 'chart', 'data-testid': 'liability-totals-chart' });
    const overTime = h('div', { class: 'chart tall', 'data-testid': 'liability-over-time-chart' });
    const form = h('form', { class: 'filters', novalidate: true, 'data-testid': 'liability-form' },
      field('asOf', 'As of (UTC; empty: now)', input({ type: 'datetime-local' })),
      field('from', 'Totals from (UTC; empty: the beginning)', input({ type: 'datetime-local' })),
      h('button', { type: 'submit' }, 'Show'));
    const seriesForm = h('form', { class: 'filters', novalidate: true },
      field('days', 'Days', select(['7', '14', '30', '90'])),
      h('button', { type: 'submit' }, 'Draw'));
    (seriesForm.querySelector('select') as HTMLSelectElement).value = '14';
    root.append(
      card('Liability', form, totals, h('div', { class: 'grid2' }, byType, totalsChart)),
      card('Liability over time (the report at the end of each day)', seriesForm, overTime));

    const one = async () => {
      clearErrors(form);
      const v = (n: string) => (form.querySelector(`[name="${n}"]`) as HTMLInputElement).value;
      try {
        const l = (await ctx.api.get<Liability>('/reports/liability', { asOf: isoFromLocalInput(v('asOf')), from: isoFromLocalInput(v('from')) })).body;
        totals.replaceChildren(
          h('div', { class: 'stats' },
            ...([['Outstanding', l.outstanding, 'outstanding'], ['Issued', l.issued, 'issued'], ['Redeemed', l.redeemed, 'redeemed'],
              ['Expired (breakage)', l.expired, 'expired'], ['Adjusted', l.adjusted, 'adjusted']] as [string, number | undefined, string][])
              .map(([label, n, id]) => h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value', 'data-testid': id }, pts(n))))),
          h('p', { class: 'muted' }, `as of ${when(l.asOf)}${l.from ? ', totals from ' + when(l.from) : ''}`),
          table(['Type', 'Outstanding'], Object.entries(l.outstandingByType).map(([t, p]) => [t, pts(p)])));
        const types = Object.keys(l.outstandingByType).sort();
        chart(byType, {
          type: 'doughnut',
          data: { labels: types, datasets: [{ data: types.map((t) => l.outstandingByType[t]), backgroundColor: types.map((_, i) => PALETTE[i % PALETTE.length]) }] },
          options: { plugins: { title: { display: true, text: 'Outstanding by type' } } },
        });
        chart(totalsChart, {
          type: 'bar',
          data: {
            labels: ['issued', 'redeemed', 'expired', 'adjusted', 'outstanding'],
            datasets: [{ label: 'points', data: [l.issued, l.redeemed, l.expired, l.adjusted ?? 0, l.outstanding], backgroundColor: [PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[4], PALETTE[2]] }],
          },
          options: { plugins: { legend: { display: false }, title: { display: true, text: 'Totals' } } },
        });
      } catch (e) {
        showError(form, e);
      }
    };

    const series = async () => {
      clearErrors(seriesForm);
      const days = Number((seriesForm.querySelector('select') as HTMLSelectElement).value);
      const instants = asOfInstants(new Date(), days);
      try {
        const reports = await limited(instants.map((asOf) => async () => (await ctx.api.get<Liability>('/reports/liability', { asOf })).body), 4);
        const types = pointTypes(reports);
        const labels = instants.map((i, n) => (n === instants.length - 1 ? 'now' : i.slice(0, 10)));
        chart(overTime, {
          type: 'line',
          data: {
            labels,
            datasets: [
              ...types.map((t, i) => ({ label: `outstanding ${t}`, data: reports.map((r) => r.outstandingByType[t] ?? 0), borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length] + '55', fill: true, stack: 'outstanding', pointRadius: 0 })),
              { label: 'issued (cumulative)', data: reports.map((r) => r.issued), borderColor: '#111827', borderDash: [6, 3], fill: false, pointRadius: 2 },
              { label: 'expired (cumulative)', data: reports.map((r) => r.expired), borderColor: '#dc2626', borderDash: [2, 2], fill: false, pointRadius: 2 },
            ],
          },
          options: { scales: { y: { beginAtZero: true } }, interaction: { mode: 'index', intersect: false } },
        });
      } catch (e) {
        showError(seriesForm, e);
      }
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); void one(); });
    seriesForm.addEventListener('submit', (e) => { e.preventDefault(); void series(); });
    await Promise.all([one(), series()]);
  },
};
