package dev.loyalty.functions;

import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.store.Connections;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a SnapStart restore no connection from the snapshot is used again: the CRaC hook
 * (called here as Lambda's runtime calls it) swaps in a new pool, and a pool it built before is
 * closed. The function keeps working through the swap.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class SnapStartRestoreTest extends LedgerTestSupport {
    @Inject
    Db db;
    @Inject
    Connections connections;
    @Inject
    EarnService earn;

    int backendPid() {
        return db.read(tx -> tx.one("SELECT pg_backend_pid() AS pid", r -> r.getInteger("pid")).orElseThrow());
    }

    boolean alive(int pid) {
        return PostgresResource.owner().read(tx -> tx.one("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1",
                r -> r.getLong("n"), pid).orElseThrow()) > 0;
    }

    @Test
    void afterRestoreTheFunctionUsesNewConnectionsAndClosesOnesItBuiltBefore() throws Exception {
        String m = newMember();
        earn.earn(new EarnCommand(m, 10, "PURCHASE", "snap-1", null, null));
        int beforeSnapshot = backendPid();

        connections.afterRestore(null);
        int afterFirstRestore = backendPid();
        assertNotEquals(beforeSnapshot, afterFirstRestore, "a connection from before the snapshot was reused");
        earn.earn(new EarnCommand(m, 5, "PURCHASE", "snap-2", null, null));

        connections.afterRestore(null);
        int afterSecondRestore = backendPid();
        assertNotEquals(afterFirstRestore, afterSecondRestore);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alive(afterFirstRestore) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(!alive(afterFirstRestore), "the pool built at the first restore was closed with its connections");
        earn.earn(new EarnCommand(m, 1, "PURCHASE", "snap-3", null, null));
        assertEquals(List.of(16L), db.read(tx -> tx.list("SELECT balance FROM accounts WHERE member_id = $1",
                r -> r.getLong("balance"), m)));
    }
}
