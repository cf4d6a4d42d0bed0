package io.mqchat.demo;

import java.io.IOException;

/**
 * The server no longer accepts this device's token: it was replaced by a newer login of the same device type
 * (a kick) or logged out. MQTT refuses the CONNECT (MQTT 5 {@code 0x87}, 3.1.1 return code 5), REST answers
 * {@code 401}. Reconnecting cannot help — log in again.
 */
public class LoggedOutException extends IOException {

    public LoggedOutException(String message, Throwable cause) {
        super(message, cause);
    }
}
