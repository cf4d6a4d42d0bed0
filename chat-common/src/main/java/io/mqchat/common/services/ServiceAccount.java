package io.mqchat.common.services;

import io.mqchat.common.limits.RateLimit;
import io.mqchat.common.schema.StoreSchema;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * A service account (a game server, a bot): a {@code users} document of kind {@value StoreSchema.User#KIND_SERVICE},
 * so it shares the user id space (people message it on {@code chat/u/{id}}, it is a group member like anyone) but
 * has no password. It authenticates with a client secret; every token issued under the current secret carries
 * {@code credential} as its {@code jti}, so rotating the secret or disabling the account revokes them all at once.
 *
 * @param rateLimit its own publish limit (all its connections together), far above a user's
 */
public record ServiceAccount(String id, String name, String secretHash, String credential, ServiceScopes scopes,
                             RateLimit rateLimit, Instant createdAt, String createdBy, @Nullable Instant disabledAt) {

    /** The limit a new account gets unless an admin sets another. */
    public static final String DEFAULT_RATE_LIMIT = "500/s,burst=2000";

    @Override
    public String toString() {
        return "ServiceAccount[" + id + "]"; // keep the hash out of logs
    }

    public boolean disabled() {
        return disabledAt != null;
    }

    /** The account a {@code users} document holds; empty for a person's account. */
    public static Optional<ServiceAccount> fromUserDocument(@Nullable Document user) {
        if (user == null || !StoreSchema.User.KIND_SERVICE.equals(user.getString(StoreSchema.User.KIND))) {
            return Optional.empty();
        }
        Document s = user.get(StoreSchema.User.SERVICE, Document.class);
        if (s == null) {
            return Optional.empty();
        }
        RateLimit limit;
        try {
            limit = RateLimit.parse(s.getString("rateLimit"));
        } catch (IllegalArgumentException e) {
            limit = RateLimit.parse(DEFAULT_RATE_LIMIT);
        }
        Date created = user.getDate(StoreSchema.User.CREATED_AT);
        Date disabled = s.getDate("disabledAt");
        return Optional.of(new ServiceAccount(user.getString(StoreSchema.User.ID), s.getString("name"),
                s.getString("secretHash"), s.getString("credential"), ServiceScopes.fromDocument(s.get("scopes",
                Document.class)), limit, created == null ? Instant.EPOCH : created.toInstant(), s.getString("createdBy"),
                disabled == null ? null : disabled.toInstant()));
    }

    /** The {@code users} document of this account. */
    public Document toUserDocument() {
        Document s = new Document("name", name).append("secretHash", secretHash).append("credential", credential)
                .append("scopes", scopes.toDocument()).append("rateLimit", rateLimit.text())
                .append("createdBy", createdBy);
        if (disabledAt != null) {
            s.append("disabledAt", Date.from(disabledAt));
        }
        return new Document(StoreSchema.User.ID, id).append(StoreSchema.User.KIND, StoreSchema.User.KIND_SERVICE)
                .append(StoreSchema.User.CREATED_AT, Date.from(createdAt)).append(StoreSchema.User.SERVICE, s);
    }

    /** The document's service part alone (for updates of {@code users} by id and kind). */
    public Document serviceDocument() {
        return toUserDocument().get(StoreSchema.User.SERVICE, Document.class);
    }
}
