package io.mqchat.common.auth;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePolicyTest {

    private static final Set<String> LOGGED_IN = Set.of("phone", "desktop", "tablet");

    @Test
    void perTypeReplacesOnlyTheSameType() {
        assertThat(DevicePolicy.parse("per-type").replacedBy("phone", LOGGED_IN)).containsExactly("phone");
        assertThat(DevicePolicy.parse(null).replacedBy("web", LOGGED_IN)).isEmpty();
    }

    @Test
    void singleReplacesEverything() {
        assertThat(DevicePolicy.parse("single").replacedBy("web", LOGGED_IN))
                .containsExactlyInAnyOrder("phone", "desktop", "tablet");
    }

    @Test
    void exclusiveGroupsReplaceEachOther() {
        DevicePolicy policy = DevicePolicy.parse("per-type,phone+tablet");
        assertThat(policy.replacedBy("phone", LOGGED_IN)).containsExactlyInAnyOrder("phone", "tablet");
        assertThat(policy.replacedBy("desktop", LOGGED_IN)).containsExactly("desktop");
        assertThat(policy.toString()).isEqualTo("per-type,phone+tablet");
    }

    @Test
    void invalidPoliciesSayWhatIsWrong() {
        assertThatThrownBy(() -> DevicePolicy.parse("per-type,phone")).hasMessageContaining("two or more");
        assertThatThrownBy(() -> DevicePolicy.parse("Phone+x")).hasMessageContaining("not a device type");
    }

    @Test
    void deviceLoginAcceptsOnlyItsOwnToken() {
        AccessTokens tokens = new AccessTokens("0123456789abcdef0123456789abcdef");
        AccessTokens.AccessToken current = tokens.verify(tokens.issue("alice", "phone", java.time.Duration.ofHours(1)))
                .orElseThrow();
        AccessTokens.AccessToken older = tokens.verify(tokens.issue("alice", "phone", java.time.Duration.ofHours(1)))
                .orElseThrow();
        DeviceLogin login = new DeviceLogin("phone", current.tokenId(), current.issuedAt(), current.expiresAt());
        DeviceLogin roundTrip = DeviceLogin.fromJson(login.toJson()).orElseThrow();
        assertThat(roundTrip.accepts(current)).isTrue();
        assertThat(roundTrip.accepts(older)).isFalse();
    }
}
