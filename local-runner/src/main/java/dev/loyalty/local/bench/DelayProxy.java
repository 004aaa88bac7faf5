package dev.loyalty.local.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * A TCP proxy in front of PostgreSQL that holds every chunk of bytes for {@link #delayMicros}
 * in each direction before passing it on: what a network hop to RDS Proxy costs, on a machine
 * whose kernel has no netem. With the delay at 0 it is a plain relay, so the same path is
 * measured with and without the latency. Each direction copies in order on its own thread, so
 * a pipelined burst is delayed once, as on a real link, not once per statement.
 */
final class DelayProxy implements AutoCloseable {
    private final ServerSocket server;
    private final IntSupplier targetPort;
    private volatile long delayMicros;

    DelayProxy(IntSupplier targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("delay-proxy").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    void delayMicros(long micros) {
        this.delayMicros = micros;
    }

    long delayMicros() {
        return delayMicros;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort.getAsInt());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("delay proxy: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("delay-proxy-pump").start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    long due = System.nanoTime() + delayMicros * 1000;
                    for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                        LockSupport.parkNanos(left);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
