-- Spending: allocations (which lots gave or got how much), holds, reversal links.

-- A reversal points at the transaction it reverses (same member).
ALTER TABLE ledger_entries ADD COLUMN reverses_entry_id uuid;
CREATE INDEX ledger_entries_reverses_idx ON ledger_entries (member_id, reverses_entry_id)
    WHERE reverses_entry_id IS NOT NULL;

-- A transfer's TRANSFER_IN carries the sender's reference, and two senders may pick the same
-- one; the transfer as a whole is made unique by the sender's TRANSFER_OUT (one transaction).
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_reference_uq;
CREATE UNIQUE INDEX ledger_entries_reference_uq ON ledger_entries (member_id, kind, reference)
    WHERE kind <> 'TRANSFER_IN';

-- Exactly which lots an entry spent (REDEEM, TRANSFER_OUT, EXPIRE, earn REVERSAL) or
-- restored (redeem REVERSAL); points are positive, the entry's sign says which way.
CREATE TABLE entry_allocations (
    member_id varchar(64) NOT NULL,
    entry_id  uuid        NOT NULL,
    position  integer     NOT NULL CHECK (position >= 0),
    lot_id    uuid        NOT NULL,
    points    bigint      NOT NULL CHECK (points >= 1),
    PRIMARY KEY (member_id, entry_id, position),
    FOREIGN KEY (member_id, entry_id) REFERENCES ledger_entries (member_id, entry_id),
    FOREIGN KEY (member_id, lot_id) REFERENCES lots (member_id, lot_id)
);
CREATE INDEX entry_allocations_lot_idx ON entry_allocations (member_id, lot_id);

CREATE TABLE holds (
    member_id         varchar(64)  NOT NULL,
    hold_id           uuid         NOT NULL,
    points            bigint       NOT NULL CHECK (points >= 1),
    status            varchar(16)  NOT NULL CHECK (status IN ('HELD','CAPTURED','VOIDED','EXPIRED')),
    reference         varchar(128) NOT NULL,
    created_at        timestamptz  NOT NULL,
    expires_at        timestamptz  NOT NULL,
    captured_entry_id uuid,
    updated_at        timestamptz  NOT NULL,
    PRIMARY KEY (member_id, hold_id),
    CONSTRAINT holds_reference_uq UNIQUE (member_id, reference)
);
-- Reads of a member's live holds, and the sweep's scan for holds past their TTL.
CREATE INDEX holds_member_held_idx ON holds (member_id) WHERE status = 'HELD';
CREATE INDEX holds_expiry_idx ON holds (expires_at) WHERE status = 'HELD';
