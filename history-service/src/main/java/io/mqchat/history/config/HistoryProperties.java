package io.mqchat.history.config;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.MongoProperties;
import io.mqchat.web.RedisProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Everything history-service reads from configuration ({@code mqchat.*}, e.g. env {@code MQCHAT_JWT_SECRET}).
 * Validated at start-up: an invalid value stops the app with a message naming the property.
 */
@Validated
@ConfigurationProperties("mqchat")
public record HistoryProperties(@Valid @NotNull @DefaultValue MongoProperties mongo,
                                @Valid @NotNull @DefaultValue Jwt jwt,
                                @Valid @NotNull @DefaultValue RedisProperties redis,
                                @Valid @NotNull @DefaultValue Sync sync,
                                @Valid @NotNull @DefaultValue Recall recall,
                                @DefaultValue("90d") String retention,
                                @DefaultValue("1h") Duration retentionPurgeInterval,
                                @DefaultValue("") String historyPolicy) {

    /** Recall: how long after sending the sender may recall a message (MQCHAT_RECALL_WINDOW, default 2m). */
    public record Recall(@NotNull @DefaultValue("2m") Duration window) {

        @AssertTrue(message = "must be between 1s and 30d (MQCHAT_RECALL_WINDOW); the broker needs the same value")
        public boolean isWindowValid() {
            return window == null || (window.compareTo(Duration.ofSeconds(1)) >= 0
                    && window.compareTo(Duration.ofDays(30)) <= 0);
        }
    }

    /** The retention age, empty when retention is off ({@code 0} or {@code off}). */
    public java.util.Optional<Duration> retentionAge() {
        return RetentionSetting.parse(retention);
    }

    @AssertTrue(message = "must be off, 0, or an age of at least 1h such as 90d, 720h or P90D (MQCHAT_RETENTION)")
    public boolean isRetentionValid() {
        try {
            return RetentionSetting.parse(retention).map(d -> d.compareTo(Duration.ofHours(1)) >= 0).orElse(true);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @AssertTrue(message = "must be between 100ms and 1d (MQCHAT_RETENTIONPURGEINTERVAL)")
    public boolean isRetentionPurgeIntervalValid() {
        return retentionPurgeInterval == null || (retentionPurgeInterval.toMillis() >= 100
                && retentionPurgeInterval.compareTo(Duration.ofDays(1)) <= 0);
    }

    /** The parsed history policy ({@code web=since-login,iot=none}). */
    public io.mqchat.common.auth.HistoryPolicy parsedHistoryPolicy() {
        return io.mqchat.common.auth.HistoryPolicy.parse(historyPolicy);
    }

    @AssertTrue(message = "must be deviceType=mode pairs with mode all, since-login or none, e.g. "
            + "web=since-login,iot=none (MQCHAT_HISTORYPOLICY)")
    public boolean isHistoryPolicyValid() {
        try {
            parsedHistoryPolicy();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Sync. {@code holeGrace}: how old the message after a gap in seq must be before the gap counts as a
     * permanent hole — the broker's store timeout plus a margin (MQCHAT_SYNC_HOLE_GRACE, default 15s for
     * the default 5s store timeout).
     */
    public record Sync(@NotNull @DefaultValue("15s") Duration holeGrace) {

        @AssertTrue(message = "must be positive, and longer than the broker's store timeout (MQCHAT_SYNC_HOLE_GRACE)")
        public boolean isHoleGracePositive() {
            return holeGrace == null || holeGrace.toMillis() > 0;
        }
    }

    /** The HS256 secret shared with chat-api (which issues the tokens) and the broker. */
    public record Jwt(String secret) {

        @AssertTrue(message = "set MQCHAT_JWT_SECRET (mqchat.jwt.secret) to the secret chat-api signs tokens "
                + "with, at least " + AccessTokens.MIN_SECRET_BYTES + " bytes")
        public boolean isSecretValid() {
            return secret != null && secret.getBytes(StandardCharsets.UTF_8).length >= AccessTokens.MIN_SECRET_BYTES;
        }

        @Override
        public String toString() {
            return "Jwt[secret=<hidden>]"; // keep the secret out of logs and failure reports
        }
    }
}
