package io.mqchat.common.redis;

import org.redisson.config.SingleServerConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * A Redis address as configured ({@code MQCHAT_REDIS_ADDRESS}): {@code redis://host:port}, with optional
 * credentials ({@code redis://:password@host:port}, {@code redis://user:password@host:port}; special characters
 * percent-encoded) and TLS ({@code rediss://host:port}).
 *
 * <p>Redisson reads credentials from the address itself, but its {@code RedisURI.toString()} keeps the password
 * and ends up in its connection error messages. So the credentials are taken out here and handed to Redisson
 * separately ({@link #applyTo}); {@link #toString()} and {@link #redact} never show the password.
 */
public final class RedisAddress {

    /** What an address must look like, for messages that name the setting. */
    public static final String FORMS = "redis://host:port, redis://:password@host:port, "
            + "redis://user:password@host:port or rediss://... for TLS";

    private final boolean tls;
    private final String host;
    private final int port;
    private final String username;
    private final String password;

    private RedisAddress(boolean tls, String host, int port, String username, String password) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong, without the password
     */
    public static RedisAddress parse(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        URI uri;
        try {
            uri = new URI(address.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URI (percent-encode special characters in the password)");
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("needs a host and a port");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a path, query or fragment");
        }
        String username = null;
        String password = null;
        String userInfo = uri.getUserInfo(); // decoded
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("has credentials without a password: write redis://:password@host:port "
                        + "or redis://user:password@host:port");
            }
            username = colon == 0 ? null : userInfo.substring(0, colon);
            password = userInfo.substring(colon + 1);
            if (password.isEmpty()) {
                throw new IllegalArgumentException("has an empty password");
            }
        }
        return new RedisAddress("rediss".equals(scheme), uri.getHost(), uri.getPort(), username, password);
    }

    /** Whether {@code address} parses. */
    public static boolean isValid(String address) {
        try {
            parse(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code address} with its credentials replaced by {@code ***}; also for addresses that do not parse. */
    public static String redact(String address) {
        if (address == null) {
            return null;
        }
        // up to the last '@', so that an unencoded '/' or '@' in a refused password is hidden too
        int start = address.indexOf("//");
        int at = address.lastIndexOf('@');
        return start >= 0 && at > start ? address.substring(0, start + 2) + "***" + address.substring(at) : address;
    }

    /** The address without credentials, as handed to Redisson. */
    public String serverAddress() {
        return (tls ? "rediss://" : "redis://") + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + port;
    }

    /** Points {@code config} at this server with its credentials (set explicitly, not left in the address). */
    public SingleServerConfig applyTo(SingleServerConfig config) {
        config.setAddress(serverAddress());
        config.setUsername(username);
        config.setPassword(password);
        return config;
    }

    public boolean tls() {
        return tls;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Null unless a Redis 6 ACL user is named. */
    public String username() {
        return username;
    }

    /** Null when the server needs no password. */
    public String password() {
        return password;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisAddress other && tls == other.tls && port == other.port && host.equals(other.host)
                && Objects.equals(username, other.username) && Objects.equals(password, other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tls, host, port, username);
    }

    /** The address with the password hidden. */
    @Override
    public String toString() {
        if (password == null) {
            return serverAddress();
        }
        return (tls ? "rediss://" : "redis://") + (username == null ? "" : username) + ":***@"
                + serverAddress().substring(tls ? 9 : 8);
    }
}
