package io.mqchat.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The devices of the broadcast scenario, in a child JVM ({@link BroadcastBenchmark}): every device is a
 * {@link RawMqttConnection} (connected like {@link IdleClients}' devices), all read by one thread with one selector,
 * answering QoS 1 PUBLISHes with PUBACKs. A broadcast is recognised by its marker {@value #MARKER}{@code <round>;} in
 * the payload; each device's first arrival of a round counts.
 *
 * <p>Reads the devices from {@code MQCHAT_BCAST_DEVICES} and connects to {@code MQCHAT_BCAST_BROKER}; prints
 * {@code ready <count> <seconds>} or {@code failed <reason>}. Then, on its standard input:
 * {@code go <round> <sender's nanoTime>} starts a round's clock (sent by the bench right before it sends the
 * broadcast) and {@code result <round>} asks for the round's line now. A round's line
 * ({@link RoundResult#line}) is printed by itself as soon as every device has the broadcast. Stops when its standard
 * input ends.
 */
final class BroadcastClients {

    static final String MARKER = "bcast#";
    static final String GO = "go";
    static final String RESULT = "result";
    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);

    private BroadcastClients() {
    }

    public static void main(String[] args) throws Exception {
        List<String> devices = Files.readAllLines(Path.of(System.getenv("MQCHAT_BCAST_DEVICES")), StandardCharsets.UTF_8);
        URI broker = URI.create(System.getenv("MQCHAT_BCAST_BROKER"));
        long t0 = System.nanoTime();
        List<RawMqttConnection> connections = IdleClients.connectAll(devices,
                new InetSocketAddress(broker.getHost(), broker.getPort()));
        Selector selector = Selector.open();
        for (int i = 0; i < connections.size(); i++) {
            connections.get(i).register(selector, i);
        }
        System.out.printf(Locale.ROOT, "%s%d %.1f%n", IdleClients.READY, connections.size(), (System.nanoTime() - t0) / 1e9);
        System.out.flush();

        Rounds rounds = new Rounds(connections.size());
        Thread commands = new Thread(() -> readCommands(rounds, selector), "broadcast-clients-stdin");
        commands.setDaemon(true);
        commands.start();

        long pingEvery = TimeUnit.SECONDS.toNanos(IdleClients.KEEP_ALIVE_SECONDS / 2);
        long nextPing = System.nanoTime() + pingEvery;
        int closed = 0;
        while (commands.isAlive()) {
            selector.select(1_000);
            for (SelectionKey key : selector.selectedKeys()) {
                int device = (Integer) key.attachment();
                int got = connections.get(device).receive((packet, from, to) -> {
                    int round = round(packet, from, to);
                    if (round > 0) {
                        print(rounds.arrived(round, device, System.nanoTime()));
                    }
                });
                if (got < 0) {
                    key.cancel();
                    connections.get(device).close();
                    closed++;
                    System.err.println("broadcast clients: connection " + device + " closed (" + closed + " so far)");
                }
            }
            selector.selectedKeys().clear();
            if (System.nanoTime() - nextPing > 0) {
                connections.forEach(RawMqttConnection::ping);
                nextPing = System.nanoTime() + pingEvery;
            }
        }
        connections.forEach(RawMqttConnection::close);
        System.exit(0);
    }

    private static void readCommands(Rounds rounds, Selector selector) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                String[] f = line.strip().split(" ");
                if (f.length == 3 && f[0].equals(GO)) {
                    print(rounds.go(Integer.parseInt(f[1]), now, Long.parseLong(f[2])));
                } else if (f.length == 2 && f[0].equals(RESULT)) {
                    print(rounds.result(Integer.parseInt(f[1])).line());
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("broadcast clients: commands not readable: " + e);
        }
        selector.wakeup();
    }

    private static void print(String line) {
        if (line != null) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /** The round of the first marker in {@code b[from, to)}: {@value #MARKER} then digits; 0 when there is none. */
    static int round(byte[] b, int from, int to) {
        outer:
        for (int i = from; i <= to - MARKER_BYTES.length; i++) {
            for (int j = 0; j < MARKER_BYTES.length; j++) {
                if (b[i + j] != MARKER_BYTES[j]) {
                    continue outer;
                }
            }
            int round = 0;
            int at = i + MARKER_BYTES.length;
            while (at < to && b[at] >= '0' && b[at] <= '9' && round < 100_000_000) {
                round = round * 10 + (b[at++] - '0');
            }
            return round;
        }
        return 0;
    }

    /**
     * One round's outcome, times in ms from the round's {@code go} as the devices' JVM read it.
     *
     * @param devices  devices that got the broadcast
     * @param lastMs   go → the last of them
     * @param p50Ms    median of go → arrival over the devices that got it
     * @param p99Ms    99th percentile of the same
     * @param hopMicros the sender's {@code nanoTime} at go → the devices' JVM reading the go line (both read the
     *                 same monotonic clock on Linux), in µs; NaN when go was not read
     * @param early    devices whose arrival came before the go line was read (counted at 0 ms)
     */
    record RoundResult(int round, int devices, double lastMs, double p50Ms, double p99Ms, double hopMicros, int early) {

        static final String PREFIX = "round ";

        String line() {
            return String.format(Locale.ROOT, "%s%d %d %.3f %.3f %.3f %.1f %d", PREFIX, round, devices, lastMs, p50Ms,
                    p99Ms, hopMicros, early);
        }

        static RoundResult parse(String line) {
            String[] f = line.substring(PREFIX.length()).strip().split(" ");
            return new RoundResult(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Integer.parseInt(f[6]));
        }
    }

    /** The arrivals of every round so far; called from the reading thread and the command thread. */
    static final class Rounds {

        private final int devices;
        private final Map<Integer, Round> rounds = new HashMap<>();

        Rounds(int devices) {
            this.devices = devices;
        }

        private static final class Round {
            long go;
            boolean started;
            long hop;
            final BitSet seen = new BitSet();
            long[] at = new long[64];
            int count;
        }

        /** The round's go was read at {@code now}; its line when every device already has it, else null. */
        synchronized String go(int round, long now, long senderNanos) {
            Round r = rounds.computeIfAbsent(round, k -> new Round());
            r.go = now;
            r.hop = now - senderNanos;
            r.started = true;
            return r.count == devices ? result(round).line() : null;
        }

        /**
         * A device got the round's broadcast at {@code now}; the round's line when this was the last device and the
         * round has started, else null. A device's later arrivals of the same round are ignored.
         */
        synchronized String arrived(int round, int device, long now) {
            Round r = rounds.computeIfAbsent(round, k -> new Round());
            if (r.seen.get(device)) {
                return null;
            }
            r.seen.set(device);
            if (r.count == r.at.length) {
                r.at = Arrays.copyOf(r.at, r.at.length * 2);
            }
            r.at[r.count++] = now;
            return r.count == devices && r.started ? result(round).line() : null;
        }

        synchronized RoundResult result(int round) {
            Round r = rounds.get(round);
            if (r == null || r.count == 0) {
                return new RoundResult(round, 0, Double.NaN, Double.NaN, Double.NaN,
                        r != null && r.started ? r.hop / 1e3 : Double.NaN, 0);
            }
            if (!r.started) {
                return new RoundResult(round, r.count, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
            }
            long[] after = new long[r.count];
            int early = 0;
            for (int i = 0; i < r.count; i++) {
                after[i] = Math.max(0, r.at[i] - r.go);
                if (r.at[i] < r.go) {
                    early++;
                }
            }
            Arrays.sort(after);
            return new RoundResult(round, r.count, after[r.count - 1] / 1e6, percentile(after, 50) / 1e6,
                    percentile(after, 99) / 1e6, r.hop / 1e3, early);
        }

        /** The nearest-rank percentile of sorted values. */
        static long percentile(long[] sorted, double p) {
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }
}
