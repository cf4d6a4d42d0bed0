package io.mqchat.api.contacts;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqchat.api.ChatApiApplication;
import io.mqchat.api.TestSupport;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Contact limits that do not parse or are out of range stop start-up and name the variable to fix. */
class ContactLimitsStartupTest {

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
    void badContactLimitsStopStartUp() {
        assertThat(failure("--mqchat.ratelimit.contact-requests=plenty")).contains("MQCHAT_RATELIMIT_CONTACTREQUESTS");
        assertThat(failure("--mqchat.contacts.max-pending-requests=0")).contains("MQCHAT_CONTACTS_MAXPENDINGREQUESTS");
        assertThat(failure("--mqchat.contacts.max-blocks=-5")).contains("MQCHAT_CONTACTS_MAXBLOCKS");
        assertThat(failure("--mqchat.contacts.kept-changes=3")).contains("MQCHAT_CONTACTS_KEPTCHANGES");
    }
}
