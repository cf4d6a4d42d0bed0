package io.mqchat.demo;

import io.mqchat.common.protocol.ChatMessage;
import io.mqchat.common.protocol.Ids;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Mentions in a group message: the words {@code @user} of its text become the message's {@code mentions}
 * ({@code @all} — everyone — is allowed for admins and the owner only; the server refuses it from others).
 * The text itself is sent unchanged.
 */
public final class Mentions {

    /** The server takes at most this many mentions per message. */
    public static final int MAX = 50;
    /** Punctuation that may follow a mention in prose ("thanks @bob!"); user ids never end with it here. */
    private static final String TRAILING = ",;:!?)]}'\"";
    /** ... or precede it ("(@bob)"). */
    private static final String LEADING = "([{'\"";

    private Mentions() {
    }

    /**
     * The user ids mentioned as {@code @user} words in {@code text}, each once, in order of appearance; at most
     * {@link #MAX}. A word is a mention only if it starts with {@code @} (after an opening bracket or quote) and
     * the rest (without trailing punctuation or a final '.') is a valid user id or {@code all}; e-mail addresses
     * and "@" alone are not.
     */
    public static List<String> extract(String text) {
        Set<String> found = new LinkedHashSet<>();
        if (text == null) {
            return List.of();
        }
        for (String word : text.split("\\s+")) {
            int start = 0;
            while (start < word.length() && LEADING.indexOf(word.charAt(start)) >= 0) {
                start++;
            }
            if (!word.startsWith("@", start) || found.size() >= MAX) {
                continue;
            }
            String id = word.substring(start + 1);
            while (!id.isEmpty() && (TRAILING.indexOf(id.charAt(id.length() - 1)) >= 0 || id.endsWith("."))) {
                id = id.substring(0, id.length() - 1);
            }
            if (id.equals(ChatMessage.MENTION_ALL) || Ids.isValidUserId(id)) {
                found.add(id);
            }
        }
        return new ArrayList<>(found);
    }
}
