package io.mqchat.common.redis;

import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Allocates the next {@code seq} of a conversation with one atomic Redis round trip.
 *
 * <p>When Redis has no counter for the conversation (new conversation, or Redis lost its data) the
 * counter is seeded from the highest seq stored in MongoDB, so seqs never go backwards. A duplicate
 * {@code (conv, seq)} on insert means the seed was stale (messages were in flight); {@link #resync}
 * moves the counter past MongoDB's maximum.
 */
public final class SequenceAllocator {

    /** INCR only if the counter exists, else -1 (so the caller seeds it from MongoDB). */
    private static final String INCR_IF_EXISTS =
            "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incr', KEYS[1]) else return -1 end";
    /** Seed with ARGV[1] unless someone else seeded it first, then INCR. */
    private static final String SEED_AND_INCR =
            "if redis.call('exists', KEYS[1]) == 0 then redis.call('set', KEYS[1], ARGV[1]) end "
                    + "return redis.call('incr', KEYS[1])";
    /**
     * KEYS[1] the counter, KEYS[2] the attempt's reservation; ARGV[1] reservation ms, ARGV[2] now (epoch ms),
     * ARGV[3] '1' = allocate anew even if reserved, ARGV[4] the seed (absent: return -1 if there is no counter).
     * Returns {1 if reserved before else 0, seq, when the seq was allocated}.
     */
    private static final String RESERVE = """
            if ARGV[3] == '0' then
              local r = redis.call('get', KEYS[2])
              if r then
                local i = string.find(r, ':')
                return {1, tonumber(string.sub(r, 1, i - 1)), tonumber(string.sub(r, i + 1))}
              end
            end
            if redis.call('exists', KEYS[1]) == 0 then
              if not ARGV[4] then return {0, -1, 0} end
              redis.call('set', KEYS[1], ARGV[4])
            end
            local seq = redis.call('incr', KEYS[1])
            redis.call('set', KEYS[2], seq .. ':' .. ARGV[2], 'PX', ARGV[1])
            return {0, seq, tonumber(ARGV[2])}
            """;

    /**
     * A seq for one attempt of a client's message.
     *
     * @param seq         the seq
     * @param retried     whether an earlier attempt of the same {@code (sender, cid)} took this seq
     * @param allocatedAt when the seq was first allocated (epoch ms, the broker's clock)
     */
    public record Allocation(long seq, boolean retried, long allocatedAt) {
    }

    /** Raise the counter to at least ARGV[1]. */
    private static final String RAISE_TO =
            "local v = tonumber(redis.call('get', KEYS[1]) or '0') "
                    + "if v < tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) end return 1";

    private final RScript script;
    private final Function<String, CompletableFuture<Long>> storedMaxSeq;

    /**
     * @param redisson     the Redis client
     * @param storedMaxSeq the highest stored seq of a conversation (0 if none), from MongoDB
     */
    public SequenceAllocator(RedissonClient redisson, Function<String, CompletableFuture<Long>> storedMaxSeq) {
        this.script = redisson.getScript(StringCodec.INSTANCE);
        this.storedMaxSeq = storedMaxSeq;
    }

    /** The next seq of the conversation. */
    public CompletionStage<Long> next(String conv) {
        List<Object> key = List.of(RedisKeys.conversationSeq(conv));
        return script.<Long>evalAsync(RScript.Mode.READ_WRITE, INCR_IF_EXISTS, RScript.ReturnType.INTEGER, key)
                .thenCompose(seq -> seq >= 0
                        ? CompletableFuture.completedFuture(seq)
                        : storedMaxSeq.apply(conv).thenCompose(max -> script.<Long>evalAsync(RScript.Mode.READ_WRITE,
                                SEED_AND_INCR, RScript.ReturnType.INTEGER, key, String.valueOf(max))));
    }

    /**
     * The next seq of the conversation for an attempt of a client's message, reserved for the
     * {@code (sender, cid)} for {@code window}; or, when an earlier attempt reserved one within the window, that
     * seq (marked {@link Allocation#retried()}), so that the caller can answer a retry without taking a new seq.
     *
     * @param anew allocate a new seq even if one is reserved (the reserved one can no longer be used)
     */
    public CompletionStage<Allocation> next(String conv, String sender, String cid, long nowMillis, Duration window,
                                            boolean anew) {
        List<Object> keys = List.of(RedisKeys.conversationSeq(conv), RedisKeys.retrySeq(conv, sender, cid));
        String ttl = Long.toString(window.toMillis());
        String now = Long.toString(nowMillis);
        String force = anew ? "1" : "0";
        return script.<List<Long>>evalAsync(RScript.Mode.READ_WRITE, RESERVE, RScript.ReturnType.MULTI, keys, ttl, now,
                        force)
                .thenCompose(r -> r.get(1) >= 0
                        ? CompletableFuture.completedFuture(r)
                        : storedMaxSeq.apply(conv).thenCompose(max -> script.<List<Long>>evalAsync(
                                RScript.Mode.READ_WRITE, RESERVE, RScript.ReturnType.MULTI, keys, ttl, now, force,
                                String.valueOf(max))))
                .thenApply(r -> new Allocation(r.get(1), r.get(0) == 1L, r.get(2)));
    }

    /**
     * {@link #RESERVE} for many attempts in one round trip, in list order. KEYS: counter and reservation of each
     * attempt, in pairs; ARGV[1] reservation ms, ARGV[2] now, then per attempt its 'anew' flag and its seed ('' for
     * none). Returns three numbers per attempt, as {@link #RESERVE} does.
     */
    private static final String RESERVE_ALL = """
            local out = {}
            for i = 1, #KEYS / 2 do
              local counter, reservation = KEYS[2 * i - 1], KEYS[2 * i]
              local anew, seed = ARGV[1 + 2 * i], ARGV[2 + 2 * i]
              local done = false
              if anew == '0' then
                local r = redis.call('get', reservation)
                if r then
                  local c = string.find(r, ':')
                  out[#out + 1] = 1
                  out[#out + 1] = tonumber(string.sub(r, 1, c - 1))
                  out[#out + 1] = tonumber(string.sub(r, c + 1))
                  done = true
                end
              end
              if not done then
                if redis.call('exists', counter) == 0 and seed ~= '' then
                  redis.call('set', counter, seed)
                end
                if redis.call('exists', counter) == 0 then
                  out[#out + 1] = 0
                  out[#out + 1] = -1
                  out[#out + 1] = 0
                else
                  local seq = redis.call('incr', counter)
                  redis.call('set', reservation, seq .. ':' .. ARGV[2], 'PX', ARGV[1])
                  out[#out + 1] = 0
                  out[#out + 1] = seq
                  out[#out + 1] = tonumber(ARGV[2])
                end
              end
            end
            return out
            """;

    /** One attempt of a client's message asking for a seq: see {@link #next(String, String, String, long, Duration, boolean)}. */
    public record Request(String conv, String sender, String cid, boolean anew) {
    }

    /**
     * {@link #next(String, String, String, long, Duration, boolean)} for many attempts in one Redis round trip,
     * served in list order, so the seqs of one conversation follow it. An attempt whose conversation has no
     * counter yet, and no entry in {@code seeds}, gets seq -1: ask {@link #storedMaxSeq} and try it again with
     * that seed (the attempts behind it in the same conversation too, to keep their order). Blocks the calling
     * thread; for a thread that batches.
     *
     * <p>All keys go to one script: on a Redis Cluster the conversations of one call would have to share a slot.
     */
    public List<Allocation> nextAll(List<Request> requests, long nowMillis, Duration window,
                                    java.util.Map<String, Long> seeds) {
        long[] r = reserveAll(requests, nowMillis, window, seeds);
        List<Allocation> allocations = new java.util.ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            allocations.add(new Allocation(r[3 * i + 1], r[3 * i] == 1L, r[3 * i + 2]));
        }
        return allocations;
    }

    /** The highest seq of a conversation stored in MongoDB: the seed of a counter Redis does not have. */
    public CompletableFuture<Long> storedMaxSeq(String conv) {
        return storedMaxSeq.apply(conv);
    }

    private long[] reserveAll(List<Request> requests, long nowMillis, Duration window, java.util.Map<String, Long> seeds) {
        List<Object> keys = new java.util.ArrayList<>(2 * requests.size());
        Object[] args = new Object[2 + 2 * requests.size()];
        args[0] = Long.toString(window.toMillis());
        args[1] = Long.toString(nowMillis);
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            keys.add(RedisKeys.conversationSeq(r.conv()));
            keys.add(RedisKeys.retrySeq(r.conv(), r.sender(), r.cid()));
            args[2 + 2 * i] = r.anew() ? "1" : "0";
            Long seed = seeds.get(r.conv());
            args[3 + 2 * i] = seed == null ? "" : seed.toString();
        }
        List<Long> flat = script.eval(RScript.Mode.READ_WRITE, RESERVE_ALL, RScript.ReturnType.MULTI, keys, args);
        long[] out = new long[flat.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = flat.get(i);
        }
        return out;
    }

    /** Moves the counter past the highest stored seq (after a duplicate {@code (conv, seq)}). */
    public CompletionStage<Void> resync(String conv) {
        List<Object> key = List.of(RedisKeys.conversationSeq(conv));
        return storedMaxSeq.apply(conv).thenCompose(max -> script.<Long>evalAsync(RScript.Mode.READ_WRITE, RAISE_TO,
                RScript.ReturnType.INTEGER, key, String.valueOf(max))).thenApply(ignored -> null);
    }
}
