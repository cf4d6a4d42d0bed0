package io.mqchat.bench;

import io.mqchat.embedded.EmbeddedBroker;
import io.mqchat.embedded.FreePorts;

import java.nio.file.Path;
import java.util.List;

/** The baseline: the same embedded HiveMQ CE without any extension — an open broker, plain publishes. */
final class PlainTarget implements Target {

    private final EmbeddedBroker broker;

    private PlainTarget(EmbeddedBroker broker) {
        this.broker = broker;
    }

    static PlainTarget start(BenchSettings s, Path workDir) {
        return new PlainTarget(EmbeddedBroker.start(workDir.resolve("hivemq-plain"), brokerSettings(s), null, true));
    }

    /**
     * The same listener and limits for both brokers, on loopback. The server receive maximum (QoS 1
     * publishes a client may have in flight; Paho MQTT 5 obeys it) is kept above the in-flight window.
     */
    static EmbeddedBroker.Settings brokerSettings(BenchSettings s) {
        return brokerSettings(s.inflight());
    }

    static EmbeddedBroker.Settings brokerSettings(int inflight) {
        return new EmbeddedBroker.Settings("127.0.0.1", FreePorts.next(), FreePorts.next(), 256 * 1024, 1000,
                Math.min(65_535, Math.max(100, 2 * inflight)));
    }

    @Override
    public String name() {
        return "plain HiveMQ";
    }

    @Override
    public boolean enveloped() {
        return false;
    }

    @Override
    public String uri() {
        return broker.tcpUri();
    }

    @Override
    public BenchClient.Credentials credentials(String user, String device) {
        return null;
    }

    @Override
    public void createUsers(List<String> userIds) {
    }

    @Override
    public long storedCount(String conv) {
        return -1;
    }

    @Override
    public void close() {
        broker.close();
    }
}
