package io.mqchat.api.groups;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.api.ChatApiApplication;
import io.mqchat.api.TestSupport;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A rate limit setting that does not parse stops start-up and names the variable to fix. */
class GroupRateLimitStartupTest {

    /** The messages of the start-up failure and its causes (stores reachable: only the setting is wrong). */
    private static String failure(String setting) {
        MongoServer mongo = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongo.bind();
        try {
            Throwable failure = catchThrowable(() -> ChatApiApplication.builder().run("--server.port=0",
                    "--mqchat.jwt.secret=" + TestSupport.SECRET, "--mqchat.redis.address=" + TestSupport.redisAddress(),
                    "--mqchat.mongo.uri=mongodb://127.0.0.1:" + address.getPort() + "/startup", setting).close());
            assertThat(failure).as("start-up must fail").isNotNull();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            return messages.toString();
        } finally {
            mongo.shutdownNow();
        }
    }

    @Test
    void badGroupLimitsStopStartUp() {
        assertThat(failure("--mqchat.ratelimit.group-create=lots")).contains("MQCHAT_RATELIMIT_GROUPCREATE");
        assertThat(failure("--mqchat.ratelimit.group-add=0/m")).contains("MQCHAT_RATELIMIT_GROUPADD");
    }

    @Test
    void aBadBroadcastLimitStopsStartUp() {
        // the admin's limit lives beside the groups' under mqchat.ratelimit
        assertThat(failure("--mqchat.ratelimit.broadcast=often")).contains("MQCHAT_RATELIMIT_BROADCAST");
    }
}
