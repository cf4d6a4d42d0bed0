package io.mqchat.broker;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttConnect;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 5 on a bare socket, with Paho's packet codec: for what a well-behaved client library will not send
 * (QoS 2 above the server's maximum, a resent PUBLISH on a new connection) and to read CONNACK reason strings.
 */
final class RawMqtt5 implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawMqtt5(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static MqttConnect connect(String clientId, String user, String token, boolean cleanStart, long sessionExpiry) {
        MqttProperties properties = new MqttProperties();
        if (sessionExpiry > 0) {
            properties.setSessionExpiryInterval(sessionExpiry);
        }
        MqttConnect connect = new MqttConnect(clientId, 5, cleanStart, 60, properties, new MqttProperties());
        connect.setUserName(user);
        connect.setPassword(token.getBytes(StandardCharsets.UTF_8));
        return connect;
    }

    static MqttPublish publish(String topic, String payload, int qos, int packetId, boolean duplicate) {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        message.setDuplicate(duplicate);
        MqttPublish publish = new MqttPublish(topic, message, new MqttProperties());
        publish.setMessageId(packetId);
        return publish;
    }

    void send(MqttWireMessage message) throws IOException, MqttException {
        out.write(message.getHeader());
        out.write(message.getPayload());
        out.flush();
    }

    /** The next packet, or null once the server closed the connection. */
    MqttWireMessage read() throws IOException, MqttException {
        byte[] packet = readBytes();
        return packet == null ? null : MqttWireMessage.createWireMessage(packet);
    }

    /**
     * The next packet's bytes, or null once the server closed the connection: for codes Paho's parser rejects
     * (its CONNACK knows no 0x9B QoS not supported).
     */
    byte[] readBytes() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (java.net.SocketException closed) {
            return null;
        }
        if (first < 0) {
            return null;
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(first);
        int length = 0;
        int multiplier = 1;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                return null;
            }
            packet.write(b);
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0);
        packet.write(in.readNBytes(length));
        return packet.toByteArray();
    }

    /** Reads until the server closes the connection (or {@code timeout} passes); returns what came. */
    java.util.List<MqttWireMessage> readUntilClosed() throws IOException, MqttException {
        java.util.List<MqttWireMessage> got = new java.util.ArrayList<>();
        try {
            for (MqttWireMessage m = read(); m != null; m = read()) {
                got.add(m);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection; got " + got, e);
        }
        return got;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
