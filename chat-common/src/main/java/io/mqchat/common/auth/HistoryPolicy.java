package io.mqchat.common.auth;

import io.mqchat.common.protocol.Ids;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much history each device type may read (history, sync over REST and MQTT), from a setting like
 * {@code web=since-login,iot=none}. Device types not named see everything ({@code all}).
 *
 * <ul>
 *   <li>{@code all}: every stored message.</li>
 *   <li>{@code since-login}: only messages whose server time {@code ts} is at or after the device's login
 *       (the {@code iat} of its token). Messages from before are hidden as if they did not exist.</li>
 *   <li>{@code none}: no history at all; the device gets messages only live, while connected.</li>
 * </ul>
 */
public final class HistoryPolicy {

    public enum Mode {
        ALL("all"), SINCE_LOGIN("since-login"), NONE("none");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.text.equals(text)) {
                    return m;
                }
            }
            return null;
        }
    }

    /**
     * What one device may see: nothing ({@link #none()}), or messages with {@code ts >= notBeforeTs}
     * ({@code 0} for everything).
     */
    public record Visibility(boolean none, long notBeforeTs) {

        public static final Visibility ALL = new Visibility(false, 0);
        public static final Visibility NOTHING = new Visibility(true, Long.MAX_VALUE);

        public boolean everything() {
            return !none && notBeforeTs <= 0;
        }
    }

    private final Map<String, Mode> modes;

    private HistoryPolicy(Map<String, Mode> modes) {
        this.modes = modes;
    }

    public static HistoryPolicy allForEveryone() {
        return new HistoryPolicy(Map.of());
    }

    /**
     * Parses {@code type=mode,...} (blank: everyone {@code all}); throws {@link IllegalArgumentException}
     * saying what is wrong.
     */
    public static HistoryPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            return allForEveryone();
        }
        Map<String, Mode> modes = new TreeMap<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            String type = eq < 0 ? p : p.substring(0, eq).strip();
            String mode = eq < 0 ? "" : p.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            if (eq < 0 || !Ids.isValidDeviceType(type)) {
                throw new IllegalArgumentException("history policy '" + text + "': '" + p
                        + "' must be deviceType=mode, e.g. web=since-login,iot=none");
            }
            Mode m = Mode.parse(mode);
            if (m == null) {
                throw new IllegalArgumentException("history policy '" + text + "': '" + mode
                        + "' is not a mode; use all, since-login or none");
            }
            if (modes.put(type, m) != null) {
                throw new IllegalArgumentException("history policy '" + text + "': '" + type + "' is named twice");
            }
        }
        return new HistoryPolicy(Map.copyOf(modes));
    }

    public Mode modeOf(String deviceType) {
        return modes.getOrDefault(deviceType, Mode.ALL);
    }

    /** What the device holding {@code token} may see: its type's policy, from its login (the token's iat). */
    public Visibility visibility(AccessTokens.AccessToken token) {
        return visibility(token.deviceType(), token.issuedAt().toEpochMilli());
    }

    /** What a device that logged in at {@code loginAtMs} (its token's {@code iat}) may see. */
    public Visibility visibility(String deviceType, long loginAtMs) {
        return switch (modeOf(deviceType)) {
            case ALL -> Visibility.ALL;
            case SINCE_LOGIN -> new Visibility(false, loginAtMs);
            case NONE -> Visibility.NOTHING;
        };
    }

    @Override
    public String toString() {
        if (modes.isEmpty()) {
            return "all";
        }
        StringBuilder sb = new StringBuilder();
        modes.forEach((t, m) -> sb.append(sb.length() == 0 ? "" : ",").append(t).append('=').append(m.text()));
        return sb.toString();
    }
}
