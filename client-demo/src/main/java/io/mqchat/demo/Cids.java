package io.mqchat.demo;

import io.mqchat.common.protocol.Ids;

import java.util.UUID;

/**
 * Client message ids ({@code cid}). The client, not the server, names each message it sends; a retry
 * with the same cid is stored once and answered with the original {@code id}/{@code seq}, which is what
 * makes "resend everything not acknowledged" safe.
 *
 * <p>Format {@code {device}-{uuid}}: unique across all of the user's devices (the server dedupes per
 * sender, not per device) and at most 16 + 1 + 36 = 53 printable ASCII characters (the limit is 64).
 */
public final class Cids {

    private Cids() {
    }

    /** A fresh cid for a message sent from {@code device}. */
    public static String next(String device) {
        String cid = device + "-" + UUID.randomUUID();
        if (!Ids.isValidClientMessageId(cid)) {
            throw new IllegalArgumentException("device type gives an invalid cid: " + device);
        }
        return cid;
    }
}
