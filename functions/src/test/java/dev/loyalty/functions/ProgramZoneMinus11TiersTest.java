package dev.loyalty.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import java.time.ZoneId;

/** {@link ProgramZoneTiers} with the program at UTC-11 (American Samoa). */
@QuarkusTest
@TestProfile(ProgramZoneMinus11TiersTest.Profile.class)
class ProgramZoneMinus11TiersTest extends ProgramZoneTiers {
    static final String ZONE = "Pacific/Pago_Pago";

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
