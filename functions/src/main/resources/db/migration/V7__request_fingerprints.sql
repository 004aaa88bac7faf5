-- The reference rule (shared-model dev.loyalty.core.reference.ReferenceRule): a write's
-- request fingerprint (SHA-256 hex of every field that changes its effect) is stored with the
-- entry or hold it produced, so a later request with the same member, kind and reference is
-- told apart as the same request (a replay) or a different one (409 REFERENCE_ALREADY_USED),
-- whatever its Idempotency-Key and however long ago. Rows from before this migration have
-- none and can never be proven equal: a reuse of their reference is answered 409.
ALTER TABLE ledger_entries ADD COLUMN request_fingerprint char(64);
ALTER TABLE holds ADD COLUMN request_fingerprint char(64);
