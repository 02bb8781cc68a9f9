package dev.ferry.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Client authentication at {@code /introspect} costs one password hash whatever the client id, so its
 * time does not tell a known id from an unknown one; only a secret that matched before is
 * remembered. Counted on a real bcrypt encoder rather than timed.
 */
class IntrospectionClientsTest {

    private final AtomicInteger hashes = new AtomicInteger();
    private IntrospectionClients clients;

    @BeforeEach
    void setUp() {
        DriverManagerDataSource database =
                new DriverManagerDataSource("jdbc:h2:mem:clients-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        JdbcTemplate jdbc = new JdbcTemplate(database);
        jdbc.execute("create table introspection_client (id varchar(64) primary key, description varchar(256),"
                + " secret_hash varchar(255) not null, created_at timestamp with time zone not null)");
        PasswordEncoder bcrypt = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        PasswordEncoder counting = new PasswordEncoder() {
            @Override
            public String encode(CharSequence raw) {
                return bcrypt.encode(raw);
            }

            @Override
            public boolean matches(CharSequence raw, String encoded) {
                hashes.incrementAndGet();
                return bcrypt.matches(raw, encoded);
            }
        };
        clients = new IntrospectionClients(jdbc, Clock.systemUTC(), counting);
    }

    @Test
    void anUnknownClientIdCostsAHashLikeAKnownOne() {
        String secret = clients.create("gateway", null).secret();

        assertThat(clients.authenticate("no-such-client", secret)).isFalse();
        assertThat(hashes.getAndSet(0)).as("unknown id").isEqualTo(1);
        assertThat(clients.authenticate("no-such-client", null)).isFalse();
        assertThat(hashes.getAndSet(0)).as("unknown id without a secret").isEqualTo(1);
        assertThat(clients.authenticate("gateway", "wrong")).isFalse();
        assertThat(hashes.getAndSet(0)).as("known id, wrong secret").isEqualTo(1);
    }

    @Test
    void aRememberedSecretSkipsTheHashButAWrongOneAfterItDoesNot() {
        String secret = clients.create("gateway", null).secret();
        assertThat(clients.authenticate("gateway", secret)).isTrue();
        assertThat(clients.authenticate("gateway", secret)).isTrue();
        assertThat(hashes.getAndSet(0)).as("the second success is remembered").isEqualTo(1);

        assertThat(clients.authenticate("gateway", secret + "x")).isFalse();

        assertThat(hashes.get())
                .as("a wrong secret for a client with a remembered one costs a hash too")
                .isEqualTo(1);
    }
}
