package dev.loyalty.functions;

import dev.loyalty.functions.store.LedgerChecks;
import dev.loyalty.functions.store.Migrator;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Migrates before each test and checks every ledger invariant after it, across all members. */
public abstract class LedgerTestSupport {
    @Inject
    protected Migrator migrator;
    @Inject
    protected LedgerChecks checks;

    @BeforeEach
    void migrate() {
        migrator.migrate();
    }

    @AfterEach
    void ledgerInvariantsHold() {
        List<LedgerChecks.Violation> violations = checks.checkAll(20);
        assertEquals(List.of(), violations, "ledger invariants");
    }

    /** A fresh member id per test, so tests never see each other's data. */
    protected static String newMember() {
        return "m-" + UUID.randomUUID().toString().substring(0, 18);
    }
}
