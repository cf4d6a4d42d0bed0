package io.mqchat.common.auth;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessTokensTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void issuedTokenVerifiesWithUserAndDevice() {
        AccessTokens tokens = new AccessTokens(SECRET);
        String token = tokens.issue("alice", "phone", Duration.ofHours(1));
        AccessTokens.AccessToken verified = tokens.verify(token).orElseThrow();
        assertThat(verified.userId()).isEqualTo("alice");
        assertThat(verified.deviceType()).isEqualTo("phone");
        assertThat(verified.tokenId()).isNotBlank();
    }

    @Test
    void refusesExpiredTamperedAndForeignTokens() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        AccessTokens issuer = new AccessTokens(SECRET, Clock.fixed(t0, ZoneOffset.UTC));
        String token = issuer.issue("alice", "phone", Duration.ofMinutes(5));
        AccessTokens later = new AccessTokens(SECRET, Clock.fixed(t0.plusSeconds(301), ZoneOffset.UTC));
        assertThat(later.verify(token)).isEmpty();

        AccessTokens now = new AccessTokens(SECRET, Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC));
        assertThat(now.verify(token)).isPresent();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertThat(now.verify(tampered)).isEmpty();
        assertThat(new AccessTokens("another-secret-another-secret-xx", Clock.fixed(t0, ZoneOffset.UTC)).verify(token))
                .isEmpty();
        assertThat(now.verify("not a jwt")).isEmpty();
        assertThat(now.verify(null)).isEmpty();
        // alg=none must never pass
        String none = "eyJhbGciOiJub25lIn0." + parts[1] + ".";
        assertThat(now.verify(none)).isEmpty();
    }

    @Test
    void shortSecretStopsStartup() {
        assertThatThrownBy(() -> new AccessTokens("short")).hasMessageContaining("MQCHAT_JWT_SECRET");
    }
}
