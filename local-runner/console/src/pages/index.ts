import type { Page } from '../context';
import { membersPage } from './members';
import { parkedPage } from './parked';
import { reportsPage } from './reports';
import { eventsPage } from './events';
import { rulesPage, tiersPage } from './program';
import { rewardsPage } from './rewards';

export const PAGES: Page[] = [
  membersPage,
  parkedPage,
  reportsPage,
  rulesPage,
  tiersPage,
  rewardsPage,
  eventsPage,
];
