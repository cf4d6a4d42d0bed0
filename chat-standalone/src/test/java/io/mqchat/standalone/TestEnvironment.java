package io.mqchat.standalone;

import io.mqchat.embedded.FreePorts;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The MQCHAT_* environment of a one-process stack for a test: its own data folder, free loopback ports. */
final class TestEnvironment {

    private TestEnvironment() {
    }

    /** A mutable map: tests add the settings they exercise. */
    static Map<String, String> freshStack(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("MQCHAT_DATA_DIR", dataDir.toString());
        env.put("MQCHAT_BIND_ADDRESS", "127.0.0.1");
        env.put("MQCHAT_MQTT_PORT", String.valueOf(FreePorts.next()));
        env.put("MQCHAT_WS_PORT", String.valueOf(FreePorts.next()));
        env.put("MQCHAT_API_PORT", String.valueOf(FreePorts.next()));
        env.put("MQCHAT_HISTORY_PORT", String.valueOf(FreePorts.next()));
        // these tests send hundreds of messages a second from one user; the limit is tested in broker-extension
        env.put("MQCHAT_RATELIMIT_PUBLISH", "off");
        return env;
    }
}
