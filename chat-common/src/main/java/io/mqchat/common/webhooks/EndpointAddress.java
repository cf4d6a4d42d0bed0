package io.mqchat.common.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The guard against server-side request forgery: a webhook URL must be plain http(s) without credentials, and its
 * host must resolve only to public addresses — not loopback, private (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16, where cloud metadata lives; fe80::/10), unique-local (fc00::/7), site-local (fec0::/10), any-local,
 * multicast, carrier-grade NAT (100.64/10), 0/8, benchmarking (198.18/15) or broadcast, nor IPv4 inside IPv6
 * (mapped, compatible, NAT64 64:ff9b::/96) of these. Checked at registration and again before each delivery,
 * since DNS may change; {@code allowPrivate} ({@code MQCHAT_WEBHOOKS_ALLOWPRIVATE}) turns the address check off
 * for local development and tests.
 */
public final class EndpointAddress {

    public static final int MAX_URL_LENGTH = 2048;

    /** A URL or an address refused; the message says why (safe to show to the admin who registered it). */
    public static class RefusedException extends RuntimeException {
        public RefusedException(String message) {
            super(message);
        }
    }

    private EndpointAddress() {
    }

    /** The URL parsed and checked for form only (no DNS). */
    public static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new RefusedException("url is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new RefusedException("url must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedException("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedException("url must be http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedException("url must not carry a user name or password");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new RefusedException("url must name a host");
        }
        if (uri.getRawFragment() != null) {
            throw new RefusedException("url must not have a fragment");
        }
        return uri;
    }

    /** Resolves the URL's host and refuses it unless every address it has is public (or private ones are allowed). */
    public static void requirePublic(URI uri, boolean allowPrivate) {
        if (allowPrivate) {
            return;
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new RefusedException("url's host does not resolve");
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                throw new RefusedException("url's host resolves to a loopback, private, link-local or otherwise "
                        + "non-public address (" + a.getHostAddress() + ")");
            }
        }
    }

    /** Whether a webhook may be sent to this address. */
    public static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (a instanceof Inet6Address v6) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique local
            }
            if (v6.isIPv4CompatibleAddress() || isMapped(b) || isNat64(b)) {
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            return true;
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return !(first == 0 || first == 10 || first == 127
                || (first == 169 && second == 254)
                || (first == 172 && second >= 16 && second <= 31)
                || (first == 192 && second == 168)
                || (first == 100 && second >= 64 && second <= 127)
                || (first == 198 && (second == 18 || second == 19))
                || first >= 224); // multicast, reserved, broadcast
    }

    /** ::ffff:a.b.c.d (Java usually hands these over as IPv4 already; not always, e.g. with a scope). */
    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /** 64:ff9b::/96, where NAT64 gateways put IPv4 addresses. */
    private static boolean isNat64(byte[] b) {
        if (b[0] != 0 || b[1] != 0x64 || (b[2] & 0xff) != 0xff || (b[3] & 0xff) != 0x9b) {
            return false;
        }
        for (int i = 4; i < 12; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
