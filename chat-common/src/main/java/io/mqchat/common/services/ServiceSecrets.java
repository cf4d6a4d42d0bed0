package io.mqchat.common.services;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Service accounts' client secrets: 256 random bits, shown once, stored as their SHA-256. A slow password hash is
 * for secrets people choose; a random 256-bit one cannot be guessed, and a fast hash keeps the token endpoint from
 * being a way to burn CPU.
 */
public final class ServiceSecrets {

    /** Every secret starts with this, so that one pasted into the wrong place (a log, a repo) can be found. */
    public static final String PREFIX = "mqs_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServiceSecrets() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A new credential generation id: the {@code jti} of every token issued under the current secret. */
    public static String generation() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "svc-" + HexFormat.of().formatHex(bytes);
    }

    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in constant time. */
    public static boolean matches(String secret, String storedHash) {
        if (secret == null || storedHash == null || secret.length() > 256) {
            return false;
        }
        return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
