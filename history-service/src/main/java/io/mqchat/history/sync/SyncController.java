package io.mqchat.history.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.protocol.Json;
import io.mqchat.common.protocol.PageSize;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.sync.SyncEngine;
import io.mqchat.common.sync.SyncQuery;
import io.mqchat.history.web.PlainJson;
import io.mqchat.web.ApiException;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sync: what the caller's device missed across all conversations, paged, with "complete up to" per
 * conversation (the algorithm: {@link SyncEngine}; the same as sync over MQTT).
 */
@RestController
public class SyncController {

    public static final int DEFAULT_LIMIT = 200;
    public static final int MAX_LIMIT = 500;
    /** Bytes of messages per page. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final PageSize LIMITS = new PageSize(DEFAULT_LIMIT, MAX_LIMIT);

    /**
     * A page of sync.
     *
     * @param complete     conv → the seq you are complete up to (every seq up to it delivered or a permanent hole)
     * @param cursor       send it back next time (opaque)
     * @param hasMore      more is waiting: ask again now with the cursor
     * @param retryAfterMs when present, a message may still be in flight: ask again after this many ms
     * @param recalls      messages of your conversations recalled since the cursor's last sync: remove their
     *                     content wherever you keep it (empty without a cursor)
     * @param left         group conversations you held a position for but are no longer a member of (removed,
     *                     left, dissolved): stop expecting messages there
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyncPage(List<Map<String, Object>> messages, Map<String, Long> complete, String cursor,
                           boolean hasMore, Long retryAfterMs, List<ServerEvent.Sync.Recalled> recalls, List<String> left) {
    }

    private final SyncEngine engine;
    private final HistoryPolicy policy;

    public SyncController(SyncEngine engine, HistoryPolicy policy) {
        this.engine = engine;
        this.policy = policy;
    }

    @Operation(summary = "Sync with a cursor",
            description = "Without a cursor: everything (a new device), paged. With the cursor of an earlier answer: "
                    + "what is new since.")
    @GetMapping("/api/v1/sync")
    public SyncPage get(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                        @Parameter(description = "the cursor of an earlier answer") @RequestParam(required = false) String cursor,
                        @Parameter(description = "1-500 messages, default 200; larger values are clamped")
                        @RequestParam(required = false) String limit) {
        return sync(caller, query(() -> SyncQuery.of(cursor, limit, caller.userId(), LIMITS)));
    }

    @Operation(summary = "Sync with a cursor or explicit positions",
            description = "Body: {\"cursor\": \"...\"} or {\"conversations\": {\"d:alice:bob\": 12}} (the last seq you "
                    + "have per conversation; others count as 0), and optionally \"limit\".")
    @PostMapping(value = "/api/v1/sync", consumes = MediaType.APPLICATION_JSON_VALUE)
    public SyncPage post(@RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller,
                         @RequestBody String body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("The request body is not valid JSON.");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("The request body must be a JSON object.");
        }
        return sync(caller, query(() -> SyncQuery.parse(root, Set.of(), caller.userId(), LIMITS)));
    }

    private SyncPage sync(AccessTokens.AccessToken caller, SyncQuery query) {
        SyncEngine.Result r = engine.sync(SyncEngine.Request.of(caller.userId(), query.state(), query.limit(), MAX_BYTES,
                policy.visibility(caller)));
        return new SyncPage(r.messages().stream().map(PlainJson::of).toList(), r.complete(),
                r.cursor(), r.hasMore(), r.retryAfterMs(), r.recalls(), r.left());
    }

    private static SyncQuery query(Supplier<SyncQuery> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
