import type { ActivityReport, AnomaliesReport, FunnelReport, Liability, RedemptionByTypeReport } from '../api';
import type { Page } from '../context';
import { asOfInstants, chart, limited, PALETTE, pointTypes } from '../charts';
import { card, clearErrors, field, h, input, isoFromLocalInput, localInputFromDate, pts, select, showError, table, when } from '../ui';

/**
 * Liability: outstanding points by type and the issued, redeemed, expired totals at one
 * instant, and the same report at several instants for a chart over time; then the program
 * reports over a window (activity per day, week or month, the funnel, redemption by type, the
 * days the anomaly rule flags), each charted from one API call.
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
          h('p', { class: 'muted' }, `as of ${when(l.asOf)}${l.from ? ', totals from ' + when(l.from) : ''}${l.readFrom ? ' · read from the ' + l.readFrom : ''}`),
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
    await Promise.all([one(), series(), programReports(root, ctx)]);
  },
};

/** The window reports: one form (from, to, bucket), four cards. */
async function programReports(root: HTMLElement, ctx: Parameters<Page['render']>[2]): Promise<void> {
  const now = new Date();
  const form = h('form', { class: 'filters', novalidate: true, 'data-testid': 'window-form' },
    field('from', 'From (UTC)', input({ type: 'datetime-local', value: localInputFromDate(new Date(now.getTime() - 30 * 86_400_000)) })),
    field('to', 'To (UTC, exclusive)', input({ type: 'datetime-local', value: localInputFromDate(new Date(now.getTime() + 3_600_000)) })),
    field('bucket', 'Buckets', select(['DAY', 'WEEK', 'MONTH'])),
    h('button', { type: 'submit' }, 'Show'));
  const activity = h('div', { class: 'chart tall', 'data-testid': 'activity-chart' });
  const activityNote = h('p', { class: 'muted', 'data-testid': 'activity-note' });
  const funnel = h('div', { class: 'chart', 'data-testid': 'funnel-chart' });
  const funnelStats = h('div', { 'data-testid': 'funnel' });
  const byType = h('div', { class: 'chart', 'data-testid': 'redemption-by-type-chart' });
  const byTypeTable = h('div', {});
  const anomalies = h('div', { 'data-testid': 'anomalies' });
  root.append(
    card('Program reports over a window (days and buckets in the program\'s time zone)', form),
    card('Activity over time', activity, activityNote),
    h('div', { class: 'grid2' },
      card('Funnel: from earning to redeeming', funnelStats, funnel),
      card('Redemption by point type', byType, byTypeTable)),
    card('Anomalies: days whose issued points moved more than the threshold', anomalies));

  const draw = async () => {
    clearErrors(form);
    const v = (n: string) => (form.querySelector(`[name="${n}"]`) as HTMLInputElement).value;
    const q = { from: isoFromLocalInput(v('from')), to: isoFromLocalInput(v('to')) };
    try {
      const [a, f, t, n] = await Promise.all([
        ctx.api.get<ActivityReport>('/reports/activity', { ...q, bucket: v('bucket') }),
        ctx.api.get<FunnelReport>('/reports/funnel', q),
        ctx.api.get<RedemptionByTypeReport>('/reports/redemption-by-type', q),
        ctx.api.get<AnomaliesReport>('/reports/anomalies', q),
      ]);
      const b = a.body.buckets;
      chart(activity, {
        type: 'bar',
        data: {
          labels: b.map((x) => x.start),
          datasets: [
            { label: 'issued', data: b.map((x) => x.issued), backgroundColor: PALETTE[1], stack: 'in' },
            { label: 'redeemed', data: b.map((x) => -x.redeemed), backgroundColor: PALETTE[0], stack: 'out' },
            { label: 'expired', data: b.map((x) => -x.expired), backgroundColor: PALETTE[3], stack: 'out' },
            { label: 'returned', data: b.map((x) => -x.returned), backgroundColor: PALETTE[6], stack: 'out' },
            { label: 'adjusted', data: b.map((x) => x.adjusted), backgroundColor: PALETTE[4], stack: 'adj' },
            { type: 'line', label: 'active members', data: b.map((x) => x.activeMembers), borderColor: '#111827', yAxisID: 'members', pointRadius: 2 } as never,
          ],
        },
        options: {
          interaction: { mode: 'index', intersect: false },
          scales: { y: { title: { display: true, text: 'points (out below zero)' } }, members: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'members' } } },
        },
      });
      const total = (k: 'issued' | 'redeemed' | 'expired') => b.reduce((s, x) => s + x[k], 0);
      activityNote.textContent = `${b.length} ${a.body.bucket.toLowerCase()} buckets in ${a.body.timeZone}: issued ${pts(total('issued'))}, redeemed ${pts(total('redeemed'))}, expired ${pts(total('expired'))} · read from the ${a.body.readFrom}`;
      activityNote.dataset.issued = String(total('issued'));

      const fb = f.body;
      funnelStats.replaceChildren(h('div', { class: 'stats' },
        h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Earned'), h('div', { class: 'stat-value', 'data-testid': 'funnel-earned' }, pts(fb.earnedMembers))),
        h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Of whom redeemed'), h('div', { class: 'stat-value', 'data-testid': 'funnel-redeemed' }, pts(fb.redeemedMembers))),
        h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Conversion'), h('div', { class: 'stat-value', 'data-testid': 'funnel-conversion' },
          `${fb.conversion.numerator}/${fb.conversion.denominator}`, fb.conversionPct === null ? '' : ` (${fb.conversionPct}%)`)),
        h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Median days to first redeem'), h('div', { class: 'stat-value' }, fb.medianDaysToFirstRedeem === null ? '–' : String(fb.medianDaysToFirstRedeem)))));
      chart(funnel, {
        type: 'bar',
        data: { labels: ['earned', 'redeemed'], datasets: [{ label: 'members', data: [fb.earnedMembers, fb.redeemedMembers], backgroundColor: [PALETTE[1], PALETTE[0]] }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
      });

      const items = t.body.items;
      chart(byType, {
        type: 'bar',
        data: {
          labels: items.map((i) => i.pointType),
          datasets: [
            { label: 'issued', data: items.map((i) => i.issued), backgroundColor: PALETTE[1] },
            { label: 'redeemed', data: items.map((i) => i.redeemed), backgroundColor: PALETTE[0] },
            { label: 'expired', data: items.map((i) => i.expired), backgroundColor: PALETTE[3] },
          ],
        },
        options: { scales: { y: { beginAtZero: true } } },
      });
      byTypeTable.replaceChildren(table(['Type', 'Issued', 'Redeemed', 'Expired', 'Share redeemed'], items.map((i) => [
        i.pointType, pts(i.issued), pts(i.redeemed), pts(i.expired), i.sharePct === null ? '–' : `${i.sharePct}%`]), { 'data-testid': 'redemption-by-type' }));

      const an = n.body;
      anomalies.replaceChildren(
        h('p', { class: 'muted' }, `${an.firstDay} to ${an.lastDay}: ${an.daysJudged} days judged (each needs 7 days of issued points before it); threshold ${an.thresholdPct}%.`),
        an.items.length
          ? table(['Day', 'Issued', 'Mean of the 7 days before', 'Deviation'], an.items.map((i) => [i.day, pts(i.issued), String(i.trailingMean), `${i.deviationPct}%`]), { 'data-testid': 'anomalies-table' })
          : h('p', { 'data-testid': 'no-anomalies' }, 'No day moved more than the threshold.'));
    } catch (e) {
      showError(form, e);
    }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); void draw(); });
  await draw();
}
