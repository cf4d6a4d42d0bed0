package io.mqchat.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The least an idle MQTT 5 device does, without a client library: CONNECT (with username and password), SUBSCRIBE
 * at QoS 1, then nothing but PINGREQs. No thread of its own and a few hundred bytes of heap per connection, so that
 * ten thousand of them fit in one small JVM with one thread; Paho would need three threads per connection.
 *
 * <p>Blocking until the SUBACK (with a timeout), non-blocking after it: {@link #drain} only counts what arrives and
 * tells whether the broker closed the connection; {@link #receive} (for devices that wait for a message) reads whole
 * packets, answers QoS 1 PUBLISHes with a PUBACK and hands their payloads over. A connection only ever drained has
 * no receive buffer.
 */
final class RawMqttConnection implements AutoCloseable {

    private static final int CONNECT = 0x10;
    private static final int CONNACK = 0x20;
    private static final int PUBLISH = 0x30;
    private static final int PUBACK = 0x40;
    private static final int SUBSCRIBE = 0x82;
    private static final int SUBACK = 0x90;
    private static final byte[] PINGREQ = {(byte) 0xC0, 0};

    private final SocketChannel channel;
    private final ByteBuffer drainBuffer = ByteBuffer.allocate(256);
    /** Bytes of packets not yet complete, for {@link #receive}; made at its first call. */
    private ByteBuffer inbox;
    /** The largest packet {@link #receive} takes; anything longer closes the connection. */
    static final int MAX_RECEIVED_PACKET = 1 << 20;

    /** Gets the payload of each PUBLISH {@link #receive} reads: {@code packet[from, to)}. */
    interface PayloadHandler {
        void published(byte[] packet, int from, int to);
    }

    private RawMqttConnection(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects, logs in and subscribes; fails with the broker's reason code when either is refused.
     *
     * @param username null for none (an open broker)
     * @param selector a selector of the calling thread, to wait for the broker's answers without a thread per
     *                 connection
     */
    static RawMqttConnection open(InetSocketAddress broker, String clientId, String username, String password,
                                  int keepAliveSeconds, String topic, Selector selector, long timeoutMillis)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(broker);
            channel.configureBlocking(false);
            RawMqttConnection c = new RawMqttConnection(channel);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            c.write(connect(clientId, username, password, keepAliveSeconds));
            Packet connack = c.readPacket(selector, deadline);
            if (connack.type != CONNACK || connack.body.length < 2 || (connack.body[1] & 0xFF) != 0) {
                throw new IOException(clientId + ": CONNECT refused: " + connack.describe());
            }
            c.write(subscribe(1, topic));
            while (true) {
                Packet p = c.readPacket(selector, deadline);
                if ((p.type & 0xF0) == PUBLISH) {
                    c.acknowledge(p); // something queued for the device; answer it as a device would
                    continue;
                }
                if (p.type != SUBACK) {
                    throw new IOException(clientId + ": expected a SUBACK, got " + p.describe());
                }
                int reason = p.subackReason();
                if (reason < 0 || reason >= 0x80) {
                    throw new IOException(clientId + ": subscription to " + topic + " refused: " + p.describe());
                }
                return c;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends a PINGREQ; false when the connection is gone. */
    boolean ping() {
        try {
            write(PINGREQ);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads whatever arrived (PINGRESPs, anything else) without waiting.
     *
     * @return the bytes read, or -1 when the broker closed the connection
     */
    long drain() {
        long total = 0;
        try {
            while (true) {
                drainBuffer.clear();
                int n = channel.read(drainBuffer);
                if (n < 0) {
                    return -1;
                }
                if (n == 0) {
                    return total;
                }
                total += n;
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** Registers the (non-blocking) channel with a selector for reading, e.g. one selector for every connection. */
    SelectionKey register(Selector selector, Object attachment) throws IOException {
        return channel.register(selector, SelectionKey.OP_READ, attachment);
    }

    /**
     * Reads whatever arrived without waiting; answers each QoS 1 PUBLISH with a PUBACK and gives its payload to
     * {@code handler} (other packets, such as PINGRESPs, are skipped).
     *
     * @return the PUBLISHes read, or -1 when the connection is gone (closed by the broker, or a packet too large)
     */
    int receive(PayloadHandler handler) {
        if (inbox == null) {
            inbox = ByteBuffer.allocate(1024);
        }
        int publishes = 0;
        try {
            while (true) {
                if (!inbox.hasRemaining()) {
                    if (inbox.capacity() >= MAX_RECEIVED_PACKET + 5) {
                        return -1;
                    }
                    ByteBuffer bigger = ByteBuffer.allocate(Math.min(MAX_RECEIVED_PACKET + 5, inbox.capacity() * 2));
                    inbox.flip();
                    bigger.put(inbox);
                    inbox = bigger;
                }
                int room = inbox.remaining();
                int n = channel.read(inbox);
                inbox.flip();
                List<Packet> packets = new ArrayList<>(2);
                takePackets(inbox, packets);
                inbox.compact();
                for (Packet p : packets) {
                    if ((p.type & 0xF0) == PUBLISH) {
                        acknowledge(p);
                        handler.published(p.body, payloadStart(p.type, p.body), p.body.length);
                        publishes++;
                    }
                }
                if (n < 0) {
                    return -1;
                }
                if (n < room) {
                    return publishes; // the socket had no more for now; another read would find nothing
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Moves past every complete packet at the buffer's position (between position and limit), adding each to
     * {@code packets}; an incomplete one stays.
     */
    static void takePackets(ByteBuffer buffer, List<Packet> packets) {
        while (buffer.remaining() >= 2) {
            int start = buffer.position();
            int type = buffer.get(start) & 0xFF;
            int length = 0;
            int at = start + 1;
            boolean complete = false;
            for (int shift = 0; shift <= 21 && at < buffer.limit(); shift += 7) {
                int b = buffer.get(at++) & 0xFF;
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
            }
            if (!complete) {
                if (at - start > 4) {
                    throw new IllegalStateException("malformed remaining length");
                }
                return;
            }
            if (length > MAX_RECEIVED_PACKET) {
                throw new IllegalStateException("packet of " + length + " bytes");
            }
            if (buffer.limit() - at < length) {
                return;
            }
            byte[] body = new byte[length];
            buffer.position(at);
            buffer.get(body);
            packets.add(new Packet(type, body));
        }
    }

    /** Where a PUBLISH's payload starts in its body: after topic, packet id (QoS 1 and 2) and properties. */
    static int payloadStart(int type, byte[] body) {
        int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        int[] pos = {2 + topicLength + (((type >> 1) & 3) == 0 ? 0 : 2)};
        int propertiesLength = varInt(body, pos);
        if (propertiesLength < 0 || pos[0] + propertiesLength > body.length) {
            throw new IllegalStateException("malformed PUBLISH properties");
        }
        return pos[0] + propertiesLength;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void acknowledge(Packet publish) throws IOException {
        int qos = (publish.type >> 1) & 3;
        if (qos == 0) {
            return;
        }
        int topicLength = ((publish.body[0] & 0xFF) << 8) | (publish.body[1] & 0xFF);
        int id = 2 + topicLength;
        write(new byte[] {(byte) PUBACK, 2, publish.body[id], publish.body[id + 1]});
    }

    private void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                Thread.onSpinWait(); // the socket buffer is full; only a few bytes per connection are ever written
            }
        }
    }

    /** One packet: its first byte and the rest after the remaining length. */
    record Packet(int type, byte[] body) {
        String describe() {
            StringBuilder b = new StringBuilder(String.format("type 0x%02x, %d bytes:", type, body.length));
            for (int i = 0; i < Math.min(body.length, 16); i++) {
                b.append(String.format(" %02x", body[i]));
            }
            return b.toString();
        }

        /** The first reason code of a SUBACK (after packet id and properties), -1 when there is none. */
        int subackReason() {
            int[] pos = {2};
            int propertiesLength = varInt(body, pos);
            int at = pos[0] + propertiesLength;
            return propertiesLength < 0 || at >= body.length ? -1 : body[at] & 0xFF;
        }
    }

    private Packet readPacket(Selector selector, long deadline) throws IOException {
        int type = readFully(1, selector, deadline)[0] & 0xFF;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = readFully(1, selector, deadline)[0] & 0xFF;
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            if (shift > 21) {
                throw new IOException("malformed remaining length");
            }
        }
        return new Packet(type, readFully(length, selector, deadline));
    }

    private byte[] readFully(int n, Selector selector, long deadline) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int read = channel.read(b);
            if (read < 0) {
                throw new EOFException("the broker closed the connection");
            }
            if (read == 0) {
                long wait = (deadline - System.nanoTime()) / 1_000_000;
                if (wait <= 0) {
                    throw new IOException("no answer from the broker in time");
                }
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                selector.select(wait);
                key.cancel();
                selector.selectNow(); // deregisters the cancelled key, so the channel can register again
            }
        }
        return b.array();
    }

    static byte[] connect(String clientId, String username, String password, int keepAliveSeconds) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, "MQTT");
        v.write(5); // protocol version 5
        int flags = 0x02; // clean start
        if (username != null) {
            flags |= 0x80 | 0x40; // username and password
        }
        v.write(flags);
        v.write(keepAliveSeconds >> 8);
        v.write(keepAliveSeconds & 0xFF);
        v.write(0); // no properties
        string(v, clientId);
        if (username != null) {
            string(v, username);
            string(v, password);
        }
        return packet(CONNECT, v.toByteArray());
    }

    static byte[] subscribe(int packetId, String topic) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(packetId >> 8);
        v.write(packetId & 0xFF);
        v.write(0); // no properties
        string(v, topic);
        v.write(1); // QoS 1
        return packet(SUBSCRIBE, v.toByteArray());
    }

    /** A PUBLISH with no properties (what a broker sends a device, for tests of {@link #receive}'s parsing). */
    static byte[] publish(String topic, int qos, int packetId, byte[] payload) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, topic);
        if (qos > 0) {
            v.write(packetId >> 8);
            v.write(packetId & 0xFF);
        }
        v.write(0); // no properties
        v.writeBytes(payload);
        return packet(PUBLISH | qos << 1, v.toByteArray());
    }

    private static byte[] packet(int type, byte[] body) {
        ByteArrayOutputStream p = new ByteArrayOutputStream(body.length + 5);
        p.write(type);
        int length = body.length;
        do {
            int digit = length & 0x7F;
            length >>>= 7;
            p.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        p.writeBytes(body);
        return p.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    /** A variable byte integer at {@code pos[0]}, which moves past it; -1 when malformed or cut off. */
    static int varInt(byte[] b, int[] pos) {
        int value = 0;
        for (int shift = 0; shift <= 21; shift += 7) {
            if (pos[0] >= b.length) {
                return -1;
            }
            int digit = b[pos[0]++] & 0xFF;
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }
}
