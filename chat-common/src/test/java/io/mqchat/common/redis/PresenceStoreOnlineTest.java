package io.mqchat.common.redis;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index of online users the admin API pages through: written by every node next to the presence entries,
 * ordered by user id, pruned when a user's last device goes, and blind to the entries of dead nodes.
 */
class PresenceStoreOnlineTest {

    @RegisterExtension
    static final TestRedis redis = TestRedis.forTestClass();
    private PresenceStore store;

    @BeforeEach
    void clean() {
        redis.redisson().getKeys().flushall();
        store = new PresenceStore(redis.redisson());
        store.heartbeat("n1", Duration.ofMinutes(1));
        store.heartbeat("n2", Duration.ofMinutes(1));
    }

    private static List<String> ids(List<PresenceStore.OnlineUser> users) {
        return users.stream().map(PresenceStore.OnlineUser::userId).toList();
    }

    @Test
    void devicesOfSeveralNodesAreListedByUserIdWithNodeAndSinceAndPaged() {
        store.connected("bob", "phone", "n1", 100);
        store.connected("amy", "phone", "n1", 200);
        store.connected("amy", "desktop", "n2", 300);
        store.connected("cat", "web", "n2", 400);

        List<PresenceStore.OnlineUser> all = store.onlineAfter(null, 10, 2);
        assertThat(ids(all)).containsExactly("amy", "bob", "cat");
        assertThat(all.get(0).devices()).containsExactly(new PresenceStore.OnlineDevice("desktop", "n2", 300),
                new PresenceStore.OnlineDevice("phone", "n1", 200));
        assertThat(ids(store.onlineAfter(null, 2, 1))).containsExactly("amy", "bob");
        assertThat(ids(store.onlineAfter("amy", 10, 1))).containsExactly("bob", "cat");
        assertThat(ids(store.onlineAfter("cat", 10, 5))).isEmpty();

        PresenceStore.OnlineTotals totals = store.onlineTotals(2);
        assertThat(totals).isEqualTo(new PresenceStore.OnlineTotals(3, 4, Map.of("n1", 2L, "n2", 2L)));
    }

    @Test
    void aUserLeavesTheIndexWithTheLastDeviceAndAHandoverKeepsThem() {
        store.connected("amy", "phone", "n1", 100);
        store.connected("amy", "desktop", "n1", 100);
        store.disconnected("amy", "phone", "n1", 200);
        assertThat(ids(store.onlineAfter(null, 10, 10))).containsExactly("amy");
        // the desktop moved to n2 before n1 noticed it left: n1's disconnect removes nothing
        store.connected("amy", "desktop", "n2", 300);
        assertThat(store.disconnected("amy", "desktop", "n1", 400)).isFalse();
        assertThat(store.onlineAfter(null, 10, 10).get(0).devices())
                .containsExactly(new PresenceStore.OnlineDevice("desktop", "n2", 300));
        store.disconnected("amy", "desktop", "n2", 500);
        assertThat(store.onlineAfter(null, 10, 10)).isEmpty();
        assertThat(redis.redisson().getLexSortedSet(RedisKeys.ONLINE_USERS).size()).isZero();
    }

    @Test
    void theDevicesOfADeadNodeAreNotOnlineBeforeTheSweepAndLeaveTheIndexWithIt() {
        store.heartbeat("dead", Duration.ofMillis(1));
        store.connected("amy", "phone", "dead", 100);
        store.connected("bob", "phone", "dead", 100);
        store.connected("bob", "web", "n1", 100);
        redis.redisson().getBucket(RedisKeys.nodeHeartbeat("dead")).delete();

        assertThat(ids(store.onlineAfter(null, 10, 1))).containsExactly("bob");
        assertThat(store.onlineTotals(1)).isEqualTo(new PresenceStore.OnlineTotals(1, 1, Map.of("n1", 1L)));
        store.sweepDeadNodes(1000);
        assertThat(redis.redisson().getLexSortedSet(RedisKeys.ONLINE_USERS).readAll()).containsExactly("bob");
    }

