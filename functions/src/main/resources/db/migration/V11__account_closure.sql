-- Closing an account (POST /members/{memberId}/close, points:admin): what was left is forfeited
-- by an ADJUSTMENT entry, and the account takes no more writes (409 ACCOUNT_CLOSED) while its
-- reads still work. The closing's reference and request fingerprint make a retry answer the
-- original closing (the reference rule), and forfeited is what that answer says.
ALTER TABLE accounts ADD COLUMN closed_at timestamptz;
ALTER TABLE accounts ADD COLUMN close_reason text;
ALTER TABLE accounts ADD COLUMN close_reference varchar(128);
ALTER TABLE accounts ADD COLUMN close_fingerprint char(64);
ALTER TABLE accounts ADD COLUMN forfeited bigint;
