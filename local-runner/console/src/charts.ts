import { Chart, registerables } from 'chart.js';
import type { ChartConfiguration } from 'chart.js';
import type { HistoryItem, Liability } from './api';

Chart.register(...registerables);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

export const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];

/** Draws a chart in a fresh canvas inside {@code host}; returns it (charts are dropped with their page). */
export function chart(host: HTMLElement, config: ChartConfiguration): Chart {
  const canvas = document.createElement('canvas');
  host.replaceChildren(canvas);
  return new Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, ...config.options } });
}

export interface DayActivity {
  day: string; // YYYY-MM-DD (UTC)
  credited: number;
  debited: number;
  closingBalance: number;
}

/**
 * A member's activity per day from its history (newest first, as the API lists it): points
 * credited and debited by recordedAt day, and the balance at the end of each day.
 */
export function dailyActivity(items: HistoryItem[]): DayActivity[] {
  const ordered = [...items].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  const days = new Map<string, DayActivity>();
  for (const it of ordered) {
    const day = it.recordedAt.slice(0, 10);
    const d = days.get(day) ?? { day, credited: 0, debited: 0, closingBalance: 0 };
    if (it.points >= 0) d.credited += it.points;
    else d.debited += -it.points;
    d.closingBalance = it.balanceAfter;
    days.set(day, d);
  }
  return [...days.values()];
}

/** The instants for a liability series: {@code count} ends of day (UTC) up to now, the last one now. */
export function asOfInstants(now: Date, count: number, stepDays = 1): string[] {
  const out: string[] = [];
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = count - 1; i >= 1; i--) out.push(new Date(midnight - (i - 1) * stepDays * 86_400_000).toISOString().replace('.000Z', 'Z'));
  out.push(now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return out;
}

/** Every point type in a series of reports, sorted, so each gets one stable color. */
export function pointTypes(reports: Liability[]): string[] {
  return [...new Set(reports.flatMap((r) => Object.keys(r.outstandingByType ?? {})))].sort();
}

/** Runs {@code tasks} with at most {@code limit} at once (the API is not hammered by a chart). */
export async function limited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
