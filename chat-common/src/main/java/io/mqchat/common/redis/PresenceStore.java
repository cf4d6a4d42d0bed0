package io.mqchat.common.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqchat.common.protocol.Json;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RLexSortedSet;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Who is online, per device, in Redis. Each broker node writes the connections it holds
 * ({@link RedisKeys#presence}: device type → node and since) and keeps a heartbeat key alive; an entry
 * of a node whose heartbeat expired (the node died) counts as offline, so no user stays online forever
 * after a crash. Last-seen times are kept per device when a device goes offline.
 */
public final class PresenceStore {

    /** Removes the field only if it still belongs to the node (ARGV[2]); then records last seen. */
    private static final String REMOVE_IF_NODE =
            "local v = redis.call('hget', KEYS[1], ARGV[1]) "
                    + "if v and cjson.decode(v)['node'] == ARGV[2] then redis.call('hdel', KEYS[1], ARGV[1]) "
                    + "redis.call('hset', KEYS[2], ARGV[1], ARGV[3]) return 1 end return 0";

    /** Users of a dead node's set read per SSCAN call by the sweep. */
    private static final int SWEEP_CHUNK = 200;

    private final RedissonClient redis;

    /** One device of a user. {@code since}/{@code lastSeen} are epoch ms, 0 when unknown. */
    public record DevicePresence(String deviceType, boolean online, long since, long lastSeen) {
    }

    public PresenceStore(RedissonClient redis) {
        this.redis = redis;
    }

    private RMap<String, String> entries(String userId) {
        return redis.getMap(RedisKeys.presence(userId), StringCodec.INSTANCE);
    }

    private RMap<String, String> lastSeen(String userId) {
        return redis.getMap(RedisKeys.lastSeen(userId), StringCodec.INSTANCE);
    }

    /** A node's heartbeat: alive for {@code ttl} unless renewed. */
    public void heartbeat(String nodeId, Duration ttl) {
        redis.getBucket(RedisKeys.nodeHeartbeat(nodeId), StringCodec.INSTANCE).set("1", ttl.toMillis(),
                TimeUnit.MILLISECONDS);
        redis.getSet(RedisKeys.NODES, StringCodec.INSTANCE).add(nodeId);
    }

    public boolean isNodeAlive(String nodeId) {
        return redis.getBucket(RedisKeys.nodeHeartbeat(nodeId), StringCodec.INSTANCE).isExists();
    }

    /** Records a device as connected to {@code nodeId}. */
    public void connected(String userId, String deviceType, String nodeId, long now) {
        ObjectNode v = Json.MAPPER.createObjectNode().put("node", nodeId).put("since", now);
        entries(userId).fastPut(deviceType, v.toString());
        redis.getSet(RedisKeys.nodeUsers(nodeId), StringCodec.INSTANCE).add(userId);
        onlineIndex().add(userId); // after the entry: see disconnected
    }

    private RLexSortedSet onlineIndex() {
        return redis.getLexSortedSet(RedisKeys.ONLINE_USERS);
    }

    /** Records a device as gone, unless another node holds it by now. Returns whether it was removed. */
    public boolean disconnected(String userId, String deviceType, String nodeId, long now) {
        Long removed = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, REMOVE_IF_NODE,
                RScript.ReturnType.INTEGER, List.of(RedisKeys.presence(userId), RedisKeys.lastSeen(userId)),
                deviceType, nodeId, String.valueOf(now));
        if (removed == null || removed != 1) {
            return false;
        }
        // What is left decides both indexes, and each is taken back the same way: remove, then look again. A
        // device that connected meanwhile wrote its entry before adding the user to the online index and to its
        // node's set, so either we see its entry on the second look and add the user back, or its add comes after
        // our remove. (Not one script: the sets and the user's entries live in different Redis Cluster slots.)
        Map<String, String> left = entries(userId).readAllMap();
        if (!holdsDevice(left, nodeId)) {
            // the node's set holds who is connected there, not everyone who ever was (the sweep of a dead node
            // walks it)
            RSet<String> onNode = redis.getSet(RedisKeys.nodeUsers(nodeId), StringCodec.INSTANCE);
            onNode.remove(userId);
            if (holdsDevice(entries(userId).readAllMap(), nodeId)) {
                onNode.add(userId);
            }
        }
        if (left.isEmpty()) {
            onlineIndex().remove(userId);
            if (!entries(userId).isEmpty()) {
                onlineIndex().add(userId);
            }
        }
        return true;
    }

    /** Whether one of these presence entries (device type -> entry) names this node. */
    private static boolean holdsDevice(Map<String, String> entries, String nodeId) {
        for (String value : entries.values()) {
            JsonNode v = parse(value);
            if (v != null && nodeId.equals(v.path("node").asText())) {
                return true;
            }
        }
        return false;
    }

    /** Every device of the user that is online or was seen, by type. */
    public Map<String, DevicePresence> read(String userId) {
        Map<String, DevicePresence> out = new TreeMap<>();
        lastSeen(userId).readAllMap().forEach((type, ts) -> out.put(type,
                new DevicePresence(type, false, 0, parseLong(ts))));
        Map<String, Boolean> aliveByNode = new java.util.HashMap<>(); // one check per node, not per device
        for (Map.Entry<String, String> e : entries(userId).readAllMap().entrySet()) {
            JsonNode v = parse(e.getValue());
            if (v != null && aliveByNode.computeIfAbsent(v.path("node").asText(), this::isNodeAlive)) {
                long seen = out.containsKey(e.getKey()) ? out.get(e.getKey()).lastSeen() : 0;
                out.put(e.getKey(), new DevicePresence(e.getKey(), true, v.path("since").asLong(), seen));
            }
        }
        return out;
    }

    /**
     * Adds to the online index every user with presence entries that it lacks — entries written before the index
     * existed (a node of an older version). Walks the presence keys with SCAN, {@code chunk} at a time; returns
     * how many users were added. Users whose entries all belong to dead nodes may be added: readers skip them,
     * and the sweep removes them with those entries.
     */
    public int indexExisting(int chunk) {
        String prefix = RedisKeys.presence("");
        String pattern = prefix.substring(0, prefix.length() - 2) + "*";
        int added = 0;
        for (String key : (Iterable<String>) () -> redis.getKeys().getKeysStreamByPattern(pattern, chunk).iterator()) {
            if (!key.startsWith(prefix.substring(0, prefix.length() - 1)) || !key.endsWith("}")) {
                continue;
            }
            String userId = key.substring(prefix.length() - 1, key.length() - 1);
            if (!entries(userId).isEmpty() && onlineIndex().add(userId)) {
                added++;
            }
        }
        return added;
    }

    /** One online device with the broker node holding its connection, since when (epoch ms). */
    public record OnlineDevice(String deviceType, String node, long since) {
    }

    /** A user with their online devices (at least one), by device type. */
    public record OnlineUser(String userId, List<OnlineDevice> devices) {
    }

    /**
     * Up to {@code limit} online users with ids after {@code after} (null: from the start), by user id. Reads the
     * index in chunks ({@code chunk} ids, a batch of hash reads each) and skips users whose entries all belong to
     * dead nodes, so memory stays bounded by the chunk and the limit.
     */
    public List<OnlineUser> onlineAfter(String after, int limit, int chunk) {
        List<OnlineUser> out = new ArrayList<>();
        Map<String, Boolean> aliveByNode = new java.util.HashMap<>();
        String cursor = after;
        while (out.size() < limit) {
            java.util.Collection<String> ids = cursor == null ? onlineIndex().range(0, chunk - 1)
                    : onlineIndex().rangeTail(cursor, false, 0, chunk);
            if (ids.isEmpty()) {
                break;
            }
            RBatch batch = redis.createBatch();
            List<String> users = new ArrayList<>(ids);
            for (String u : users) {
                batch.<String, String>getMap(RedisKeys.presence(u), StringCodec.INSTANCE).readAllMapAsync();
            }
            List<?> maps = batch.execute().getResponses();
            for (int i = 0; i < users.size() && out.size() < limit; i++) {
                @SuppressWarnings("unchecked")
                Map<String, String> fields = (Map<String, String>) maps.get(i);
                List<OnlineDevice> devices = new ArrayList<>();
                new TreeMap<>(fields).forEach((type, json) -> {
                    JsonNode v = parse(json);
                    if (v != null && aliveByNode.computeIfAbsent(v.path("node").asText(), this::isNodeAlive)) {
                        devices.add(new OnlineDevice(type, v.path("node").asText(), v.path("since").asLong()));
                    }
                });
                if (!devices.isEmpty()) {
                    out.add(new OnlineUser(users.get(i), List.copyOf(devices)));
                }
            }
            if (ids.size() < chunk) {
                break;
            }
            cursor = users.get(users.size() - 1);
        }
        return out;
    }

    /** Totals over every online user: users, devices, devices per node (nodes by id). */
    public record OnlineTotals(long users, long devices, Map<String, Long> devicesByNode) {
    }

    /** Counts by walking the whole index in chunks of {@code chunk} users (bounded memory, one pass). */
    public OnlineTotals onlineTotals(int chunk) {
        long users = 0;
        long devices = 0;
        Map<String, Long> byNode = new TreeMap<>();
        String cursor = null;
        while (true) {
            List<OnlineUser> page = onlineAfter(cursor, chunk, chunk);
            for (OnlineUser u : page) {
                users++;
                for (OnlineDevice d : u.devices()) {
                    devices++;
                    byNode.merge(d.node(), 1L, Long::sum);
                }
            }
            if (page.size() < chunk) {
                return new OnlineTotals(users, devices, byNode);
            }
            cursor = page.get(page.size() - 1).userId();
        }
    }

    /** The retained presence payload of {@code chat/p/{userId}}. */
    public String presenceEvent(String userId, long now) {
        return presenceEvent(userId, read(userId), now);
    }

    /** The same from devices already {@link #read}. */
    public String presenceEvent(String userId, Map<String, DevicePresence> devices, long now) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "presence");
        n.put("user", userId);
        ArrayNode online = n.putArray("devices");
        long lastSeen = 0;
        for (DevicePresence d : devices.values()) {
            if (d.online()) {
                online.add(d.deviceType());
            }
            lastSeen = Math.max(lastSeen, d.lastSeen());
        }
        n.put("online", !online.isEmpty());
        n.put("lastSeen", lastSeen);
        n.put("ts", now);
        return n.toString();
    }

    /**
     * Which of these users have a device entry, in one round trip (a batch of HLEN). An entry of a node that died
     * counts until a sweep clears it (at most three heartbeats): cheap enough for every stored message, which is
     * what the webhooks' offline check needs.
     */
    public Set<String> withDevices(Collection<String> users) {
        if (users.isEmpty()) {
            return Set.of();
        }
        RBatch batch = redis.createBatch();
        Map<String, RFuture<Integer>> sizes = new LinkedHashMap<>();
        for (String user : users) {
            sizes.put(user, batch.<String, String>getMap(RedisKeys.presence(user), StringCodec.INSTANCE).sizeAsync());
        }
        batch.execute();
        Set<String> out = new HashSet<>();
        sizes.forEach((user, size) -> {
            if (size.toCompletableFuture().join() > 0) {
                out.add(user);
            }
        });
        return out;
    }

    /**
     * Clears the entries of nodes whose heartbeat expired and returns the users whose presence changed
     * (their retained presence must be published again).
     */
    public List<String> sweepDeadNodes(long now) {
        List<String> changed = new ArrayList<>();
        Set<String> nodes = redis.<String>getSet(RedisKeys.NODES, StringCodec.INSTANCE).readAll();
        for (String node : nodes) {
            if (isNodeAlive(node)) {
                continue;
            }
            RSet<String> users = redis.getSet(RedisKeys.nodeUsers(node), StringCodec.INSTANCE);
            // SSCAN in chunks: a node that held many users is not read in one reply
            for (String user : (Iterable<String>) () -> users.iterator(SWEEP_CHUNK)) {
                boolean any = false;
                for (Map.Entry<String, String> e : entries(user).readAllMap().entrySet()) {
                    JsonNode v = parse(e.getValue());
                    if (v != null && node.equals(v.path("node").asText())) {
                        any |= disconnected(user, e.getKey(), node, now);
                    }
                }
                if (any) {
                    changed.add(user);
                }
            }
            users.delete();
            redis.getSet(RedisKeys.NODES, StringCodec.INSTANCE).remove(node);
        }
        return changed;
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