    @Test
    void entriesWrittenBeforeTheIndexAreIndexedByAScan() {
        for (int i = 0; i < 25; i++) {
            redis.redisson().getMap(RedisKeys.presence("old-" + i), org.redisson.client.codec.StringCodec.INSTANCE)
                    .put("phone", "{\"node\":\"n1\",\"since\":" + i + "}");
        }
        store.connected("new", "web", "n2", 100);

        assertThat(store.indexExisting(7)).isEqualTo(25);
        assertThat(store.indexExisting(7)).isZero();
        List<PresenceStore.OnlineUser> all = store.onlineAfter(null, 100, 10);
        assertThat(all).hasSize(26);
        assertThat(ids(all)).contains("old-0", "old-24", "new");
        assertThat(store.onlineTotals(10)).isEqualTo(new PresenceStore.OnlineTotals(26, 26, Map.of("n1", 25L, "n2", 1L)));
    }

    private java.util.Set<String> usersOf(String node) {
        return redis.redisson().<String>getSet(RedisKeys.nodeUsers(node), StringCodec.INSTANCE).readAll();
    }

    @Test
    void aNodesSetHoldsTheUsersConnectedToItNotEveryoneWhoEverWas() {
        store.connected("amy", "phone", "n1", 100);
        store.connected("amy", "desktop", "n1", 100);
        store.connected("bob", "phone", "n1", 100);
        store.disconnected("amy", "phone", "n1", 200);
        assertThat(usersOf("n1")).as("amy's desktop is still on n1").containsExactlyInAnyOrder("amy", "bob");
        store.disconnected("amy", "desktop", "n1", 300);
        assertThat(usersOf("n1")).containsExactly("bob");

        // bob's phone moved to n2 before n1 noticed it left: n1 forgets bob, n2 holds him
        store.connected("bob", "phone", "n2", 400);
        assertThat(store.disconnected("bob", "phone", "n1", 500)).isFalse();
        store.connected("bob", "web", "n1", 600);
        store.disconnected("bob", "web", "n1", 700);
        assertThat(usersOf("n1")).isEmpty();
        assertThat(usersOf("n2")).containsExactly("bob");

        store.connected("amy", "phone", "n1", 800);
        assertThat(usersOf("n1")).containsExactly("amy");
    }

    @Test
    void theSweepOfADeadNodeWithManyUsersClearsThemAll() {
        store.heartbeat("dead", Duration.ofMinutes(1));
        List<String> users = new java.util.ArrayList<>();
        for (int i = 0; i < 450; i++) {
            users.add("user" + i);
            store.connected("user" + i, "phone", "dead", 100);
        }
        store.connected("user7", "web", "n1", 100);
        redis.redisson().getBucket(RedisKeys.nodeHeartbeat("dead")).delete();

        assertThat(store.sweepDeadNodes(1000)).containsExactlyInAnyOrderElementsOf(users);
        assertThat(ids(store.onlineAfter(null, 500, 100))).containsExactly("user7");
        assertThat(usersOf("dead")).isEmpty();
        assertThat(store.sweepDeadNodes(2000)).as("the dead node is forgotten").isEmpty();
    }

    @Test
    void whoHasDevicesIsAnsweredForManyUsersAtOnce() {
        store.connected("amy", "phone", "n1", 100);
        store.connected("bob", "desktop", "n2", 100);
        store.connected("cat", "web", "n1", 100);
        store.disconnected("cat", "web", "n1", 200); // gone again
        List<String> asked = new java.util.ArrayList<>(List.of("amy", "bob", "cat", "dan"));
        for (int i = 0; i < 1_000; i++) {
            asked.add("nobody-" + i);
        }
        assertThat(store.withDevices(asked)).containsExactlyInAnyOrder("amy", "bob");
        assertThat(store.withDevices(List.of())).isEmpty();
    }
}
