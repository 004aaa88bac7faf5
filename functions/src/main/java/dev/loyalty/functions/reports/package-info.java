/**
 * Finance reports. Rules: computed from the append-only ledger (entries, allocations and
 * lots' original points) so they are right as of any past instant; admins only.
 */
package dev.loyalty.functions.reports;
