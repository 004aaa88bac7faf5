import { ApiError } from './api';
import type { Problem } from './api';

type Attrs = Record<string, string | number | boolean | undefined | null | ((e: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

/** A tiny element builder: h('div', {class: 'x', onclick: f}, 'text', child). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const fmt = new Intl.NumberFormat('en-US');
export const pts = (n: number | undefined | null): string => (n === undefined || n === null ? '–' : fmt.format(n));
export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

/** An input with its label and the place where the API's error for that field goes. */
export function field(name: string, label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  input.name = name;
  input.id ||= `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  input.dataset.field = name;
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, h('div', { class: 'field-error', 'data-error-for': name, role: 'alert' }));
}

export function input(attrs: Attrs = {}): HTMLInputElement {
  return h('input', attrs);
}

export function select(options: string[], attrs: Attrs = {}): HTMLSelectElement {
  return h('select', attrs, ...options.map((o) => h('option', { value: o }, o || '(any)')));
}

/** Clears what the last answer showed on a form. */
export function clearErrors(form: HTMLElement): void {
  form.querySelectorAll<HTMLElement>('.field-error').forEach((e) => (e.textContent = ''));
  form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  form.querySelectorAll('.problem').forEach((e) => e.remove());
}

/**
 * The API's error as written: code, status and detail in a box at the top of the form, every
 * errors[] entry at its field when the form has that field (else listed in the box).
 */
export function showError(form: HTMLElement, err: unknown): void {
  clearErrors(form);
  const p: Problem = err instanceof ApiError ? err.problem : { status: 0, code: 'ERROR', detail: String((err as Error)?.message ?? err) };
  const unplaced: string[] = [];
  for (const e of p.errors ?? []) {
    const slot = form.querySelector<HTMLElement>(`.field-error[data-error-for="${CSS.escape(e.field)}"]`);
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
      form.querySelector(`[data-field="${CSS.escape(e.field)}"]`)?.classList.add('invalid');
    } else {
      unplaced.push(`${e.field}: ${e.message}`);
    }
  }
  const extras = Object.entries(p)
    .filter(([k]) => !['type', 'title', 'status', 'detail', 'code', 'errors'].includes(k))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  const box = h('div', { class: 'problem', role: 'alert', 'data-testid': 'problem' },
    h('strong', { class: 'problem-code' }, p.code ?? p.title ?? 'ERROR'), ' ', h('span', { class: 'problem-status' }, p.status ? `(${p.status})` : ''),
    h('div', { class: 'problem-detail' }, p.detail ?? ''),
    extras.length ? h('div', { class: 'problem-extra' }, extras.join(' · ')) : null,
    unplaced.length ? h('ul', {}, ...unplaced.map((u) => h('li', {}, u))) : null);
  form.prepend(box);
}

export function notice(target: HTMLElement, text: string, kind: 'ok' | 'info' = 'ok'): void {
  target.querySelectorAll('.notice').forEach((e) => e.remove());
  target.prepend(h('div', { class: `notice ${kind}`, role: 'status', 'data-testid': 'notice' }, text));
}

export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** datetime-local value (UTC) <-> ISO instant. The console works in UTC, like the API. */
export function isoFromLocalInput(v: string): string | undefined {
  return v ? new Date(v + 'Z').toISOString().replace(/\.000Z$/, 'Z') : undefined;
}

export function localInputFromDate(d: Date): string {
  return d.toISOString().slice(0, 16);
}
