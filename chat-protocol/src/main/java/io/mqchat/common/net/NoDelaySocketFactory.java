package io.mqchat.common.net;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Plain TCP sockets with Nagle's algorithm off. Paho does not set TCP_NODELAY, so a receiver's PUBACKs
 * (small writes) wait for the TCP ACK of the previous one, which the broker's kernel may delay; measured
 * in the benchmark, that slowed deliveries enough to overflow the broker's per-client queue. Use it for
 * {@code tcp://} connections (not for TLS).
 */
public final class NoDelaySocketFactory extends SocketFactory {

    public static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return noDelay(new Socket(address, port, localAddress, localPort));
    }

    private static Socket noDelay(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }
}
