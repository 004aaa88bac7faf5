import { describe, expect, it } from 'vitest';
import { flatten, nearest } from '../src/paths';

describe('document paths, as the API names them in errors[]', () => {
  const doc = { rules: [{ id: 'a', caps: [{ period: 'YEAR', maxPoints: 5 }] }], experiments: [] };
  const rows = flatten(doc);

  it('lists every field with the API\'s path syntax', () => {
    expect(rows.map((r) => r.path)).toEqual([
      'rules', 'rules[0]', 'rules[0].id', 'rules[0].caps', 'rules[0].caps[0]', 'rules[0].caps[0].period',
      'rules[0].caps[0].maxPoints', 'experiments']);
    expect(rows.find((r) => r.path === 'rules[0].caps[0].period')?.value).toBe('YEAR');
  });

  it('puts an error about a missing field at its nearest parent', () => {
    expect(nearest(rows, 'rules[0].caps[0].period')).toBe('rules[0].caps[0].period');
    expect(nearest(rows, 'rules[0].points')).toBe('rules[0]');
    expect(nearest(rows, 'rules[3].event')).toBe('rules');
    expect(nearest(rows, 'qualifying')).toBeNull();
  });
});
