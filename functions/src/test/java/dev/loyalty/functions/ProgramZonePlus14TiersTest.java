package dev.loyalty.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import java.time.ZoneId;

/** {@link ProgramZoneTiers} with the program at UTC+14 (Line Islands). */
@QuarkusTest
@TestProfile(ProgramZonePlus14TiersTest.Profile.class)
class ProgramZonePlus14TiersTest extends ProgramZoneTiers {
    static final String ZONE = "Pacific/Kiritimati";

    public static final class Profile extends InZone {
        public Profile() {
            super(ZONE);
        }
    }

    @Override
    ZoneId zone() {
        return ZoneId.of(ZONE);
    }
}
