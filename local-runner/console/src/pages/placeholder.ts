import type { Page } from '../context';
import { card, h } from '../ui';

/** A navigation entry for a page whose API is not built yet. */
export function placeholder(id: string, title: string, issue: number, what: string): Page {
  return {
    id,
    title,
    comesWith: { issue, what },
    render(root) {
      root.append(card(title,
        h('p', { 'data-testid': 'placeholder' }, `${title} come with issue #${issue}: ${what}. `,
          'The API has no routes for them yet, so this page is a placeholder; it is added here as a module when they exist.')));
    },
  };
}
