import type { Api } from './api';
import type { ConsoleConfig } from './config';
import type { Session } from './auth';

export interface Ctx {
  api: Api;
  config: ConsoleConfig;
  session: Session;
  /** Goes to a route (e.g. '/members/m-42'). */
  go(route: string): void;
}

/**
 * A page of the console. Adding one (rules, tiers, rewards when their API exists) is a module
 * exporting a Page and a line in pages/index.ts: the navigation and the router read that list.
 */
export interface Page {
  /** The first path segment: '#/members/m-42' is page 'members' with params ['m-42']. */
  id: string;
  title: string;
  /** Shown in the navigation but not built yet: the issue that brings its API. */
  comesWith?: { issue: number; what: string };
  render(root: HTMLElement, params: string[], ctx: Ctx): void | Promise<void>;
}
