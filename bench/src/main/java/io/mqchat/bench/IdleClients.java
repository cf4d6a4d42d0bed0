package io.mqchat.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The idle devices, in a child JVM of the bench ({@link IdleConnectionsBenchmark}), so that the bench's own heap and
 * RSS hold the broker and nothing of the clients. Each device is a {@link RawMqttConnection}.
 *
 * <p>Reads its devices from the file {@code MQCHAT_IDLE_DEVICES} (one {@code clientId\tusername\tpassword\ttopic}
 * per line, username {@code -} for none) and connects them to {@code MQCHAT_IDLE_BROKER} ({@code tcp://host:port}),
 * {@value #CONNECT_THREADS} at a time. Prints {@code ready <count> <seconds>} when all are subscribed, or
 * {@code failed <reason>}. Then pings each connection every half keep-alive and answers {@code status} with
 * {@code status <open> <closed by the broker> <pings> <bytes received>}; stops when its standard input ends.
 */
final class IdleClients {

    static final String READY = "ready ";
    static final String FAILED = "failed ";
    static final String STATUS = "status";
    static final int KEEP_ALIVE_SECONDS = 60;
    private static final int CONNECT_THREADS = 8;

    private IdleClients() {
    }

    /** One line of the devices file. */
    static String deviceLine(String clientId, BenchClient.Credentials credentials, String topic) {
        return clientId + "\t" + (credentials == null ? "-\t-" : credentials.username() + "\t" + credentials.password())
                + "\t" + topic;
    }

    /** Writes the devices file: device {@code device} of each user, subscribing to {@code topicOf} the user. */
    static void writeDevices(Path file, List<String> users, String device, Target target,
                             Function<String, String> topicOf) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String user : users) {
                w.write(deviceLine(user + ":" + device, target.credentials(user, device), topicOf.apply(user)));
                w.newLine();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> devices = Files.readAllLines(Path.of(System.getenv("MQCHAT_IDLE_DEVICES")), StandardCharsets.UTF_8);
        URI broker = URI.create(System.getenv("MQCHAT_IDLE_BROKER"));
        InetSocketAddress address = new InetSocketAddress(broker.getHost(), broker.getPort());
        long t0 = System.nanoTime();
        List<RawMqttConnection> connections = connectAll(devices, address);
        System.out.printf(Locale.ROOT, "%s%d %.1f%n", READY, connections.size(), (System.nanoTime() - t0) / 1e9);
        System.out.flush();

        AtomicLong closed = new AtomicLong();
        AtomicLong pings = new AtomicLong();
        AtomicLong received = new AtomicLong();
        List<RawMqttConnection> open = new ArrayList<>(connections);
        var pinger = Executors.newSingleThreadScheduledExecutor();
        Runnable sweep = () -> {
            synchronized (open) {
                for (var it = open.iterator(); it.hasNext(); ) {
                    RawMqttConnection c = it.next();
                    long bytes = c.drain();
                    if (bytes < 0 || !c.ping()) {
                        closed.incrementAndGet();
                        c.close();
                        it.remove();
                    } else {
                        received.addAndGet(bytes);
                        pings.incrementAndGet();
                    }
                }
            }
        };
        pinger.scheduleAtFixedRate(sweep, KEEP_ALIVE_SECONDS / 2, KEEP_ALIVE_SECONDS / 2, TimeUnit.SECONDS);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.strip().equals(STATUS)) {
                // look at every connection now, rather than report the last sweep
                pinger.submit(sweep).get();
                synchronized (open) {
                    System.out.println(STATUS + " " + open.size() + " " + closed.get() + " " + pings.get() + " "
                            + received.get());
                }
                System.out.flush();
            }
        }
        pinger.shutdownNow();
        connections.forEach(RawMqttConnection::close);
        System.exit(0);
    }

    /**
     * Opens every device's connection ({@code clientId\tusername\tpassword\ttopic} lines), {@value #CONNECT_THREADS}
     * at a time; when one fails, prints {@code failed <reason>}, closes the others and exits the JVM.
     */
    static List<RawMqttConnection> connectAll(List<String> devices, InetSocketAddress address) {
        List<RawMqttConnection> connections = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(CONNECT_THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            ThreadLocal<Selector> selectors = ThreadLocal.withInitial(IdleClients::selector);
            for (String line : devices) {
                String[] f = line.split("\t", 4);
                futures.add(pool.submit(() -> {
                    connections.add(RawMqttConnection.open(address, f[0], "-".equals(f[1]) ? null : f[1], f[2],
                            KEEP_ALIVE_SECONDS, f[3], selectors.get(), 30_000));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            System.out.println(FAILED + connections.size() + " of " + devices.size() + " connected, then: " + cause);
            System.out.flush();
            connections.forEach(RawMqttConnection::close);
            System.exit(1);
        } finally {
            pool.shutdownNow();
        }
        return new ArrayList<>(connections);
    }

    private static Selector selector() {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
