package io.mqchat.common.limits;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token-bucket limit as configured: {@code 20/s,burst=100} (20 per second on average, up to 100 at once),
 * {@code 5/m}, {@code 100/h} (burst defaults to the count per unit), or {@code off}.
 *
 * @param perSecond tokens refilled per second (0 when off)
 * @param burst     bucket size: how many may be spent at once
 * @param text      the setting as written, for messages and logs
 */
public record RateLimit(double perSecond, long burst, String text) {

    private static final Pattern SPEC = Pattern.compile(
            "(\\d{1,9})\\s*/\\s*(s|m|h|d)(?:\\s*,\\s*burst\\s*=\\s*(\\d{1,9}))?");

    /** No limit. */
    public static final RateLimit OFF = new RateLimit(0, 0, "off");

    public RateLimit {
        if (perSecond < 0 || burst < 0 || (perSecond > 0) != (burst > 0)) {
            throw new IllegalArgumentException("rate and burst must both be positive, or both 0 (off)");
        }
    }

    /**
     * Parses a setting.
     *
     * @throws IllegalArgumentException naming what is wrong and the accepted form
     */
    public static RateLimit parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("off")) {
            return OFF;
        }
        Matcher m = SPEC.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not a rate: write N/s, N/m, N/h or N/d, "
                    + "optionally with ,burst=B (e.g. 20/s,burst=100), or off");
        }
        long count = Long.parseLong(m.group(1));
        long seconds = switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3_600;
            default -> 86_400;
        };
        long burst = m.group(3) != null ? Long.parseLong(m.group(3)) : count;
        if (count == 0 || burst == 0) {
            throw new IllegalArgumentException("'" + spec + "': rate and burst must be at least 1 (or write off)");
        }
        return new RateLimit((double) count / seconds, burst, spec.strip());
    }

    public boolean isOff() {
        return perSecond == 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
