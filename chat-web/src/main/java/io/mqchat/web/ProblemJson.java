package io.mqchat.web;

import org.springframework.http.HttpStatus;

/**
 * A problem document (RFC 9457) as a string, for the places that answer outside Spring MVC's message
 * converters: Tomcat's error report (requests refused before they reach the application) and the
 * body-size filter. The members are fixed texts of ours; they are escaped all the same.
 */
public final class ProblemJson {

    /** The media type of every error answer. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private ProblemJson() {
    }

    /** {@code {"type":"about:blank","title":...,"status":...,"detail":...}}. */
    public static String of(int status, String detail) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        return "{\"type\":\"about:blank\",\"title\":" + quote(title) + ",\"status\":" + status
                + ",\"detail\":" + quote(detail) + "}";
    }

    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
