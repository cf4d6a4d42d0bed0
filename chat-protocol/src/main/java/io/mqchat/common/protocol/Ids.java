package io.mqchat.common.protocol;

import org.jspecify.annotations.Nullable;

import java.util.regex.Pattern;

/**
 * Validation rules for the names that appear in topics, client ids and conversation ids.
 *
 * <p>User and group ids use only letters, digits, {@code _ - .} and are 3–32 characters long, so they
 * can never contain MQTT wildcards ({@code + #}), topic separators, {@code $} or the {@code :} that
 * separates the parts of client ids and conversation ids.
 */
public final class Ids {

    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
    private static final Pattern USER_ID_PREFIX = Pattern.compile("[A-Za-z0-9_.-]{0,32}");
    private static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9_.-]{3,64}");
    private static final Pattern DEVICE_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,15}");
    /** Client message ids: printable ASCII without spaces, 1–64 characters. */
    private static final Pattern CLIENT_MESSAGE_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    /**
     * The sender of the operators' broadcasts ({@link ConversationId#SYSTEM}): reserved, no user can register
     * it, so a message {@code from} it is always the server's.
     */
    public static final String SYSTEM_USER = "system";

    private Ids() {
    }

    /**
     * A would-be id as an error message may echo it: printable ASCII (anything else as {@code ?}), cut to 40
     * characters, so a hostile value cannot forge lines or flood the message.
     */
    public static String printable(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }

    /** Ids that are valid in form but belong to the server (registration refuses them). */
    public static boolean isReservedUserId(@Nullable String userId) {
        return SYSTEM_USER.equalsIgnoreCase(userId);
    }

    public static boolean isValidUserId(@Nullable String userId) {
        return userId != null && USER_ID.matcher(userId).matches();
    }

    /** The start of a user id (0–32 of its characters): what a search by id prefix may contain. */
    public static boolean isValidUserIdPrefix(@Nullable String prefix) {
        return prefix != null && USER_ID_PREFIX.matcher(prefix).matches();
    }

    public static boolean isValidGroupId(@Nullable String groupId) {
        return groupId != null && GROUP_ID.matcher(groupId).matches();
    }

    /** Device types are lower-case names such as {@code phone}; which ones are allowed is configuration. */
    public static boolean isValidDeviceType(@Nullable String deviceType) {
        return deviceType != null && DEVICE_TYPE.matcher(deviceType).matches();
    }

    public static boolean isValidClientMessageId(@Nullable String cid) {
        return cid != null && CLIENT_MESSAGE_ID.matcher(cid).matches();
    }

    /** Describes the user id rule for error messages. */
    public static String userIdRule() {
        return "3-32 characters: letters, digits, '_', '-', '.'";
    }
}
