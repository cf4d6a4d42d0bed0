package io.mqchat.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The benchmark's command line. Direct messages (default): N sender/receiver pairs over MQTT QoS 1 through
 * embedded HiveMQ with the mqchat extension (store-before-ack on embedded MongoDB, seq from Redis), then the
 * same load through a plain embedded HiveMQ, printed side by side. {@code --scenario group}: the same for
 * fan-out in one large group ({@link GroupFanOutBenchmark}); {@code one-connection}, {@code many-devices}: direct
 * messages from one busy connection or from thousands of slow devices ({@link LoadRun}); {@code idle}: the broker's
 * memory per idle connection ({@link IdleConnectionsBenchmark}); {@code broadcast}: an operator's broadcast to every
 * user, the time until every online device has it and its store writes ({@link BroadcastBenchmark}). Exit code 0 when every correctness check passed,
 * 1 when one failed, 2 for invalid options.
 */
@Command(name = "mqchat-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Direct messages (or group fan-out, one busy connection, many devices, idle connections, a "
                + "broadcast) over "
                + "MQTT QoS 1: mqchat (store before PUBACK) vs plain HiveMQ, same run.")
public final class DirectMessageBenchmark implements Callable<Integer> {

    static {
        // Embedded HiveMQ ships a logback.xml on the class path; use ours (everything at WARN).
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "mqchat-bench-logback.xml");
        }
    }

    @Option(names = "--scenario", converter = ScenarioConverter.class, description = "direct (sender/receiver pairs), "
            + "group (fan-out to every member of one group), cross-node (the pairs with receivers on the senders' "
            + "node, then on a second mqchat node in a child JVM), one-connection (one sender connection round-robin "
            + "over --recipients), many-devices (--devices each sending every --send-every for --duration) or idle "
            + "(--connections held open; broker heap and RSS per connection) or roaming (a new device syncs "
            + "--roaming-messages; history pages) or broadcast (an operator's broadcast to --registered users with "
            + "--connections online: time to every device, store writes) (default: direct)")
    BenchSettings.Scenario scenario = BenchSettings.Scenario.direct;

    @Option(names = "--pairs", description = "direct: sender/receiver pairs (default: ${DEFAULT-VALUE})")
    int pairs = 20;

    @Option(names = "--members", description = "group: members, all connected (default: ${DEFAULT-VALUE})")
    int members = GroupSettings.defaults().members();

    @Option(names = "--senders", description = "group: members that publish (default: ${DEFAULT-VALUE})")
    int senders = GroupSettings.defaults().senders();

    @Option(names = "--invalidate-every", description = "group, mqchat: announce a membership change every this "
            + "many publishes, so the broker's membership cache misses (default: 0, never)")
    int invalidateEvery;

    @Option(names = "--recipients", description = "one-connection: receivers the one sender publishes to in turn "
            + "(default: ${DEFAULT-VALUE})")
    int recipients = FleetSettings.defaults().recipients();

    @Option(names = "--devices", description = "many-devices: connected devices, each sending to the next one "
            + "(default: ${DEFAULT-VALUE})")
    int devices = FleetSettings.defaults().devices();

    @Option(names = "--send-every", converter = DurationConverter.class,
            description = "many-devices: each device publishes once per this interval (default: 5s)")
    Duration sendEvery = FleetSettings.defaults().sendEvery();

    @Option(names = "--connections", description = "idle: connections held open (default: 10000); broadcast: devices "
            + "online (default: 5000)")
    Integer connections;

    @Option(names = "--registered", description = "broadcast: registered users, the first --connections of them "
            + "online (default: ${DEFAULT-VALUE})")
    int registered = FleetSettings.BROADCAST_REGISTERED;

    @Option(names = "--idle-for", converter = DurationConverter.class,
            description = "idle: how long the connections are held before the memory is measured (default: 10s)")
    Duration idleFor = FleetSettings.defaults().idleFor();

    @Option(names = "--roaming-messages", description = "roaming: messages sent to the user, then synced by its new "
            + "device (default: ${DEFAULT-VALUE})")
    int roamingMessages = FleetSettings.defaults().roamingMessages();

    @Option(names = "--history-messages", description = "roaming: messages stored for the second history page "
            + "measurement, the rest written straight into MongoDB; 0 for none (default: ${DEFAULT-VALUE})")
    long historyMessages = FleetSettings.defaults().historyMessages();

    @Option(names = "--history-pages", description = "roaming: history pages timed at each store size "
            + "(default: ${DEFAULT-VALUE})")
    int historyPages = FleetSettings.defaults().historyPages();

    @Option(names = "--messages", description = "measured messages per sender (default: 2000; group: 50; "
            + "one-connection: 50 per recipient; many-devices: --duration / --send-every; broadcast: timed broadcasts, 5)")
    Integer messages;

    @Option(names = "--inflight", description = "QoS 1 publishes in flight per sender connection (default: 10; "
            + "one-connection: 100)")
    Integer inflight;

    @Option(names = "--payload-bytes", description = "message body length (default: ${DEFAULT-VALUE})")
    int payloadBytes = 100;

    @Option(names = "--warmup", description = "warm-up messages per sender, not measured (default: 200; group: 5; "
            + "one-connection: 5 per recipient; many-devices: 1 per device; broadcast: 1 broadcast)")
    Integer warmup;

    @Option(names = "--rate", description = "publishes per second across all senders (default: 0, as fast as the "
            + "in-flight window allows)")
    int rate;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "stop each side's measured phase after this long (e.g. 30s), --messages still caps it; "
                    + "many-devices: how long the measured phase sends (default there: 60s)")
    Duration duration;

    @Option(names = "--mqtt3", description = "use MQTT 3.1.1 clients instead of MQTT 5")
    boolean mqtt3;

    @Option(names = "--batch-size", description = "mqchat store: messages per insertMany (default: ${DEFAULT-VALUE})")
    int batchSize = 256;

    @Option(names = "--writers", description = "mqchat store: concurrent insert batches (default: ${DEFAULT-VALUE})")
    int writers = 2;

    @Option(names = "--store-timeout", converter = DurationConverter.class,
            description = "mqchat store: refuse a publish not stored within this (default: 5s)")
    Duration storeTimeout = Duration.ofSeconds(5);

    @Option(names = "--mongo-uri", description = "external MongoDB instead of the embedded H2 file store")
    String mongoUri;

    @Option(names = "--redis", description = "external Redis (redis://host:port) instead of embedded Redis")
    String redis;

    @Option(names = "--max-phase-time", converter = DurationConverter.class,
            description = "give up on a phase after this long (default: 5m)")
    Duration maxPhaseTime = Duration.ofMinutes(5);

    @Option(names = "--sides", description = "both, mqchat or plain (default: ${DEFAULT-VALUE})")
    BenchSettings.Sides sides = BenchSettings.Sides.both;

    @Option(names = "--tcp-nodelay", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "clients disable Nagle's algorithm (default: ${DEFAULT-VALUE}; Paho's own default is off)")
    boolean tcpNoDelay = true;

    @Option(names = "--across-first", description = "cross-node: run the side across nodes first, then the same-node "
            + "side (default: same node first)")
    boolean acrossFirst;

    /** The measured phase of many-devices when {@code --duration} is not given. */
    static final Duration MANY_DEVICES_DURATION = Duration.ofSeconds(60);

    public static void main(String[] args) {
        int code = new CommandLine(new DirectMessageBenchmark()).execute(args);
        System.exit(code);
    }

    BenchSettings settings() {
        BenchSettings.Scenario sc = scenario == null ? BenchSettings.Scenario.direct : scenario;
        int open = connections != null ? connections : sc == BenchSettings.Scenario.broadcast
                ? FleetSettings.BROADCAST_CONNECTIONS : FleetSettings.defaults().connections();
        FleetSettings fleet = new FleetSettings(recipients, devices, sendEvery, open, idleFor, roamingMessages,
                historyMessages, historyPages, registered);
        Duration phaseDuration = duration == null && sc == BenchSettings.Scenario.manyDevices ? MANY_DEVICES_DURATION
                : duration;
        // many-devices sends for a time: one message per device and interval
        int measuredMessages = sc == BenchSettings.Scenario.manyDevices ? fleet.messagesIn(phaseDuration)
                : messages != null ? messages : sc.defaultMessages();
        return new BenchSettings(sc, new GroupSettings(members, senders, invalidateEvery), fleet, pairs,
                measuredMessages, warmup != null ? warmup : sc.defaultWarmup(),
                inflight != null ? inflight : sc.defaultInflight(), payloadBytes, phaseDuration, mqtt3, batchSize, writers, storeTimeout, mongoUri, redis, maxPhaseTime,
                sides, tcpNoDelay, rate, acrossFirst);
    }

    @Override
    public Integer call() throws Exception {
        BenchSettings s = settings();
        List<String> problems = new ArrayList<>(s.problems());
        if (s.scenario() == BenchSettings.Scenario.manyDevices && messages != null) {
            problems.add("--messages does not apply to many-devices (each device sends --duration / --send-every)");
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("mqchat-bench: " + p));
            return 2;
        }
        System.out.println("mqchat-bench: " + s.describe());
        System.out.printf(Locale.ROOT, "JVM %s, %d cores, max heap %d MB%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        BenchmarkReport report = Benchmark.run(s, System.out);
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.println(report.passed() ? "All correctness checks passed."
                : "CORRECTNESS CHECKS FAILED — see above.");
        return report.passed() ? 0 : 1;
    }

    static final class ScenarioConverter implements CommandLine.ITypeConverter<BenchSettings.Scenario> {
        @Override
        public BenchSettings.Scenario convert(String value) {
            try {
                return BenchSettings.Scenario.ofCliName(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m} or ISO-8601 {@code PT30S}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.startsWith("p")) {
                return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(v));
        }
    }
}
