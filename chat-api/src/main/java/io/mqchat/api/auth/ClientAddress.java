package io.mqchat.api.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The subject of per-address limits, from the TCP peer's address ({@code request.getRemoteAddr()}, which
 * honours {@code X-Forwarded-For}/{@code Forwarded} only when {@code server.forward-headers-strategy} is
 * set). An IPv6 client is counted by its /64: one subscriber or host usually holds the whole prefix, so
 * counting single IPv6 addresses would let one client rotate through billions of them.
 */
final class ClientAddress {

    private ClientAddress() {
    }

    static String subject(String remoteAddr) {
        if (remoteAddr == null || remoteAddr.isEmpty()) {
            return "unknown";
        }
        if (remoteAddr.indexOf(':') < 0) {
            return remoteAddr; // IPv4, as is
        }
        try {
            // in brackets only an IPv6 literal is accepted: never a DNS lookup
            String literal = remoteAddr.replaceAll("^\\[|]$", "").replaceFirst("%.*$", "");
            InetAddress address = InetAddress.getByName("[" + literal + "]");
            if (address instanceof Inet6Address v6) {
                byte[] b = v6.getAddress();
                StringBuilder prefix = new StringBuilder();
                for (int i = 0; i < 8; i += 2) {
                    prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
                }
                return prefix.append(":/64").toString();
            }
            return address.getHostAddress(); // an IPv4-mapped address
        } catch (UnknownHostException e) {
            return remoteAddr;
        }
    }
}
