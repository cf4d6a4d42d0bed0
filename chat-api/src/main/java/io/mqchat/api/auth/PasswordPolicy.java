package io.mqchat.api.auth;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * What a password must satisfy at registration. 72 bytes is bcrypt's input limit: longer passwords
 * would be silently truncated (or refused by the encoder), so they are refused here with a reason.
 */
public final class PasswordPolicy {

    public static final int MIN_BYTES = 8;
    public static final int MAX_BYTES = 72;

    private PasswordPolicy() {
    }

    /** Empty when acceptable, otherwise the reason (never containing the password). */
    public static Optional<String> check(String userId, String password) {
        int bytes = password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            return Optional.of("password must be " + MIN_BYTES + "-" + MAX_BYTES + " bytes long (UTF-8)");
        }
        boolean letter = password.codePoints().anyMatch(Character::isLetter);
        boolean nonLetter = password.codePoints().anyMatch(c -> !Character.isLetter(c));
        if (!letter || !nonLetter) {
            return Optional.of("password must contain at least one letter and one character that is not a letter");
        }
        if (userId != null && password.toLowerCase(Locale.ROOT).contains(userId.toLowerCase(Locale.ROOT))) {
            return Optional.of("password must not contain the user id");
        }
        return Optional.empty();
    }

    /** Whether the password can be checked by bcrypt at all (login refuses others without hashing). */
    public static boolean fitsBcrypt(String password) {
        return password.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }
}
