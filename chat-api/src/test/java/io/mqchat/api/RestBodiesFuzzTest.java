package io.mqchat.api;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.web.HostileBodies;
import io.mqchat.web.TestHttp;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes chat-api's request bodies (register, login, group create and patch, add members, admin ban and kick,
 * change password, delete account, settings, contact requests, blocks) against the real app: whatever the body, the answer is a success or a 4xx
 * problem document, never a 5xx, HTML or a stack trace. The number of tries is jqwik's default from {@code junit-platform.properties}; a longer
 * campaign: {@code -Djqwik.tries.default=20000} (see the README's testing section).
 */
class RestBodiesFuzzTest {

    private static MongoServer mongo;
    private static ConfigurableApplicationContext app;
    private static int port;
    private static String token;
    private static String groupPath;

    /** The endpoints whose bodies are fuzzed: method and path. */
    record Endpoint(String method, String path, boolean authenticated) {
    }

    @BeforeContainer
    static void start() {
        mongo = new MongoServer(new MemoryBackend());
        var address = mongo.bind();
        app = ChatApiApplication.builder().properties(Map.of(
                "server.port", 0,
                "mqchat.mongo.uri", "mongodb://127.0.0.1:" + address.getPort() + "/fuzz",
                "mqchat.jwt.secret", TestSupport.SECRET,
                "mqchat.redis.address", TestSupport.redisAddress(),
                // the fuzzer registers and fails logins far faster than any client: limits have their own test
                "mqchat.rate-limit.registrations", "off",
                "mqchat.rate-limit.login-failures", "off",
                "mqchat.rate-limit.address-login-failures", "off",
                "mqchat.admins", "fuzzer")).run();
        port = ((WebServerApplicationContext) app).getWebServer().getPort();
        token = TestSupport.loggedInToken("fuzzer", "web");
        TestHttp.Response group = TestHttp.send(port, "POST", "/api/v1/groups", "application/json",
                "{\"name\":\"Fuzz\",\"members\":[]}", token);
        assertThat(group.status()).as(group.raw().body()).isEqualTo(201);
        groupPath = "/api/v1/groups/" + group.json().get("groupId").asText();
        TestHttp.Response target = TestHttp.postJson(port, "/api/v1/auth/register",
                "{\"userId\":\"fuzz-target\",\"password\":\"fuzz-pass-1\"}");
        assertThat(target.status()).as(target.raw().body()).isEqualTo(201);
    }

    @AfterContainer
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (mongo != null) {
            mongo.shutdownNow();
        }
    }

    @Provide
    Arbitrary<Endpoint> endpoints() {
        return Arbitraries.of(
                new Endpoint("POST", "/api/v1/auth/register", false),
                new Endpoint("POST", "/api/v1/auth/login", false),
                new Endpoint("POST", "/api/v1/groups", true),
                new Endpoint("PATCH", groupPath, true),
                new Endpoint("POST", groupPath + "/members", true),
                new Endpoint("POST", "/api/v1/admin/users/fuzz-target/ban", true),
                new Endpoint("POST", "/api/v1/admin/users/fuzz-target/kick", true),
                new Endpoint("POST", "/api/v1/users/me/password", true),
                new Endpoint("DELETE", "/api/v1/users/me", true),
                new Endpoint("PATCH", "/api/v1/users/me/settings", true),
                new Endpoint("POST", "/api/v1/contacts/requests", true),
                new Endpoint("POST", "/api/v1/contacts/requests/fuzz-target/accept", true),
                new Endpoint("PUT", "/api/v1/blocks/fuzz-target", true));
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return HostileBodies.bodies();
    }

    @Property
    void everyBodyGetsASuccessOrA4xxProblem(@ForAll("endpoints") Endpoint endpoint, @ForAll("bodies") byte[] body) {
        HostileBodies.assertAnswerIsAcceptable(port, endpoint.method(), endpoint.path(), body,
                endpoint.authenticated() ? token : null);
    }
}
