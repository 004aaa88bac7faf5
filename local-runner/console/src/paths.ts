// The field paths the API names in errors[] (rules[1].caps[0].period, tiers[2].threshold, ...),
// for a JSON document: every leaf and every object or array, so an error about a missing field
// can sit at its parent when the field itself is absent.

export type PathRow = { path: string; value: unknown; leaf: boolean };

/** Every path of a document, parents before children, in document order. */
export function flatten(doc: unknown, prefix = ''): PathRow[] {
  const rows: PathRow[] = [];
  if (Array.isArray(doc)) {
    if (prefix) rows.push({ path: prefix, value: `[${doc.length}]`, leaf: false });
    doc.forEach((v, i) => rows.push(...flatten(v, `${prefix}[${i}]`)));
  } else if (doc !== null && typeof doc === 'object') {
    if (prefix) rows.push({ path: prefix, value: '{…}', leaf: false });
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      rows.push(...flatten(v, prefix ? `${prefix}.${k}` : k));
    }
  } else {
    rows.push({ path: prefix, value: doc, leaf: true });
  }
  return rows;
}

/** The nearest path of {@code rows} at or above {@code path} (a missing field's parent), or null. */
export function nearest(rows: PathRow[], path: string): string | null {
  const known = new Set(rows.map((r) => r.path));
  let p = path;
  while (p) {
    if (known.has(p)) return p;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return null;
    p = p.slice(0, cut);
  }
  return null;
}
