package io.mqchat.broker.session;

import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish authorizer lets nothing through: the chat interceptor prevents every client publish (and publishes
 * the stored message itself), so what HiveMQ asks it about skipped the interceptors — a Last Will (at CONNECT) or
 * a publish of a connection without them.
 */
class TopicAuthorizerPublishTest {

    private final TopicAuthorizer authorizer = new TopicAuthorizer(null, null, Duration.ofSeconds(1), Runnable::run,
            new SubscribeReasons());
    private final Map<String, ByteBuffer> attributes = new HashMap<>();

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return answers.get(method.getName());
        });
    }

    private ConnectionInformation connection() {
        ConnectionAttributeStore store = (ConnectionAttributeStore) Proxy.newProxyInstance(
                ConnectionAttributeStore.class.getClassLoader(), new Class<?>[]{ConnectionAttributeStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "get" -> Optional.ofNullable(attributes.get((String) args[0])).map(ByteBuffer::duplicate);
                    case "put" -> attributes.put((String) args[0], (ByteBuffer) args[1]);
                    case "remove" -> Optional.ofNullable(attributes.remove((String) args[0]));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return fake(ConnectionInformation.class, Map.of("getConnectionAttributeStore", store));
    }

    private PublishAuthorizerInput input(Class<? extends PublishPacket> type, String topic, String payload) {
        PublishPacket packet = fake(type, Map.of("getTopic", topic, "getPacketId", 7,
                "getPayload", Optional.of(ByteBuffer.wrap(payload.getBytes()))));
        return fake(PublishAuthorizerInput.class, Map.of("getPublishPacket", packet, "getConnectionInformation",
                connection()));
    }

    /** Records the decision. */
    private static PublishAuthorizerOutput output(List<String> decisions) {
        return (PublishAuthorizerOutput) Proxy.newProxyInstance(PublishAuthorizerOutput.class.getClassLoader(),
                new Class<?>[]{PublishAuthorizerOutput.class}, (proxy, method, args) -> {
                    decisions.add(method.getName() + (args == null ? "" : " " + java.util.Arrays.toString(args)));
                    return null;
                });
    }

    @Test
    void aWillIsRefusedWhateverItsTopic() {
        for (String topic : List.of("chat/u/victim", "chat/g/team", "chat/p/victim", "elsewhere")) {
            List<String> decisions = new ArrayList<>();
            authorizer.authorizePublish(input(WillPublishPacket.class, topic, "{}"), output(decisions));
            assertThat(decisions).as(topic).singleElement().asString()
                    .startsWith("failAuthorization [NOT_AUTHORIZED, will_not_allowed");
        }
    }

    @Test
    void aChatPublishWithoutAReceiptIsRefused() {
        List<String> decisions = new ArrayList<>();
        authorizer.authorizePublish(input(PublishPacket.class, "chat/u/victim", "{\"seq\":1}"), output(decisions));
        assertThat(decisions).singleElement().asString()
                .startsWith("failAuthorization [NOT_AUTHORIZED, not_authorized: this publish did not pass");
    }
}
