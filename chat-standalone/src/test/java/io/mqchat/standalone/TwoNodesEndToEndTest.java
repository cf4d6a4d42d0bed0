package io.mqchat.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.embedded.mongo.EmbeddedMongo;
import io.mqchat.embedded.EmbeddedRedis;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two broker nodes, as behind a load balancer: one in this JVM, one in a child JVM, sharing MongoDB and
 * Redis. HiveMQ CE has no cluster; messages, sender copies, group messages and retained presence reach the
 * devices on the other node through the extension's forwarding over the Redis bus.
 */
class TwoNodesEndToEndTest {

    private static final String PASSWORD = "two-nodes-2026";
    private static final String SECRET = "two-nodes-test-secret-0123456789abcdefghij";

    @TempDir
    static Path dir;
    private static EmbeddedMongo mongo;
    private static EmbeddedRedis redis;
    private static EmbeddedStack node1;
    private static Process node2;
    private static StackClient one;
    private static StackClient two;

    @BeforeAll
    static void start() throws Exception {
        mongo = EmbeddedMongo.inMemory();
        redis = EmbeddedRedis.start(0, null);
        Map<String, String> env1 = sharedStores(TestEnvironment.freshStack(dir.resolve("node1")));
        Map<String, String> env2 = sharedStores(TestEnvironment.freshStack(dir.resolve("node2")));
        StandaloneSettings s1 = StandaloneSettings.fromEnvironment(env1);
        StandaloneSettings s2 = StandaloneSettings.fromEnvironment(env2);
        node1 = EmbeddedStack.start(s1, env1);
        one = new StackClient(s1);
        two = new StackClient(s2);

        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), StandaloneMain.class.getName());
        child.environment().putAll(env2);
        Path log = Files.createDirectories(dir.resolve("node2")).resolve("node2.log");
        child.redirectErrorStream(true).redirectOutput(log.toFile());
        node2 = child.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!node2.isAlive()) {
                throw new AssertionError("node 2 stopped:\n" + Files.readString(log));
            }
            return portOpen(s2.mqttPort()) && portOpen(s2.apiPort()) && portOpen(s2.historyPort());
        });
        for (String user : List.of("alice", "bob", "carol", "boss")) {
            one.register(user, PASSWORD);
        }
    }

    private static Map<String, String> sharedStores(Map<String, String> env) {
        env.put("MQCHAT_MONGO_URI", mongo.uri("mqchat"));
        env.put("MQCHAT_REDIS_ADDRESS", redis.address());
        env.put("MQCHAT_JWT_SECRET", SECRET);
        env.put("MQCHAT_ADMINS", "boss");
        return env;
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (node2 != null) {
            node2.destroy();
            if (!node2.waitFor(20, TimeUnit.SECONDS)) {
                node2.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (node1 != null) {
            node1.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }


    @Test
    void directGroupAndPresenceCrossNodes() throws Exception {
        // alice's phone on node 1; her tablet, bob and carol on node 2
        String alicePhone = one.login("alice", PASSWORD, "phone");
        String aliceTablet = two.login("alice", PASSWORD, "tablet");
        String bobToken = two.login("bob", PASSWORD, "desktop");
        String carolToken = two.login("carol", PASSWORD, "web");
        try (StackClient.Device a1 = one.new Device("alice", "phone", alicePhone, "chat/u/alice");
             StackClient.Device a2 = two.new Device("alice", "tablet", aliceTablet, "chat/u/alice");
             StackClient.Device b = two.new Device("bob", "desktop", bobToken, "chat/u/bob");
             StackClient.Device c = two.new Device("carol", "web", carolToken, "chat/u/carol")) {
            // node 1 learnt of node 2 when node 2 started; a probe shows delivery across is on
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                a1.publish("chat/u/bob", "{\"cid\":\"" + StackClient.PROBE + System.nanoTime() + "\",\"body\":\"?\"}");
                return b.probed("d:alice:bob");
            });

            for (int i = 1; i <= 20; i++) {
                assertThat(StackClient.pubackCode(a1.publish("chat/u/bob", "{\"cid\":\"x" + i + "\",\"body\":\"across " + i + "\"}")))
                        .isLessThan(0x80);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> b.in("d:alice:bob").size() == 20);
            List<JsonNode> got = b.in("d:alice:bob");
            long first = got.get(0).get("seq").asLong();
            assertThat(got).extracting(n -> n.get("seq").asLong())
                    .containsExactlyElementsOf(LongStream.range(first, first + 20).boxed().toList());
            // the sender's other device, on the other node, gets the copies
            await().atMost(Duration.ofSeconds(10)).until(() -> a2.in("d:alice:bob").size() == 20);
            // and a reply from node 2 reaches node 1
            assertThat(StackClient.pubackCode(b.publish("chat/u/alice", "{\"cid\":\"back\",\"body\":\"hello node 1\"}"))).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> a1.in("d:alice:bob").stream()
                    .anyMatch(n -> "back".equals(n.path("cid").asText())));

            // a group made over REST on node 1: node 2's members receive what node 1 stores
            HttpResponse<String> created = one.api("POST", "/api/v1/groups",
                    "{\"name\":\"Across\",\"members\":[\"bob\",\"carol\"]}", alicePhone);
            assertThat(created.statusCode()).isEqualTo(201);
            String groupId = StackClient.json(created).get("groupId").asText();
            String conv = "g:" + groupId;
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.in(conv).isEmpty()); // the "created" event
            assertThat(StackClient.pubackCode(a1.publish("chat/g/" + groupId, "{\"cid\":\"g1\",\"body\":\"hi all\"}"))).isLessThan(0x80);
            for (StackClient.Device d : List.of(b, c, a2, a1)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> d.in(conv).stream()
                        .anyMatch(n -> "g1".equals(n.path("cid").asText())));
            }
            // exactly once on node 2, though node 2 also hears node 1's forward of what it published itself: and
            // still once a while later, so a late duplicate fails it too
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    c.in(conv).stream().filter(n -> "g1".equals(n.path("cid").asText())).count() == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> b.in("d:alice:bob").stream()
                    .filter(n -> n.path("cid").asText().matches("x\\d+")).count() == 20);

            // alice's retained presence, published on node 1, is retained on node 2 as well
            IMqttToken sub = b.mqtt.subscribe(new MqttSubscription("chat/p/alice", 1));
            sub.waitForCompletion(10_000);
            assertThat(sub.getReasonCodes()).containsExactly(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.arrivals.stream()
                    .anyMatch(n -> "alice".equals(n.path("user").asText()) && n.path("online").asBoolean()));

            // the admin API of either node lists the devices of both, each with the node holding it
            for (StackClient api : List.of(one, two)) {
                String boss = api.login("boss", PASSWORD, "web");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode online = StackClient.json(api.api("GET", "/api/v1/admin/online", null, boss));
                    assertThat(online.get("users")).extracting(u -> u.get("userId").asText())
                            .containsExactly("alice", "bob", "carol");
                    JsonNode alice = online.get("users").get(0).get("devices");
                    assertThat(alice).extracting(d -> d.get("deviceType").asText()).containsExactly("phone", "tablet");
                    String node1Id = alice.get(0).get("node").asText();
                    String node2Id = alice.get(1).get("node").asText();
                    assertThat(node1Id).isNotEqualTo(node2Id);
                    assertThat(online.get("users").get(1).get("devices").get(0).get("node").asText()).isEqualTo(node2Id);
                    assertThat(online.get("totals").get("users").asLong()).isEqualTo(3);
                    assertThat(online.get("totals").get("devices").asLong()).isEqualTo(4);
                    assertThat(online.get("totals").get("nodes").get(node1Id).asLong()).isEqualTo(1);
                    assertThat(online.get("totals").get("nodes").get(node2Id).asLong()).isEqualTo(3);
                });
            }
        }
    }
}
