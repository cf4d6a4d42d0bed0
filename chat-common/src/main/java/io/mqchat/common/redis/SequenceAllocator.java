package io.mqchat.common.redis;

import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

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

    /** Moves the counter past the highest stored seq (after a duplicate {@code (conv, seq)}). */
    public CompletionStage<Void> resync(String conv) {
        List<Object> key = List.of(RedisKeys.conversationSeq(conv));
        return storedMaxSeq.apply(conv).thenCompose(max -> script.<Long>evalAsync(RScript.Mode.READ_WRITE, RAISE_TO,
                RScript.ReturnType.INTEGER, key, String.valueOf(max))).thenApply(ignored -> null);
    }
}
