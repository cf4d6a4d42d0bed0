package io.mqchat.common.redis;

import io.mqchat.common.store.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy of bans the broker reads: temporary ones end by themselves, permanent ones only when lifted. */
class AccountBansTest {

    @RegisterExtension
    static final TestRedis redis = TestRedis.forTestClass();

    private static Optional<AccountBans.Ban> find(AccountBans bans, String user) {
        return bans.find(user).toCompletableFuture().join();
    }

    @Test
    void aTemporaryBanEndsAtItsUntilAndAPermanentOneWhenLifted() {
        MutableClock clock = new MutableClock(1_000_000_000_000L);
        AccountBans bans = new AccountBans(redis.redisson(), clock);
        Instant until = clock.instant().plusSeconds(3600);

        bans.ban("eve", new AccountBans.Ban("spam", until));
        bans.ban("mal", new AccountBans.Ban(null, null));
        assertThat(find(bans, "eve")).contains(new AccountBans.Ban("spam", until));
        assertThat(find(bans, "eve").orElseThrow().describe()).isEqualTo("this account is banned until " + until + ": spam");
        assertThat(find(bans, "mal").orElseThrow().describe()).isEqualTo("this account is banned permanently");
        assertThat(find(bans, "kim")).isEmpty();
        // the key expires with the ban; the check does not wait for Redis to notice
        assertThat(redis.redisson().getBucket(RedisKeys.ban("eve")).remainTimeToLive()).isPositive();
        assertThat(redis.redisson().getBucket(RedisKeys.ban("mal")).remainTimeToLive()).isEqualTo(-1);

        clock.advance(3_600_000);
        assertThat(find(bans, "eve")).isEmpty();
        assertThat(find(bans, "mal")).isPresent();
        bans.lift("mal");
        assertThat(find(bans, "mal")).isEmpty();
        // a ban that ended already is not written at all
        bans.ban("old", new AccountBans.Ban("late", clock.instant().minusSeconds(1)));
        assertThat(redis.redisson().getBucket(RedisKeys.ban("old")).isExists()).isFalse();
    }
}
