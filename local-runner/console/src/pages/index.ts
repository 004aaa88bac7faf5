import type { Page } from '../context';
import { membersPage } from './members';
import { parkedPage } from './parked';
import { reportsPage } from './reports';
import { eventsPage } from './events';
import { placeholder } from './placeholder';

export const PAGES: Page[] = [
  membersPage,
  parkedPage,
  reportsPage,
  eventsPage,
  placeholder('rules', 'Program rules', 16, 'versioned rule sets, publishing a draft with its validation errors at their fields, simulating an event'),
  placeholder('tiers', 'Tiers', 17, 'tier sets and their versions, a member\'s tier and qualifying points'),
  placeholder('rewards', 'Rewards and redemptions', 19, 'the rewards catalog and stock, a member\'s redemptions, fulfil and cancel'),
];
